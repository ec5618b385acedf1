#include "fpgauge/evaluation/ContinuumExtrapolation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace fpgauge {
namespace {

// The inverse of a small symmetric positive-definite matrix (row-major n×n) by Cholesky,
// A = L Lᵀ, A⁻¹ = L⁻ᵀ L⁻¹. Returns false if a pivot is not positive relative to the diagonal
// (the parameters are not fixed by the data).
bool invert_positive_definite(std::vector<double>& a, std::size_t n) {
  double largest = 0.0;
  for (std::size_t i = 0; i < n; ++i) largest = std::max(largest, a[i * n + i]);
  std::vector<double> l(n * n, 0.0);
  for (std::size_t j = 0; j < n; ++j) {
    double pivot = a[j * n + j];
    for (std::size_t k = 0; k < j; ++k) pivot -= l[j * n + k] * l[j * n + k];
    if (!(pivot > 1e-13 * largest)) return false;
    l[j * n + j] = std::sqrt(pivot);
    for (std::size_t i = j + 1; i < n; ++i) {
      double sum = a[i * n + j];
      for (std::size_t k = 0; k < j; ++k) sum -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = sum / l[j * n + j];
    }
  }
  // Columns of L⁻¹ by forward substitution, then A⁻¹ = (L⁻¹)ᵀ L⁻¹.
  std::vector<double> inverse_l(n * n, 0.0);
  for (std::size_t c = 0; c < n; ++c)
    for (std::size_t i = c; i < n; ++i) {
      double sum = i == c ? 1.0 : 0.0;
      for (std::size_t k = c; k < i; ++k) sum -= l[i * n + k] * inverse_l[k * n + c];
      inverse_l[i * n + c] = sum / l[i * n + i];
    }
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double sum = 0.0;
      for (std::size_t k = std::max(i, j); k < n; ++k)
        sum += inverse_l[k * n + i] * inverse_l[k * n + j];
      a[i * n + j] = sum;
    }
  return true;
}

void check(const std::vector<std::vector<ScalingPoint>>& series) {
  if (series.empty()) throw std::invalid_argument("continuum fit: no series");
  for (std::size_t s = 0; s < series.size(); ++s) {
    if (series[s].empty())
      throw std::invalid_argument(fmt::format("continuum fit: series {} has no point", s));
    for (const ScalingPoint& p : series[s])
      if (!std::isfinite(p.x) || !std::isfinite(p.y) || !(p.y_error > 0.0) ||
          !std::isfinite(p.y_error) || !(p.x_error >= 0.0) || !std::isfinite(p.x_error))
        throw std::invalid_argument(fmt::format(
            "continuum fit: series {} has the point x = {} ± {}, y = {} ± {} (finite values, "
            "positive y error expected)",
            s, p.x, p.x_error, p.y, p.y_error));
  }
}

}  // namespace

ContinuumFit fit_continuum_limit(const std::vector<std::vector<ScalingPoint>>& series) {
  check(series);
  const std::size_t n = 1 + series.size();  // parameters: c, k_0, k_1, ...
  std::vector<double> slopes(series.size(), 0.0);
  std::vector<double> covariance(n * n), parameters(n);
  auto weight = [&](const ScalingPoint& p, std::size_t s) {
    return 1.0 / (p.y_error * p.y_error + slopes[s] * slopes[s] * p.x_error * p.x_error);
  };
  // The effective variance depends on the slopes: solve, update, until the slopes settle
  // (a contraction for x errors small against the range of x; a few iterations in practice).
  for (int iteration = 0; iteration < 200; ++iteration) {
    std::fill(covariance.begin(), covariance.end(), 0.0);
    std::vector<double> rhs(n, 0.0);
    for (std::size_t s = 0; s < series.size(); ++s)
      for (const ScalingPoint& p : series[s]) {
        const double w = weight(p, s);
        const std::size_t k = 1 + s;
        covariance[0] += w;
        covariance[k] += w * p.x;
        covariance[k * n] += w * p.x;
        covariance[k * n + k] += w * p.x * p.x;
        rhs[0] += w * p.y;
        rhs[k] += w * p.x * p.y;
      }
    if (!invert_positive_definite(covariance, n))
      throw std::invalid_argument(
          "continuum fit: the points do not fix a continuum value and one slope per series "
          "(at least two lattice spacings in one series are needed)");
    for (std::size_t i = 0; i < n; ++i) {
      parameters[i] = 0.0;
      for (std::size_t j = 0; j < n; ++j) parameters[i] += covariance[i * n + j] * rhs[j];
    }
    double change = 0.0;
    for (std::size_t s = 0; s < series.size(); ++s) {
      change = std::max(change, std::abs(parameters[1 + s] - slopes[s]) /
                                    (1.0 + std::abs(parameters[1 + s])));
      slopes[s] = parameters[1 + s];
    }
    if (change < 1e-13) break;
  }

  ContinuumFit fit;
  fit.continuum = {parameters[0], std::sqrt(covariance[0])};
  std::size_t points = 0;
  for (std::size_t s = 0; s < series.size(); ++s) {
    fit.slopes.push_back({slopes[s], std::sqrt(covariance[(1 + s) * n + 1 + s])});
    for (const ScalingPoint& p : series[s]) {
      const double residual = p.y - parameters[0] - slopes[s] * p.x;
      fit.chi2 += weight(p, s) * residual * residual;
      ++points;
    }
  }
  fit.degrees_of_freedom = static_cast<int>(points) - static_cast<int>(n);
  return fit;
}

}  // namespace fpgauge
