#include "fpgauge/nn/LConvBilin.h"

#include <algorithm>
#include <cstdlib>

#include "fpgauge/core/Dual.h"
#include "fpgauge/nn/FeatureAlgebra.h"
#include "fpgauge/nn/SiteBlocks.h"

namespace fpgauge::nn {

LConvBilin::LConvBilin(const LcbLayer& layer, int in_channels)
    : shape_(lcb_shape(layer, in_channels)) {
  for (const int sign : {+1, -1})
    for (int mu = 0; mu < kDimensions; ++mu)
      for (int k = 1; k <= layer.reach; ++k) offsets_.push_back({mu, sign * k * layer.dilation});
}

template <class T>
void LConvBilin::gather_transported(const WilsonLines<T>& lines, const FeatureField<T>& in,
                                    SiteIndex s, std::vector<Matrix3<T>>& transported) const {
  const int channels = shape_.in_channels;
  for (int j = 0; j < channels; ++j) transported[j] = in(j, s);
  for (std::size_t o = 1; o <= offsets_.size(); ++o) {
    const auto [mu, steps] = offsets_[o - 1];
    const SiteIndex y = lines.shifted(mu, steps, s);
    Matrix3<T>* t = &transported[o * channels];
    if (steps > 0) {  // from y = x + nμ̂: L_n(x) W(y) L_n(x)†
      const Matrix3<T>& l = lines.line(mu, steps, s);
      for (int j = 0; j < channels; ++j) t[j] = mul_adj(l * in(j, y), l);
    } else {  // from y = x − nμ̂: L_n(y)† W(y) L_n(y)
      const Matrix3<T>& l = lines.line(mu, -steps, y);
      for (int j = 0; j < channels; ++j) t[j] = adj_mul(l, in(j, y)) * l;
    }
  }
}

template <class T>
Matrix3<T> LConvBilin::contracted(const double* w,
                                  const std::vector<Matrix3<T>>& transported) const {
  const int n = shape_.transported();
  Matrix3<T> a{}, b{};
  for (int t = 0; t < n; ++t) {
    add_scaled(a, w[t], transported[t]);
    add_scaled(b, w[n + t], transported[t]);
  }
  Matrix3<T> m = a + adj(b);
  add_to_diagonal(m, Complex<T>(T(w[2 * n])));
  return m;
}

template <class T>
void LConvBilin::forward(std::span<const double> weights, const WilsonLines<T>& lines,
                         const FeatureField<T>& in, FeatureField<T>& out) const {
  const int channels = shape_.in_channels;
  const int n_left = shape_.left_factors(), n_right = shape_.right_factors();
  out = FeatureField<T>(shape_.out_channels, in.volume());
  for_each_site_block(in.volume(), [&](SiteIndex begin, SiteIndex end) {
    std::vector<Matrix3<T>> transported(shape_.transported());
    for (SiteIndex s = begin; s < end; ++s) {
      gather_transported(lines, in, s, transported);
      for (int i = 0; i < shape_.out_channels; ++i) {
        Matrix3<T> sum{};
        for (int v = 0; v < n_left; ++v) {
          const Matrix3<T> m =
              contracted(weights.data() + (std::size_t(i) * n_left + v) * n_right, transported);
          if (v < channels)
            mul_add(sum, in(v, s), m);
          else if (v < 2 * channels)
            adj_mul_add(sum, in(v - channels, s), m);
          else
            sum += m;
        }
        out(i, s) = sum;
      }
    }
  });
}

template <class T>
void LConvBilin::reverse(std::span<const double> weights, const WilsonLines<T>& lines,
                         const FeatureField<T>& in, const FeatureField<T>& out_adjoint,
                         FeatureField<T>& in_adjoint, std::span<T> weight_gradient,
                         std::vector<Matrix3<T>>* line_adjoint) const {
  const int channels = shape_.in_channels, n = shape_.transported();
  const int n_left = shape_.left_factors(), n_right = shape_.right_factors();
  const SiteIndex volume = in.volume();
  const bool want_gradient = !weight_gradient.empty();
  in_adjoint = FeatureField<T>(channels, volume);
  FeatureField<T> transported_adjoint(n, volume);

  // Site by site: with out = Σ_v Ŵ_v M_v, G_Ŵ_v = G M_v† and G_M_v = Ŵ_v† G; through
  // M = A + B† + c·1: G_A = G_M, G_B = G_M†, ∂/∂c = Re tr G_M; through A = Σ_t ω_t T_t:
  // G_T_t += ω_t G_A and ∂/∂ω_t = Re tr(G_A† T_t) (likewise for B).
  accumulate_over_site_blocks(
      volume, weight_gradient, [&](SiteIndex begin, SiteIndex end, std::span<T> partial) {
        std::vector<Matrix3<T>> transported(n), from_a(n), from_b(n);
        for (SiteIndex s = begin; s < end; ++s) {
          gather_transported(lines, in, s, transported);
          std::fill(from_a.begin(), from_a.end(), Matrix3<T>{});
          std::fill(from_b.begin(), from_b.end(), Matrix3<T>{});
          for (int i = 0; i < shape_.out_channels; ++i) {
            const Matrix3<T>& g = out_adjoint(i, s);
            for (int v = 0; v < n_left; ++v) {
              const std::size_t row = (std::size_t(i) * n_left + v) * n_right;
              const double* w = weights.data() + row;
              const Matrix3<T> m = contracted(w, transported);
              Matrix3<T> g_m;
              if (v < channels) {
                mul_adj_add(in_adjoint(v, s), g, m);
                g_m = adj_mul(in(v, s), g);
              } else if (v < 2 * channels) {  // Ŵ_v = W†: G_W += (G M†)† = M G†
                mul_adj_add(in_adjoint(v - channels, s), m, g);
                g_m = in(v - channels, s) * g;
              } else {
                g_m = g;
              }
              if (want_gradient) {
                T* gw = partial.data() + row;
                for (int t = 0; t < n; ++t) {
                  gw[t] += re_trace_adj_mul(g_m, transported[t]);
                  gw[n + t] += re_trace_mul(g_m, transported[t]);
                }
                gw[2 * n] += re_trace(g_m);
              }
              for (int t = 0; t < n; ++t) {
                add_scaled(from_a[t], w[t], g_m);
                add_scaled(from_b[t], w[n + t], g_m);
              }
            }
          }
          for (int t = 0; t < n; ++t) transported_adjoint(t, s) = from_a[t] + adj(from_b[t]);
        }
      });

  // The transports, gathered at the site y that receives: T(x) = L W(y) L† with
  // G_W(y) += L† G_T L and G_L += G_T L W† + G_T† L W (and the mirror image for −μ).
  for_each_site(volume, [&](SiteIndex y) {
    for (int j = 0; j < channels; ++j) in_adjoint(j, y) += transported_adjoint(j, y);
    for (std::size_t o = 1; o <= offsets_.size(); ++o) {
      const auto [mu, steps] = offsets_[o - 1];
      const int length = std::abs(steps);
      const SiteIndex x = lines.shifted(mu, -steps, y);  // where W(y) was transported to
      const int t0 = static_cast<int>(o) * channels;
      if (steps > 0) {  // T(x) = L_n(x) W(y) L_n(x)†, x = y − nμ̂
        const Matrix3<T>& l = lines.line(mu, length, x);
        for (int j = 0; j < channels; ++j)
          in_adjoint(j, y) += adj_mul(l, transported_adjoint(t0 + j, x)) * l;
        if (line_adjoint) {  // the line from y carries W(y + nμ̂) to y
          const SiteIndex z = lines.shifted(mu, length, y);
          const Matrix3<T>& ly = lines.line(mu, length, y);
          Matrix3<T>& g_line = (*line_adjoint)[lines.index(mu, length, y)];
          for (int j = 0; j < channels; ++j) {
            const Matrix3<T>& g_t = transported_adjoint(t0 + j, y);
            mul_add(g_line, g_t, mul_adj(ly, in(j, z)));
            adj_mul_add(g_line, g_t, ly * in(j, z));
          }
        }
      } else {  // T(x) = L_n(y)† W(y) L_n(y), x = y + nμ̂
        const Matrix3<T>& l = lines.line(mu, length, y);
        Matrix3<T>* g_line = line_adjoint ? &(*line_adjoint)[lines.index(mu, length, y)] : nullptr;
        for (int j = 0; j < channels; ++j) {
          const Matrix3<T>& g_t = transported_adjoint(t0 + j, x);
          in_adjoint(j, y) += l * mul_adj(g_t, l);
          if (g_line) {  // G_L += W L G_T† + W† L G_T
            mul_adj_add(*g_line, in(j, y) * l, g_t);
            mul_add(*g_line, adj_mul(in(j, y), l), g_t);
          }
        }
      }
    }
  });
}

template void LConvBilin::forward(std::span<const double>, const WilsonLines<double>&,
                                  const FeatureField<double>&, FeatureField<double>&) const;
template void LConvBilin::forward(std::span<const double>, const WilsonLines<Dual>&,
                                  const FeatureField<Dual>&, FeatureField<Dual>&) const;
template void LConvBilin::reverse(std::span<const double>, const WilsonLines<double>&,
                                  const FeatureField<double>&, const FeatureField<double>&,
                                  FeatureField<double>&, std::span<double>,
                                  std::vector<Matrix3<double>>*) const;
template void LConvBilin::reverse(std::span<const double>, const WilsonLines<Dual>&,
                                  const FeatureField<Dual>&, const FeatureField<Dual>&,
                                  FeatureField<Dual>&, std::span<Dual>,
                                  std::vector<Matrix3<Dual>>*) const;

}  // namespace fpgauge::nn
