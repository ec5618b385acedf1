// The `fpgauge` command. Library errors arrive here as exceptions and leave as one line,
// "fpgauge: error: <message>", on stderr with exit status 1; command-line usage errors do the
// same with exit status 2; --help and --version exit 0.
#include <cstdio>
#include <string>

#include "fpgauge/cli/Commands.h"

namespace {

int report_error(std::string message, int status) {
  for (char& c : message)
    if (c == '\n' || c == '\r') c = ' ';
  std::fprintf(stderr, "fpgauge: error: %s\n", message.c_str());
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"fpgauge: machine-learned fixed-point actions for SU(3) lattice gauge theory",
               "fpgauge"};
  app.set_version_flag("--version", "fpgauge " FPGAUGE_VERSION);
  app.require_subcommand(1);
  fpgauge::cli::register_action_command(app);
  fpgauge::cli::register_generate_command(app);
  fpgauge::cli::register_info_command(app);
  fpgauge::cli::register_convert_command(app);
  fpgauge::cli::register_instantons_command(app);
  fpgauge::cli::register_lcnn_command(app);
  fpgauge::cli::register_label_command(app);
  fpgauge::cli::register_train_command(app);
  fpgauge::cli::register_flow_command(app);
  fpgauge::cli::register_scaling_command(app);
  fpgauge::cli::register_baselines_command(app);
  fpgauge::cli::register_evaluate_command(app);
  fpgauge::cli::register_search_command(app);
  fpgauge::cli::register_quickstart_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    return report_error(std::string(e.what()) + " (see --help)", 2);
  } catch (const std::exception& e) {
    return report_error(e.what(), 1);
  }
  return 0;
}
