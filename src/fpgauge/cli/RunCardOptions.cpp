#include "fpgauge/cli/RunCardOptions.h"

namespace fpgauge::cli {

RunCard RunCardOptions::load(std::string_view defaults, const std::string& output_key) const {
  std::vector<std::string> all = overrides;
  if (!output.empty()) all.push_back(output_key + "=" + output);
  return RunCard(card, defaults, all);
}

void add_run_card_options(CLI::App& command, RunCardOptions& options,
                          const std::string& set_example, const std::string& output_help,
                          const std::string& force_help) {
  command.add_option("CARD", options.card, "TOML run card")->required();
  command.add_option("--set", options.overrides,
                     "Override a card value, e.g. --set " + set_example + " (repeatable)");
  command.add_option("--output", options.output, output_help);
  command.add_flag("--force", options.force, force_help);
}

}  // namespace fpgauge::cli
