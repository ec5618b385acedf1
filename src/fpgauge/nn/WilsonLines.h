#pragma once
// The straight Wilson lines that parallel-transport L-CNN features (SPEC §5), built once per
// configuration and shared by every layer and channel:
//   L_{μ,n}(x) = U_μ(x) U_μ(x+μ̂) ⋯ U_μ(x+(n−1)μ̂),   n = 1 .. max_length,
// each from the one before, L_{μ,n}(x) = L_{μ,n−1}(x) U_μ(x+(n−1)μ̂). A transport by n steps
// along −μ uses the same line read backwards: it is L_{μ,n}(x−nμ̂)†.
//
// With diagonals, also the transports to x from the 24 sites x + d, d = a + b with a = ±μ̂,
// b = ±ν̂ (μ < ν): the mean of the two shortest paths,
//   D_d(x) = ½ [S_a(x) S_b(x+a) + S_b(x) S_a(x+b)],   S_{+μ̂}(y) = U_μ(y), S_{−μ̂}(y) = U_μ(y−μ̂)†,
// which treats the two orders alike (reflection in the diagonal). D_d is not unitary, but it
// transforms as Ω(x) D_d(x) Ω(x+d)†, which is all a transport needs.
#include <array>
#include <cstdlib>
#include <vector>

#include "fpgauge/lattice/Fields.h"
#include "fpgauge/lattice/PathProduct.h"
#include "fpgauge/nn/Architecture.h"
#include "fpgauge/nn/SiteBlocks.h"

namespace fpgauge::nn {

// The diagonal offsets d = a + b: for (μ,ν) = (0,1),(0,2),…,(2,3), a = +μ̂, −μ̂, and within
// each b = +ν̂, −ν̂.
struct DiagonalOffset {
  Step a, b;
};
constexpr std::array<DiagonalOffset, kDiagonals> diagonal_offsets() {
  std::array<DiagonalOffset, kDiagonals> offsets{};
  int k = 0;
  for (int mu = 0; mu < kDimensions; ++mu)
    for (int nu = mu + 1; nu < kDimensions; ++nu)
      for (const Step a : {forward_step(mu), backward_step(mu)})
        for (const Step b : {forward_step(nu), backward_step(nu)}) offsets[k++] = {a, b};
  return offsets;
}
// The offset −d.
constexpr int opposite_diagonal(int d) { return d ^ 3; }

template <class T>
class WilsonLines {
 public:
  WilsonLines(const LinkField<Matrix3<T>>& u, int max_length, bool diagonals = false)
      : max_length_(max_length),
        diagonals_(diagonals ? kDiagonals : 0),
        volume_(u.geometry().volume()) {
    const Geometry& g = u.geometry();
    shifts_.resize(std::size_t(kDimensions) * (2 * max_length_ + 1) * volume_);
    lines_.resize((std::size_t(kDimensions) * max_length_ + diagonals_) * volume_);
    diagonal_shifts_.resize(std::size_t(diagonals_) * volume_);
    for_each_site(volume_, [&](SiteIndex s) {
      for (int mu = 0; mu < kDimensions; ++mu) {
        shifts_[shift_index(mu, 0, s)] = s;
        for (int n = 1; n <= max_length_; ++n) {
          shifts_[shift_index(mu, n, s)] = g.forward(shifted(mu, n - 1, s), mu);
          shifts_[shift_index(mu, -n, s)] = g.backward(shifted(mu, -(n - 1), s), mu);
        }
        for (int n = 1; n <= max_length_; ++n)
          lines_[index(mu, n, s)] =
              n == 1 ? u(s, mu) : lines_[index(mu, n - 1, s)] * u(shifted(mu, n - 1, s), mu);
      }
    });
    constexpr auto offsets = diagonal_offsets();
    for_each_site(volume_, [&](SiteIndex s) {
      for (int d = 0; d < diagonals_; ++d) {
        const auto [a, b] = offsets[d];
        const SiteIndex xa = step_site(g, s, a), xb = step_site(g, s, b);
        Matrix3<T> mean = step_link(u, s, a) * step_link(u, xa, b);
        mean += step_link(u, s, b) * step_link(u, xb, a);
        mean *= T(0.5);
        lines_[diagonal_index(d, s)] = mean;
        diagonal_shifts_[std::size_t(d) * volume_ + s] = step_site(g, xa, b);
      }
    });
  }

  int max_length() const { return max_length_; }
  bool diagonals() const { return diagonals_ > 0; }
  // x + nμ̂ for −max_length <= n <= max_length.
  SiteIndex shifted(int mu, int n, SiteIndex s) const { return shifts_[shift_index(mu, n, s)]; }
  // L_{μ,n}(x) for 1 <= n <= max_length.
  const Matrix3<T>& line(int mu, int n, SiteIndex s) const { return lines_[index(mu, n, s)]; }
  // x + d and D_d(x) for the diagonal offset d (needs diagonals).
  SiteIndex diagonal_shifted(int d, SiteIndex s) const {
    return diagonal_shifts_[std::size_t(d) * volume_ + s];
  }
  const Matrix3<T>& diagonal_line(int d, SiteIndex s) const {
    return lines_[diagonal_index(d, s)];
  }

