#pragma once
// L-Act (SPEC §5): W_i(x) → g(Re tr W_i(x)) · W_i(x), channel by channel. Re tr W is gauge
// invariant, so the layer is equivariant; its adjoint is
//   G_W = g G_out + g'(Re tr W) Re tr(G_out† W) · 1.
#include "fpgauge/nn/Architecture.h"
#include "fpgauge/nn/FeatureField.h"

namespace fpgauge::nn {

class LAct {
 public:
  explicit LAct(const ActLayer& layer) : activation_(layer.activation) {}

  template <class T>
  void forward(const FeatureField<T>& in, FeatureField<T>& out) const;
  template <class T>
  void reverse(const FeatureField<T>& in, const FeatureField<T>& out_adjoint,
               FeatureField<T>& in_adjoint) const;

 private:
  Activation activation_;
};

}  // namespace fpgauge::nn
