// fpgauge info FILE [--json]: what a gauge configuration file holds, whatever its format
// (io/ConfigurationFile.h): format, lattice, precision, header values, the plaquette and link
// trace recomputed from the links, and whether a checksum was verified. Reading the file runs
// every check of its format, so a file info prints is a file fpgauge accepts.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "fpgauge/cli/Commands.h"
#include "fpgauge/io/ConfigurationFile.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/observables/GaugeObservables.h"

namespace fpgauge::cli {
namespace {

struct InfoOptions {
  std::string file;
  bool json = false;
};

void run_info(const InfoOptions& options) {
  const ConfigurationFile c = read_configuration(options.file);
  const GaugeField& u = c.field;
  const double plaquette = average_plaquette(u);
  const double link_trace = average_link_trace(u);
  const double unitarity = max_unitarity_violation(u);
  if (options.json) {
    const nlohmann::json result = {
        {"file", options.file},
        {"format", format_name(c.format)},
        {"lattice", u.geometry().extents()},
        {"precision", c.precision},
        {"header", c.header},
        {"plaquette", plaquette},
        {"link_trace", link_trace},
        {"max_unitarity_violation", unitarity},
        {"checksum", {{"verified", c.checksum_verified}, {"detail", c.checksum}}}};
    std::printf("%s\n", result.dump().c_str());
    return;
  }
  std::string text = fmt::format(
      "file                     {}\n"
      "format                   {}\n"
      "lattice                  {}\n"
      "precision                {} bits\n"
      "plaquette (recomputed)   {:.15g}\n"
      "link trace (recomputed)  {:.15g}\n"
      "max |UU^+ - 1|, |det-1|  {:.3g}\n"
      "checksum                 {}: {}\n"
      "header\n",
      options.file, format_name(c.format), u.geometry().to_string(), c.precision, plaquette,
      link_trace, unitarity, c.checksum_verified ? "verified" : "none", c.checksum);
  for (const auto& [key, value] : c.header) text += fmt::format("  {:<23}{}\n", key, value);
  std::printf("%s", text.c_str());
}

}  // namespace

void register_info_command(CLI::App& app) {
  auto options = std::make_shared<InfoOptions>();
  CLI::App* command = app.add_subcommand(
      "info",
      "Read a gauge configuration (NERSC, ILDG/LIME or openQCD, detected from the content) with "
      "every check of its format and print its lattice, precision, header values, recomputed "
      "plaquette and link trace, and checksum status");
  command->add_option("FILE", options->file, "gauge configuration file")->required();
  command->add_flag("--json", options->json, "Print exactly one JSON object on stdout");
  command->callback([options] { run_info(*options); });
}

}  // namespace fpgauge::cli
