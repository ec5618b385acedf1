#pragma once
// The self-consistent iteration of the FP equation (SPEC §3),
//     A_{k+1}(V) = min_U [ A_k(U) + T(U,V) ],
// which converges to A_FP. FpStepAction is A_{k+1} as an Action in its own right, on any lattice
// (its value at V is a minimisation on the lattice twice as fine, its force the envelope
// derivative, rg/FpEquation.h), so that it is the fine action of the next step: labels with
// make_fp_step_action(A_0, kernel, k) as the fine action are the k-th iterate's, A_{k+1}.
//
// Cost: each evaluation of A_{k+1} on U is a minimisation on U's lattice × 2, so the labels of
// one more step cost ~16 × (outer evaluations) times as much. Each inner minimisation starts at
// the previous one's minimiser, which the outer minimiser's small steps keep close, and value()
// and force() at the same U share one minimisation.
//
// The force has an error of first order in the inner residual (rg/FpEquation.h), which limits the
// outer minimiser's reachable residual: the inner tolerance should be ~10× below the outer one.
#include <memory>
#include <mutex>

#include "fpgauge/actions/Action.h"
#include "fpgauge/rg/FpEquation.h"

namespace fpgauge {

class FpStepAction final : public Action {
 public:
  FpStepAction(std::shared_ptr<const Action> finer, BlockingKernel kernel,
               MinimiserOptions options);

  // "fp_step(NAME)" for the finer action NAME.
  std::string name() const override;
  // {"name": "fp_step", "finer_action": ..., "kernel": ..., "minimiser": ...}
  nlohmann::json description() const override;
  // min_W [A_finer(W) + T(W,U)]; throws std::runtime_error if the minimisation does not reach
  // the tolerance (an unconverged inner value would silently corrupt the outer labels).
  double value(const GaugeField& u) const override;
  void force(const GaugeField& u, AlgebraField& d) const override;

 private:
  const FpLabel& solve(const GaugeField& u) const;

  std::shared_ptr<const Action> finer_;
  BlockingKernel kernel_;
  MinimiserOptions options_;
  // The last U, its label and minimiser W*, the start of the next minimisation.
  mutable std::mutex mutex_;
  mutable GaugeField last_u_, last_minimiser_;
  mutable FpLabel last_label_;
};

// A_k from A_0 = `fine` by k − 1 nested FpStepActions (k = 1 returns `fine` itself); the inner
// minimisations use `inner` options.
std::shared_ptr<const Action> make_fp_step_action(std::shared_ptr<const Action> fine,
                                                  const BlockingKernel& kernel,
                                                  const MinimiserOptions& inner, int k);

}  // namespace fpgauge
