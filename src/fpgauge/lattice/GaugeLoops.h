#pragma once
// The closed loops of the gauge actions (SPEC §1, §2) and the staples that complete a link to
// them. The staple sum Σ_μ(x) is oriented so that U_μ(x) Σ_μ(x) is a sum of closed loops
// starting at x; every loop containing the link appears once.
#include <cstdlib>
#include <initializer_list>
#include <new>
#include <utility>

#include "fpgauge/lattice/Fields.h"
#include "fpgauge/lattice/PathProduct.h"

namespace fpgauge {

// P_μν(x) = U_μ(x) U_ν(x+μ̂) U_μ(x+ν̂)† U_ν(x)†.
inline SU3 plaquette(const GaugeField& u, SiteIndex s, int mu, int nu) {
  const Geometry& g = u.geometry();
  return mul_adj(u(s, mu) * u(g.forward(s, mu), nu), u(s, nu) * u(g.forward(s, nu), mu));
}

// The 2×1 loop R_μν(x), two steps along μ and one along ν: x → x+2μ̂ → x+2μ̂+ν̂ → x+ν̂ → x.
inline SU3 rectangle(const GaugeField& u, SiteIndex s, int mu, int nu) {
  return path_product(u, s,
                      {forward_step(mu), forward_step(mu), forward_step(nu), backward_step(mu),
                       backward_step(mu), backward_step(nu)});
}

// Link views. The staple sums below are written once for any view V of the links with
//   V::Position, V::Matrix;  forward(p, μ), backward(p, μ): the neighbouring positions;
//   link(p, μ, scratch): a reference to U_μ at p, either into the field or to `scratch` (a
//   V::Matrix of the caller) when the view has to build the matrix.
// SiteLinks reads a GaugeField one site at a time (Matrix = SU3): the per-link staple of the
// heatbath and overrelaxation. LaneGaugeField (lattice/LaneField.h) reads kSimdLanes sites at
// once (Matrix = Matrix3<SimdDouble>): the vectorised force. Products are the multiply-add
// chains of Matrix3.h, so that the SIMD instantiation runs on FMAs.
class SiteLinks {
 public:
  using Position = SiteIndex;
  using Matrix = SU3;
  explicit SiteLinks(const GaugeField& u) : u_(u), g_(u.geometry()) {}
  SiteIndex forward(SiteIndex s, int mu) const { return g_.forward(s, mu); }
  SiteIndex backward(SiteIndex s, int mu) const { return g_.backward(s, mu); }
  const SU3& link(SiteIndex s, int mu, SU3& /*scratch*/) const { return u_(s, mu); }

 private:
  const GaugeField& u_;
  const Geometry& g_;
};

// Storage for a matrix that a kernel writes before it reads it, without the zero fill of
// Matrix3's default constructor (for SIMD packs a 1152-byte memset per temporary, which showed
// up as 10% of the force). Matrix3 is an aggregate, so the byte array implicitly creates it
// (C++20 [intro.object]).
template <class M>
class Uninitialised {
 public:
  M& operator*() { return *std::launder(reinterpret_cast<M*>(bytes_)); }

 private:
  alignas(M) unsigned char bytes_[sizeof(M)];
};

// out = (or, with accumulate, out +=) the ordered product of the links along `steps`
// (PathProduct.h convention) from `start`: n − 1 products for n links.
template <class V>
void path_product_into(typename V::Matrix& out, bool accumulate, const V& u,
                       typename V::Position start, std::initializer_list<Step> steps) {
  using M = typename V::Matrix;
  Uninitialised<M> storage[3];
  M* partial = &*storage[0];  // the product so far, alternating between two buffers
  M* next = &*storage[1];
  M& scratch = *storage[2];
  typename V::Position y = start;
  const Step* const last = steps.end() - 1;
  for (const Step* step = steps.begin(); step != steps.end(); ++step) {
    const bool forward = *step > 0;
    const int mu = std::abs(*step) - 1;
    if (!forward) y = u.backward(y, mu);
    const M& link = u.link(y, mu, scratch);
    if (forward) y = u.forward(y, mu);
    if (step == steps.begin()) {
      *partial = forward ? link : adj(link);
    } else if (step == last) {
      if (forward) accumulate ? mul_add(out, *partial, link) : mul_into(out, *partial, link);
      else accumulate ? mul_adj_add(out, *partial, link) : mul_adj_into(out, *partial, link);
    } else {
      if (forward) mul_into(*next, *partial, link);
      else mul_adj_into(*next, *partial, link);
      std::swap(partial, next);
    }
  }
}

// sum = Σ over the six plaquettes containing U_μ(x): 12 products, 5 sums.
template <class V>
void plaquette_staple_sum(const V& u, typename V::Position x, int mu,
                          typename V::Matrix& sum) {
  using M = typename V::Matrix;
  Uninitialised<M> storage[3];
  M& corner = *storage[0];
  M& a = *storage[1];  // scratch for the view
  M& b = *storage[2];
  const auto x_mu = u.forward(x, mu);
  for (int nu = 0; nu < kDimensions; ++nu) {
    if (nu == mu) continue;
    // U_ν(x+μ̂) [U_ν(x) U_μ(x+ν̂)]†
    mul_into(corner, u.link(x, nu, a), u.link(u.forward(x, nu), mu, b));
    if (nu == (mu == 0 ? 1 : 0))
      mul_adj_into(sum, u.link(x_mu, nu, a), corner);
    else
      mul_adj_add(sum, u.link(x_mu, nu, a), corner);
    // [U_μ(x−ν̂) U_ν(x+μ̂−ν̂)]† U_ν(x−ν̂)
    const auto x_down = u.backward(x, nu);
    mul_into(corner, u.link(x_down, mu, a), u.link(u.forward(x_down, mu), nu, b));
    adj_mul_add(sum, corner, u.link(x_down, nu, a));
  }
}

// sum = Σ over the eighteen 2×1 and 1×2 rectangles containing U_μ(x): 72 products, 17 sums.
template <class V>
void rectangle_staple_sum(const V& u, typename V::Position x, int mu,
                          typename V::Matrix& sum) {
  const auto x_mu = u.forward(x, mu);
  const Step m_fwd = forward_step(mu), m_bwd = backward_step(mu);
  bool accumulate = false;
  for (int nu = 0; nu < kDimensions; ++nu) {
    if (nu == mu) continue;
    for (const int sign : {+1, -1}) {
      const Step n_fwd = sign * forward_step(nu), n_bwd = -n_fwd;
      // the link first on the long side along μ
      path_product_into(sum, accumulate, u, x_mu, {m_fwd, n_fwd, m_bwd, m_bwd, n_bwd});
      accumulate = true;
      // the link second on the long side along μ
      path_product_into(sum, accumulate, u, x_mu, {n_fwd, m_bwd, m_bwd, n_bwd, m_fwd});
      // the link on the short side, long side along ν
      path_product_into(sum, accumulate, u, x_mu, {n_fwd, n_fwd, m_bwd, n_bwd, n_bwd});
    }
  }
}

}  // namespace fpgauge
