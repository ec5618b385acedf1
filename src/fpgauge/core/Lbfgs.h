#pragma once
// Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., §7.2) in a coordinate
// space R^n, the one minimiser of the project: the FP equation's min over the fine links
// (rg/LbfgsMinimiser.h, coordinates of the Lie algebra at each link) and the full-batch training
// of the L-CNN weights (optimiser.kind = "lbfgs", cli/TrainCommand.cpp). The caller supplies how a
// point moves along a direction (a group exponential or a plain sum) and how vectors are combined
// (OpenMP over links, or serially), so both share the same two-loop recursion and line search.
//
// Line search: strong Wolfe conditions (Alg. 3.5 bracketing, 3.6 zoom with safeguarded cubic
// interpolation), with Hager & Zhang's approximate Wolfe test (SIAM J. Optim. 16 (2005) 170) once
// the decrease of F is below its round-off. Curvature pairs without s·y > 0 are not stored.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace fpgauge {

using LbfgsVector = std::vector<double>;

// Vector operations; dot must be deterministic (same bits on every call).
struct LbfgsVectorOps {
  std::function<double(const LbfgsVector&, const LbfgsVector&)> dot;
  std::function<void(double, const LbfgsVector&, LbfgsVector&)> axpy;  // y += a x
};

// Serial operations, for small vectors (network weights).
LbfgsVectorOps serial_lbfgs_vector_ops();

// The curvature pairs s_k = x_{k+1} − x_k, y_k = g_{k+1} − g_k of the last `capacity` steps.
class LbfgsHistory {
 public:
  LbfgsHistory(int capacity, LbfgsVectorOps ops);

  // −H g by the two-loop recursion (Alg. 7.4) with H_0 = (s·y)/(y·y) of the newest pair, or
  // −first_scale · g without pairs.
  LbfgsVector direction(const LbfgsVector& g, double first_scale) const;
  // Stores the pair if s·y > 0 (dropping the oldest beyond capacity); returns whether it did.
  bool add(LbfgsVector s, LbfgsVector y);
  void clear();
  std::size_t size() const { return s_.size(); }
  const std::deque<LbfgsVector>& steps() const { return s_; }
  const std::deque<LbfgsVector>& gradient_changes() const { return y_; }
  const LbfgsVectorOps& ops() const { return ops_; }

 private:
  int capacity_;
  LbfgsVectorOps ops_;
  std::deque<LbfgsVector> s_, y_;
  std::deque<double> rho_;
};

// A point of the minimisation: whatever the caller needs (a field, the weights) with F there and
// its gradient in coordinates. Point must have members `double value` and `LbfgsVector gradient`.
template <class Point>
class LbfgsIteration {
 public:
  // The point reached from `from` by the step α·x in coordinates, evaluated; throws if F or
  // the gradient is not finite.
  using Move = std::function<Point(const Point& from, const LbfgsVector& x, double alpha)>;

  LbfgsIteration(LbfgsHistory& history, Move move) : history_(history), move_(std::move(move)) {}

