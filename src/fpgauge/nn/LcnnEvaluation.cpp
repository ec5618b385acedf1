#include "fpgauge/nn/LcnnEvaluation.h"

#include <fmt/format.h>

#include <stdexcept>

#include "fpgauge/core/Dual.h"

namespace fpgauge::nn {

template <class T>
LcnnEvaluation<T>::LcnnEvaluation(const Architecture& architecture, std::span<const double> weights,
                                  const LinkField<Matrix3<T>>& u)
    : u_(u),
      weights_(weights),
      input_(architecture.input),
      head_(architecture.head, architecture.output_channels()),
      lines_(u, architecture.max_transport_length()) {
  if (static_cast<std::int64_t>(weights.size()) != architecture.parameter_count())
    throw std::invalid_argument(fmt::format("L-CNN '{}': expected {} weights, got {}",
                                            architecture.to_string(),
                                            architecture.parameter_count(), weights.size()));
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
      lcb->forward(layer_weights(i), lines_, features_[i], features_[i + 1]);
    else
      std::get<LAct>(layers_[i]).forward(features_[i], features_[i + 1]);
  }
  head_.forward(layer_weights(layers_.size()), features_.back(), density_);
}

template <class T>
std::span<const double> LcnnEvaluation<T>::layer_weights(std::size_t i) const {
  const std::size_t end = i + 1 < weight_offsets_.size() ? weight_offsets_[i + 1] : weights_.size();
  return weights_.subspan(weight_offsets_[i], end - weight_offsets_[i]);
}

template <class T>
void LcnnEvaluation<T>::reverse(std::span<T> weight_gradient,
                                LinkField<Matrix3<T>>* link_adjoint) const {
  auto gradient_of = [&](std::size_t i) {
    return weight_gradient.empty()
               ? std::span<T>()
               : weight_gradient.subspan(weight_offsets_[i], layer_weights(i).size());
  };
  FeatureField<T> adjoint, in_adjoint;
  head_.reverse(layer_weights(layers_.size()), features_.back(), adjoint,
                gradient_of(layers_.size()));
  std::vector<Matrix3<T>> line_adjoint;
  if (link_adjoint) line_adjoint = lines_.zero_adjoint();
  for (std::size_t i = layers_.size(); i-- > 0;) {
    if (const auto* lcb = std::get_if<LConvBilin>(&layers_[i]))
      lcb->reverse(layer_weights(i), lines_, features_[i], adjoint, in_adjoint, gradient_of(i),
                   link_adjoint ? &line_adjoint : nullptr);
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
