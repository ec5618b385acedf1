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
  // Of solve_fp_equation_from_starts: how many different minima its starts reached, and the
  // largest ‖D_k − D‖/‖D‖ of their derivative labels D_k against the one kept (0 if one minimum).
  int minima = 1;
  double derivative_spread = 0.0;
};

// Solves the FP equation for v. `fine`, if not null, receives U* and, if it already holds a field
// on the fine lattice, is used as the start instead of the prolongation.
FpLabel solve_fp_equation(const GaugeField& v, const Action& fine_action,
                          const BlockingKernel& kernel, const MinimiserOptions& options = {},
                          GaugeField* fine = nullptr);

// A_FP is the *global* minimum of F, but on rough coarse fields F has several local minima: on
// 4^4 Wilson configurations at β = 5 (DeGrand c = 0.1, κ = 8) eight starts end in 6–8 minima
// whose A lie within 1% and whose derivative labels differ by 22–41%; from β = 5.7 on the minimum
// is unique on all but one configuration in twenty (docs/labels.md). Starts beyond the first:
// the prolongation with every fine link moved to exp(i s H) U, H^a standard normal, keyed by
// (seed, RngPurpose::fp_start, start number, fine link), the same for every configuration.
struct FpStarts {
  int count = 1;        // the prolongation and count − 1 perturbed starts
  double spread = 0.5;  // s
  std::uint64_t seed = 1;
};

// Solves the FP equation from every start and keeps the lowest minimum; the prolongation's label
// is kept unless another start is lower by more than 1e-10 |A| (so that a unique minimum gives
// the labels of solve_fp_equation bit for bit). Counts as different minima those whose
// derivative labels differ from the kept one's by more than 1e-6 relative (a converged label's
// error is ~ the tolerance).
FpLabel solve_fp_equation_from_starts(const GaugeField& v, const Action& fine_action,
                                      const BlockingKernel& kernel,
                                      const MinimiserOptions& options, const FpStarts& starts);

}  // namespace fpgauge
