#pragma once
// What one configuration contributes to a training step of the loss (SPEC §6), from one forward
// pass at U that is kept: the value A_θ(U) and the force D A_θ first, then — for the residual
// r = ∂A_θ − ∂A_label, which is only known after the force — ∇_θ Σ r·∂A_θ and ∇_θ A_θ from one
// dual pass. The kept pass holds the values of every L-CB layer's contractions M = ω·T̂
// (LConvBilin.h); the reverse pass of the force and the dual pass at U_ε = (1 + iεR) U, whose
// values are U's, read them instead of recomputing them, so the dual pass's products compute
// only tangents. Work in units of one forward product M = ω·T̂ per L-CB layer: the forward pass
// 1, the force 1, the dual forward pass 1, its reverse pass 6 (M' again, the two planes of
// G_T̂ = ωᵀ G_M, and the three products of the weight gradient) — 9, against 12 for
// LcnnModel::evaluate followed by a Hessian-vector product that recomputes everything. Memory:
// the kept contractions, N·|Ŵ| matrices per site and layer (25× the layer's output features
// for 12 → 12 channels). loss_gradient() takes the weight gradient's combination that the loss
// needs directly: 8 units.
#include <memory>
#include <vector>

#include "fpgauge/core/Dual.h"
#include "fpgauge/lattice/Fields.h"
#include "fpgauge/nn/LcnnEvaluation.h"
#include "fpgauge/nn/LcnnModel.h"

namespace fpgauge::nn {

class LcnnTrainingPass {
 public:
  // The forward pass at u; `model` and `u` must outlive this object and stay unchanged.
  LcnnTrainingPass(const LcnnModel& model, const GaugeField& u);

  // A_θ(U), as LcnnModel::value.
  double value() const { return value_; }
  // D_{x,μ} A_θ(U) into force (resized as needed), as LcnnModel::evaluate.
  void force(AlgebraField& force) const;
  // ∇_θ Σ_{x,μ,a} r^a_{x,μ} ∂^a_{x,μ} A_θ(U), and ∇_θ A_θ(U) into *weight_gradient if not null,
  // as LcnnModel::hessian_vector_product; r may depend on the force.
  std::vector<double> hessian_vector_product(const AlgebraField& r,
                                             std::vector<double>* weight_gradient = nullptr) const;
  // ∇_θ [α A_θ(U) + β Σ_{x,μ,a} r^a_{x,μ} ∂^a_{x,μ} A_θ(U)]: what a loss needs whose value term
  // has slope α in A_θ and whose derivative term is linear in ∂A_θ with slope β r (SPEC §6:
  // α = 2(A_θ − A)/A², β = 2λ/Σ(∂A)², r = ∂A_θ − ∂A). Equal to α ∇_θ A_θ + β times the
  // Hessian-vector product, with one dense product per chunk and L-CB layer fewer.
  std::vector<double> loss_gradient(double alpha, const AlgebraField& r, double beta) const;

 private:
  // U_ε = (1 + iεR) U as dual links; throws std::invalid_argument unless r fits U.
  LinkField<Matrix3<Dual>> dual_links(const AlgebraField& r) const;

  const LcnnModel& model_;
  const GaugeField& u_;
  std::unique_ptr<const LcnnEvaluation<double>> pass_;
  double value_;
};

}  // namespace fpgauge::nn
