#include "fpgauge/nn/InputLoops.h"

#include <cstdlib>
#include <span>

#include "fpgauge/core/Dual.h"
#include "fpgauge/nn/SiteBlocks.h"

namespace fpgauge::nn {
namespace {

// The ordered product of the links along `steps` from `start` (PathProduct.h conventions, for
// any scalar), the identity for no steps.
template <class T>
Matrix3<T> segment_product(const LinkField<Matrix3<T>>& u, SiteIndex start,
                           std::span<const Step> steps) {
  const Geometry& g = u.geometry();
  Matrix3<T> m = Matrix3<T>::identity();
  SiteIndex y = start;
  for (std::size_t k = 0; k < steps.size(); ++k) {
    const int mu = std::abs(steps[k]) - 1;
    if (steps[k] > 0) {
      m = k == 0 ? u(y, mu) : m * u(y, mu);
      y = g.forward(y, mu);
    } else {
      y = g.backward(y, mu);
      m = k == 0 ? adj(u(y, mu)) : mul_adj(m, u(y, mu));
    }
  }
  return m;
}

}  // namespace

InputLoops::InputLoops(const LoopInput& input) : centred_(input.centred) {
  for (int mu = 0; mu < kDimensions; ++mu)
    for (int nu = mu + 1; nu < kDimensions; ++nu)
      paths_.push_back({forward_step(mu), forward_step(nu), backward_step(mu), backward_step(nu)});
  if (!input.rectangles) return;
  for (int mu = 0; mu < kDimensions; ++mu) {
    for (int nu = mu + 1; nu < kDimensions; ++nu) {
      for (const auto& [a, b] : {std::pair{mu, nu}, std::pair{nu, mu}})
        paths_.push_back({forward_step(a), forward_step(a), forward_step(b), backward_step(a),
                          backward_step(a), backward_step(b)});
    }
  }
}

template <class T>
void InputLoops::forward(const LinkField<Matrix3<T>>& u, FeatureField<T>& loops) const {
  loops = FeatureField<T>(channels(), u.geometry().volume());
  for_each_site(loops.volume(), [&](SiteIndex s) {
    for (int c = 0; c < channels(); ++c) {
      loops(c, s) = segment_product(u, s, std::span<const Step>(paths_[c]));
      if (centred_) loops(c, s) -= Matrix3<T>::identity();
    }
  });
}

template <class T>
void InputLoops::reverse(const LinkField<Matrix3<T>>& u, const FeatureField<T>& loop_adjoint,
                         LinkField<Matrix3<T>>& link_adjoint) const {
  const Geometry& g = u.geometry();
  // Gathered at the link (y, μ): for every loop and every step k along ±μ, the start site x
  // whose loop has that link as its factor k, found by walking the steps before k backwards.
  for_each_site(loop_adjoint.volume(), [&](SiteIndex y) {
    for (int c = 0; c < channels(); ++c) {
      const std::span<const Step> steps(paths_[c]);
      for (std::size_t k = 0; k < steps.size(); ++k) {
        const int mu = std::abs(steps[k]) - 1;
        // factor k is U_μ(at) (forward step) or U_μ(at − μ̂)† (backward step)
        const SiteIndex at = steps[k] > 0 ? y : g.forward(y, mu);
        SiteIndex x = at;
        for (std::size_t j = k; j-- > 0;) {
          const int nu = std::abs(steps[j]) - 1;
          x = steps[j] > 0 ? g.backward(x, nu) : g.forward(x, nu);
        }
        const Matrix3<T> before = segment_product(u, x, steps.first(k));
        const SiteIndex next = steps[k] > 0 ? g.forward(at, mu) : y;
        const Matrix3<T> rest = segment_product(u, next, steps.subspan(k + 1));
        const Matrix3<T> g_factor = mul_adj(adj_mul(before, loop_adjoint(c, x)), rest);
        link_adjoint(y, mu) += steps[k] > 0 ? g_factor : adj(g_factor);
      }
    }
  });
}

template void InputLoops::forward(const LinkField<Matrix3<double>>&, FeatureField<double>&) const;
template void InputLoops::forward(const LinkField<Matrix3<Dual>>&, FeatureField<Dual>&) const;
template void InputLoops::reverse(const LinkField<Matrix3<double>>&, const FeatureField<double>&,
                                  LinkField<Matrix3<double>>&) const;
template void InputLoops::reverse(const LinkField<Matrix3<Dual>>&, const FeatureField<Dual>&,
                                  LinkField<Matrix3<Dual>>&) const;

}  // namespace fpgauge::nn
