#include "fpgauge/train/TrainingLoss.h"

#include <fmt/format.h>

#include <cmath>
#include <optional>
#include <stdexcept>

#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/lattice/SiteLoop.h"
#include "fpgauge/nn/LcnnTrainingPass.h"

namespace fpgauge::train {
namespace {

// Σ_{x,μ} Σ_a (∂^a)² = 2 Σ tr D² for D = Σ_a t^a ∂^a (tr t^a t^b = ½ δ^ab).
double derivative_norm2(const AlgebraField& d) {
  double sum = 0.0;
  for (SiteIndex l = 0; l < d.size(); ++l) sum += 2.0 * norm2(d[l]);
  return sum;
}

// The members of LossSums in slot order.
constexpr std::size_t kLossSlots = 6;

}  // namespace

TrainingLabel make_training_label(GaugeField configuration,
                                  std::span<const Algebra<double>> derivative, double action,
                                  double weight, std::string origin) {
  const auto fail = [&](const std::string& problem) {
    throw std::invalid_argument(fmt::format("{}: {}", origin, problem));
  };
  if (derivative.size() != static_cast<std::size_t>(configuration.size()))
    fail(fmt::format("{} derivative entries for {} links", derivative.size(),
                     configuration.size()));
  if (!std::isfinite(action) || action == 0.0)
    fail(fmt::format("A_FP = {}: the loss divides by A_FP², so it must be finite and non-zero "
                     "(drop unit-field configurations from the training data)",
                     action));
  if (!(weight > 0.0) || !std::isfinite(weight))
    fail(fmt::format("loss weight {} (expected > 0)", weight));
  TrainingLabel label{std::move(configuration), {}, action, action, 0.0, weight, std::move(origin)};
  label.derivative = AlgebraField(label.configuration.geometry_ptr());
  for (std::size_t l = 0; l < derivative.size(); ++l) {
    for (const double h : derivative[l]) {
      if (!std::isfinite(h)) fail(fmt::format("derivative of link {} is {}", l, h));
      label.derivative_norm2 += h * h;
    }
    label.derivative[static_cast<SiteIndex>(l)] = algebra_to_matrix(derivative[l]);
  }
  if (label.derivative_norm2 == 0.0)
    fail("every derivative label is zero: the derivative term divides by Σ(∂A_FP)²");
  return label;
}

void subtract_base_action(TrainingLabel& label, const Action& base) {
  AlgebraField base_force;
  base.force(label.configuration, base_force);
  label.action -= base.value(label.configuration);
  parallel_for(label.derivative.size(),
               [&](SiteIndex l) { label.derivative[l] -= base_force[l]; });
}

LossSums& LossSums::operator+=(const LossSums& other) {
  weight += other.weight;
  loss += other.loss;
  value += other.value;
  derivative += other.derivative;
  value_error += other.value_error;
  derivative_error += other.derivative_error;
  return *this;
}

LossSums LossSums::mean() const {
  if (weight == 0.0) return {};
  return {1.0,           loss / weight,        value / weight, derivative / weight,
          value_error / weight, derivative_error / weight};
}

LossSums configuration_loss(const nn::LcnnModel& model, const TrainingLabel& label,
                            double lambda, std::vector<double>* gradient) {
  // With a gradient: one kept forward pass gives A_θ, the force and then the loss gradient
  // (nn/LcnnTrainingPass.h, ≈ 9× a value); without, evaluate keeps nothing (≈ 3×).
  std::optional<nn::LcnnTrainingPass> pass;
  AlgebraField force;
  double a = 0.0;
  if (gradient) {
    pass.emplace(model, label.configuration);
    a = pass->value();
    pass->force(force);
  } else {
    a = model.evaluate(label.configuration, &force, nullptr);
  }
  AlgebraField r(label.configuration.geometry_ptr());
  for (SiteIndex l = 0; l < r.size(); ++l) r[l] = force[l] - label.derivative[l];
  const double target = label.action, a_fp = label.fp_action, scale = label.derivative_norm2;
  LossSums sums;
  sums.weight = 1.0;
  sums.value = (a - target) * (a - target) / (a_fp * a_fp);
  sums.derivative = derivative_norm2(r) / scale;
  sums.loss = sums.value + lambda * sums.derivative;
  sums.value_error = std::sqrt(sums.value);
  sums.derivative_error = std::sqrt(sums.derivative);
  // ∇_θ L = 2 (A_θ − A_FP)/A_FP² ∇_θ A_θ + 2λ/Σ(∂A_FP)² ∇_θ Σ r·∂A_θ.
  if (gradient)
    *gradient = pass->loss_gradient(2.0 * (a - target) / (a_fp * a_fp), r, 2.0 * lambda / scale);
  return sums;
}

LossSums batch_loss(const nn::LcnnModel& model, std::span<const TrainingLabel* const> batch,
                    double lambda, std::vector<double>* gradient, const Communicator& ranks) {
  const std::size_t n = gradient ? model.weights().size() : 0;
  const std::size_t slot = kLossSlots + n;
  std::vector<double> slots(batch.size() * slot, 0.0);
  std::vector<double> g;
  for (std::size_t i = static_cast<std::size_t>(ranks.rank()); i < batch.size();
       i += static_cast<std::size_t>(ranks.size())) {
    const LossSums s = configuration_loss(model, *batch[i],
                                          batch[i]->derivative_weight.value_or(lambda),
                                          gradient ? &g : nullptr);
    const double w = batch[i]->weight;
    double* out = slots.data() + i * slot;
    const double members[kLossSlots] = {s.weight, s.loss, s.value, s.derivative, s.value_error,
                                        s.derivative_error};
    for (std::size_t k = 0; k < kLossSlots; ++k) out[k] = w * members[k];
    for (std::size_t k = 0; k < n; ++k) out[kLossSlots + k] = w * g[k];
  }
  ranks.sum_in_place(slots);
  LossSums sums;
  if (gradient) gradient->assign(n, 0.0);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const double* in = slots.data() + i * slot;
    sums += LossSums{in[0], in[1], in[2], in[3], in[4], in[5]};
    for (std::size_t k = 0; k < n; ++k) (*gradient)[k] += in[kLossSlots + k];
  }
  if (gradient && sums.weight > 0.0)
    for (double& x : *gradient) x /= sums.weight;
  return sums;
}

}  // namespace fpgauge::train