  // One iteration from `current` (replaced by the new point): direction −H g, a strong-Wolfe
  // line search from α = 1, and the new curvature pair. If the search fails with curvature
  // pairs, they are dropped and steepest descent −first_scale·g is tried once. Returns false,
  // leaving `current`, if no step decreases F; `step_length` gets the accepted α.
  bool iterate(Point& current, double first_scale, double* step_length = nullptr) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      LbfgsVector x = history_.direction(current.gradient, first_scale);
      if (!(dot(x, current.gradient) < 0.0)) {  // not a descent direction: restart
        history_.clear();
        x = history_.direction(current.gradient, first_scale);
      }
      const bool had_pairs = history_.size() > 0;
      std::optional<Sample> step = line_search(current, x);
      if (!step) {
        if (!had_pairs) return false;  // even steepest descent makes no progress
        history_.clear();
        continue;
      }
      LbfgsVector s(x.size(), 0.0), y = step->point->gradient;
      history_.ops().axpy(step->alpha, x, s);
      history_.ops().axpy(-1.0, current.gradient, y);
      history_.add(std::move(s), std::move(y));
      current = std::move(*step->point);
      if (step_length) *step_length = step->alpha;
      return true;
    }
    return false;
  }

  int evaluations() const { return evaluations_; }

 private:
  static constexpr double c1 = 1e-4, c2 = 0.9;
  static constexpr int kMaxBracketing = 20, kMaxZoom = 30;

  struct Sample {
    double alpha, phi, dphi;
    std::shared_ptr<Point> point;
  };

  double dot(const LbfgsVector& a, const LbfgsVector& b) const { return history_.ops().dot(a, b); }

  std::optional<Sample> line_search(const Point& start, const LbfgsVector& x) {
    const double phi0 = start.value, dphi0 = dot(x, start.gradient);
    const double noise = 1e-13 * (std::abs(phi0) + 1.0);
    const auto sample = [&](double alpha) {
      ++evaluations_;
      auto point = std::make_shared<Point>(move_(start, x, alpha));
      return Sample{alpha, point->value, dot(x, point->gradient), point};
    };
    // Armijo; or, where F's decrease is below its round-off (~1e-15 relative), the approximate
    // Wolfe condition φ'(α) ≤ (2c1 − 1) φ'(0).
    const auto acceptable_decrease = [&](const Sample& s) {
      return s.phi <= phi0 + c1 * s.alpha * dphi0 ||
             (s.phi <= phi0 + noise && s.dphi <= (2 * c1 - 1) * dphi0);
    };
    const auto flat = [&](const Sample& s) { return std::abs(s.dphi) <= -c2 * dphi0; };
    const auto zoom = [&](Sample lo, Sample hi) -> std::optional<Sample> {
      for (int j = 0; j < kMaxZoom; ++j) {
        const double a = lo.alpha, b = hi.alpha, width = std::abs(b - a);
        if (width <= 1e-15 * std::max(std::abs(a), std::abs(b))) break;
        // The minimiser of the cubic through (a, φ, φ') and (b, φ, φ'), kept 10% inside.
        const double d1 = lo.dphi + hi.dphi - 3.0 * (lo.phi - hi.phi) / (a - b);
        const double disc = d1 * d1 - lo.dphi * hi.dphi;
        double next = 0.5 * (a + b);
        if (disc >= 0.0) {
          const double d2 = std::copysign(std::sqrt(disc), b - a);
          const double cubic = b - (b - a) * (hi.dphi + d2 - d1) / (hi.dphi - lo.dphi + 2.0 * d2);
          if (std::isfinite(cubic)) next = cubic;
        }
        next = std::clamp(next, std::min(a, b) + 0.1 * width, std::max(a, b) - 0.1 * width);
        Sample s = sample(next);
        if (!acceptable_decrease(s) || s.phi > lo.phi + noise) {
          hi = std::move(s);
        } else {
          if (flat(s)) return s;
          if (s.dphi * (hi.alpha - lo.alpha) >= 0.0) hi = std::move(lo);
          lo = std::move(s);
        }
      }
      // No point met both conditions; the best decrease found still moves downhill.
      if (lo.point) return lo;
      return std::nullopt;
    };

    Sample previous{0.0, phi0, dphi0, nullptr};
    double alpha = 1.0;
    for (int i = 0; i < kMaxBracketing; ++i) {
      Sample s = sample(alpha);
      if (!acceptable_decrease(s) || (i > 0 && s.phi > previous.phi + noise))
        return zoom(std::move(previous), std::move(s));
      if (flat(s)) return s;
      if (s.dphi >= 0.0) return zoom(std::move(s), std::move(previous));
      previous = std::move(s);
      alpha *= 2.0;
    }
    return std::nullopt;
  }

  LbfgsHistory& history_;
  Move move_;
  int evaluations_ = 0;
};

}  // namespace fpgauge
