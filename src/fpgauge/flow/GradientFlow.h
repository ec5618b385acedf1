#pragma once
// The gradient flow driven by any reduced action A (SPEC §1):
//   V̇_μ(x) = −6 i (D_{x,μ} A)(V) V_μ(x),
// Lüscher's Wilson flow for A = A_W (JHEP 08 (2010) 071; with S_W = (1/g0²) Σ_p Re tr(1 − U(p))
// over oriented plaquettes, g0² S_W = 6 A_W). With Z(W) = −6 ε D A(W) a step of size ε is
// Lüscher's third-order Runge–Kutta scheme (ibid., eq. C.1–C.3), in the low-storage form
//   W1 = exp(i ¼ Z0) W0,
//   W2 = exp(i X2) W1,            X2 = 8/9 Z1 − 17/36 Z0,
//   W3 = exp(i (¾ Z2 − X2)) W2,   Z_k = Z(W_k),
// three force evaluations per step. The adaptive integrator compares W3 with the embedded
// second-order result W̃ = exp(i (2 Z1 − Z0)) W0 (Fritzsch & Ramos, JHEP 10 (2013) 008, App. D;
// the classical order conditions b·c = ½ with c1 = ¼ give the weights 2 and −1), which costs no
// further force evaluation, and controls the step by
//   d = max_{x,μ} ‖W3 − W̃‖_F / 3,   accept if d ≤ δ,   ε' = 0.95 ε (δ/d)^{1/3}
// (local error of the embedded pair ∝ ε³), clamped to [ε/5, 2ε] and to the maximum step.
#include <cstdint>

#include "fpgauge/actions/Action.h"
#include "fpgauge/lattice/Fields.h"

namespace fpgauge {

struct FlowOptions {
  double step = 0.01;         // ε: the fixed step, or the first adaptive step
  bool adaptive = false;
  double tolerance = 1e-6;    // δ: the largest accepted d per adaptive step
  double max_step = 0.1;      // adaptive steps never grow beyond this
};

struct FlowStatistics {
  std::int64_t steps = 0;     // accepted steps
  std::int64_t rejected = 0;  // adaptive steps redone with a smaller ε
};

class GradientFlow {
 public:
  // The action is not owned. Throws std::invalid_argument for a non-positive or non-finite
  // step, tolerance or maximum step.
  GradientFlow(const Action& action, FlowOptions options);

  // Flows v from flow time t to t_end ≥ t, landing on t_end exactly (the last step is
  // shortened). Adaptive runs carry their step size from one call to the next.
  FlowStatistics advance(GaugeField& v, double t, double t_end);

  // One RK3 step of size ε. With `embedded_distance` not null it also receives d (above).
  void step(GaugeField& v, double epsilon, double* embedded_distance = nullptr);

  const Action& action() const { return action_; }
  const FlowOptions& options() const { return options_; }

 private:
  // z = −6 D A(w): the Hermitian generator of the flow at w; W ← exp(i ε z) W is an Euler step.
  void generator(const GaugeField& w, AlgebraField& z) const;

  const Action& action_;
  FlowOptions options_;
  double next_step_;  // adaptive: the step the controller proposes next
  AlgebraField z_, x_, embedded_;  // work fields of a step, kept between steps
  GaugeField start_, saved_;
};

}  // namespace fpgauge
