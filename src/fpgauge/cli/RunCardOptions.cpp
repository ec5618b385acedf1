#include "fpgauge/cli/RunCardOptions.h"

#include <stdexcept>

namespace fpgauge::cli {

RunCard RunCardOptions::load(std::string_view defaults, const std::string& output_key) const {
  std::vector<std::string> all = overrides;
  if (!output.empty()) all.push_back(output_key + "=" + output);
  return RunCard(card, defaults, all);
}

ConfigurationOutput configuration_output(const RunCard& card) {
  ConfigurationOutput output{};
  try {
    output.format = parse_configuration_format(card.string("output.format"));
  } catch (const std::invalid_argument&) {
    card.reject("output.format", "\"nersc\", \"ildg\" or \"openqcd\"");
  }
  output.precision = static_cast<int>(card.integer("output.precision"));
  if (!format_supports_precision(output.format, output.precision))
    card.reject("output.precision", output.format == ConfigurationFormat::openqcd
                                        ? "64 (the openQCD format stores doubles only)"
                                        : "32 or 64");
  return output;
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
