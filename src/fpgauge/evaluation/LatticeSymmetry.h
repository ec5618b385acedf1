#pragma once
// How exactly an action keeps the symmetries of the lattice (SPEC §7.4, §7.5). The L-CNN is
// gauge invariant by construction and translation invariant, but its hypercubic symmetry is
// learned; the plaquette+rectangle actions and the fat-link ansatz have all of them exactly.
#include <cstdint>

#include "fpgauge/actions/Action.h"
#include "fpgauge/lattice/Fields.h"

namespace fpgauge::evaluation {

// (max − min)/|mean| of A over the images of u under every rotation and reflection of the
// lattice that maps it onto itself (lattice/HypercubicSymmetry.h: 384 on a hypercubic lattice).
double hypercubic_spread(const Action& action, const GaugeField& u);

// |A(g·u) − A(u)|/|A(u)| for the random gauge transformation g of `seed` (Haar-distributed).
double gauge_variation(const Action& action, const GaugeField& u, std::uint64_t seed);

}  // namespace fpgauge::evaluation
