// fpgauge instantons CARD.toml: BPST instantons (instantons/Instanton.h) for every size ρ and
// centre offset of the card, written as DIR/instanton_rhoR_centreX_Y_Z_T.EXT (the absolute
// centre in lattice units, site n at the point n) in the card's output format and precision
// (EXT: io/ConfigurationFile.h, format_extension). The centre is lattice_middle() + the offset.
// DIR also receives run.toml (the resolved card, written first) and index.json (written last):
// per file ρ, centre, offset, the clover topological charge Q and the Wilson action A_W,
// both evaluated with the card's boundary (observables/Boundary.h). A NERSC header says
// BOUNDARY = PERIODIC whatever the card says (io/Nersc.h writes it so); index.json records the
// boundary the files are meant for. The openQCD format needs even extents.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "fpgauge/actions/ActionFactory.h"
#include "fpgauge/cli/Commands.h"
#include "fpgauge/cli/RunCardOptions.h"
#include "fpgauge/instantons/Instanton.h"
#include "fpgauge/io/ConfigurationFile.h"
#include "fpgauge/io/OutputFile.h"
#include "fpgauge/io/Progress.h"
#include "fpgauge/io/RunCard.h"
#include "fpgauge/io/RunDirectory.h"
#include "fpgauge/observables/Boundary.h"
#include "fpgauge/observables/GaugeObservables.h"
#include "fpgauge/observables/Topology.h"

namespace fpgauge::cli {
namespace {

namespace fs = std::filesystem;

// Every key of the card with its default; configs/instantons.toml documents them.
constexpr const char* kDefaults = R"(
[lattice]
extents = [16, 16, 16, 16]
boundary = "open"

[instanton]
sizes = [1.0, 1.5, 2.0, 3.0]
offsets = [[0.0, 0.0, 0.0, 0.0]]
gauge = "singular"

[output]
format = "nersc"
precision = 64

[run]
output = "out/instantons"
)";

bool is_run_output(const fs::path& file) {
  const std::string name = file.filename().string();
  const std::string extension = file.extension().string();
  return name == "run.toml" || name == "index.json" ||
         (name.rfind("instanton_", 0) == 0 &&
          (extension == format_extension(ConfigurationFormat::nersc) ||
           extension == format_extension(ConfigurationFormat::ildg) ||
           extension == format_extension(ConfigurationFormat::openqcd)));
}

struct InstantonFile {
  BpstInstanton instanton;
  SpacetimePoint offset;
  std::string name;
};

struct InstantonsRun {
  std::shared_ptr<const Geometry> geometry;
  Boundary boundary;
  InstantonGauge gauge;
  std::vector<InstantonFile> files;
  ConfigurationFormat format;
  int precision;
  fs::path output;
};

// The numbers of a real array (the defaults make every element a floating-point number).
std::vector<double> reals(const toml::node& node) {
  std::vector<double> values;
  for (const toml::node& element : *node.as_array())
    values.push_back(element.as_floating_point()->get());
  return values;
}

InstantonsRun prepare(const RunCard& card) {
  InstantonsRun run;
  const std::vector<std::int64_t> extents = card.integers("lattice.extents");
  if (extents.size() != kDimensions)
    card.reject("lattice.extents", "four extents [Lx, Ly, Lz, Lt]");
  for (const std::int64_t l : extents)
    if (l < 3 || l > 4096) card.reject("lattice.extents", "extents between 3 and 4096");
  run.geometry = Geometry::make({static_cast<int>(extents[0]), static_cast<int>(extents[1]),
                                 static_cast<int>(extents[2]), static_cast<int>(extents[3])});
  try {
    run.boundary = parse_boundary(card.string("lattice.boundary"));
  } catch (const std::invalid_argument&) {
    card.reject("lattice.boundary", "\"open\" or \"periodic\"");
  }
  try {
    run.gauge = parse_instanton_gauge(card.string("instanton.gauge"));
  } catch (const std::invalid_argument&) {
    card.reject("instanton.gauge", "\"singular\" or \"regular\"");
  }

  const std::vector<double> sizes = reals(*card.table().at_path("instanton.sizes").node());
  if (sizes.empty()) card.reject("instanton.sizes", "at least one size rho");
  for (const double rho : sizes)
    if (!(rho > 0.0)) card.reject("instanton.sizes", "positive sizes rho (lattice units)");
  const toml::array& offsets = *card.table().at_path("instanton.offsets").as_array();
  if (offsets.empty()) card.reject("instanton.offsets", "at least one offset [dx, dy, dz, dt]");

  const ConfigurationOutput output = configuration_output(card);
  run.format = output.format;
  run.precision = output.precision;
  if (run.format == ConfigurationFormat::openqcd)
    for (const std::int64_t l : extents)
      if (l % 2 != 0)
        card.reject("lattice.extents", "even extents for output.format = \"openqcd\"");

  const SpacetimePoint middle = lattice_middle(*run.geometry);
  std::set<std::string> names;  // to refuse duplicates
  for (std::size_t k = 0; k < offsets.size(); ++k) {
    const std::string key = fmt::format("instanton.offsets[{}]", k);
    const std::vector<double> offset = reals(offsets[k]);
    if (offset.size() != kDimensions)
      throw std::runtime_error(fmt::format("run card '{}': {} = [{}]: expected four numbers "
                                           "[dx, dy, dz, dt]",
                                           card.file().string(), key, fmt::join(offset, ", ")));
    SpacetimePoint centre;
    for (int mu = 0; mu < kDimensions; ++mu) centre[mu] = middle[mu] + offset[mu];
    for (const double rho : sizes) {
      const BpstInstanton instanton = [&] {
        try {
          return BpstInstanton(rho, centre, run.gauge);
        } catch (const std::invalid_argument& e) {
          throw std::runtime_error(fmt::format("run card '{}': {} = [{}]: {}",
                                               card.file().string(), key, fmt::join(offset, ", "),
                                               e.what()));
        }
      }();
      InstantonFile file{instanton,
                         {offset[0], offset[1], offset[2], offset[3]},
                         fmt::format("instanton_rho{:g}_centre{:g}_{:g}_{:g}_{:g}{}", rho,
                                     centre[0], centre[1], centre[2], centre[3],
                                     format_extension(run.format))};
      if (!names.insert(file.name).second)
        throw std::runtime_error(fmt::format(
            "run card '{}': instanton.sizes and instanton.offsets give '{}' twice: list every "
            "size and offset once",
            card.file().string(), file.name));
      run.files.push_back(std::move(file));
    }
  }
  run.output = card.string("run.output");
  if (run.output.empty()) card.reject("run.output", "a directory name");
  return run;
}

}  // namespace

