#pragma once
// The training loss of SPEC §6 and its weight gradient. Per configuration V with labels A_FP(V)
// and ∂^a A_FP(V) (for a model with a base action read A_base + A_θ for A_θ):
//   L = (A_θ − A_FP)²/A_FP² + λ Σ_{x,μ,a} (∂^a A_θ − ∂^a A_FP)² / Σ_{x,μ,a} (∂^a A_FP)²,
//   ∇_θ L = 2 (A_θ − A_FP)/A_FP² ∇_θ A_θ + 2λ/Σ(∂^a A_FP)² ∇_θ Σ r^a ∂^a A_θ,
// r = ∂A_θ − ∂A_FP; the last term is LcnnModel::hessian_vector_product, whose dual pass also
// gives ∇_θ A_θ. A batch averages L with per-configuration weights (the weight of the dataset a
// configuration comes from): L_batch = Σ w_i L_i / Σ w_i.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fpgauge/actions/Action.h"
#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/lattice/Communicator.h"
#include "fpgauge/lattice/Fields.h"
#include "fpgauge/nn/LcnnModel.h"

namespace fpgauge::train {

// A configuration with its labels, as the loss uses them. The targets of the network are A_FP
// and D A_FP, or for a model that corrects a base action (nn/LcnnModel.h) A_FP − A_base and
// D A_FP − D A_base (subtract_base_action); the scales of the loss stay those of A_FP, so the
// loss is that of the sum A_base + A_θ.
struct TrainingLabel {
  GaugeField configuration;
  AlgebraField derivative;          // target of D A_θ = Σ_a t^a ∂^a A_θ per link
  double action = 0.0;              // target of A_θ
  double fp_action = 0.0;           // A_FP
  double derivative_norm2 = 0.0;    // Σ_{x,μ,a} (∂^a A_FP)²
  double weight = 1.0;              // w, the loss weight of its dataset
  std::string origin;               // "FILE record N", for messages
  std::optional<double> derivative_weight = std::nullopt;  // its dataset's λ, if not the loss's
};

// Builds a label from the derivative components ∂^a A_FP per link l = 4x + μ. Throws
// std::invalid_argument naming `origin` if the sizes differ, a number is not finite, A_FP = 0 or
// Σ(∂^a A_FP)² = 0 (the loss divides by both), or the weight is not positive and finite.
TrainingLabel make_training_label(GaugeField configuration,
                                  std::span<const Algebra<double>> derivative, double action,
                                  double weight, std::string origin);

// Turns the targets of `label` into those of a correction to `base`: action −= A_base,
// derivative −= D A_base (fp_action and derivative_norm2 stay).
void subtract_base_action(TrainingLabel& label, const Action& base);

// Weighted sums over configurations: with x_i the per-configuration quantity and w_i its
// weight, each member holds Σ w_i x_i and `weight` Σ w_i; mean() divides. Sums of batches
// (operator+=) stay sums, so an epoch's training loss is their ratio.
struct LossSums {
  double weight = 0.0;
  double loss = 0.0;               // L
  double value = 0.0;              // (A_θ − A_FP)²/A_FP²
  double derivative = 0.0;         // Σ(∂A_θ − ∂A_FP)²/Σ(∂A_FP)²
  double value_error = 0.0;        // |A_θ − A_FP|/|A_FP|
  double derivative_error = 0.0;   // ‖∂A_θ − ∂A_FP‖/‖∂A_FP‖
  LossSums& operator+=(const LossSums& other);
  LossSums mean() const;           // every member divided by `weight` (weight 1); zeros if empty
};

// L, its parts and, if gradient is not null, ∇_θ L (resized) for one configuration, weight 1.
LossSums configuration_loss(const nn::LcnnModel& model, const TrainingLabel& label,
                            double lambda, std::vector<double>* gradient);

// The weighted sums over `batch` and, if gradient is not null, the weighted mean gradient
// Σ w_i ∇L_i / Σ w_i; L_i with the label's own λ where it has one (e.g. instantons, whose small
// FP derivative field no action fits, trained on their values only), else with `lambda`. Data
// parallel: configuration i is computed by rank i mod size; every rank's results travel in the
// slot of their configuration (zeros elsewhere) through one deterministic all-reduce, and every
// rank adds the slots in batch order. So the result is the same bits on every rank and for any
// number of ranks and threads. Every rank must call it with the same batch.
LossSums batch_loss(const nn::LcnnModel& model, std::span<const TrainingLabel* const> batch,
                    double lambda, std::vector<double>* gradient, const Communicator& ranks);

}  // namespace fpgauge::train
