#pragma once
// The input layer of the L-CNN: closed loops starting and ending at x, the first features
// (SPEC §5; they transform as W → Ω(x) W Ω(x)†). Channels in order: the plaquettes
// P_μν(x) = U_μ(x) U_ν(x+μ̂) U_μ(x+ν̂)† U_ν(x)† for (μ,ν) = (0,1),(0,2),(0,3),(1,2),(1,3),(2,3);
// with rectangles then, plane by plane in the same order, R_μν (two steps along μ, one along ν)
// and R_νμ, oriented like P_μν (lattice/GaugeLoops.h). Centred: every loop minus the unit matrix
// (a constant shift, so the reverse pass is the same).
#include <vector>

#include "fpgauge/lattice/Fields.h"
#include "fpgauge/lattice/PathProduct.h"
#include "fpgauge/nn/Architecture.h"
#include "fpgauge/nn/FeatureField.h"

namespace fpgauge::nn {

class InputLoops {
 public:
  explicit InputLoops(const LoopInput& input);

  int channels() const { return static_cast<int>(paths_.size()); }
  const std::vector<Step>& path(int c) const { return paths_[c]; }

  template <class T>
  void forward(const LinkField<Matrix3<T>>& u, FeatureField<T>& loops) const;
  // link_adjoint += the link adjoints, given the adjoints of the loops: the factor V_k of a
  // loop P = V_1 ⋯ V_n gets (V_1 ⋯ V_{k−1})† G_P (V_{k+1} ⋯ V_n)†.
  template <class T>
  void reverse(const LinkField<Matrix3<T>>& u, const FeatureField<T>& loop_adjoint,
               LinkField<Matrix3<T>>& link_adjoint) const;

 private:
  std::vector<std::vector<Step>> paths_;
  bool centred_ = false;
};

}  // namespace fpgauge::nn
