#pragma once
// The straight Wilson lines that parallel-transport L-CNN features (SPEC §5), built once per
// configuration and shared by every layer and channel:
//   L_{μ,n}(x) = U_μ(x) U_μ(x+μ̂) ⋯ U_μ(x+(n−1)μ̂),   n = 1 .. max_length,
// each from the one before, L_{μ,n}(x) = L_{μ,n−1}(x) U_μ(x+(n−1)μ̂). A transport by n steps
// along −μ uses the same line read backwards: it is L_{μ,n}(x−nμ̂)†.
#include <vector>

#include "fpgauge/lattice/Fields.h"
#include "fpgauge/nn/SiteBlocks.h"

namespace fpgauge::nn {

template <class T>
class WilsonLines {
 public:
  WilsonLines(const LinkField<Matrix3<T>>& u, int max_length)
      : max_length_(max_length), volume_(u.geometry().volume()) {
    const Geometry& g = u.geometry();
    shifts_.resize(std::size_t(kDimensions) * (2 * max_length_ + 1) * volume_);
    lines_.resize(std::size_t(kDimensions) * max_length_ * volume_);
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
  }

  int max_length() const { return max_length_; }
  // x + nμ̂ for −max_length <= n <= max_length.
  SiteIndex shifted(int mu, int n, SiteIndex s) const { return shifts_[shift_index(mu, n, s)]; }
  // L_{μ,n}(x) for 1 <= n <= max_length.
  const Matrix3<T>& line(int mu, int n, SiteIndex s) const { return lines_[index(mu, n, s)]; }

  // Adjoints G_L of the lines (G = ∂A/∂Re L + i ∂A/∂Im L, as for features), stored like the
  // lines: entry index(mu, n, s).
  std::vector<Matrix3<T>> zero_adjoint() const { return std::vector<Matrix3<T>>(lines_.size()); }
  std::size_t index(int mu, int n, SiteIndex s) const {
    return (std::size_t(mu) * max_length_ + (n - 1)) * volume_ + s;
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
  }

 private:
  std::size_t shift_index(int mu, int n, SiteIndex s) const {
    return (std::size_t(mu) * (2 * max_length_ + 1) + n + max_length_) * volume_ + s;
  }

  int max_length_;
  SiteIndex volume_;
  std::vector<SiteIndex> shifts_;
  std::vector<Matrix3<T>> lines_;
};

}  // namespace fpgauge::nn
