#include "fpgauge/nn/LcnnTrainingPass.h"

#include <fmt/format.h>

#include <stdexcept>

#include "fpgauge/core/Dual.h"
#include "fpgauge/nn/SiteBlocks.h"

namespace fpgauge::nn {
namespace {

Matrix3<Dual> dual_matrix(const Matrix3d& value, const Matrix3d& tangent) {
  Matrix3<Dual> m;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      m.e[i][j] = {Dual(value.e[i][j].re, tangent.e[i][j].re),
                   Dual(value.e[i][j].im, tangent.e[i][j].im)};
  return m;
}

}  // namespace

LcnnTrainingPass::LcnnTrainingPass(const LcnnModel& model, const GaugeField& u)
    : model_(model),
      u_(u),
      pass_(std::make_unique<const LcnnEvaluation<double>>(model.architecture(), model.weights(),
                                                          u, true)),
      value_(model.action(*pass_)) {}

void LcnnTrainingPass::force(AlgebraField& force) const {
  model_.reverse(*pass_, u_, &force, nullptr);
}

LinkField<Matrix3<Dual>> LcnnTrainingPass::dual_links(const AlgebraField& r) const {
  if (r.size() != u_.size())
    throw std::invalid_argument(
        fmt::format("L-CNN Hessian-vector product: the direction has {} links, the field {}",
                    r.size(), u_.size()));
  // The links U_ε = (1 + iεR) U, i.e. tangent iRU, agree with e^{iεR} U to first order, so the
  // tangent of ∇_θ A_θ(U_ε) is ∇_θ Σ_a r^a ∂^a A_θ: forward mode over the reverse pass. Their
  // values are U's, so the dual pass takes the contractions' values from the kept pass.
  LinkField<Matrix3<Dual>> u_dual(u_.geometry_ptr());
  const Complex<double> i_unit(0.0, 1.0);
  for_each_site(u_.geometry().volume(), [&](SiteIndex s) {
    for (int mu = 0; mu < kDimensions; ++mu)
      u_dual(s, mu) = dual_matrix(u_(s, mu), i_unit * (r(s, mu) * u_(s, mu)));
  });
  return u_dual;
}

std::vector<double> LcnnTrainingPass::hessian_vector_product(
    const AlgebraField& r, std::vector<double>* weight_gradient) const {
  const LinkField<Matrix3<Dual>> u_dual = dual_links(r);
  const std::vector<double>& weights = model_.weights();
  const LcnnEvaluation<Dual> dual_pass(model_.architecture(), weights, u_dual, *pass_);
  std::vector<Dual> gradient(weights.size());
  dual_pass.reverse(gradient, nullptr);
  std::vector<double> product(weights.size());
  for (std::size_t k = 0; k < weights.size(); ++k) product[k] = gradient[k].tangent;
  if (weight_gradient) {  // as LcnnModel::evaluate: ∇_θ Σ_x a(x) − V ∇_θ a_1
    weight_gradient->resize(weights.size());
    for (std::size_t k = 0; k < weights.size(); ++k) (*weight_gradient)[k] = gradient[k].value;
    model_.subtract_unit_reference(*weight_gradient, static_cast<double>(u_.geometry().volume()));
  }
  return product;
}

std::vector<double> LcnnTrainingPass::loss_gradient(double alpha, const AlgebraField& r,
                                                    double beta) const {
  const LinkField<Matrix3<Dual>> u_dual = dual_links(r);
  const std::vector<double>& weights = model_.weights();
  const LcnnEvaluation<Dual> dual_pass(model_.architecture(), weights, u_dual, *pass_);
  std::vector<Dual> combined(weights.size());
  const GradientCombination combination{alpha, beta};
  dual_pass.reverse(combined, nullptr, &combination);
  std::vector<double> gradient(weights.size());
  for (std::size_t k = 0; k < weights.size(); ++k) gradient[k] = combined[k].value;
  model_.subtract_unit_reference(gradient, alpha * static_cast<double>(u_.geometry().volume()));
  return gradient;
}

}  // namespace fpgauge::nn
