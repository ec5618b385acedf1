#include "fpgauge/nn/LcnnEvaluation.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "fpgauge/core/Dual.h"

namespace fpgauge::nn {

template <class T>
LcnnEvaluation<T>::LcnnEvaluation(const Architecture& architecture, std::span<const double> weights,
                                  const LinkField<Matrix3<T>>& u, bool keep_contractions)
    : architecture_(architecture),
      u_(u),
      weights_(weights),
      input_(architecture.input),
      head_(architecture.head, architecture.output_channels()),
      lines_(u, architecture.max_transport_length(), architecture.uses_diagonals()),
      keep_contractions_(keep_contractions) {
  if (keep_contractions) kept_.resize(architecture.layers.size());
  forward();
}

template <class T>
LcnnEvaluation<T>::LcnnEvaluation(const Architecture& architecture, std::span<const double> weights,
                                  const LinkField<Matrix3<T>>& u,
                                  const LcnnEvaluation<double>& values_of)
  requires std::is_same_v<T, Dual>
    : architecture_(architecture),
      u_(u),
      weights_(weights),
      input_(architecture.input),
      head_(architecture.head, architecture.output_channels()),
      lines_(u, architecture.max_transport_length(), architecture.uses_diagonals()),
      values_of_(values_of.kept_contractions()) {
  auto refuse = [&](const std::string& why) {
    return std::invalid_argument(
        fmt::format("L-CNN '{}': a dual pass cannot take the contractions of the given pass: {}",
                    architecture.to_string(), why));
  };
  if (!values_of_) throw refuse("it did not keep them");
  if (!(values_of.architecture_ == architecture) ||
      !std::ranges::equal(values_of.weights_, weights))
    throw refuse("its architecture or weights differ");
  if (u.size() != values_of.u_.size()) throw refuse("its lattice differs");
  for (SiteIndex l = 0; l < u.size(); ++l)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        if (u[l].e[i][j].re.value != values_of.u_[l].e[i][j].re ||
            u[l].e[i][j].im.value != values_of.u_[l].e[i][j].im)
          throw refuse(fmt::format("the value of link {} differs", l));
  forward();
}

template <class T>
void LcnnEvaluation<T>::forward() {
  const Architecture& architecture = architecture_;
  if (static_cast<std::int64_t>(weights_.size()) != architecture.parameter_count())
    throw std::invalid_argument(fmt::format("L-CNN '{}': expected {} weights, got {}",
                                            architecture.to_string(),
                                            architecture.parameter_count(), weights_.size()));
  std::size_t offset = 0;
  for (std::size_t i = 0; i < architecture.layers.size(); ++i) {
    weight_offsets_.push_back(offset);
    offset += static_cast<std::size_t>(architecture.layer_parameter_count(i));
    const int in_channels =
        i == 0 ? architecture.input_channels() : architecture.channels_after(i - 1);
    if (const auto* lcb = std::get_if<LcbLayer>(&architecture.layers[i]))
      layers_.emplace_back(LConvBilin(*lcb, in_channels));
    else
      layers_.emplace_back(LAct(std::get<ActLayer>(architecture.layers[i])));
  }
  weight_offsets_.push_back(offset);

  features_.resize(layers_.size() + 1);
  input_.forward(u_, features_[0]);
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    if (const auto* lcb = std::get_if<LConvBilin>(&layers_[i]))
      lcb->forward(layer_weights(i), lines_, features_[i], features_[i + 1],
                   values_of_ ? &(*values_of_)[i] : nullptr,
                   keep_contractions_ ? &kept_[i] : nullptr);
    else
      std::get<LAct>(layers_[i]).forward(features_[i], features_[i + 1]);
  }
  head_.forward(layer_weights(layers_.size()), features_.back(), density_);
}

template <class T>
const ContractionValues* LcnnEvaluation<T>::known_contractions(std::size_t i) const {
  if (values_of_) return &(*values_of_)[i];
  return keep_contractions_ ? &kept_[i] : nullptr;
}

template <class T>
std::span<const double> LcnnEvaluation<T>::layer_weights(std::size_t i) const {
  const std::size_t end = i + 1 < weight_offsets_.size() ? weight_offsets_[i + 1] : weights_.size();
  return weights_.subspan(weight_offsets_[i], end - weight_offsets_[i]);
}

template <class T>
void LcnnEvaluation<T>::reverse(std::span<T> weight_gradient, LinkField<Matrix3<T>>* link_adjoint,
                                const GradientCombination* combination) const {
  auto gradient_of = [&](std::size_t i) {
    return weight_gradient.empty()
               ? std::span<T>()
               : weight_gradient.subspan(weight_offsets_[i], layer_weights(i).size());
  };
  FeatureField<T> adjoint, in_adjoint;
  const std::span<T> head_gradient = gradient_of(layers_.size());
  // With a combination, the head's g + g'ε goes to a buffer first and is combined from there.
  const bool combine_head = combination && !head_gradient.empty();
  std::vector<T> head_parts(combine_head ? head_gradient.size() : 0);
  head_.reverse(layer_weights(layers_.size()), features_.back(), adjoint,
                combine_head ? std::span<T>(head_parts) : head_gradient);
  if constexpr (std::is_same_v<T, Dual>)
    if (combine_head)
      for (std::size_t k = 0; k < head_parts.size(); ++k)
        head_gradient[k] += Dual(combination->value_weight * head_parts[k].value +
                                 combination->tangent_weight * head_parts[k].tangent);
  // Without link adjoints the adjoints of the input loops are not needed, nor those of the
  // inputs of the first L-CB layer.
  std::size_t first_needed = 0;
  if (!link_adjoint)
    while (first_needed < layers_.size() &&
           !std::holds_alternative<LConvBilin>(layers_[first_needed]))
      ++first_needed;
  std::vector<Matrix3<T>> line_adjoint;
  if (link_adjoint) line_adjoint = lines_.zero_adjoint();
  for (std::size_t i = layers_.size(); i-- > first_needed;) {
    if (const auto* lcb = std::get_if<LConvBilin>(&layers_[i]))
      lcb->reverse(layer_weights(i), lines_, features_[i], adjoint,
                   i > first_needed || link_adjoint ? &in_adjoint : nullptr, gradient_of(i),
                   link_adjoint ? &line_adjoint : nullptr, known_contractions(i), combination);
    else
      std::get<LAct>(layers_[i]).reverse(features_[i], adjoint, in_adjoint);
    std::swap(adjoint, in_adjoint);
  }
  if (link_adjoint) {
    lines_.reverse(u_, line_adjoint, *link_adjoint);
    input_.reverse(u_, adjoint, *link_adjoint);
  }
}

template class LcnnEvaluation<double>;
template class LcnnEvaluation<Dual>;

}  // namespace fpgauge::nn
