#include "fpgauge/actions/ActionFactory.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "fpgauge/actions/FatLinkAction.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/actions/LcnnAction.h"
#include "fpgauge/nn/LcnnModel.h"

namespace fpgauge {

std::unique_ptr<Action> make_action(const std::string& spec) {
  if (spec == "wilson") return std::make_unique<GaugeLoopAction>(GaugeLoopAction::wilson());
  if (spec == "symanzik") return std::make_unique<GaugeLoopAction>(GaugeLoopAction::symanzik());
  if (spec == "iwasaki") return std::make_unique<GaugeLoopAction>(GaugeLoopAction::iwasaki());
  if (spec == "dbw2") return std::make_unique<GaugeLoopAction>(GaugeLoopAction::dbw2());
  const std::string prefix = "plaqrect:";
  if (spec.rfind(prefix, 0) == 0) {
    const std::string number = spec.substr(prefix.size());
    std::size_t used = 0;
    double c1 = 0.0;
    try {
      c1 = std::stod(number, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != number.size() || !std::isfinite(c1))
      throw std::invalid_argument(
          fmt::format("action '{}': expected plaqrect:C1 with a number C1, got '{}'", spec, number));
    return std::make_unique<GaugeLoopAction>(spec, c1);
  }
  const std::string lcnn = "lcnn:";
  if (spec.rfind(lcnn, 0) == 0) {
    const std::string file = spec.substr(lcnn.size());
    if (file.empty())
      throw std::invalid_argument(
          fmt::format("action '{}': expected lcnn:PATH with the path of a model file", spec));
    // LcnnModel::load names the file and what is wrong with it.
    auto model = std::make_shared<const nn::LcnnModel>(nn::LcnnModel::load(file));
    return std::make_unique<LcnnAction>(std::move(model), file);
  }
  const std::string fatlink = "fatlink:";
  if (spec.rfind(fatlink, 0) == 0) {
    const std::string file = spec.substr(fatlink.size());
    if (file.empty())
      throw std::invalid_argument(fmt::format(
          "action '{}': expected fatlink:PATH with the path of a coefficients file", spec));
    // FatLinkAction::load names the file and what is wrong with it.
    return std::make_unique<FatLinkAction>(FatLinkAction::load(file));
  }
  throw std::invalid_argument(fmt::format(
      "unknown action '{}': known are wilson, symanzik, iwasaki, dbw2, plaqrect:C1, lcnn:PATH, "
      "fatlink:PATH",
      spec));
}

}  // namespace fpgauge
