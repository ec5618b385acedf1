#pragma once
// Adam (Kingma & Ba, arXiv:1412.6980, Algorithm 1), the optimiser of the L-CNN training
// (SPEC §6): with the gradient g of step t = 1, 2, ...,
//   m ← β1 m + (1 − β1) g,   v ← β2 v + (1 − β2) g²,
//   θ ← θ − η m̂ / (√v̂ + ε),   m̂ = m / (1 − β1^t),   v̂ = v / (1 − β2^t),
// element by element.
#include <cstdint>
#include <span>
#include <vector>

namespace fpgauge::train {

struct AdamParameters {
  double learning_rate = 1e-3;  // η
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
};

class Adam {
 public:
  // Throws std::invalid_argument unless 0 < η, 0 <= β1, β2 < 1 and 0 < ε.
  Adam(std::size_t size, AdamParameters parameters = {});

  // One step on `weights` with their `gradient`. Throws std::invalid_argument (and leaves the
  // weights and the moments alone) if a size differs or a gradient component is not finite.
  void step(std::span<double> weights, std::span<const double> gradient);

  std::int64_t steps() const { return steps_; }
  const AdamParameters& parameters() const { return parameters_; }

 private:
  AdamParameters parameters_;
  std::vector<double> m_, v_;
  std::int64_t steps_ = 0;
};

}  // namespace fpgauge::train
