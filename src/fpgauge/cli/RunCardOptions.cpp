#include "fpgauge/cli/RunCardOptions.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
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

std::string file_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) throw std::runtime_error(fmt::format("cannot read '{}'", file.string()));
  return text;
}

std::string first_difference(const std::string& before, const std::string& now) {
  std::istringstream a(before), b(now);
  std::string line_a, line_b;
  while (true) {
    const bool more_a = static_cast<bool>(std::getline(a, line_a));
    const bool more_b = static_cast<bool>(std::getline(b, line_b));
    if (!more_a && !more_b) return "";
    if (!more_a || !more_b || line_a != line_b)
      return fmt::format("'{}' there, '{}' now", more_a ? line_a : "", more_b ? line_b : "");
  }
}

void run_plot_script(const std::string& command, const std::string& script,
                     const std::filesystem::path& directory) {
  const std::filesystem::path file = std::filesystem::path(FPGAUGE_TOOLS_DIR) / script;
  const std::string shell = fmt::format("/usr/bin/python3 '{}' '{}' > /dev/null 2>&1",
                                        file.string(), directory.string());
  if (!std::filesystem::exists(file) || std::system(shell.c_str()) != 0)
    std::fprintf(stderr, "%s: no plots (needs /usr/bin/python3 with matplotlib and %s)\n",
                 command.c_str(), file.c_str());
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
