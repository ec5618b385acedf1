#pragma once
// Local updates for the plaquette+rectangle family (SPEC §8): Cabibbo–Marinari heatbath over
// the three SU(2) subgroups with Kennedy–Pendleton sampling, and microcanonical
// overrelaxation. The local action of a link is −(β/3) Re tr(U_μ(x) Σ_μ(x)) with Σ the weighted
// staple sum of GaugeLoopAction. Links that share no loop are updated at once: for the
// plaquette action the links of one direction and one site parity; with rectangles the links of
// one direction, one parity of x_μ and one value of (Σ_{ν≠μ} x_ν) mod 4. Random numbers are
// keyed by (seed, RngPurpose::heatbath, sweep, link), so a sweep is bitwise independent of the
// thread count.
#include <cstdint>

#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/lattice/Rng.h"

namespace fpgauge {

// Throws std::invalid_argument when the lattice cannot be coloured for the action: every extent
// even; with rectangles also every extent a multiple of 4.
void check_heatbath_geometry(const Geometry& geometry, const GaugeLoopAction& action);

// One heatbath sweep over every link.
void heatbath_sweep(GaugeField& u, const GaugeLoopAction& action, double beta,
                    std::uint64_t seed, std::uint64_t sweep);

// a0 of an SU(2) matrix drawn with density ∝ sqrt(1 − a0²) exp(α a0) (the heatbath's
// subgroup distribution).
double sample_su2_heatbath_a0(double alpha, RngStream& rng);

// One overrelaxation sweep over every link (leaves the action unchanged up to round-off).
void overrelaxation_sweep(GaugeField& u, const GaugeLoopAction& action);

}  // namespace fpgauge
