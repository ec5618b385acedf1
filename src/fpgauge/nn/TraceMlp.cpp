#include "fpgauge/nn/TraceMlp.h"

#include "fpgauge/core/Dual.h"
#include "fpgauge/nn/Activation.h"
#include "fpgauge/nn/SiteBlocks.h"

namespace fpgauge::nn {

TraceMlp::TraceMlp(const MlpHead& head, int channels) : activation_(head.activation) {
  widths_.push_back(2 * channels);
  widths_.insert(widths_.end(), head.hidden.begin(), head.hidden.end());
  widths_.push_back(1);
}

template <class T>
std::vector<std::vector<T>> TraceMlp::layer_buffers() const {
  std::vector<std::vector<T>> buffers;
  for (const int width : widths_) buffers.emplace_back(width);
  return buffers;
}

template <class T>
T TraceMlp::evaluate_site(std::span<const double> weights, const FeatureField<T>& in, SiteIndex s,
                          std::vector<std::vector<T>>& h,
                          std::vector<std::vector<T>>& slope) const {
  for (int c = 0; c < in.channels(); ++c) {
    const Complex<T> t = trace(in(c, s));
    h[0][2 * c] = t.re;
    h[0][2 * c + 1] = t.im;
  }
  const double* w = weights.data();
  const std::size_t layers = widths_.size() - 1;
  for (std::size_t k = 1; k <= layers; ++k) {
    const int n_in = widths_[k - 1], n_out = widths_[k];
    const double* bias = w + std::size_t(n_out) * n_in;
    for (int o = 0; o < n_out; ++o) {
      T z(bias[o]);
      for (int i = 0; i < n_in; ++i) z += h[k - 1][i] * w[std::size_t(o) * n_in + i];
      if (k == layers) {
        h[k][o] = z;
      } else {
        const ActivationValue<T> a = activate(activation_, z);
        h[k][o] = a.value;
        slope[k][o] = a.slope;
      }
    }
    w = bias + n_out;
  }
  return h[layers][0];
}

template <class T>
void TraceMlp::forward(std::span<const double> weights, const FeatureField<T>& in,
                       std::vector<T>& density) const {
  density.assign(in.volume(), T(0));
  for_each_site_block(in.volume(), [&](SiteIndex begin, SiteIndex end) {
    std::vector<std::vector<T>> h = layer_buffers<T>(), slope = layer_buffers<T>();
    for (SiteIndex s = begin; s < end; ++s) density[s] = evaluate_site(weights, in, s, h, slope);
  });
}

template <class T>
void TraceMlp::reverse(std::span<const double> weights, const FeatureField<T>& in,
                       FeatureField<T>& in_adjoint, std::span<T> weight_gradient) const {
  in_adjoint = FeatureField<T>(in.channels(), in.volume());
  const bool want_gradient = !weight_gradient.empty();
  const std::size_t layers = widths_.size() - 1;
  std::vector<std::size_t> offsets(layers + 1, 0);  // where each MLP layer's weights start
  for (std::size_t k = 1; k <= layers; ++k)
    offsets[k] = offsets[k - 1] + std::size_t(widths_[k]) * (widths_[k - 1] + 1);
  accumulate_over_site_blocks(
      in.volume(), weight_gradient, [&](SiteIndex begin, SiteIndex end, std::span<T> partial) {
        std::vector<std::vector<T>> h = layer_buffers<T>(), slope = layer_buffers<T>();
        std::vector<std::vector<T>> g = layer_buffers<T>();  // adjoints of the h[k]
        for (SiteIndex s = begin; s < end; ++s) {
          evaluate_site(weights, in, s, h, slope);
          g[layers][0] = T(1);
          for (std::size_t k = layers; k >= 1; --k) {
            const int n_in = widths_[k - 1], n_out = widths_[k];
            const double* w = weights.data() + offsets[k - 1];
            std::fill(g[k - 1].begin(), g[k - 1].end(), T(0));
            for (int o = 0; o < n_out; ++o) {
              const T g_z = k == layers ? g[k][o] : g[k][o] * slope[k][o];
              if (want_gradient) {
                T* gw = partial.data() + offsets[k - 1];
                for (int i = 0; i < n_in; ++i) gw[std::size_t(o) * n_in + i] += g_z * h[k - 1][i];
                gw[std::size_t(n_out) * n_in + o] += g_z;
              }
              for (int i = 0; i < n_in; ++i) g[k - 1][i] += g_z * w[std::size_t(o) * n_in + i];
            }
          }
          for (int c = 0; c < in.channels(); ++c) {
            const Complex<T> z(g[0][2 * c], g[0][2 * c + 1]);
            for (int i = 0; i < 3; ++i) in_adjoint(c, s).e[i][i] = z;
          }
        }
      });
}

template void TraceMlp::forward(std::span<const double>, const FeatureField<double>&,
                                std::vector<double>&) const;
template void TraceMlp::forward(std::span<const double>, const FeatureField<Dual>&,
                                std::vector<Dual>&) const;
template void TraceMlp::reverse(std::span<const double>, const FeatureField<double>&,
                                FeatureField<double>&, std::span<double>) const;
template void TraceMlp::reverse(std::span<const double>, const FeatureField<Dual>&,
                                FeatureField<Dual>&, std::span<Dual>) const;

}  // namespace fpgauge::nn
