#pragma once
// The subcommands of the `fpgauge` command, one file each. A registration function adds the
// subcommand, its options and its help to the application; the work runs as the subcommand's
// callback, and every failure leaves it as an exception that main() turns into one line.
#include <CLI/CLI.hpp>

#include "fpgauge/cli/RunCardOptions.h"

namespace fpgauge::cli {

// fpgauge action FILE --action NAME [--json]   (ActionCommand.cpp)
void register_action_command(CLI::App& app);
// fpgauge generate CARD.toml [--set k=v ...] [--output DIR] [--force]   (GenerateCommand.cpp)
void register_generate_command(CLI::App& app);
// fpgauge info FILE [--json]   (InfoCommand.cpp)
void register_info_command(CLI::App& app);
// fpgauge convert IN OUT [--to nersc|ildg|openqcd] [--precision 32|64] [--force]
// (ConvertCommand.cpp)
void register_convert_command(CLI::App& app);
// fpgauge instantons CARD.toml [--set k=v ...] [--output DIR] [--force]   (InstantonsCommand.cpp)
void register_instantons_command(CLI::App& app);
// fpgauge lcnn init ARCH_OR_FILE --seed N --output MODEL [--force] | info MODEL [--json] |
// eval MODEL CONFIG [--json]   (LcnnCommand.cpp)
void register_lcnn_command(CLI::App& app);
// fpgauge flow CARD.toml [--set k=v ...] [--output DIR] [--force]   (FlowCommand.cpp)
void register_flow_command(CLI::App& app);
// fpgauge label CARD.toml [--set k=v ...] [--output FILE] [--force]   (LabelCommand.cpp)
void register_label_command(CLI::App& app);
// fpgauge train CARD.toml [--set k=v ...] [--output DIR] [--force]   (TrainCommand.cpp)
void register_train_command(CLI::App& app);
// fpgauge baselines CARD.toml [--set k=v ...] [--output DIR] [--force]   (BaselinesCommand.cpp)
void register_baselines_command(CLI::App& app);
// fpgauge evaluate CARD.toml [--set k=v ...] [--output DIR] [--force]   (EvaluateCommand.cpp)
void register_evaluate_command(CLI::App& app);
// fpgauge quickstart [--out DIR] [--size tiny|small] [--force]   (QuickstartCommand.cpp)
void register_quickstart_command(CLI::App& app);
// fpgauge search CARD.toml [--set k=v ...] [--output DIR] [--force]   (SearchCommand.cpp)
void register_search_command(CLI::App& app);
// fpgauge scaling CARD.toml [--set k=v ...] [--output DIR] [--force]   (ScalingCommand.cpp)
void register_scaling_command(CLI::App& app);

// The work of the run-card subcommands, for the commands that chain them (quickstart, search):
// each runs as if called as `fpgauge NAME CARD --set ... --output ... [--force]`.
void run_generate(const RunCardOptions& options);
void run_instantons(const RunCardOptions& options);
void run_label(const RunCardOptions& options);
void run_train(const RunCardOptions& options);
void run_baselines(const RunCardOptions& options);
void run_flow(const RunCardOptions& options);
void run_evaluate(const RunCardOptions& options);

}  // namespace fpgauge::cli