void run_instantons(const RunCardOptions& options) {
  const RunCard card = options.load(kDefaults, "run.output");
  const InstantonsRun run = prepare(card);

  prepare_run_directory(run.output, options.force, is_run_output);
  card.write(run.output / "run.toml");

  const std::unique_ptr<Action> wilson = make_action("wilson");
  EnsembleLabel label{.ensemble_id = fmt::format("bpst-{}-{}", to_string(run.gauge),
                                                 run.geometry->to_string())};
  nlohmann::json entries = nlohmann::json::array();
  Progress progress("instantons", static_cast<std::int64_t>(run.files.size()), "configurations");
  std::string summary = fmt::format("{:>6}  {:>28}  {:>9}  {:>12}\n", "rho", "centre", "Q",
                                    "A_W/(8pi^2/6)");
  for (std::size_t k = 0; k < run.files.size(); ++k) {
    const InstantonFile& file = run.files[k];
    const GaugeField u = instanton_field(run.geometry, file.instanton);
    label.sequence_number = static_cast<std::int64_t>(k + 1);
    write_configuration(run.output / file.name, u, run.format, run.precision, false, label);
    const double charge = topological_charge(u, run.boundary);
    const double action =
        run.boundary == Boundary::open ? wilson_action_open(u) : wilson->value(u);
    const double a_over_rho2 = 1.0 / (file.instanton.rho() * file.instanton.rho());
    entries.push_back({{"file", file.name},
                       {"rho", file.instanton.rho()},
                       {"centre", file.instanton.centre()},
                       {"offset", file.offset},
                       {"topological_charge", charge},
                       {"wilson_action", action},
                       {"wilson_action_over_continuum", action / kInstantonAction},
                       // García Pérez et al., Nucl. Phys. B 413 (1994) 535, infinite volume
                       {"wilson_action_expansion_over_continuum",
                        1.0 - a_over_rho2 / 5.0 - a_over_rho2 * a_over_rho2 / 70.0},
                       {"plaquette", average_plaquette(u)}});
    summary += fmt::format("{:>6g}  {:>28}  {:>9.6f}  {:>12.6f}\n", file.instanton.rho(),
                           fmt::format("({:g})", fmt::join(file.instanton.centre(), ", ")),
                           charge, action / kInstantonAction);
    progress.update(static_cast<std::int64_t>(k + 1), fmt::format("rho {:g}, Q {:.4f}",
                                                                  file.instanton.rho(), charge));
  }
  const nlohmann::json index = {{"lattice", run.geometry->extents()},
                                {"boundary", to_string(run.boundary)},
                                {"gauge", to_string(run.gauge)},
                                {"continuum_action", kInstantonAction},
                                {"configurations", entries}};
  write_output_file(run.output / "index.json", index.dump(2) + "\n", false);
  std::printf("%s", fmt::format("wrote {} instantons to {} ({} gauge, Q and A_W with {} "
                                "boundaries)\n{}",
                                run.files.size(), run.output.string(), to_string(run.gauge),
                                to_string(run.boundary), summary)
                        .c_str());
}

void register_instantons_command(CLI::App& app) {
  auto options = std::make_shared<RunCardOptions>();
  CLI::App* command = app.add_subcommand(
      "instantons",
      "Write BPST instantons (SU(2) in SU(3)) for every size and centre offset of a TOML run "
      "card as DIR/instanton_rhoR_centreX_Y_Z_T.{nersc,lime,oqcd}, with DIR/run.toml and "
      "DIR/index.json (rho, centre, topological charge, Wilson action). "
      "configs/instantons.toml documents every key.");
  add_run_card_options(*command, *options, "instanton.sizes=[2.0]",
                       "Output directory (overrides run.output)",
                       "Replace a run already in the output directory");
  command->callback([options] { run_instantons(*options); });
}

}  // namespace fpgauge::cli
