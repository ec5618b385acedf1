// fpgauge generate CARD.toml: a quenched ensemble with the heatbath (+ overrelaxation) or HMC.
// Update n = 1, 2, ... is one heatbath sweep followed by `overrelaxation` OR sweeps, or one HMC
// trajectory; its random numbers are keyed by (run.seed, n) (SPEC §1), so the ensemble does not
// depend on the thread count. After `thermalisation` updates a configuration is written every
// `separation` updates, as DIR/config_NNNNNN.EXT with NNNNNN = n, in the card's output format
// and precision (EXT: io/ConfigurationFile.h, format_extension). DIR also receives run.toml (the
// resolved card), log.jsonl (one JSON object per update; no wall-clock times, so that it is
// reproducible) and checkpoint.fpgauge (io/EnsembleCheckpoint.h), replaced after update 0, after
// every configuration and at least every run.checkpoint_minutes.
//
// Resume: on a directory with a checkpoint (and without --force) the run continues after the
// checkpoint's update, provided the resolved card equals the checkpoint's in every key that
// changes the ensemble (all but kResumableKeys) and its actions have the descriptions the
// checkpoint recorded (a model or coefficients file the card names is unchanged). Configuration
// files newer than the checkpoint are removed and log.jsonl is truncated to the checkpoint's
// length, so a killed and resumed run leaves the same bytes as an uninterrupted one. Raising run.configurations extends a run.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>

#include "fpgauge/actions/ActionFactory.h"
#include "fpgauge/actions/CombinedAction.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/cli/Commands.h"
#include "fpgauge/cli/RunCardOptions.h"
#include "fpgauge/io/ConfigurationFile.h"
#include "fpgauge/io/EnsembleCheckpoint.h"
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
inner_action = ""
inner_steps = 4
unconditional = 0

[output]
format = "nersc"
precision = 64

[run]
start = "cold"
thermalisation = 200
configurations = 20
separation = 10
seed = 1
output = "out/ensemble"
checkpoint_minutes = 10.0
)";

// The keys a resumed run may change: none of them changes the configurations already made.
const std::set<std::string> kResumableKeys = {"run.configurations", "run.output",
                                              "run.checkpoint_minutes"};

constexpr const char* kCheckpointName = "checkpoint.fpgauge";

// The update number of a configuration file "config_NNNNNN.EXT", or -1 for other files.
std::int64_t configuration_update(const fs::path& file) {
  const std::string name = file.filename().string();
  const std::string extension = file.extension().string();
  const bool configuration_extension =
      extension == format_extension(ConfigurationFormat::nersc) ||
      extension == format_extension(ConfigurationFormat::ildg) ||
      extension == format_extension(ConfigurationFormat::openqcd);
  if (name.rfind("config_", 0) != 0 || !configuration_extension) return -1;
  const std::string digits = file.stem().string().substr(7);
  if (digits.size() != 6 || digits.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoll(digits);
}

// The files a run leaves in its directory; --force removes them before a new run starts.
bool is_run_output(const fs::path& file) {
  const std::string name = file.filename().string();
  return name == "run.toml" || name == "log.jsonl" || name == kCheckpointName ||
         configuration_update(file) >= 0;
}

// Everything the run needs, checked before anything is written.
struct EnsembleRun {
  std::shared_ptr<const Geometry> geometry;
  std::shared_ptr<const Action> action;
  const GaugeLoopAction* local_action = nullptr;  // set for the heatbath
  std::vector<std::shared_ptr<const Action>> hmc_actions;  // the actions of the HMC levels
  std::optional<Hmc> hmc;
  double beta;
  std::int64_t overrelaxation;
  bool hot_start;
  std::int64_t thermalisation, configurations, separation;
  std::int64_t unconditional = 0;  // first HMC trajectories kept without the Metropolis test
  std::uint64_t seed;
  ConfigurationFormat format;
  int precision;
  double checkpoint_seconds;
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
    const std::string inner = card.string("hmc.inner_action");
    if (inner.empty()) {
      parameters.levels = {{run.action.get(), run.beta, steps}};
    } else {
      // Nested time scales (SPEC §8): β(A − A_inner) on the outer scale, β A_inner on the inner
      // one; H is that of β A, so the ensemble is the same, only the integration error changes.
      std::shared_ptr<const Action> inner_action;
      try {
        inner_action = make_action(inner);
      } catch (const std::invalid_argument& e) {
        card.reject("hmc.inner_action", e.what());
      }
      const auto inner_steps = static_cast<int>(at_least(card, "hmc.inner_steps", 1));
      run.hmc_actions = {std::make_shared<CombinedAction>(std::vector<CombinedAction::Term>{
                             {1.0, run.action}, {-1.0, inner_action}}),
                         inner_action};
      parameters.levels = {{run.hmc_actions[0].get(), run.beta, steps},
                           {run.hmc_actions[1].get(), run.beta, inner_steps}};
    }
    parameters.seed = run.seed;
    run.hmc.emplace(parameters);
    run.unconditional = at_least(card, "hmc.unconditional", 0);
  } else {
    card.reject("algorithm.kind", "\"heatbath\" or \"hmc\"");
  }

  const std::string start = card.string("run.start");
  if (start != "cold" && start != "hot") card.reject("run.start", "\"cold\" or \"hot\"");
  run.hot_start = start == "hot";
  run.thermalisation = at_least(card, "run.thermalisation", 0);
  run.configurations = at_least(card, "run.configurations", 1);
  run.separation = at_least(card, "run.separation", 1);
  if (run.unconditional > run.thermalisation)
    card.reject("hmc.unconditional", fmt::format("at most run.thermalisation = {} trajectories "
                                                 "(only thermalisation may skip the test)",
                                                 run.thermalisation));
  if (run.thermalisation + run.configurations * run.separation > 999999)
    card.reject("run.configurations", "at most 999999 updates in all (six-digit file numbers)");
  const ConfigurationOutput output = configuration_output(card);
  run.format = output.format;
  run.precision = output.precision;
  run.checkpoint_seconds = 60.0 * card.real("run.checkpoint_minutes");
  if (!(run.checkpoint_seconds > 0.0)) card.reject("run.checkpoint_minutes", "a positive number");
  run.output = card.string("run.output");
  if (run.output.empty()) card.reject("run.output", "a directory name");
  return run;
}

