#pragma once
// The head of the L-CNN (SPEC §5): the gauge-invariant traces
//   t(x) = (Re tr W_1(x), Im tr W_1(x), …, Re tr W_C(x), Im tr W_C(x)),
// then a real MLP per site, h_k = g(A_k h_{k−1} + b_k) for the hidden layers and the linear
// a(x) = A_K h_{K−1} + b_K with one output: the action density. Weights per MLP layer: A_k
// [out][in] row-major, then b_k.
#include <span>
#include <vector>

#include "fpgauge/nn/Architecture.h"
#include "fpgauge/nn/FeatureField.h"

namespace fpgauge::nn {

class TraceMlp {
 public:
  TraceMlp(const MlpHead& head, int channels);

  template <class T>
  void forward(std::span<const double> weights, const FeatureField<T>& in,
               std::vector<T>& density) const;
  // For A = Σ_x a(x): in_adjoint = G_W = (∂A/∂Re t + i ∂A/∂Im t)·1 per channel, and
  // weight_gradient += ∇ of the head's weights (skipped if empty).
  template <class T>
  void reverse(std::span<const double> weights, const FeatureField<T>& in,
               FeatureField<T>& in_adjoint, std::span<T> weight_gradient) const;

 private:
  // The MLP at one site; h[k] and slope[k] receive every layer's output and g'.
  template <class T>
  T evaluate_site(std::span<const double> weights, const FeatureField<T>& in, SiteIndex s,
                  std::vector<std::vector<T>>& h, std::vector<std::vector<T>>& slope) const;
  template <class T>
  std::vector<std::vector<T>> layer_buffers() const;

  std::vector<int> widths_;  // 2C, hidden widths, 1
  Activation activation_;
};

}  // namespace fpgauge::nn
