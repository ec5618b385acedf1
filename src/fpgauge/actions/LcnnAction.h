#pragma once
// The learned action of an L-CNN model behind the project's Action interface, so that HMC, the
// gradient flow and the FP minimiser take it like any other action: A = A_θ, or A_base + A_θ for
// a model that corrects a base action (nn/LcnnModel.h; the base is the fat-link ansatz of a
// coefficients file, actions/FatLinkAction.h).
#include <memory>
#include <string>

#include "fpgauge/actions/Action.h"
#include "fpgauge/nn/LcnnModel.h"

namespace fpgauge {

class LcnnAction final : public Action {
 public:
  // `source` names where the model came from (its file), for description() and messages.
  // Throws std::invalid_argument naming the source if the model's base action is not one this
  // program knows.
  LcnnAction(std::shared_ptr<const nn::LcnnModel> model, std::string source);

  std::string name() const override { return "lcnn"; }
  nlohmann::json description() const override;
  double value(const GaugeField& u) const override;
  void force(const GaugeField& u, AlgebraField& d) const override;

  const nn::LcnnModel& model() const { return *model_; }
  // The base action the network corrects, null if none.
  const Action* base() const { return base_.get(); }

 private:
  std::shared_ptr<const nn::LcnnModel> model_;
  std::unique_ptr<const Action> base_;
  std::string source_;
};

// The action of a model's base-action JSON (nn::LcnnModel::base_action): a fat-link
// coefficients file's JSON. Throws std::invalid_argument for anything else.
std::unique_ptr<Action> make_base_action(const nlohmann::json& base);

}  // namespace fpgauge
