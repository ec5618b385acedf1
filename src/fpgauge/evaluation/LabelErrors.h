#pragma once
// How well an action reproduces FP labels (SPEC §7.1): per configuration V of a label dataset
//   value error       |s A(V) − A_FP(V)| / |A_FP(V)|
//   derivative error  ‖s D A(V) − D A_FP(V)‖ / ‖D A_FP(V)‖   (norm over all links and colours)
// for the action scaled by s (1, or the best overall rescale of a standard action), summarised
// over the records by mean, standard error of the mean and maximum.
#include <cstddef>
#include <vector>

#include "fpgauge/train/FatLinkFit.h"

namespace fpgauge::evaluation {

struct ErrorSummary {
  double mean = 0.0;
  double error = 0.0;  // standard error of the mean (0 for one record)
  double max = 0.0;
};

struct LabelErrors {
  std::size_t records = 0;
  ErrorSummary value;
  ErrorSummary derivative;
  double mean_ratio = 0.0;  // mean of s A / A_FP
};

// From the per-record moments of compare_with_labels (train/FatLinkFit.h):
//   value error = |s ratio − 1|,  derivative error² = s² norm − 2 s overlap + 1.
// Throws std::invalid_argument for no records.
LabelErrors label_errors(const std::vector<LabelComparison>& comparisons, double scale = 1.0);

}  // namespace fpgauge::evaluation