// Every value of a TOML table by dotted key, printed as TOML.
void flatten(const toml::table& table, const std::string& prefix,
             std::map<std::string, std::string>& values) {
  for (const auto& [key, node] : table) {
    const std::string path = prefix + std::string(key.str());
    if (const toml::table* sub = node.as_table()) {
      flatten(*sub, path + ".", values);
    } else if (const auto* real = node.as_floating_point()) {
      values[path] = fmt::format("{}", real->get());  // shortest exact form: 5.8, not 5.79...98
    } else {
      std::ostringstream text;
      node.visit([&](const auto& value) { text << value; });
      values[path] = text.str();
    }
  }
}

// Refuses to continue `checkpoint` with `card` if they differ in a key that changes the ensemble.
// A key the checkpoint's card lacks (added to generate after the run began) has its default
// value, which is what the run used.
void check_resumable(const RunCard& card, const EnsembleCheckpoint& checkpoint,
                     const fs::path& checkpoint_file) {
  std::map<std::string, std::string> before, now;
  flatten(toml::parse(kDefaults), "", before);
  try {
    flatten(toml::parse(checkpoint.run_card), "", before);
  } catch (const toml::parse_error& e) {
    throw std::runtime_error(
        fmt::format("ensemble checkpoint '{}': its run card does not parse: {}",
                    checkpoint_file.string(), e.description()));
  }
  flatten(card.table(), "", now);
  for (const auto& [key, value] : now) {
    if (kResumableKeys.contains(key)) continue;
    const auto old = before.find(key);
    const std::string old_value = old == before.end() ? "(absent)" : old->second;
    if (old_value != value)
      throw std::runtime_error(fmt::format(
          "'{}' already holds a run that this card cannot resume: {} = {} in the card, {} in "
          "the run's checkpoint; only {} may change (--force starts the run over)",
          checkpoint_file.parent_path().string(), key, value, old_value,
          fmt::join(kResumableKeys, ", ")));
  }
}

// The descriptions of the run's actions (EnsembleCheckpoint::actions).
nlohmann::json action_descriptions(const EnsembleRun& run) {
  nlohmann::json actions = {{"action", run.action->description()}};
  if (run.hmc_actions.size() == 2) actions["inner_action"] = run.hmc_actions[1]->description();
  return actions;
}

