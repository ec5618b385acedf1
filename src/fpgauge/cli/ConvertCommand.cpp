// fpgauge convert IN OUT [--to nersc|ildg|openqcd] [--precision 32|64] [--force]: a gauge
// configuration from one file format or precision into another (io/ConfigurationFile.h). The
// output defaults to the input's format and, where that format can store it, its precision.
// After writing, OUT is read back with every check of its format and must hold exactly the
// links written (the input's links, rounded to float for 32 bits).
#include <fmt/format.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "fpgauge/cli/Commands.h"
#include "fpgauge/io/ConfigurationChecks.h"
#include "fpgauge/io/ConfigurationFile.h"
#include "fpgauge/observables/GaugeObservables.h"

namespace fpgauge::cli {
namespace {

struct ConvertOptions {
  std::string input;
  std::string output;
  std::string to;
  int precision = 0;  // 0: not given
  bool force = false;
};

void run_convert(const ConvertOptions& options) {
  const ConfigurationFile in = read_configuration(options.input);
  const ConfigurationFormat format =
      options.to.empty() ? in.format : parse_configuration_format(options.to);
  int precision = options.precision;
  if (precision == 0)
    precision = format_supports_precision(format, in.precision) ? in.precision : 64;
  write_configuration(options.output, in.field, format, precision, options.force);

  const ConfigurationFile out = read_configuration(options.output);
  const GaugeField expected = as_stored(in.field, precision);
  if (out.field.size() != expected.size() ||
      std::memcmp(out.field.data(), expected.data(), sizeof(SU3) * expected.size()) != 0)
    throw std::runtime_error(fmt::format(
        "output file '{}' was written, but reading it back does not give the links written",
        options.output));
  std::printf("%s", fmt::format("converted {} ({}, {} bits) to {} ({}, {} bits): lattice {}, "
                                "plaquette {:.15g}; every link read back as written\n",
                                options.input, format_name(in.format), in.precision, options.output,
                                format_name(out.format), out.precision,
                                out.field.geometry().to_string(), average_plaquette(out.field))
                        .c_str());
}

}  // namespace

void register_convert_command(CLI::App& app) {
  auto options = std::make_shared<ConvertOptions>();
  CLI::App* command = app.add_subcommand(
      "convert",
      "Convert a gauge configuration between NERSC, ILDG/LIME and openQCD files and 32/64-bit "
      "precision; the output is read back and checked link by link");
  command->add_option("IN", options->input, "input configuration (format detected)")->required();
  command->add_option("OUT", options->output, "output file (not overwritten without --force)")
      ->required();
  command->add_option("--to", options->to, "output format (default: the input's format)")
      ->check(CLI::IsMember({"nersc", "ildg", "openqcd"}));
  command
      ->add_option("--precision", options->precision,
                   "bits per real in the output (default: the input's, if the format allows)")
      ->check(CLI::IsMember({32, 64}));
  command->add_flag("--force", options->force, "Overwrite OUT if it exists");
  command->callback([options] { run_convert(*options); });
}

}  // namespace fpgauge::cli
