#include "fpgauge/actions/GaugeLoopAction.h"

#include <fmt/format.h>

#include <cmath>
#include <memory>
#include <stdexcept>

#include "fpgauge/lattice/GaugeLoops.h"
#include "fpgauge/core/Simd.h"
#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/lattice/LaneField.h"
#include "fpgauge/lattice/SiteLoop.h"

namespace fpgauge {

GaugeLoopAction::GaugeLoopAction(std::string name, double c1)
    : name_(std::move(name)), c0_(1.0 - 8.0 * c1), c1_(c1) {
  if (!std::isfinite(c1))
    throw std::invalid_argument(fmt::format("action '{}': c1 = {} is not finite", name_, c1));
}

nlohmann::json GaugeLoopAction::description() const {
  return {{"name", name_}, {"family", "plaquette+rectangle"}, {"c0", c0_}, {"c1", c1_}};
}

double GaugeLoopAction::value(const GaugeField& u) const {
  const bool rectangles = has_rectangles();
  const long double sum = parallel_sum(u.geometry().volume(), [&](SiteIndex s) {
    double plaq = 0.0, rect = 0.0;
    for (int mu = 0; mu < kDimensions; ++mu) {
      for (int nu = mu + 1; nu < kDimensions; ++nu) {
        plaq += 1.0 - re_trace(plaquette(u, s, mu, nu)) / 3.0;
        if (rectangles)
          rect += 2.0 - (re_trace(rectangle(u, s, mu, nu)) + re_trace(rectangle(u, s, nu, mu))) /
                            3.0;
      }
    }
    return c0_ * plaq + c1_ * rect;
  });
  return static_cast<double>(sum);
}

namespace {

// sigma = Σ_μ(x) = c0 Σ_plaq + c1 Σ_rect on any link view (GaugeLoops.h); Wilson skips the
// rectangles and the weights.
template <class V>
void weighted_staple_sum(const V& u, typename V::Position x, int mu, double c0, double c1,
                         typename V::Matrix& sigma) {
  using M = typename V::Matrix;
  using T = decltype(sigma.e[0][0].re);
  plaquette_staple_sum(u, x, mu, sigma);
  if (c1 == 0.0) return;
  Uninitialised<M> storage;
  M& rect = *storage;
  rectangle_staple_sum(u, x, mu, rect);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) sigma.e[i][j] = sigma.e[i][j] * T(c0) + rect.e[i][j] * T(c1);
}

// The lane copy of the links, kept between calls (one per calling thread): allocating,
// zeroing and first-touching a field-sized buffer (38 MB on 16^4) on every call is a large
// fraction of the Wilson force itself.
struct LaneWorkspace {
  std::unique_ptr<LaneLayout> layout;
  std::unique_ptr<LaneGaugeField> links;
};

LaneGaugeField& lane_copy(const GaugeField& u) {
  thread_local LaneWorkspace workspace;
  if (!workspace.layout || !workspace.layout->fits(u.geometry())) {
    workspace.links.reset();
    workspace.layout = std::make_unique<LaneLayout>(u.geometry());
    workspace.links = std::make_unique<LaneGaugeField>(*workspace.layout);
  }
  workspace.links->assign(u);
  return *workspace.links;
}

}  // namespace

SU3 GaugeLoopAction::staple(const GaugeField& u, SiteIndex s, int mu) const {
  SU3 sigma;
  weighted_staple_sum(SiteLinks(u), s, mu, c0_, c1_, sigma);
  return sigma;
}

void GaugeLoopAction::force(const GaugeField& u, AlgebraField& d) const {
  if (d.size() != u.size()) d = AlgebraField(u.geometry_ptr());
  // kSimdLanes sites at once in the lane layout (LaneField.h), with the same staple formulas as
  // the per-link staple(). ∂^a A = −⅓ Re tr(i t^a U Σ) (SPEC §1), so D = −⅓ lie_gradient(U Σ).
  const LaneGaugeField& lanes = lane_copy(u);
  const LaneLayout& layout = lanes.layout();
  parallel_for(layout.lane_sites(), [&](SiteIndex i) {
    const SiteIndex v = layout.traversal(i);
    const LanePosition x = lanes.position(v);
    Uninitialised<LaneMatrix> storage[3];
    LaneMatrix& sigma = *storage[0];
    LaneMatrix& u_sigma = *storage[1];
    LaneMatrix& scratch = *storage[2];
    for (int mu = 0; mu < kDimensions; ++mu) {
      weighted_staple_sum(lanes, x, mu, c0_, c1_, sigma);
      mul_into(u_sigma, lanes.link(x, mu, scratch), sigma);
      store_lanes(layout, v, mu, SimdDouble(-1.0 / 3.0) * lie_gradient(u_sigma), d);
    }
  });
}

}  // namespace fpgauge
