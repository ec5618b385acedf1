#pragma once
// Shared by the instanton tests (unit and long): the expected Wilson action and a centred
// instanton on an L^4 lattice.
#include "fpgauge/instantons/Instanton.h"

namespace fpgauge::test {

// The Wilson action of the lattice instanton in infinite volume over 8π²/6 (García Pérez,
// González-Arroyo, Snippe, van Baal, Nucl. Phys. B 413 (1994) 535).
inline double wilson_expansion(double rho) {
  const double x = 1.0 / (rho * rho);
  return 1.0 - x / 5.0 - x * x / 70.0;
}

inline GaugeField centred_instanton(int l, double rho,
                                    InstantonGauge gauge = InstantonGauge::singular) {
  const auto g = Geometry::make({l, l, l, l});
  return instanton_field(g, BpstInstanton(rho, lattice_middle(*g), gauge));
}

}  // namespace fpgauge::test
