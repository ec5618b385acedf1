#include "fpgauge/train/FatLinkFit.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "fpgauge/core/Su3Algebra.h"

namespace fpgauge {
namespace {

// Σ (∂^a A_FP)² of a record, checked: the loss divides by it and by A_FP.
double label_norm(const LabelRecord& record) {
  const SiteIndex links = record.configuration.size();
  if (static_cast<SiteIndex>(record.derivative.size()) != links)
    throw std::invalid_argument(fmt::format(
        "label record '{}': {} derivative entries for {} links", record.source,
        record.derivative.size(), links));
  if (!(record.action != 0.0) || !std::isfinite(record.action))
    throw std::invalid_argument(fmt::format(
        "label record '{}': A_FP = {} (the loss divides by it; expected a finite nonzero value)",
        record.source, record.action));
  double n = 0.0;
  for (const Algebra<double>& d : record.derivative)
    for (const double x : d) n += x * x;
  if (!(n > 0.0) || !std::isfinite(n))
    throw std::invalid_argument(fmt::format(
        "label record '{}': sum of squared derivative labels = {} (expected finite and positive)",
        record.source, n));
  return n;
}

void require_records(const std::vector<LabelRecord>& records, const char* which) {
  if (records.empty())
    throw std::invalid_argument(fmt::format("fat-link fit: no {} records", which));
}

void require_weights(const std::vector<LabelRecord>& records, const std::vector<double>& weights) {
  if (!weights.empty() && weights.size() != records.size())
    throw std::invalid_argument(fmt::format("label comparison: {} weights for {} records",
                                            weights.size(), records.size()));
  for (const double w : weights)
    if (!(w > 0.0) || !std::isfinite(w))
      throw std::invalid_argument(fmt::format("label comparison: weight {} is not > 0", w));
}

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic>;

// The upper-triangular factor R of [rows | target] over all records, built by reducing one
// record's block at a time together with the R so far (QR of [R; block] has the same R as QR of
// all rows stacked).
class StackedQr {
 public:
  explicit StackedQr(Eigen::Index columns) : r_(0, columns) {}

  void add(const Matrix& block) {
    Matrix stacked(r_.rows() + block.rows(), r_.cols());
    stacked << r_, block;
    Eigen::HouseholderQR<Matrix> qr(stacked);
    const Eigen::Index n = std::min(stacked.rows(), stacked.cols());
    r_ = qr.matrixQR().topRows(n).triangularView<Eigen::Upper>();
  }

  const Matrix& r() const { return r_; }

