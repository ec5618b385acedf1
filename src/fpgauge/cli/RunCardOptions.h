#pragma once
// The options every run-card subcommand (generate, instantons, label) shares:
//   CARD  --set KEY=VALUE ...  --output PATH  --force
#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "fpgauge/io/RunCard.h"

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

// Adds CARD, --set (help with `set_example`, e.g. "action.beta=5.8"), --output and --force.
void add_run_card_options(CLI::App& command, RunCardOptions& options,
                          const std::string& set_example, const std::string& output_help,
                          const std::string& force_help);

}  // namespace fpgauge::cli
