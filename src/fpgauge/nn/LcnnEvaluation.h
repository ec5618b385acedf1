#pragma once
// One evaluation of an L-CNN on a gauge field, templated on the scalar (double, or Dual for
// the Hessian-vector products). The forward pass runs in the constructor and keeps what the
// reverse pass needs: the Wilson lines and the features after every layer; the reverse pass
// recomputes transports and contractions from them instead of storing them (no tape), unless
// the pass keeps the values of the contractions (LConvBilin.h): for the training step
// (LcnnTrainingPass.h), whose dual pass at the same link values then computes only tangents.
//
// Reverse-pass convention: the adjoint of a complex matrix X is G_X = ∂A/∂Re X + i ∂A/∂Im X,
// so δA = Re tr(G_X† δX). Products Y = XZ give G_X += G_Y Z†, G_Z += X† G_Y, and Y = X† gives
// G_X += G_Y†. For a link, δU = iε t^a U turns G_U into the Lie derivative
// ∂^a A = Re tr(i t^a U G_U†), so D_{x,μ} A = lie_gradient(U G_U†) (SPEC §1).
#include <span>
#include <type_traits>
#include <variant>
#include <vector>

#include "fpgauge/core/Dual.h"
#include "fpgauge/lattice/Fields.h"
#include "fpgauge/nn/Architecture.h"
#include "fpgauge/nn/FeatureField.h"
#include "fpgauge/nn/InputLoops.h"
#include "fpgauge/nn/LAct.h"
#include "fpgauge/nn/LConvBilin.h"
#include "fpgauge/nn/TraceMlp.h"
#include "fpgauge/nn/WilsonLines.h"

namespace fpgauge::nn {

template <class T>
class LcnnEvaluation {
 public:
  // `architecture`, `weights` (architecture.parameter_count() of them) and `u` must outlive
  // the evaluation.
  // keep_contractions: keep the values of every L-CB layer's contractions M, for this pass's
  // reverse and for a dual pass at the same links (the next constructor).
  LcnnEvaluation(const Architecture& architecture, std::span<const double> weights,
                 const LinkField<Matrix3<T>>& u, bool keep_contractions = false);
  // A dual pass at links whose values are those of `values_of`'s links, with the same
  // architecture and weights: the values of the contractions are taken from `values_of`, which
  // must have kept them and must outlive this pass. Throws std::invalid_argument otherwise.
  LcnnEvaluation(const Architecture& architecture, std::span<const double> weights,
                 const LinkField<Matrix3<T>>& u, const LcnnEvaluation<double>& values_of)
    requires std::is_same_v<T, Dual>;

  // The action density a(x) of the network, site by site.
  const std::vector<T>& density() const { return density_; }
  // The features after the input loops (k = 0) and after each matrix layer (k = 1, 2, ...).
  const FeatureField<T>& features(std::size_t k) const { return features_[k]; }
  // The kept values of the contractions, one entry per matrix layer (empty for L-Act), or null.
  const std::vector<ContractionValues>* kept_contractions() const {
    return keep_contractions_ ? &kept_ : nullptr;
  }

  // The reverse pass of Σ_x a(x): weight_gradient += its gradient in the weights (skipped if
  // empty), and, if link_adjoint is not null, *link_adjoint += G_U for every link. With
  // `combination` (a dual pass; LConvBilin.h), the values of weight_gradient receive α g + β g'
  // of its gradient g + g'ε instead, and their tangents nothing.
  void reverse(std::span<T> weight_gradient, LinkField<Matrix3<T>>* link_adjoint,
               const GradientCombination* combination = nullptr) const;

 private:
  template <class>
  friend class LcnnEvaluation;  // a dual pass reads the double pass it takes values from
  using MatrixLayerPass = std::variant<LConvBilin, LAct>;

  std::span<const double> layer_weights(std::size_t i) const;
  // The values of layer i's contractions if known (kept here or by values_of_), else null.
  const ContractionValues* known_contractions(std::size_t i) const;
  void forward();

  const Architecture& architecture_;
  const LinkField<Matrix3<T>>& u_;
  std::span<const double> weights_;
  InputLoops input_;
  std::vector<MatrixLayerPass> layers_;
  std::vector<std::size_t> weight_offsets_;  // per matrix layer, then the head
  TraceMlp head_;
  WilsonLines<T> lines_;
  std::vector<FeatureField<T>> features_;
  std::vector<T> density_;
  bool keep_contractions_ = false;
  std::vector<ContractionValues> kept_;
  const std::vector<ContractionValues>* values_of_ = nullptr;
};

}  // namespace fpgauge::nn
