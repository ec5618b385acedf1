#pragma once
// The FP equation on one coarse configuration (SPEC §3):
//     A_FP(V) = min_U F(U),   F(U) = A_fine(U) + T(U,V),
// minimised over the fine lattice (twice the coarse extents) with Riemannian L-BFGS from the
// prolongation of V. The derivative label follows from the envelope theorem at the minimiser U*:
//     D_{n,μ} A_FP(V) = −(κ/3) lie_gradient(V_μ(n) Q_μ(n)(U*)†),
// with an error of first order in the remaining fine gradient, the value's of second order.
#include "fpgauge/actions/Action.h"
#include "fpgauge/rg/BlockingKernel.h"
#include "fpgauge/rg/LbfgsMinimiser.h"

namespace fpgauge {

// The start of the minimisation: U_μ(2n) = U_μ(2n+μ̂) = √V_μ(n), every other fine link 1. The SU(3)
// square root is the W maximising Re tr(W (1 + V)†): for V = exp(iH) (eigenphases in (−π, π)),
// 1 + V = exp(iH/2) · 2cos(H/2) has the unitary polar factor exp(iH/2).
GaugeField prolongate(const GaugeField& v);

struct FpLabel {
  double action = 0.0;       // A_FP(V) = F(U*)
  double fine_action = 0.0;  // A_fine(U*)
  double kernel = 0.0;       // T(U*, V)
  AlgebraField derivative;   // D_{n,μ} A_FP(V) on the coarse lattice
  MinimiserResult minimisation;
};

// Solves the FP equation for v. `fine`, if not null, receives U* and, if it already holds a field
// on the fine lattice, is used as the start instead of the prolongation.
FpLabel solve_fp_equation(const GaugeField& v, const Action& fine_action,
                          const BlockingKernel& kernel, const MinimiserOptions& options = {},
                          GaugeField* fine = nullptr);

}  // namespace fpgauge