// Refuses to continue `checkpoint` if the card's actions now describe themselves differently:
// the card names an L-CNN model or fat-link coefficients file by path only, so check_resumable
// cannot see that the file changed (the model's weights checksum is in its description).
void check_same_actions(const EnsembleRun& run, const EnsembleCheckpoint& checkpoint,
                        const fs::path& checkpoint_file) {
  if (checkpoint.actions.is_null()) {
    std::fprintf(stderr, "%s",
                 fmt::format("generate: the checkpoint '{}' predates recorded action "
                             "descriptions; that the card's action files are unchanged since the "
                             "run began cannot be checked\n",
                             checkpoint_file.string())
                     .c_str());
    return;
  }
  const nlohmann::json now = action_descriptions(run);
  const nlohmann::json patch = nlohmann::json::diff(checkpoint.actions, now);
  if (patch.empty()) return;
  const nlohmann::json::json_pointer key(patch[0].at("path").get<std::string>());
  const auto value = [&](const nlohmann::json& j) {
    return j.contains(key) ? j.at(key).dump() : std::string("(absent)");
  };
  throw std::runtime_error(fmt::format(
      "'{}' already holds a run made with another action: {} = {} in the run's checkpoint, {} "
      "now (has a model or coefficients file changed?); use the run's file, or --force to start "
      "the run over",
      checkpoint_file.parent_path().string(), key.to_string(), value(checkpoint.actions),
      value(now)));
}

// The state of a resumed run after checking it against the card; the directory is brought back
// to the checkpoint: later configurations removed, the log cut to the checkpoint's length.
EnsembleCheckpoint resume_from(const RunCard& card, const EnsembleRun& run, std::int64_t updates) {
  const fs::path file = run.output / kCheckpointName;
  EnsembleCheckpoint checkpoint = read_ensemble_checkpoint(file);
  check_resumable(card, checkpoint, file);
  check_same_actions(run, checkpoint, file);
  if (checkpoint.field.geometry().extents() != run.geometry->extents())
    throw std::runtime_error(fmt::format(
        "ensemble checkpoint '{}': a {} field, but its run card says lattice.extents = {}",
        file.string(), checkpoint.field.geometry().to_string(), run.geometry->to_string()));
  if (checkpoint.update > updates)
    card.reject("run.configurations",
                fmt::format("at least the number the run in '{}' has made already (update {})",
                            run.output.string(), checkpoint.update));
  // A run killed right after its first checkpoint may have no log yet.
  const fs::path log = run.output / "log.jsonl";
  const std::uint64_t log_bytes = fs::exists(log) ? fs::file_size(log) : 0;
  if (log_bytes < checkpoint.log_bytes)
    throw std::runtime_error(fmt::format(
        "cannot resume the run in '{}': log.jsonl has {} bytes, the checkpoint after update {} "
        "expects at least {} (use --force to start the run over)",
        run.output.string(), log_bytes, checkpoint.update, checkpoint.log_bytes));
  if (log_bytes > checkpoint.log_bytes) fs::resize_file(log, checkpoint.log_bytes);
  for (const auto& entry : fs::directory_iterator(run.output)) {
    // Temporaries of outputs a kill interrupted (io/OutputFile.h: ".NAME.tmp.PID.N").
    const std::string name = entry.path().filename().string();
    const std::size_t temporary = name.find(".tmp.");
    if (configuration_update(entry.path()) > checkpoint.update ||
        (name.front() == '.' && temporary != std::string::npos &&
         is_run_output(name.substr(1, temporary - 1))))
      fs::remove(entry.path());
  }
  return checkpoint;
}

}  // namespace

