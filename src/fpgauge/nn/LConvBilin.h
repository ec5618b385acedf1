#pragma once
// The L-CB layer (the paper's eq. 18, SPEC §5):
//   W_out,i(x) = Σ_v Ŵ_v(x) M_iv(x),   M_iv(x) = Σ_w ω_ivw T̂_w(x),
// Ŵ = (W_1..W_C, W_1†..W_C†, 1), T̂ = (T_1..T_n, T_1†..T_n†, 1), and T the input channels
// parallel-transported to x from x and from x ± k·dilation·μ̂ (k = 1..reach, μ = 0..3):
//   from x + nμ̂: L_{μ,n}(x) W(x+nμ̂) L_{μ,n}(x)†,   from x − nμ̂: L_{μ,n}(x−nμ̂)† W(x−nμ̂)
//   L_{μ,n}(x−nμ̂).
// The weights are contracted with T̂ before the matrix products (N·|Ŵ| products per site instead
// of |Ŵ|·|T̂|). Weights ω[i][v][w] row-major, real. T index t = offset·C + channel, offsets 0,
// then for μ = 0..3 the steps +k·dilation (k = 1..reach), then for μ = 0..3 the steps
// −k·dilation, then with diagonals the 24 offsets ±μ̂ ± ν̂ in the order of WilsonLines.h, from
// where D_d(x) W(x+d) D_d(x)† transports them.
//
// The contraction is one dense real matrix product per chunk of sites (DenseProduct.h):
// with the 18 real components of T̂_w at the chunk's sites as the row w of a matrix T̂
// [|T̂|] × [18·sites], M = ω · T̂ with ω read as the [N·|Ŵ|] × [|T̂|] matrix it is stored as. In
// the reverse pass, with G_M the adjoints of the M: ∇_ω = G_M · T̂ᵀ, G_T̂ = ωᵀ · G_M. A dual
// number is linear in the weights part by part, so for T = Dual each row holds the values
// and then the tangents ("planes"), M = ω · T̂ is still one product, and ∇_ω takes the value
// and the tangent products. Only the transports, the products Ŵ_v M_iv and their reverse are
// 3×3 work, in the unrolled kernels of core/Matrix3.h.
//
// A pass can keep the values of M (ContractionValues, 25× the layer's output features for
// 12 → 12 channels) instead of recomputing them: a double pass for its own reverse pass, and a
// dual pass at links with the same values (the Hessian-vector product of a training step) for
// its value planes, so that only its tangent planes, M' = ω · T̂', are products.
#include <span>
#include <vector>

#include "fpgauge/nn/Architecture.h"
#include "fpgauge/nn/FeatureField.h"
#include "fpgauge/nn/WilsonLines.h"

namespace fpgauge::nn {

// The values of the contractions M_iv of one L-CB layer at every site: row i·|Ŵ| + v holds
// the 18 real components of M_iv(x) at column 18·x, in Matrix3's memory order.
struct ContractionValues {
  std::vector<double> m;
  std::size_t row = 0;  // 18·V
};

// For a dual pass, whose weight gradient is g + g'ε (g' a Hessian-vector product): the one
// combination α g + β g' that a training step needs (LcnnTrainingPass.h). It takes two dense
// products per chunk instead of the three of g and g' apart.
struct GradientCombination {
  double value_weight;    // α
  double tangent_weight;  // β
};

class LConvBilin {
 public:
  LConvBilin(const LcbLayer& layer, int in_channels);

  // `lines` must hold the lines of length reach·dilation. If `known` is not null it holds the
  // values of M at these features' values (kept by a double pass), and only the tangents of a
  // dual M are products; if `keep` is not null it receives the values of M.
  template <class T>
  void forward(std::span<const double> weights, const WilsonLines<T>& lines,
               const FeatureField<T>& in, FeatureField<T>& out,
               const ContractionValues* known = nullptr, ContractionValues* keep = nullptr) const;
  // Given out_adjoint: *in_adjoint = the adjoint of the input features (skipped if null),
  // weight_gradient += ∇_ω (skipped if empty), and, if line_adjoint is not null, *line_adjoint
  // += the adjoints of the Wilson lines (indexed as lines.index()), which needs in_adjoint.
  // `known` as for forward(). With `combination` (T = Dual), the values of weight_gradient
  // receive α g + β g' instead, and their tangents nothing.
  template <class T>
  void reverse(std::span<const double> weights, const WilsonLines<T>& lines,
               const FeatureField<T>& in, const FeatureField<T>& out_adjoint,
               FeatureField<T>* in_adjoint, std::span<T> weight_gradient,
               std::vector<Matrix3<T>>* line_adjoint, const ContractionValues* known = nullptr,
               const GradientCombination* combination = nullptr) const;

 private:
  // Transport offset o >= 1 → direction μ, signed length n, or a diagonal offset.
  struct Offset {
    int mu;
    int steps;          // ±k·dilation
    int diagonal = -1;  // >= 0: the diagonal offset (WilsonLines.h), not a straight one
  };
  // The rows of T̂ for the sites [begin, end): T̂_w of site begin + k at
  // t_hat + w·row + plane·(18·(end − begin)) + 18·k (see PlanarRows in LConvBilin.cpp).
  // M of a chunk into the scratch rows m (as T̂ into t_hat): M = ω·T̂, or with `known` its
  // values copied from there and, for a dual M, the tangents M' = ω·T̂'.
  template <class T>
  void contract(std::span<const double> weights, const double* t_hat, SiteIndex begin,
                SiteIndex end, double* m, std::size_t row, const ContractionValues* known) const;
  template <class T>
  void gather_t_hat(const WilsonLines<T>& lines, const FeatureField<T>& in, SiteIndex begin,
                    SiteIndex end, double* t_hat, std::size_t row) const;

  LcbShape shape_;
  std::vector<Offset> offsets_;  // offsets_[o − 1] for o = 1 .. 8·reach (+ 24)
};

}  // namespace fpgauge::nn
