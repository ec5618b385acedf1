#pragma once
// The subcommands of the `fpgauge` command, one file each. A registration function adds the
// subcommand, its options and its help to the application; the work runs as the subcommand's
// callback, and every failure leaves it as an exception that main() turns into one line.
#include <CLI/CLI.hpp>

namespace fpgauge::cli {

// fpgauge action FILE --action NAME [--json]   (ActionCommand.cpp)
void register_action_command(CLI::App& app);
// fpgauge generate CARD.toml [--set k=v ...] [--output DIR] [--force]   (GenerateCommand.cpp)
void register_generate_command(CLI::App& app);

}  // namespace fpgauge::cli
