#include "fpgauge/cli/RunCardOptions.h"

#include <fmt/format.h>

#include <cmath>
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

std::vector<train::DatasetSource> label_dataset_sources(const RunCard& card, const char* key) {
  const toml::array* entries = card.table().at_path(key).as_array();
  if (!entries || entries->empty()) card.reject(key, "at least one label dataset");
  std::vector<train::DatasetSource> sources;
  for (std::size_t k = 0; k < entries->size(); ++k) {
    const auto fail = [&](const std::string& problem) {
      throw std::runtime_error(
          fmt::format("run card '{}': {}[{}]: {}", card.file().string(), key, k, problem));
    };
    if (const auto* file = (*entries)[k].as_string()) {
      sources.push_back({file->get(), 1.0});
      continue;
    }
    const toml::table* table = (*entries)[k].as_table();
    if (!table) fail("expected a file name or a table {file = \"labels.h5\", weight = 1.0}");
    for (const auto& [name, value] : *table)
      if (name != "file" && name != "weight" && name != "derivative_weight")
        fail(fmt::format("unknown key '{}' (known keys: file, weight, derivative_weight)",
                         name.str()));
    const auto file = (*table)["file"].value<std::string>();
    const auto weight = (*table)["weight"].value<double>();
    const auto derivative_weight = (*table)["derivative_weight"].value<double>();
    if (!file) fail("expected file (a string)");
    if (weight && !(*weight > 0.0 && std::isfinite(*weight)))
      fail(fmt::format("weight {} (expected a positive number)", *weight));
    if ((*table)["derivative_weight"] && !derivative_weight)
      fail("derivative_weight: expected a number");
    if (derivative_weight && !(*derivative_weight >= 0.0 && std::isfinite(*derivative_weight)))
      fail(fmt::format("derivative_weight {} (expected a number >= 0)", *derivative_weight));
    sources.push_back({*file, weight.value_or(1.0), derivative_weight});
  }
  return sources;
}

}  // namespace fpgauge::cli
