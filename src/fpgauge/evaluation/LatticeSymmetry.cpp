#include "fpgauge/evaluation/LatticeSymmetry.h"

#include <algorithm>
#include <cmath>

#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/lattice/HypercubicSymmetry.h"

namespace fpgauge::evaluation {

double hypercubic_spread(const Action& action, const GaugeField& u) {
  double low = 0.0, high = 0.0, sum = 0.0;
  const std::vector<HypercubicElement> group = lattice_symmetry_group(u.geometry().extents());
  for (std::size_t k = 0; k < group.size(); ++k) {
    const double a = action.value(hypercubic_transformed(u, group[k]));
    low = k == 0 ? a : std::min(low, a);
    high = k == 0 ? a : std::max(high, a);
    sum += a;
  }
  return (high - low) / std::abs(sum / static_cast<double>(group.size()));
}

double gauge_variation(const Action& action, const GaugeField& u, std::uint64_t seed) {
  const double a = action.value(u);
  const double b =
      action.value(gauge_transformed(u, random_gauge_transformation(u.geometry_ptr(), seed)));
  return std::abs(b - a) / std::abs(a);
}

}  // namespace fpgauge::evaluation