 private:
  Matrix r_;
};

}  // namespace

std::vector<LabelComparison> compare_with_labels(const Action& action,
                                                 const std::vector<LabelRecord>& records,
                                                 const std::vector<double>& weights) {
  require_weights(records, weights);
  std::vector<LabelComparison> comparisons;
  AlgebraField d;
  for (const LabelRecord& record : records) {
    const double n = label_norm(record);
    const double a = action.value(record.configuration);
    action.force(record.configuration, d);
    double overlap = 0.0, norm = 0.0;
    for (SiteIndex l = 0; l < d.size(); ++l) {
      const Algebra<double> da = matrix_to_algebra(d[l]);
      for (int c = 0; c < kAlgebraDim; ++c) {
        overlap += da[c] * record.derivative[l][c];
        norm += da[c] * da[c];
      }
    }
    const double weight = weights.empty() ? 1.0 : weights[comparisons.size()];
    comparisons.push_back({a / record.action, overlap / n, norm / n, weight});
  }
  return comparisons;
}

LabelLoss label_loss(const std::vector<LabelComparison>& comparisons, double lambda,
                     double scale) {
  LabelLoss loss;
  if (comparisons.empty()) return loss;
  double n = 0.0;
  for (const LabelComparison& c : comparisons) {
    const double r = scale * c.ratio - 1.0;
    loss.value += c.weight * r * r;
    loss.derivative += c.weight * (scale * scale * c.norm - 2.0 * scale * c.overlap + 1.0);
    n += c.weight;
  }
  loss.value /= n;
  loss.derivative = std::max(0.0, loss.derivative / n);  // ≥ 0 exactly; rounding may dip below
  loss.total = loss.value + lambda * loss.derivative;
  return loss;
}

double best_rescale(const std::vector<LabelComparison>& comparisons, double lambda) {
  double numerator = 0.0, denominator = 0.0;
  for (const LabelComparison& c : comparisons) {
    numerator += c.weight * (c.ratio + lambda * c.overlap);
    denominator += c.weight * (c.ratio * c.ratio + lambda * c.norm);
  }
  if (!(denominator > 0.0))
    throw std::invalid_argument("best rescale: the action is zero on every record");
  return numerator / denominator;
}

std::vector<double> fit_fat_link_coefficients(const std::vector<LabelRecord>& records,
                                              const std::vector<double>& weights, double c,
                                              int degree, double lambda, bool normalised) {
  require_records(records, "training");
  require_weights(records, weights);
  if (!(lambda >= 0.0) || !std::isfinite(lambda))
    throw std::invalid_argument(fmt::format("fat-link fit: lambda = {} is not >= 0", lambda));
  const FatLinkAction shape(c, degree,
                            std::vector<double>(FatLinkAction::monomials(degree).size(), 0.0));
  const Eigen::Index m = static_cast<Eigen::Index>(shape.coefficients().size());
  // p = p0 + N q: unconstrained N = 1, p0 = 0; normalised p0 = (1/3, 0, …) and the first column
  // of N is e_01 − r e_10 (r = 1 + 24c), the others e_kl of degree ≥ 2, so that
  // p_10 + r p_01 = 1/3 whatever q (monomials(degree) starts with (1,0), (0,1)).
  Eigen::VectorXd p0 = Eigen::VectorXd::Zero(m);
  Matrix null_space = Matrix::Identity(m, m);
  if (normalised) {
    p0(0) = 1.0 / 3.0;
    null_space = Matrix::Zero(m, m - 1);
    null_space(0, 0) = -FatLinkAction::long_wavelength_fat_plaquette_ratio(c);
    for (Eigen::Index j = 1; j < m; ++j) null_space(j, j - 1) = 1.0;
  }
  const Eigen::Index k = null_space.cols();
  StackedQr qr(k + 1);
  for (std::size_t i = 0; i < records.size(); ++i) {
    const LabelRecord& record = records[i];
    const double n = label_norm(record);
    const FatLinkAction::Basis basis = shape.basis(record.configuration);
    const SiteIndex links = record.configuration.size();
    // [rows of p | target], then [rows·N | target − rows·p0]
    Matrix block(1 + kAlgebraDim * links, m + 1);
    for (Eigen::Index j = 0; j < m; ++j) block(0, j) = basis.values[j] / record.action;
    block(0, m) = 1.0;
    const double w = std::sqrt(lambda / n);
    for (Eigen::Index j = 0; j < m; ++j)
      for (SiteIndex l = 0; l < links; ++l) {
        const Algebra<double> df = matrix_to_algebra(basis.forces[j][l]);
        for (int a = 0; a < kAlgebraDim; ++a) block(1 + kAlgebraDim * l + a, j) = w * df[a];
      }
    for (SiteIndex l = 0; l < links; ++l)
      for (int a = 0; a < kAlgebraDim; ++a)
        block(1 + kAlgebraDim * l + a, m) = w * record.derivative[l][a];
    Matrix reduced(block.rows(), k + 1);
    reduced.leftCols(k) = block.leftCols(m) * null_space;
    reduced.col(k) = block.col(m) - block.leftCols(m) * p0;
    if (!weights.empty()) reduced *= std::sqrt(weights[i]);  // Σ w L: rows scaled by √w
    qr.add(reduced);
  }
  // R11 q = r12, with the columns of R11 equilibrated (the monomials differ by orders of
  // magnitude) and a rank-revealing solve, which returns the minimum-norm solution where the
  // basis is degenerate.
  const Matrix& r = qr.r();
  const Eigen::Index rows = std::min(r.rows(), k);
  Matrix r11 = r.topLeftCorner(rows, k);
  const Eigen::VectorXd r12 = r.col(k).head(rows);
  Eigen::VectorXd scale(k);
  for (Eigen::Index j = 0; j < k; ++j) {
    scale(j) = r11.col(j).norm();
    if (scale(j) == 0.0) scale(j) = 1.0;
    r11.col(j) /= scale(j);
  }
  const Eigen::VectorXd q =
      Eigen::CompleteOrthogonalDecomposition<Matrix>(r11).solve(r12).cwiseQuotient(scale);
  const Eigen::VectorXd x = p0 + null_space * q;
  return std::vector<double>(x.data(), x.data() + m);
}

int fat_link_fit_evaluations(const FatLinkFitOptions& options) {
  const double bracket = 2.0 * (options.c_max - options.c_min) / (options.scan_points - 1);
  if (bracket <= options.c_tolerance) return options.scan_points;
  const double shrink = (std::sqrt(5.0) - 1.0) / 2.0;
  return options.scan_points + 2 +
         static_cast<int>(std::ceil(std::log(options.c_tolerance / bracket) / std::log(shrink)));
}

FatLinkFitResult fit_fat_link(const std::vector<LabelRecord>& training,
                              const std::vector<double>& training_weights,
                              const std::vector<LabelRecord>& validation,
                              const FatLinkFitOptions& options,
                              const FatLinkFitObserver& on_point) {
  require_records(training, "training");
  require_records(validation, "validation");
  if (!(options.c_min >= 0.0 && options.c_min < options.c_max && options.c_max <= 1.0 / 6.0))
    throw std::invalid_argument(fmt::format(
        "fat-link fit: the c range [{}, {}] is not an interval within [0, 1/6]", options.c_min,
        options.c_max));
  if (options.scan_points < 2)
    throw std::invalid_argument(
        fmt::format("fat-link fit: scan_points = {}: expected at least 2", options.scan_points));
  if (!(options.c_tolerance > 0.0))
    throw std::invalid_argument(
        fmt::format("fat-link fit: c_tolerance = {}: expected > 0", options.c_tolerance));

  FatLinkFitResult result;
  const auto evaluate = [&](double c) {
    FatLinkFitPoint point;
    point.c = c;
    point.p = fit_fat_link_coefficients(training, training_weights, c, options.degree,
                                        options.lambda, options.normalised);
    const FatLinkAction action(c, options.degree, point.p);
    point.training =
        label_loss(compare_with_labels(action, training, training_weights), options.lambda);
    point.validation = label_loss(compare_with_labels(action, validation), options.lambda);
    result.tried.push_back(point);
    if (on_point) on_point(point, static_cast<int>(result.tried.size()));
    return point.validation.total;
  };

  const double step = (options.c_max - options.c_min) / (options.scan_points - 1);
  std::vector<double> scan(options.scan_points);
  for (int i = 0; i < options.scan_points; ++i) {
    // the last point exactly c_max, whatever the rounding of the steps
    const double c = i + 1 == options.scan_points ? options.c_max : options.c_min + i * step;
    scan[i] = evaluate(c);
  }
  const int best = static_cast<int>(std::min_element(scan.begin(), scan.end()) - scan.begin());
  double a = options.c_min + std::max(best - 1, 0) * step;
  double b = std::min(options.c_min + (best + 1) * step, options.c_max);
  // Golden section (Kiefer 1953) in [a, b]; bracket width from the scan step, so the number of
  // evaluations is fat_link_fit_evaluations() whatever the data.
  if (2.0 * step > options.c_tolerance) {
    const double shrink = (std::sqrt(5.0) - 1.0) / 2.0;
    const int iterations = fat_link_fit_evaluations(options) - options.scan_points - 2;
    double x1 = b - shrink * (b - a), x2 = a + shrink * (b - a);
    double f1 = evaluate(x1), f2 = evaluate(x2);
    for (int k = 0; k < iterations; ++k) {
      if (f1 <= f2) {
        b = x2;
        x2 = x1;
        f2 = f1;
        x1 = b - shrink * (b - a);
        f1 = evaluate(x1);
      } else {
        a = x1;
        x1 = x2;
        f1 = f2;
        x2 = a + shrink * (b - a);
        f2 = evaluate(x2);
      }
    }
  }
  result.best = *std::min_element(
      result.tried.begin(), result.tried.end(),
      [](const FatLinkFitPoint& x, const FatLinkFitPoint& y) {
        return x.validation.total < y.validation.total;
      });
  return result;
}

}  // namespace fpgauge
