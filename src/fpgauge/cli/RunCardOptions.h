#pragma once
// The options every run-card subcommand shares:
//   CARD  --set KEY=VALUE ...  --output PATH  --force
// and the [output] keys of those that write configurations.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "fpgauge/io/ConfigurationFile.h"
#include "fpgauge/io/RunCard.h"
#include "fpgauge/train/TrainingData.h"

namespace fpgauge::cli {

struct RunCardOptions {
  std::string card;
  std::vector<std::string> overrides;
  std::string output;
  bool force = false;

  // The card over `defaults`, then the --set overrides, then --output as the value of
  // `output_key`.
  RunCard load(std::string_view defaults, const std::string& output_key) const;
};

// The [output] keys of the commands that write configurations: format = "nersc" | "ildg" |
// "openqcd" and precision = 64 | 32 (io/ConfigurationFile.h). A value the format cannot take
// is refused naming the key (RunCard::reject).
struct ConfigurationOutput {
  ConfigurationFormat format;
  int precision;
};
ConfigurationOutput configuration_output(const RunCard& card);

// A list of label datasets under `key`: file names, or tables {file = "...", weight = w} (w > 0,
// default 1). At least one; an entry of another form is refused naming the key and its index.
std::vector<train::DatasetSource> label_dataset_sources(const RunCard& card, const char* key);

// The whole file as bytes; throws std::runtime_error naming the file if it cannot be read.
std::string file_text(const std::filesystem::path& file);

// The first line in which two resolved run cards differ, as "'LINE' there, 'LINE' now", or ""
// if they are the same: for the refusal to continue a run whose run.toml holds another card.
std::string first_difference(const std::string& before, const std::string& now);

// Runs tools/SCRIPT DIRECTORY with /usr/bin/python3 (the plots of a command's outputs); if the
// script or matplotlib is missing, says so on stderr as `command: no plots (...)` and goes on:
// the plots are a convenience, the data files are the output.
void run_plot_script(const std::string& command, const std::string& script,
                     const std::filesystem::path& directory);

// Adds CARD, --set (help with `set_example`, e.g. "action.beta=5.8"), --output and --force.
void add_run_card_options(CLI::App& command, RunCardOptions& options,
                          const std::string& set_example, const std::string& output_help,
                          const std::string& force_help);

}  // namespace fpgauge::cli
