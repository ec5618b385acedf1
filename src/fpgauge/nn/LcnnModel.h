#pragma once
// An L-CNN model: an architecture and its weights (SPEC §5), and the learned action
//   A_θ(U) = Σ_x [a(x) − a_1],   a_1 = the density a(x) of the same network on the unit field,
// so A_θ(1) = 0 exactly (every site of the unit field computes bit for bit the same a_1). Besides
// the value: the force D_{x,μ} A_θ (SPEC §1), the weight gradient ∇_θ A_θ, and the
// Hessian-vector product ∇_θ Σ r·∂A_θ of the derivative term of the loss (SPEC §6).
// A model may name a base action that the network corrects, A = A_base + A_θ (e.g. the fitted
// fat-link ansatz: the network then learns only the ansatz's error). nn/ keeps the base as data:
// actions/LcnnAction.h evaluates the sum, train/ subtracts the base from the labels.
// Model files: nn/README.md.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "fpgauge/lattice/Fields.h"
#include "fpgauge/nn/Architecture.h"

namespace fpgauge::nn {

template <class T>
class LcnnEvaluation;

class LcnnModel {
 public:
  // Throws std::invalid_argument unless there are architecture.parameter_count() finite weights
  // and the base is null or a JSON object.
  LcnnModel(Architecture architecture, std::vector<double> weights,
            nlohmann::json base_action = nullptr);
  // Gaussian weights keyed by (seed, RngPurpose::lcnn_weights, 0, weight index): L-CB weights
  // with variance 1/(|Ŵ|·|T̂|), so that a layer maps O(1) features to O(1) features; MLP
  // matrices with variance 1/fan-in; MLP biases zero. With a base action the output layer's
  // weights are zero, so that the model starts as the base action (A_θ = 0).
  static LcnnModel random(Architecture architecture, std::uint64_t seed,
                          nlohmann::json base_action = nullptr);
  // Reads a model file; throws std::runtime_error naming the file and what is wrong with it.
  static LcnnModel load(const std::filesystem::path& file);
  // Writes a model file (complete or not at all); refuses to replace a file unless overwrite.
  void save(const std::filesystem::path& file, bool overwrite) const;

  const Architecture& architecture() const { return architecture_; }
  // The base action's JSON (for the fat-link ansatz its coefficients file), null if none.
  const nlohmann::json& base_action() const { return base_action_; }
  const std::vector<double>& weights() const { return weights_; }
  // Throws std::invalid_argument (and keeps the old weights) unless the count fits and all
  // are finite.
  void set_weights(std::vector<double> weights);
  // FNV-1a 64 of the weights' bytes (little-endian binary64): identifies them in outputs.
  std::uint64_t fingerprint() const;

  double value(const GaugeField& u) const { return evaluate(u, nullptr, nullptr); }
  // A_θ(U); also D_{x,μ} A_θ into *force and ∇_θ A_θ into *weight_gradient where not null
  // (both resized as needed).
  double evaluate(const GaugeField& u, AlgebraField* force,
                  std::vector<double>* weight_gradient) const;
  // ∇_θ Σ_{x,μ,a} r^a_{x,μ} ∂^a_{x,μ} A_θ(U) for R_μ(x) = Σ_a r^a_{x,μ} t^a given per link.
  // The dual pass that computes it carries ∇_θ A_θ(U) in its values: if weight_gradient is not
  // null, it receives that (resized), so that a training step needs no second weight gradient.
  // A training step that has just computed the force at U saves a forward pass with
  // LcnnTrainingPass, which this call runs once for U alone.
  std::vector<double> hessian_vector_product(const GaugeField& u, const AlgebraField& r,
                                             std::vector<double>* weight_gradient = nullptr) const;

 private:
  friend class LcnnTrainingPass;

  void compute_unit_reference();
  // A_θ = Σ_x [a(x) − a_1] of a forward pass.
  double action(const LcnnEvaluation<double>& pass) const;
  // The reverse pass of A_θ at u: D A_θ into *force and ∇_θ A_θ into *weight_gradient where
  // not null (resized as needed).
  void reverse(const LcnnEvaluation<double>& pass, const GaugeField& u, AlgebraField* force,
               std::vector<double>* weight_gradient) const;
  // gradient −= scale · ∇_θ a_1: with scale = V, ∇_θ Σ_x a(x) becomes ∇_θ A_θ.
  void subtract_unit_reference(std::vector<double>& gradient, double scale) const;

  Architecture architecture_;
  std::vector<double> weights_;
  nlohmann::json base_action_;
  double unit_density_ = 0.0;                  // a_1
  std::vector<double> unit_density_gradient_;  // ∇_θ a_1
};

}  // namespace fpgauge::nn
