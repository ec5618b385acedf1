#pragma once
// Learning-rate schedules of the training (SPEC §6). η_t is the rate of step t = 1 .. T (T = the
// run's total steps), after an optional linear warm-up over the first W steps:
//   warm-up   t <= W:  η_t = η · t / W
//   constant         : η_t = η
//   cosine           : η_t = η_min + ½ (η − η_min) (1 + cos(π (t − W) / (T − W)))
//                      (SGDR, Loshchilov & Hutter arXiv:1608.03983, one cycle: η at the end of
//                      the warm-up, η_min at t = T)
//   step             : η_t = η · γ^⌊(t − W) / S⌋   (multiplied by γ every S steps)
#include <cstdint>
#include <string>

namespace fpgauge::train {

struct LearningRateSchedule {
  enum class Kind { constant, cosine, step };

  Kind kind = Kind::constant;
  double learning_rate = 1e-3;        // η
  std::int64_t warmup_steps = 0;      // W
  std::int64_t total_steps = 1;       // T (cosine)
  double final_learning_rate = 0.0;   // η_min (cosine)
  std::int64_t step_size = 1;         // S (step)
  double gamma = 0.5;                 // γ (step)

  // Throws std::invalid_argument naming the parameter unless η > 0, 0 <= W < T (W < T for
  // cosine only), 0 <= η_min <= η, S >= 1 and 0 < γ <= 1.
  void validate() const;
  // η_t for t >= 1; t > T gives η_T's formula continued (cosine stays at η_min).
  double at(std::int64_t step) const;
};

// "constant", "cosine", "step"; throws std::invalid_argument for other names.
LearningRateSchedule::Kind schedule_kind(const std::string& name);

}  // namespace fpgauge::train
