#include "fpgauge/actions/LcnnAction.h"

#include <fmt/format.h>

namespace fpgauge {

LcnnAction::LcnnAction(std::shared_ptr<const nn::LcnnModel> model, std::string source)
    : model_(std::move(model)), source_(std::move(source)) {}

nlohmann::json LcnnAction::description() const {
  const nn::Architecture& architecture = model_->architecture();
  const nn::ReceptiveField field = architecture.receptive_field();
  return {{"name", name()},
          {"family", "L-CNN"},
          {"model", source_},
          {"architecture", architecture.to_string()},
          {"parameters", architecture.parameter_count()},
          {"receptive_field", {{"below", field.below}, {"above", field.above}}},
          {"weights_fnv1a64", fmt::format("{:016x}", model_->fingerprint())}};
}

}  // namespace fpgauge
