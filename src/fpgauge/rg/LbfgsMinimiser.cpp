#include "fpgauge/rg/LbfgsMinimiser.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <memory>
#include <stdexcept>
#include <vector>

#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/core/Su3Exp.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/lattice/SiteLoop.h"

namespace fpgauge {
namespace {

constexpr int kGenerators = 8;

// A tangent vector: 8 real components per link.
using Tangent = std::vector<double>;

double dot(const Tangent& x, const Tangent& y) {
  const auto links = static_cast<SiteIndex>(x.size() / kGenerators);
  return static_cast<double>(parallel_sum(links, [&](SiteIndex l) {
    double s = 0.0;
    for (int a = 0; a < kGenerators; ++a) s += x[kGenerators * l + a] * y[kGenerators * l + a];
    return s;
  }));
}

// y += alpha x
void axpy(double alpha, const Tangent& x, Tangent& y) {
  parallel_for(static_cast<SiteIndex>(x.size()), [&](SiteIndex i) { y[i] += alpha * x[i]; });
}

double max_abs(const Tangent& x) {
  double m = 0.0;
  for (const double v : x) m = std::max(m, std::abs(v));
  return m;
}

// One evaluation point of the line: the field, F, its gradient in components.
struct Point {
  GaugeField u;
  double value;
  Tangent gradient;
};

class Evaluator {
 public:
  Evaluator(const LinkObjective& f, SiteIndex links) : f_(f), gradient_matrix_(), links_(links) {}

  Point evaluate(GaugeField u) {
    ++count;
    const double value = f_(u, gradient_matrix_);
    Tangent g(kGenerators * links_);
    parallel_for(links_, [&](SiteIndex l) {
      const Algebra<double> h = matrix_to_algebra(gradient_matrix_[l]);
      std::copy(h.begin(), h.end(), g.begin() + kGenerators * l);
    });
    if (!std::isfinite(value) || !std::isfinite(max_abs(g)))
      throw std::runtime_error(
          fmt::format("minimiser: the objective or its gradient is not finite (F = {})", value));
    return {std::move(u), value, std::move(g)};
  }

  int count = 0;

 private:
  const LinkObjective& f_;
  AlgebraField gradient_matrix_;
  SiteIndex links_;
};

// U_l → exp(i α Σ_a x^a_l t^a) U_l.
GaugeField moved(const GaugeField& u, const Tangent& x, double alpha) {
  GaugeField v = u;
  parallel_for(u.size(), [&](SiteIndex l) {
    Algebra<double> h;
    for (int a = 0; a < kGenerators; ++a) h[a] = alpha * x[kGenerators * l + a];
    v[l] = exp_i(algebra_to_matrix(h)) * u[l];
  });
  return v;
}

// Strong-Wolfe line search along x from `start` (φ'(0) = x·g < 0), Nocedal & Wright Alg. 3.5
// (bracketing) and 3.6 (zoom with safeguarded cubic interpolation).
struct LineSearchResult {
  bool found;
  double alpha;
  Point point;
};

class LineSearch {
 public:
  LineSearch(const Point& start, const Tangent& x, Evaluator& evaluator)
      : start_(start), x_(x), evaluator_(evaluator), phi0_(start.value),
        dphi0_(dot(x, start.gradient)), noise_(1e-13 * (std::abs(phi0_) + 1.0)) {}

  LineSearchResult run(double alpha) {
    Sample previous{0.0, phi0_, dphi0_, nullptr};
    for (int i = 0; i < kMaxBracketing; ++i) {
      Sample s = sample(alpha);
      if (!acceptable_decrease(s) || (i > 0 && s.phi > previous.phi + noise_))
        return zoom(previous, s);
      if (flat(s)) return found(s);
      if (s.dphi >= 0.0) return zoom(s, previous);
      previous = std::move(s);
      alpha *= 2.0;
    }
    return {false, 0.0, start_};
  }

 private:
  static constexpr double c1 = 1e-4, c2 = 0.9;
  static constexpr int kMaxBracketing = 20, kMaxZoom = 30;

  struct Sample {
    double alpha, phi, dphi;
    std::shared_ptr<Point> point;
  };

