#pragma once
// The learned action A_θ of an L-CNN model behind the project's Action interface, so that HMC,
// the gradient flow and the FP minimiser take it like any other action.
#include <memory>
#include <string>

#include "fpgauge/actions/Action.h"
#include "fpgauge/nn/LcnnModel.h"

namespace fpgauge {

class LcnnAction final : public Action {
 public:
  // `source` names where the model came from (its file), for description().
  LcnnAction(std::shared_ptr<const nn::LcnnModel> model, std::string source);

  std::string name() const override { return "lcnn"; }
  nlohmann::json description() const override;
  double value(const GaugeField& u) const override { return model_->value(u); }
  void force(const GaugeField& u, AlgebraField& d) const override {
    model_->evaluate(u, &d, nullptr);
  }

  const nn::LcnnModel& model() const { return *model_; }

 private:
  std::shared_ptr<const nn::LcnnModel> model_;
  std::string source_;
};

}  // namespace fpgauge
