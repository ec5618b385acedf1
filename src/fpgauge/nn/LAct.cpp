#include "fpgauge/nn/LAct.h"

#include "fpgauge/core/Dual.h"
#include "fpgauge/nn/Activation.h"
#include "fpgauge/nn/FeatureAlgebra.h"
#include "fpgauge/nn/SiteBlocks.h"

namespace fpgauge::nn {

template <class T>
void LAct::forward(const FeatureField<T>& in, FeatureField<T>& out) const {
  out = FeatureField<T>(in.channels(), in.volume());
  for_each_site(in.volume(), [&](SiteIndex s) {
    for (int c = 0; c < in.channels(); ++c)
      out(c, s) = activate(activation_, re_trace(in(c, s))).value * in(c, s);
  });
}

template <class T>
void LAct::reverse(const FeatureField<T>& in, const FeatureField<T>& out_adjoint,
                   FeatureField<T>& in_adjoint) const {
  in_adjoint = FeatureField<T>(in.channels(), in.volume());
  for_each_site(in.volume(), [&](SiteIndex s) {
    for (int c = 0; c < in.channels(); ++c) {
      const Matrix3<T>& w = in(c, s);
      const Matrix3<T>& g = out_adjoint(c, s);
      const ActivationValue<T> a = activate(activation_, re_trace(w));
      Matrix3<T> result = a.value * g;
      add_to_diagonal(result, Complex<T>(a.slope * re_trace_adj_mul(g, w)));
      in_adjoint(c, s) = result;
    }
  });
}

template void LAct::forward(const FeatureField<double>&, FeatureField<double>&) const;
template void LAct::forward(const FeatureField<Dual>&, FeatureField<Dual>&) const;
template void LAct::reverse(const FeatureField<double>&, const FeatureField<double>&,
                            FeatureField<double>&) const;
template void LAct::reverse(const FeatureField<Dual>&, const FeatureField<Dual>&,
                            FeatureField<Dual>&) const;

}  // namespace fpgauge::nn