  Sample sample(double alpha) {
    auto point = std::make_shared<Point>(evaluator_.evaluate(moved(start_.u, x_, alpha)));
    return {alpha, point->value, dot(x_, point->gradient), point};
  }
  // Armijo; or, where F's decrease is below its round-off (~1e-15 relative), Hager & Zhang's
  // approximate Wolfe condition φ'(α) ≤ (2c1 − 1) φ'(0).
  bool acceptable_decrease(const Sample& s) const {
    return s.phi <= phi0_ + c1 * s.alpha * dphi0_ ||
           (s.phi <= phi0_ + noise_ && s.dphi <= (2 * c1 - 1) * dphi0_);
  }
  bool flat(const Sample& s) const { return std::abs(s.dphi) <= -c2 * dphi0_; }
  LineSearchResult found(Sample& s) { return {true, s.alpha, std::move(*s.point)}; }

  LineSearchResult zoom(Sample lo, Sample hi) {
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
      if (!acceptable_decrease(s) || s.phi > lo.phi + noise_) {
        hi = std::move(s);
      } else {
        if (flat(s)) return found(s);
        if (s.dphi * (hi.alpha - lo.alpha) >= 0.0) hi = std::move(lo);
        lo = std::move(s);
      }
    }
    // No point met both conditions; the best decrease found still moves downhill.
    if (lo.point) return found(lo);
    return {false, 0.0, start_};
  }

  const Point& start_;
  const Tangent& x_;
  Evaluator& evaluator_;
  double phi0_, dphi0_, noise_;
};

}  // namespace

MinimiserResult minimise_lbfgs(GaugeField& u, const LinkObjective& f,
                               const MinimiserOptions& options) {
  const SiteIndex links = u.size();
  Evaluator evaluator(f, links);
  Point current = evaluator.evaluate(u);
  std::deque<Tangent> s_history, y_history;
  std::deque<double> rho_history;
  MinimiserResult result;

  while (true) {
    result.residual = max_abs(current.gradient);
    if (result.residual <= options.gradient_tolerance) {
      result.converged = true;
      break;
    }
    if (result.iterations >= options.max_iterations) break;

    // Two-loop recursion (Nocedal & Wright Alg. 7.4): x = −H g.
    Tangent x = current.gradient;
    const std::size_t m = s_history.size();
    std::vector<double> alpha_k(m);
    for (std::size_t i = m; i-- > 0;) {
      alpha_k[i] = rho_history[i] * dot(s_history[i], x);
      axpy(-alpha_k[i], y_history[i], x);
    }
    const double gamma = m > 0 ? dot(s_history.back(), y_history.back()) /
                                     dot(y_history.back(), y_history.back())
                               // First step: rotate the links by at most ~0.1 rad.
                               : std::min(1.0, 0.1 / result.residual);
    parallel_for(static_cast<SiteIndex>(x.size()), [&](SiteIndex i) { x[i] *= gamma; });
    for (std::size_t i = 0; i < m; ++i) {
      const double beta = rho_history[i] * dot(y_history[i], x);
      axpy(alpha_k[i] - beta, s_history[i], x);
    }
    parallel_for(static_cast<SiteIndex>(x.size()), [&](SiteIndex i) { x[i] = -x[i]; });
    if (!(dot(x, current.gradient) < 0.0)) {  // not a descent direction: restart
      s_history.clear(), y_history.clear(), rho_history.clear();
      x = current.gradient;
      const double scale = -std::min(1.0, 0.1 / result.residual);
      parallel_for(static_cast<SiteIndex>(x.size()), [&](SiteIndex i) { x[i] *= scale; });
    }

    LineSearchResult step = LineSearch(current, x, evaluator).run(1.0);
    if (!step.found) {
      if (s_history.empty()) break;  // even steepest descent makes no progress
      s_history.clear(), y_history.clear(), rho_history.clear();
      continue;
    }
    // s = α x, y = g_new − g_old; pairs without positive curvature are not stored.
    Tangent s = x;
    parallel_for(static_cast<SiteIndex>(s.size()), [&](SiteIndex i) { s[i] *= step.alpha; });
    Tangent y = step.point.gradient;
    axpy(-1.0, current.gradient, y);
    const double sy = dot(s, y);
    if (sy > 1e-300) {
      s_history.push_back(std::move(s));
      y_history.push_back(std::move(y));
      rho_history.push_back(1.0 / sy);
      if (static_cast<int>(s_history.size()) > options.history) {
        s_history.pop_front(), y_history.pop_front(), rho_history.pop_front();
      }
    }
    current = std::move(step.point);
    ++result.iterations;
  }
  u = std::move(current.u);
  reunitarise(u);
  result.value = current.value;
  result.evaluations = evaluator.count;
  return result;
}

}  // namespace fpgauge