void run_generate(const RunCardOptions& options) {
  const RunCard card = options.load(kDefaults, "run.output");
  EnsembleRun run = prepare(card);
  const std::int64_t updates = run.thermalisation + run.configurations * run.separation;
  const fs::path checkpoint_file = run.output / kCheckpointName;
  const fs::path log_file = run.output / "log.jsonl";

  EnsembleCheckpoint state;
  const bool resumed = !options.force && fs::exists(checkpoint_file);
  if (resumed) {
    state = resume_from(card, run, updates);
  } else {
    prepare_run_directory(run.output, options.force, is_run_output);
    state.field = run.hot_start ? random_gauge_field(run.geometry, run.seed)
                                : unit_gauge_field(run.geometry);
  }
  state.run_card = card.to_toml();
  state.actions = action_descriptions(run);
  write_ensemble_checkpoint(checkpoint_file, state);
  card.write(run.output / "run.toml", resumed);
  std::ofstream log(log_file, resumed ? std::ios::app : std::ios::trunc);
  if (!log) throw std::runtime_error(fmt::format("cannot write '{}'", log_file.string()));
  if (resumed)
    std::printf("%s", fmt::format("resuming the run in {} after update {} of {}\n",
                                  run.output.string(), state.update, updates)
                          .c_str());

  GaugeField& u = state.field;
  const bool heatbath = run.local_action != nullptr;
  const std::int64_t first_update = state.update;
  Progress progress("generate", updates - first_update, heatbath ? "sweeps" : "trajectories");
  const EnsembleLabel label{.ensemble_id = fmt::format("{}-beta{}-{}", run.action->name(), run.beta,
                                                       run.geometry->to_string())};
  double last_checkpoint_seconds = 0.0;

  for (std::int64_t n = state.update + 1; n <= updates; ++n) {
    nlohmann::json entry = {{"update", n}};
    if (heatbath) {
      heatbath_sweep(u, *run.local_action, run.beta, run.seed, static_cast<std::uint64_t>(n));
      for (std::int64_t k = 0; k < run.overrelaxation; ++k)
        overrelaxation_sweep(u, *run.local_action);
      reunitarise(u);
    } else {
      const bool metropolis = n > run.unconditional;
      const TrajectoryResult result =
          run.hmc->trajectory(u, static_cast<std::uint64_t>(n), metropolis);
      entry["delta_h"] = result.delta_h;
      entry["acceptance_probability"] = result.acceptance_probability;
      entry["accepted"] = result.accepted;
      if (metropolis) {
        state.acceptance_sum += result.acceptance_probability;
        state.accepted += result.accepted;
      } else {
        entry["metropolis"] = false;
      }
    }
    const double plaquette = average_plaquette(u);
    entry["plaquette"] = plaquette;
    const bool production = n > run.thermalisation;
    const bool save = production && (n - run.thermalisation) % run.separation == 0;
    if (save) {
      const std::string name = fmt::format("config_{:06d}{}", n, format_extension(run.format));
      write_configuration(run.output / name, u, run.format, run.precision, false,
                          {.ensemble_id = label.ensemble_id, .sequence_number = n});
      entry["configuration"] = name;
      state.production_plaquette_sum += plaquette;
    }
    const std::string line = entry.dump() + '\n';
    log << line << std::flush;
    if (!log) throw std::runtime_error(fmt::format("cannot write '{}'", log_file.string()));
    state.log_bytes += line.size();
    state.update = n;
    // The log line is on disk before the checkpoint that counts it.
    if (save || progress.elapsed_seconds() - last_checkpoint_seconds >= run.checkpoint_seconds) {
      write_ensemble_checkpoint(checkpoint_file, state);
      last_checkpoint_seconds = progress.elapsed_seconds();
    }
    progress.update(n - first_update, fmt::format("plaquette {:.6f}", plaquette));
  }

  std::printf("%s", fmt::format("wrote {} configurations to {}\n"
                                "mean plaquette of the configurations  {:.6f}\n",
                                run.configurations, run.output.string(),
                                static_cast<double>(state.production_plaquette_sum /
                                                    run.configurations))
                        .c_str());
  if (!heatbath)
    std::printf("%s", fmt::format("acceptance  {:.3f} (mean exp(-dH) clipped at 1: {:.3f})\n",
                                  static_cast<double>(state.accepted) / (updates - run.unconditional),
                                  static_cast<double>(state.acceptance_sum /
                                                      (updates - run.unconditional)))
                          .c_str());
}

void register_generate_command(CLI::App& app) {
  auto options = std::make_shared<RunCardOptions>();
  CLI::App* command = app.add_subcommand(
      "generate",
      "Generate a quenched ensemble (heatbath+overrelaxation or HMC) from a TOML run card; "
      "writes DIR/config_NNNNNN.{nersc,lime,oqcd}, DIR/run.toml (the resolved card), "
      "DIR/log.jsonl and DIR/checkpoint.fpgauge. On a directory with a checkpoint the run "
      "resumes (or is extended, if only run.configurations grew). "
      "configs/generate_wilson_b6.toml documents every key.");
  add_run_card_options(*command, *options, "action.beta=5.8",
                       "Output directory (overrides run.output)",
                       "Start over, replacing a run already in the output directory");
  command->callback([options] { run_generate(*options); });
}

}  // namespace fpgauge::cli
