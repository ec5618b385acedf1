// fpgauge action FILE --action NAME [--json]: the reduced action A of a configuration, its
// average plaquette, and the norm of the force, sqrt(Σ_{x,μ} Σ_a (∂^a_{x,μ} A)²) (SPEC §1).
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "fpgauge/actions/ActionFactory.h"
#include "fpgauge/cli/Commands.h"
#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/io/ConfigurationFile.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/lattice/SiteLoop.h"
#include "fpgauge/observables/GaugeObservables.h"

namespace fpgauge::cli {
namespace {

struct ActionOptions {
  std::string file;
  std::string action;
  bool json = false;
};

void run_action(const ActionOptions& options) {
  const std::unique_ptr<Action> action = make_action(options.action);
  const GaugeField u = read_configuration(options.file).field;
  AlgebraField d;
  action->force(u, d);
  const double value = action->value(u);
  const double plaquette = average_plaquette(u);
  const double norm = force_norm(d);
  if (options.json) {
    const nlohmann::json result = {{"file", options.file},
                                   {"lattice", u.geometry().extents()},
                                   {"action", action->description()},
                                   {"reduced_action", value},
                                   {"plaquette", plaquette},
                                   {"force_norm", norm}};
    std::printf("%s\n", result.dump().c_str());
  } else {
    std::printf("%s", fmt::format("file            {}\n"
                                  "lattice         {}\n"
                                  "action          {}\n"
                                  "reduced action  {:.15g}\n"
                                  "plaquette       {:.15g}\n"
                                  "force norm      {:.15g}\n",
                                  options.file, u.geometry().to_string(),
                                  action->description().dump(), value, plaquette, norm)
                          .c_str());
  }
}

}  // namespace

void register_action_command(CLI::App& app) {
  auto options = std::make_shared<ActionOptions>();
  CLI::App* command = app.add_subcommand(
      "action",
      "Print the reduced action A (S = beta A), the average plaquette and the force norm "
      "sqrt(sum over links and a of (d^a A)^2) of a NERSC configuration");
  command->add_option("FILE", options->file, "Gauge configuration (NERSC, ILDG or openQCD, recognised by content)")->required();
  command
      ->add_option("--action", options->action,
                   "wilson, symanzik, iwasaki, dbw2, plaqrect:C1, or lcnn:MODEL for the "
                   "L-CNN model file MODEL")
      ->required();
  command->add_flag("--json", options->json, "Print exactly one JSON object on stdout");
  command->callback([options] { run_action(*options); });
}

}  // namespace fpgauge::cli
