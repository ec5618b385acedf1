#pragma once
// Gauge-invariant observables of a configuration (SPEC §1 normalisations; all equal 1 on the
// unit field).
#include <complex>

#include "fpgauge/lattice/Fields.h"

namespace fpgauge {

// ⟨P⟩ = (1/(18V)) Σ_x Σ_{μ<ν} Re tr P_μν(x).
double average_plaquette(const GaugeField& u);
// (1/(36V)) Σ_x Σ_{μ≠ν} Re tr R_μν(x) over all 2×1 and 1×2 loops.
double average_rectangle(const GaugeField& u);
// (1/(12V)) Σ_{x,μ} Re tr U_μ(x) (NERSC LINK_TRACE; gauge dependent).
double average_link_trace(const GaugeField& u);
// W(R,T) = ⟨⅓ Re tr⟩ of the R×T loops with R along a spatial direction (0,1,2) and T along
// direction 3, averaged over sites and the three spatial directions.
double wilson_loop(const GaugeField& u, int r, int t);
// Polyakov loop (1/V) Σ_x ⅓ tr Π_t U_3(x + t·3̂), averaged over all sites.
std::complex<double> polyakov_loop(const GaugeField& u);

}  // namespace fpgauge