  // Adjoints G_L of the lines (G = ∂A/∂Re L + i ∂A/∂Im L, as for features), stored like the
  // lines: entry index(mu, n, s).
  std::vector<Matrix3<T>> zero_adjoint() const { return std::vector<Matrix3<T>>(lines_.size()); }
  std::size_t index(int mu, int n, SiteIndex s) const {
    return (std::size_t(mu) * max_length_ + (n - 1)) * volume_ + s;
  }
  std::size_t diagonal_index(int d, SiteIndex s) const {
    return (std::size_t(kDimensions) * max_length_ + d) * volume_ + s;
  }

  // Reverse of the construction: line adjoints → link adjoints (added to link_adjoint); the
  // line adjoints are used up. From L_n = L_{n−1} U(x+(n−1)μ̂): G_{L_{n−1}} += G_{L_n} U† and
  // G_U(x+(n−1)μ̂) += L_{n−1}† G_{L_n}, longest lines first. The link terms are first left in
  // place of G_{L_n}(x), then gathered at the link, so no two threads write one entry.
  void reverse(const LinkField<Matrix3<T>>& u, std::vector<Matrix3<T>>& line_adjoint,
               LinkField<Matrix3<T>>& link_adjoint) const {
    for_each_site(volume_, [&](SiteIndex s) {
      for (int mu = 0; mu < kDimensions; ++mu)
        for (int n = max_length_; n >= 2; --n) {
          Matrix3<T>& g = line_adjoint[index(mu, n, s)];
          line_adjoint[index(mu, n - 1, s)] += mul_adj(g, u(shifted(mu, n - 1, s), mu));
          g = adj_mul(lines_[index(mu, n - 1, s)], g);
        }
    });
    for_each_site(volume_, [&](SiteIndex y) {
      for (int mu = 0; mu < kDimensions; ++mu)
        for (int n = 1; n <= max_length_; ++n)
          link_adjoint(y, mu) += line_adjoint[index(mu, n, shifted(mu, -(n - 1), y))];
    });
    if (diagonals_ > 0) reverse_diagonals(u, line_adjoint, link_adjoint);
  }

 private:
  std::size_t shift_index(int mu, int n, SiteIndex s) const {
    return (std::size_t(mu) * (2 * max_length_ + 1) + n + max_length_) * volume_ + s;
  }

  // The site one step from y, and the step's factor: U_μ(y), or U_μ(y−μ̂)† backwards.
  static SiteIndex step_site(const Geometry& g, SiteIndex y, Step step) {
    const int mu = std::abs(step) - 1;
    return step > 0 ? g.forward(y, mu) : g.backward(y, mu);
  }
  static Matrix3<T> step_link(const LinkField<Matrix3<T>>& u, SiteIndex y, Step step) {
    const int mu = std::abs(step) - 1;
    return step > 0 ? u(y, mu) : adj(u(u.geometry().backward(y, mu), mu));
  }

  // From D_d = ½ (A B + C E): G_A = ½ G_D B†, G_B = ½ A† G_D (and so for C, E), and a factor
  // U† passes G† to its link. Gathered at the link (y, ρ): every factor of every path of every
  // D_d(x) that is this link, x found from where the factor's step starts.
  void reverse_diagonals(const LinkField<Matrix3<T>>& u,
                         const std::vector<Matrix3<T>>& line_adjoint,
                         LinkField<Matrix3<T>>& link_adjoint) const {
    const Geometry& g = u.geometry();
    constexpr auto offsets = diagonal_offsets();
    for_each_site(volume_, [&](SiteIndex y) {
      for (int d = 0; d < diagonals_; ++d) {
        for (const auto& [first, second] : {std::pair{offsets[d].a, offsets[d].b},
                                            std::pair{offsets[d].b, offsets[d].a}}) {
          for (int k = 0; k < 2; ++k) {
            const Step step = k == 0 ? first : second;
            const int rho = std::abs(step) - 1;
            // the step starts at z, which is x (k = 0) or x + first (k = 1)
            const SiteIndex z = step > 0 ? y : g.forward(y, rho);
            const SiteIndex x = k == 0 ? z : step_site(g, z, -first);
            const Matrix3<T>& g_d = line_adjoint[diagonal_index(d, x)];
            const SiteIndex mid = step_site(g, x, first);
            Matrix3<T> g_factor = k == 0 ? mul_adj(g_d, step_link(u, mid, second))
                                         : adj_mul(step_link(u, x, first), g_d);
            g_factor *= T(0.5);
            link_adjoint(y, rho) += step > 0 ? g_factor : adj(g_factor);
          }
        }
      }
    });
  }

  int max_length_;
  int diagonals_;
  SiteIndex volume_;
  std::vector<SiteIndex> shifts_;
  std::vector<SiteIndex> diagonal_shifts_;
  std::vector<Matrix3<T>> lines_;  // the straight lines, then the diagonal transports
};

}  // namespace fpgauge::nn
