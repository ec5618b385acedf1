#include "fpgauge/rg/LbfgsMinimiser.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "fpgauge/core/Lbfgs.h"
#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/core/Su3Exp.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/lattice/SiteLoop.h"

namespace fpgauge {
namespace {

constexpr int kGenerators = 8;

// A tangent vector: 8 real components per link.
using Tangent = LbfgsVector;

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

}  // namespace

MinimiserResult minimise_lbfgs(GaugeField& u, const LinkObjective& f,
                               const MinimiserOptions& options) {
  const SiteIndex links = u.size();
  Evaluator evaluator(f, links);
  Point current = evaluator.evaluate(u);
  LbfgsHistory history(options.history, {dot, axpy});
  LbfgsIteration<Point> lbfgs(history, [&](const Point& from, const Tangent& x, double alpha) {
    return evaluator.evaluate(moved(from.u, x, alpha));
  });
  MinimiserResult result;
  while (true) {
    result.residual = max_abs(current.gradient);
    if (result.residual <= options.gradient_tolerance) {
      result.converged = true;
      break;
    }
    if (result.iterations >= options.max_iterations) break;
    // Without curvature pairs: rotate the links by at most ~0.1 rad.
    if (!lbfgs.iterate(current, std::min(1.0, 0.1 / result.residual))) break;
    ++result.iterations;
  }
  u = std::move(current.u);
  reunitarise(u);
  result.value = current.value;
  result.evaluations = evaluator.count;
  return result;
}

}  // namespace fpgauge
