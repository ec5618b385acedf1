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
                                                 const std::vector<LabelRecord>& records) {
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
    comparisons.push_back({a / record.action, overlap / n, norm / n});
  }
  return comparisons;
}

LabelLoss label_loss(const std::vector<LabelComparison>& comparisons, double lambda,
                     double scale) {
  LabelLoss loss;
  if (comparisons.empty()) return loss;
  for (const LabelComparison& c : comparisons) {
    const double r = scale * c.ratio - 1.0;
    loss.value += r * r;
    loss.derivative += scale * scale * c.norm - 2.0 * scale * c.overlap + 1.0;
  }
  const double n = static_cast<double>(comparisons.size());
  loss.value /= n;
  loss.derivative = std::max(0.0, loss.derivative / n);  // ≥ 0 exactly; rounding may dip below
  loss.total = loss.value + lambda * loss.derivative;
  return loss;
}

double best_rescale(const std::vector<LabelComparison>& comparisons, double lambda) {
  double numerator = 0.0, denominator = 0.0;
  for (const LabelComparison& c : comparisons) {
    numerator += c.ratio + lambda * c.overlap;
    denominator += c.ratio * c.ratio + lambda * c.norm;
  }
  if (!(denominator > 0.0))
    throw std::invalid_argument("best rescale: the action is zero on every record");
  return numerator / denominator;
}

std::vector<double> fit_fat_link_coefficients(const std::vector<LabelRecord>& records, double c,
                                              int degree, double lambda) {
  require_records(records, "training");
  if (!(lambda >= 0.0) || !std::isfinite(lambda))
    throw std::invalid_argument(fmt::format("fat-link fit: lambda = {} is not >= 0", lambda));
  const FatLinkAction shape(c, degree,
                            std::vector<double>(FatLinkAction::monomials(degree).size(), 0.0));
  const Eigen::Index m = static_cast<Eigen::Index>(shape.coefficients().size());
  StackedQr qr(m + 1);
  for (const LabelRecord& record : records) {
    const double n = label_norm(record);
    const FatLinkAction::Basis basis = shape.basis(record.configuration);
    const SiteIndex links = record.configuration.size();
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
    qr.add(block);
  }
  // R11 p = r12, with the columns of R11 equilibrated (the monomials differ by orders of
  // magnitude) and a rank-revealing solve, which returns the minimum-norm solution where the
  // basis is degenerate.
  const Matrix& r = qr.r();
  const Eigen::Index rows = std::min(r.rows(), m);
  Matrix r11 = r.topLeftCorner(rows, m);
  const Eigen::VectorXd r12 = r.col(m).head(rows);
  Eigen::VectorXd scale(m);
  for (Eigen::Index j = 0; j < m; ++j) {
    scale(j) = r11.col(j).norm();
    if (scale(j) == 0.0) scale(j) = 1.0;
    r11.col(j) /= scale(j);
  }
  const Eigen::VectorXd x = Eigen::CompleteOrthogonalDecomposition<Matrix>(r11).solve(r12);
  std::vector<double> p(m);
  for (Eigen::Index j = 0; j < m; ++j) p[j] = x(j) / scale(j);
  return p;
}

int fat_link_fit_evaluations(const FatLinkFitOptions& options) {
  const double bracket = 2.0 * (options.c_max - options.c_min) / (options.scan_points - 1);
  if (bracket <= options.c_tolerance) return options.scan_points;
  const double shrink = (std::sqrt(5.0) - 1.0) / 2.0;
  return options.scan_points + 2 +
         static_cast<int>(std::ceil(std::log(options.c_tolerance / bracket) / std::log(shrink)));
}

FatLinkFitResult fit_fat_link(const std::vector<LabelRecord>& training,
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
    point.p = fit_fat_link_coefficients(training, c, options.degree, options.lambda);
    const FatLinkAction action(c, options.degree, point.p);
    point.training = label_loss(compare_with_labels(action, training), options.lambda);
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
