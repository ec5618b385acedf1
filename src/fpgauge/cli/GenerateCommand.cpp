// fpgauge generate CARD.toml: a quenched ensemble with the heatbath (+ overrelaxation) or HMC.
// Update n = 1, 2, ... is one heatbath sweep followed by `overrelaxation` OR sweeps, or one HMC
// trajectory; its random numbers are keyed by (run.seed, n) (SPEC §1), so the ensemble does not
// depend on the thread count. After `thermalisation` updates a configuration is written every
// `separation` updates, as DIR/config_NNNNNN.nersc with NNNNNN = n. DIR also receives run.toml
// (the resolved card, written first) and log.jsonl (one JSON object per update).
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "fpgauge/actions/ActionFactory.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/cli/Commands.h"
#include "fpgauge/cli/RunCardOptions.h"
#include "fpgauge/io/Nersc.h"
#include "fpgauge/io/Progress.h"
#include "fpgauge/io/RunCard.h"
#include "fpgauge/io/RunDirectory.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/mc/Heatbath.h"
#include "fpgauge/mc/Hmc.h"
#include "fpgauge/observables/GaugeObservables.h"

namespace fpgauge::cli {
namespace {

namespace fs = std::filesystem;

// Every key of the card with its default; configs/generate_wilson_b6.toml documents them.
constexpr const char* kDefaults = R"(
[lattice]
extents = [8, 8, 8, 8]

[action]
name = "wilson"
beta = 6.0

[algorithm]
kind = "heatbath"
overrelaxation = 4

[hmc]
integrator = "omelyan"
trajectory_length = 1.0
steps = 10

[run]
start = "cold"
thermalisation = 200
configurations = 20
separation = 10
seed = 1
output = "out/ensemble"
)";

// The files a run leaves in its directory; --force removes them before a new run starts.
bool is_run_output(const fs::path& file) {
  const std::string name = file.filename().string();
  return name == "run.toml" || name == "log.jsonl" ||
         (name.rfind("config_", 0) == 0 && file.extension() == ".nersc");
}

// Everything the run needs, checked before anything is written.
struct EnsembleRun {
  std::shared_ptr<const Geometry> geometry;
  std::unique_ptr<Action> action;
  const GaugeLoopAction* local_action = nullptr;  // set for the heatbath
  std::optional<Hmc> hmc;
  double beta;
  std::int64_t overrelaxation;
  bool hot_start;
  std::int64_t thermalisation, configurations, separation;
  std::uint64_t seed;
  fs::path output;
};

std::int64_t at_least(const RunCard& card, const char* key, std::int64_t minimum) {
  const std::int64_t value = card.integer(key);
  if (value < minimum) card.reject(key, fmt::format("an integer >= {}", minimum));
  return value;
}

EnsembleRun prepare(const RunCard& card) {
  EnsembleRun run;
  run.seed = static_cast<std::uint64_t>(at_least(card, "run.seed", 0));
  const std::vector<std::int64_t> extents = card.integers("lattice.extents");
  if (extents.size() != kDimensions) card.reject("lattice.extents", "four extents [Lx, Ly, Lz, Lt]");
  for (const std::int64_t l : extents)
    if (l < 2 || l > 4096) card.reject("lattice.extents", "extents between 2 and 4096");
  run.geometry = Geometry::make({static_cast<int>(extents[0]), static_cast<int>(extents[1]),
                                 static_cast<int>(extents[2]), static_cast<int>(extents[3])});
  try {
    run.action = make_action(card.string("action.name"));
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(fmt::format("run card '{}': action.name: {}", card.file().string(),
                                         e.what()));
  }
  run.beta = card.real("action.beta");
  if (!(run.beta > 0.0)) card.reject("action.beta", "a positive number");

  const std::string kind = card.string("algorithm.kind");
  run.overrelaxation = at_least(card, "algorithm.overrelaxation", 0);
  if (kind == "heatbath") {
    run.local_action = dynamic_cast<const GaugeLoopAction*>(run.action.get());
    if (!run.local_action)
      card.reject("algorithm.kind", "\"hmc\" for an action outside the plaquette+rectangle family");
    try {
      check_heatbath_geometry(*run.geometry, *run.local_action);
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(
          fmt::format("run card '{}': lattice.extents: {}", card.file().string(), e.what()));
    }
  } else if (kind == "hmc") {
    HmcParameters parameters;
    try {
      parameters.integrator = parse_integrator(card.string("hmc.integrator"));
    } catch (const std::invalid_argument&) {
      card.reject("hmc.integrator", "\"omelyan\" or \"leapfrog\"");
    }
    parameters.trajectory_length = card.real("hmc.trajectory_length");
    if (!(parameters.trajectory_length > 0.0))
      card.reject("hmc.trajectory_length", "a positive number");
    const auto steps = static_cast<int>(at_least(card, "hmc.steps", 1));
    parameters.levels = {{run.action.get(), run.beta, steps}};
    parameters.seed = run.seed;
    run.hmc.emplace(parameters);
  } else {
    card.reject("algorithm.kind", "\"heatbath\" or \"hmc\"");
  }

  const std::string start = card.string("run.start");
  if (start != "cold" && start != "hot") card.reject("run.start", "\"cold\" or \"hot\"");
  run.hot_start = start == "hot";
  run.thermalisation = at_least(card, "run.thermalisation", 0);
  run.configurations = at_least(card, "run.configurations", 1);
  run.separation = at_least(card, "run.separation", 1);
  if (run.thermalisation + run.configurations * run.separation > 999999)
    card.reject("run.configurations", "at most 999999 updates in all (six-digit file numbers)");
  run.output = card.string("run.output");
  if (run.output.empty()) card.reject("run.output", "a directory name");
  return run;
}

void run_generate(const RunCardOptions& options) {
  const RunCard card = options.load(kDefaults, "run.output");
  EnsembleRun run = prepare(card);

  prepare_run_directory(run.output, options.force, is_run_output);
  card.write(run.output / "run.toml");
  std::ofstream log(run.output / "log.jsonl");
  if (!log) throw std::runtime_error(fmt::format("cannot write '{}'", (run.output / "log.jsonl").string()));

  GaugeField u = run.hot_start ? random_gauge_field(run.geometry, run.seed)
                               : unit_gauge_field(run.geometry);
  const std::int64_t updates = run.thermalisation + run.configurations * run.separation;
  const bool heatbath = run.local_action != nullptr;
  Progress progress("generate", updates, heatbath ? "sweeps" : "trajectories");
  NerscMetadata metadata;
  metadata.ensemble_id = fmt::format("{}-beta{}-{}", run.action->name(), run.beta,
                                     run.geometry->to_string());
  long double production_plaquette = 0.0, acceptance = 0.0;
  std::int64_t accepted = 0;

  for (std::int64_t n = 1; n <= updates; ++n) {
    nlohmann::json entry = {{"update", n}};
    if (heatbath) {
      heatbath_sweep(u, *run.local_action, run.beta, run.seed, static_cast<std::uint64_t>(n));
      for (std::int64_t k = 0; k < run.overrelaxation; ++k)
        overrelaxation_sweep(u, *run.local_action);
      reunitarise(u);
    } else {
      const TrajectoryResult result = run.hmc->trajectory(u, static_cast<std::uint64_t>(n));
      entry["delta_h"] = result.delta_h;
      entry["acceptance_probability"] = result.acceptance_probability;
      entry["accepted"] = result.accepted;
      acceptance += result.acceptance_probability;
      accepted += result.accepted;
    }
    const double plaquette = average_plaquette(u);
    entry["plaquette"] = plaquette;
    const bool production = n > run.thermalisation;
    if (production && (n - run.thermalisation) % run.separation == 0) {
      const std::string name = fmt::format("config_{:06d}.nersc", n);
      metadata.sequence_number = n;
      write_nersc(run.output / name, u, metadata);
      entry["configuration"] = name;
      production_plaquette += plaquette;
    }
    entry["seconds"] = progress.elapsed_seconds();
    log << entry.dump() << '\n' << std::flush;
    if (!log) throw std::runtime_error(fmt::format("cannot write '{}'", (run.output / "log.jsonl").string()));
    progress.update(n, fmt::format("plaquette {:.6f}", plaquette));
  }

  std::printf("%s", fmt::format("wrote {} configurations to {}\n"
                                "mean plaquette of the configurations  {:.6f}\n",
                                run.configurations, run.output.string(),
                                static_cast<double>(production_plaquette / run.configurations))
                        .c_str());
  if (!heatbath)
    std::printf("%s", fmt::format("acceptance  {:.3f} (mean exp(-dH) clipped at 1: {:.3f})\n",
                                  static_cast<double>(accepted) / updates,
                                  static_cast<double>(acceptance / updates))
                          .c_str());
}

}  // namespace

void register_generate_command(CLI::App& app) {
  auto options = std::make_shared<RunCardOptions>();
  CLI::App* command = app.add_subcommand(
      "generate",
      "Generate a quenched ensemble (heatbath+overrelaxation or HMC) from a TOML run card; "
      "writes DIR/config_NNNNNN.nersc, DIR/run.toml (the resolved card) and DIR/log.jsonl. "
      "configs/generate_wilson_b6.toml documents every key.");
  add_run_card_options(*command, *options, "action.beta=5.8",
                       "Output directory (overrides run.output)",
                       "Replace a run already in the output directory");
  command->callback([options] { run_generate(*options); });
}

}  // namespace fpgauge::cli
