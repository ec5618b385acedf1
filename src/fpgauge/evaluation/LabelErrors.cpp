#include "fpgauge/evaluation/LabelErrors.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace fpgauge::evaluation {
namespace {

ErrorSummary summarise(const std::vector<double>& x) {
  ErrorSummary s;
  const auto n = static_cast<double>(x.size());
  for (const double v : x) {
    s.mean += v / n;
    s.max = std::max(s.max, v);
  }
  if (x.size() > 1) {
    double squares = 0.0;
    for (const double v : x) squares += (v - s.mean) * (v - s.mean);
    s.error = std::sqrt(squares / (n - 1) / n);
  }
  return s;
}

}  // namespace

LabelErrors label_errors(const std::vector<LabelComparison>& comparisons, double scale) {
  if (comparisons.empty()) throw std::invalid_argument("label_errors: no records");
  std::vector<double> value, derivative;
  LabelErrors errors;
  errors.records = comparisons.size();
  for (const LabelComparison& c : comparisons) {
    value.push_back(std::abs(scale * c.ratio - 1.0));
    // The expanded square carries an absolute rounding error of ~1e-16: clamp at 0.
    derivative.push_back(
        std::sqrt(std::max(0.0, scale * scale * c.norm - 2.0 * scale * c.overlap + 1.0)));
    errors.mean_ratio += scale * c.ratio / static_cast<double>(comparisons.size());
  }
  errors.value = summarise(value);
  errors.derivative = summarise(derivative);
  return errors;
}

}  // namespace fpgauge::evaluation
