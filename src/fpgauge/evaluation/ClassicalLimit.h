#pragma once
// The classical continuum limit of an action: A/A_W for long-wavelength fields. Every FP action
// has the continuum's normalisation, A_FP/A_W → 1 (the labels: docs/labels.md,
// tests/test_fp_physics.cpp); an action fitted to rough MC fields alone need not (the fat-link
// ansatz: actions/FatLinkAction.h classical_normalisation()). A normalisation N ≠ 1 rescales the
// classical action of every smooth field — large instantons, the flow time of the action's own
// gradient flow — by N.
#include <array>
#include <memory>

#include "fpgauge/actions/Action.h"
#include "fpgauge/lattice/Fields.h"

namespace fpgauge::evaluation {

// A long-wavelength field: V_μ(n) = exp(i ε sin(2π n_1/L_1 + 0.7μ) t^{a_μ}) for μ = 0, 2, 3, with
// generators = (a_0, a_2, a_3) (0-based: 0 is t^1), and V_1 = 1. Its field strength is the
// lattice derivative along direction 1, of momentum p = 2π/L_1; non-abelian if the t^{a_μ}
// do not commute.
GaugeField plane_wave(std::shared_ptr<const Geometry> geometry, double amplitude,
                      const std::array<int, 3>& generators);

// The abelian plane wave: t^3 for μ = 0, 3 and t^8 for μ = 2 (commuting).
GaugeField abelian_plane_wave(std::shared_ptr<const Geometry> geometry, double amplitude);

struct ClassicalNormalisation {
  double extrapolated;             // (4 r(2L) − r(L))/3: the O(p²) artefacts removed
  double ratio_long, ratio_short;  // r = (A(V) − A(1))/A_W(V) on the waves of 2L and L
};

// A/A_W on abelian_plane_wave(ε = 0.02) on 4 × L × 4 × 4 and 4 × 2L × 4 × 4 (L = 64), and the
// p → 0 limit. A(1) is subtracted (a network's constant term is not part of the field's action).
ClassicalNormalisation classical_normalisation(const Action& action);

}  // namespace fpgauge::evaluation
