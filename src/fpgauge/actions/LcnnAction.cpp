#include "fpgauge/actions/LcnnAction.h"

#include <fmt/format.h>

#include <stdexcept>

#include "fpgauge/actions/FatLinkAction.h"
#include "fpgauge/lattice/SiteLoop.h"

namespace fpgauge {

std::unique_ptr<Action> make_base_action(const nlohmann::json& base) {
  if (base.is_object() && base.contains("format") && base["format"] == "fpgauge-fatlink")
    return std::make_unique<FatLinkAction>(FatLinkAction::from_json(base));
  throw std::invalid_argument(
      "base action: expected a fat-link coefficients file's JSON (\"format\": "
      "\"fpgauge-fatlink\")");
}

LcnnAction::LcnnAction(std::shared_ptr<const nn::LcnnModel> model, std::string source)
    : model_(std::move(model)), source_(std::move(source)) {
  if (model_->base_action().is_null()) return;
  try {
    base_ = make_base_action(model_->base_action());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format("L-CNN model '{}': {}", source_, e.what()));
  }
}

nlohmann::json LcnnAction::description() const {
  const nn::Architecture& architecture = model_->architecture();
  const nn::ReceptiveField field = architecture.receptive_field();
  nlohmann::json d = {{"name", name()},
                      {"family", "L-CNN"},
                      {"model", source_},
                      {"architecture", architecture.to_string()},
                      {"parameters", architecture.parameter_count()},
                      {"receptive_field", {{"below", field.below}, {"above", field.above}}},
                      {"weights_fnv1a64", fmt::format("{:016x}", model_->fingerprint())}};
  if (base_) d["base_action"] = base_->description();
  return d;
}

double LcnnAction::value(const GaugeField& u) const {
  const double network = model_->value(u);
  return base_ ? base_->value(u) + network : network;
}

void LcnnAction::force(const GaugeField& u, AlgebraField& d) const {
  model_->evaluate(u, &d, nullptr);
  if (!base_) return;
  AlgebraField base_force;
  base_->force(u, base_force);
  parallel_for(d.size(), [&](SiteIndex l) { d[l] += base_force[l]; });
}

}  // namespace fpgauge
