#pragma once
// Adam (Kingma & Ba, arXiv:1412.6980, Algorithm 1) and AdamW (Loshchilov & Hutter,
// arXiv:1711.05101, Algorithm 2: weight decay decoupled from the gradient), the optimisers of the
// L-CNN training (SPEC §6). With the gradient g of step t = 1, 2, ... and the step's learning
// rate η_t (from a schedule, train/LearningRateSchedule.h), element by element:
//   m ← β1 m + (1 − β1) g,   v ← β2 v + (1 − β2) g²,   m̂ = m / (1 − β1^t),   v̂ = v / (1 − β2^t),
//   θ ← θ − η_t [ m̂ / (√v̂ + ε) + w θ ],
// with the decay w = 0 for Adam. (The paper writes the decay with its own schedule multiplier;
// here it shares η_t, as PyTorch's AdamW does, so that θ shrinks by the factor 1 − η_t w.)
#include <cstdint>
#include <span>
#include <vector>

namespace fpgauge::train {

struct AdamParameters {
  double learning_rate = 1e-3;  // η, the rate unless step() is given another
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  double weight_decay = 0.0;  // w (AdamW); 0 is plain Adam
};

// Everything a step depends on besides the weights and the gradient: checkpoints save it, and a
// run restored from it continues bit for bit.
struct AdamState {
  std::vector<double> m, v;
  std::int64_t steps = 0;
};

// Global-norm clipping (Pascanu, Mikolov, Bengio, arXiv:1211.5063): scales the gradient to the
// L2 norm max_norm if it is longer; max_norm = 0 leaves it alone. Returns the norm before. What it
// is for: a rough configuration can give one batch a gradient orders of magnitude above the
// others, and an unclipped Adam step on it throws the weights far off (training spikes).
double clip_gradient_norm(std::span<double> gradient, double max_norm);

class Adam {
 public:
  // Throws std::invalid_argument unless 0 < η, 0 <= β1, β2 < 1, 0 < ε and 0 <= w.
  Adam(std::size_t size, AdamParameters parameters = {});

  // One step on `weights` with their `gradient` at the learning rate η. Throws
  // std::invalid_argument (and leaves the weights and the moments alone) if a size differs, a
  // gradient component is not finite or η is negative or not finite.
  void step(std::span<double> weights, std::span<const double> gradient, double learning_rate);
  void step(std::span<double> weights, std::span<const double> gradient) {
    step(weights, gradient, parameters_.learning_rate);
  }

  std::int64_t steps() const { return state_.steps; }
  const AdamParameters& parameters() const { return parameters_; }
  const AdamState& state() const { return state_; }
  // Throws std::invalid_argument unless the moments have this optimiser's size.
  void restore(AdamState state);

 private:
  AdamParameters parameters_;
  AdamState state_;
};

}  // namespace fpgauge::train
