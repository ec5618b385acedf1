#pragma once
// Whole-field operations on gauge fields: starts, gauge transformations, reunitarisation.
#include <cstdint>

#include "fpgauge/lattice/Fields.h"

namespace fpgauge {

// U = 1 on every link (cold start).
GaugeField unit_gauge_field(std::shared_ptr<const Geometry> geometry);
// Haar-random links (hot start), keyed by (seed, RngPurpose::hot_start, index, link).
GaugeField random_gauge_field(std::shared_ptr<const Geometry> geometry, std::uint64_t seed,
                              std::uint64_t index = 0);
// Haar-random Ω(x), keyed by (seed, RngPurpose::gauge_transformation, index, site).
GaugeTransformation random_gauge_transformation(std::shared_ptr<const Geometry> geometry,
                                                std::uint64_t seed, std::uint64_t index = 0);
// U_μ(x) → Ω(x) U_μ(x) Ω(x+μ̂)† (SPEC §1).
GaugeField gauge_transformed(const GaugeField& u, const GaugeTransformation& omega);
// U_μ(x) ← exp(i s H_μ(x)) U_μ(x) on every link, for Hermitian traceless H (the one update
// of HMC, the gradient flow and everything else that moves links along the algebra).
void left_multiply_exp_i(GaugeField& u, double s, const AlgebraField& h);
// Reunitarise every link (removes accumulated round-off).
void reunitarise(GaugeField& u);
// sqrt(Σ_{x,μ} Σ_a (∂^a_{x,μ} A)²) of a force D = Σ_a t^a ∂^a A (SPEC §1), whose components
// h^a = 2 tr(t^a D) are the Lie derivatives.
double force_norm(const AlgebraField& d);
// ‖a − b‖/‖b‖ over all links and colours (0 if b = 0); summed in link order, so the same bits
// for any thread count.
double relative_force_difference(const AlgebraField& a, const AlgebraField& b);
// max over links of |U U† − 1| and |det U − 1|: how far the field is from SU(3).
double max_unitarity_violation(const GaugeField& u);

}  // namespace fpgauge
