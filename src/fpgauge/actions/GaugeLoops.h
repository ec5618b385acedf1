#pragma once
// The closed loops of the gauge actions (SPEC §1, §2) and the staples that complete a link to
// them. The staple sum Σ_μ(x) is oriented so that U_μ(x) Σ_μ(x) is a sum of closed loops
// starting at x; every loop containing the link appears once.
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

// Σ over the six plaquettes containing U_μ(x).
inline SU3 plaquette_staple_sum(const GaugeField& u, SiteIndex s, int mu) {
  const Geometry& g = u.geometry();
  const SiteIndex s_mu = g.forward(s, mu);
  SU3 sum = SU3::zero();
  for (int nu = 0; nu < kDimensions; ++nu) {
    if (nu == mu) continue;
    // U_ν(x+μ̂) U_μ(x+ν̂)† U_ν(x)†
    sum += mul_adj(u(s_mu, nu), u(s, nu) * u(g.forward(s, nu), mu));
    // U_ν(x+μ̂−ν̂)† U_μ(x−ν̂)† U_ν(x−ν̂)
    const SiteIndex s_down = g.backward(s, nu);
    sum += adj_mul(u(s_down, mu) * u(g.forward(s_down, mu), nu), u(s_down, nu));
  }
  return sum;
}

// Σ over the eighteen 2×1 and 1×2 rectangles containing U_μ(x).
inline SU3 rectangle_staple_sum(const GaugeField& u, SiteIndex s, int mu) {
  const Geometry& g = u.geometry();
  const SiteIndex s_mu = g.forward(s, mu);
  const Step m_fwd = forward_step(mu), m_bwd = backward_step(mu);
  SU3 sum = SU3::zero();
  for (int nu = 0; nu < kDimensions; ++nu) {
    if (nu == mu) continue;
    for (const int sign : {+1, -1}) {
      const Step n_fwd = sign * forward_step(nu), n_bwd = -n_fwd;
      // the link first on the long side along μ
      sum += path_product(u, s_mu, {m_fwd, n_fwd, m_bwd, m_bwd, n_bwd});
      // the link second on the long side along μ
      sum += path_product(u, s_mu, {n_fwd, m_bwd, m_bwd, n_bwd, m_fwd});
      // the link on the short side, long side along ν
      sum += path_product(u, s_mu, {n_fwd, n_fwd, m_bwd, n_bwd, n_bwd});
    }
  }
  return sum;
}

}  // namespace fpgauge
