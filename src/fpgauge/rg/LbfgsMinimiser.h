#pragma once
// Minimisation of a function F on the product of SU(3)s over all links (the FP equation's
// min_U [A(U) + T(U,V)], SPEC §3) by Riemannian L-BFGS. Coordinates are those of the
// left-trivialised tangent space: a step x = (x^a_l) moves U_l → exp(i Σ_a x^a_l t^a) U_l, in which
// F's gradient is g^a_l = ∂^a_l F (SPEC §1) and φ(α) = F(exp(iαX) U) has φ'(α) = x·g(α) exactly.
// Curvature pairs (s, y) are kept in these coordinates without transport, the usual choice for
// Lie groups (the trivialisation is the transport). The recursion and the strong-Wolfe line
// search are the project's one L-BFGS (core/Lbfgs.h).
// Convergence: max_{l,a} |g^a_l| ≤ tolerance, a gauge-invariant measure when F is.
#include <functional>

#include "fpgauge/lattice/Fields.h"

namespace fpgauge {

struct MinimiserOptions {
  double gradient_tolerance = 1e-9;  // stop at max |∂^a F| ≤ this
  int max_iterations = 10000;
  int history = 10;  // L-BFGS curvature pairs
};

struct MinimiserResult {
  double value = 0.0;     // F at the end
  double residual = 0.0;  // max |∂^a F| at the end
  int iterations = 0;
  int evaluations = 0;  // of F and its gradient together
  bool converged = false;
};

// F(U) and its gradient d_l = D_l F = Σ_a t^a ∂^a_l F; d is sized by the caller's first call.
using LinkObjective = std::function<double(const GaugeField& u, AlgebraField& d)>;

// Minimises F starting from u; u is left at the minimiser (reunitarised). Throws
// std::runtime_error if F or its gradient is not finite.
MinimiserResult minimise_lbfgs(GaugeField& u, const LinkObjective& f,
                               const MinimiserOptions& options = {});

}  // namespace fpgauge
