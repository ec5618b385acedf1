// fpgauge flow CARD.toml: the gradient flow (flow/GradientFlow.h) of every input configuration
// with any flow action, measuring E(t) in every requested definition and the clover Q(t)
// (flow/FlowObservables.h), then t0/a² and w0/a with jackknife errors over the configurations.
// configs/flow_quickstart.toml documents every key.
//
// DIR receives run.toml (the resolved card, written first), flow_NNNN.csv per configuration
// (t, E for every definition, Q and, with measure.instanton_centre, the fitted instanton size;
// written when the configuration is done, so a killed run resumes by skipping the finished ones:
// `fpgauge flow` on a directory whose run.toml equals the new resolved card continues it),
// log.jsonl (one line per configuration), mean.csv (ensemble means of t²E and W = t d/dt t²E per
// definition) and summary.json (the lattice extents; t0, w0, √t0/w0 per definition), and the plots t2E.png and W.png
// (tools/plot_flow.py).
#include <fmt/format.h>
#include <glob.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "fpgauge/actions/ActionFactory.h"
#include "fpgauge/cli/Commands.h"
#include "fpgauge/cli/RunCardOptions.h"
#include "fpgauge/flow/FlowObservables.h"
#include "fpgauge/flow/GradientFlow.h"
#include "fpgauge/instantons/Instanton.h"
#include "fpgauge/io/ConfigurationFile.h"
#include "fpgauge/io/FlowHistoryFile.h"
#include "fpgauge/io/OutputFile.h"
#include "fpgauge/io/Progress.h"
#include "fpgauge/io/RunCard.h"
#include "fpgauge/io/RunDirectory.h"
#include "fpgauge/observables/Topology.h"

namespace fpgauge::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDefaults = R"(
[input]
files = []

[flow]
action = "wilson"
step = 0.01
adaptive = false
tolerance = 1e-6
max_step = 0.1
t_max = 1.0
measure_every = 0.02

[measure]
energy = ["clover", "plaquette"]
scale_energy = "clover"
reference = 0.3
instanton_centre = []

[run]
output = "out/flow"
plot = true
)";

bool is_run_output(const fs::path& file) {
  const std::string name = file.filename().string();
  return name == "run.toml" || name == "log.jsonl" || name == "mean.csv" ||
         name == "summary.json" || file.extension() == ".png" ||
         (name.rfind("flow_", 0) == 0 && file.extension() == ".csv");
}

struct FlowRun {
  std::vector<fs::path> inputs;
  std::string action;
  FlowOptions options;
  std::vector<double> times;  // measurement times, 0 first
  std::vector<std::string> energies;
  std::size_t scale_energy = 0;  // index into energies
  double reference = 0.3;
  std::optional<SpacetimePoint> instanton_centre;  // measure the size of the instanton there
  fs::path output;
  bool plot = true;
};

// Expands the glob patterns of input.files (sorted per pattern, first occurrence kept).
std::vector<fs::path> expand_inputs(const RunCard& card) {
  std::vector<fs::path> files;
  for (const std::string& pattern : card.strings("input.files")) {
    glob_t matches{};
    const int status = glob(pattern.c_str(), GLOB_NOCHECK, nullptr, &matches);
    std::vector<fs::path> found;
    if (status == 0)
      for (std::size_t i = 0; i < matches.gl_pathc; ++i) found.emplace_back(matches.gl_pathv[i]);
    globfree(&matches);
    std::sort(found.begin(), found.end());
    for (const fs::path& file : found) {
      if (!fs::is_regular_file(file))
        throw std::runtime_error(fmt::format("run card '{}': input.files: '{}' matches no file",
                                             card.file().string(), file.string()));
      if (std::find(files.begin(), files.end(), file) == files.end()) files.push_back(file);
    }
  }
  if (files.empty()) card.reject("input.files", "at least one configuration file or pattern");
  return files;
}

FlowRun prepare(const RunCard& card) {
  FlowRun run;
  run.action = card.string("flow.action");
  try {
    (void)make_action(run.action);
  } catch (const std::exception& e) {
    card.reject("flow.action", fmt::format("an action make_action knows ({})", e.what()));
  }
  run.options.step = card.real("flow.step");
  run.options.adaptive = card.boolean("flow.adaptive");
  run.options.tolerance = card.real("flow.tolerance");
  run.options.max_step = card.real("flow.max_step");
  if (!(run.options.step > 0.0)) card.reject("flow.step", "a positive step");
  if (!(run.options.tolerance > 0.0)) card.reject("flow.tolerance", "a positive tolerance");
  if (!(run.options.max_step > 0.0)) card.reject("flow.max_step", "a positive maximum step");
  const double t_max = card.real("flow.t_max");
  const double every = card.real("flow.measure_every");
  if (!(every > 0.0)) card.reject("flow.measure_every", "a positive interval");
  if (!(t_max >= 2.0 * every)) card.reject("flow.t_max", "at least two measurement intervals");
  const auto intervals = static_cast<std::int64_t>(std::llround(t_max / every));
  for (std::int64_t i = 0; i <= intervals; ++i) run.times.push_back(double(i) * every);

  run.energies = card.strings("measure.energy");
  if (run.energies.empty()) card.reject("measure.energy", "at least one definition");
  for (const std::string& definition : run.energies) try {
      EnergyDensity check(definition);
    } catch (const std::exception& e) {
      card.reject("measure.energy", fmt::format("\"clover\", \"plaquette\" or action names ({})",
                                                e.what()));
    }
  const std::string scale = card.string("measure.scale_energy");
  const auto found = std::find(run.energies.begin(), run.energies.end(), scale);
  if (found == run.energies.end()) card.reject("measure.scale_energy", "one of measure.energy");
  run.scale_energy = static_cast<std::size_t>(found - run.energies.begin());
  run.reference = card.real("measure.reference");
  if (!(run.reference > 0.0)) card.reject("measure.reference", "a positive value (0.3)");
  const std::vector<double> centre = card.reals("measure.instanton_centre");
  if (centre.size() == kDimensions)
    run.instanton_centre = SpacetimePoint{centre[0], centre[1], centre[2], centre[3]};
  else if (!centre.empty())
    card.reject("measure.instanton_centre", "[] or the four coordinates of the centre");
  run.output = card.string("run.output");
  if (run.output.empty()) card.reject("run.output", "a directory name");
  run.plot = card.boolean("run.plot");
  run.inputs = expand_inputs(card);
  return run;
}

struct FlowHistory {
  std::vector<std::vector<double>> energy;  // [definition][time]
  std::vector<double> charge;
  std::vector<double> instanton_size;  // empty without measure.instanton_centre
};

// The history of one configuration as a flow_NNNN.csv table (io/FlowHistoryFile.h): E per
// definition, Q and the instanton size (if measured) at every measurement time, and the
// integrator's step counts.
std::string history_csv(const FlowRun& run, const FlowHistory& history,
                        const FlowStatistics& statistics) {
  FlowHistoryTable table{statistics.steps, statistics.rejected, {"t"}, {run.times}};
  for (std::size_t e = 0; e < run.energies.size(); ++e) {
    table.names.push_back("E_" + run.energies[e]);
    table.columns.push_back(history.energy[e]);
  }
  table.names.push_back("Q");
  table.columns.push_back(history.charge);
  if (run.instanton_centre) {
    table.names.push_back("rho");
    table.columns.push_back(history.instanton_size);
  }
  return flow_history_csv(table);
}

// Reads back a history written by history_csv; one that does not match the run is an error
// naming the file.
FlowHistory read_history(const fs::path& file, const FlowRun& run, FlowStatistics& statistics) {
  FlowHistoryTable table;
  try {
    table = read_flow_history(file);
  } catch (const std::runtime_error& error) {
    throw std::runtime_error(fmt::format("{} (remove the file to redo it)", error.what()));
  }
  const std::size_t columns = run.energies.size() + (run.instanton_centre ? 3 : 2);
  if (table.names.size() != columns || table.columns.front().size() != run.times.size())
    throw std::runtime_error(fmt::format(
        "{}: {} columns and {} flow times, expected {} and {} (remove it to redo it)",
        file.string(), table.names.size(), table.columns.front().size(), columns,
        run.times.size()));
  statistics = {table.steps, table.rejected};
  FlowHistory history;
  for (const std::string& e : run.energies) history.energy.push_back(table.column("E_" + e, file));
  history.charge = table.column("Q", file);
  if (run.instanton_centre) history.instanton_size = table.column("rho", file);
  return history;
}

FlowHistory flow_configuration(const FlowRun& run, const Action& action,
                               const std::vector<EnergyDensity>& energies, GaugeField v,
                               FlowStatistics& statistics) {
  GradientFlow flow(action, run.options);
  FlowHistory history;
  history.energy.assign(energies.size(), {});
  for (std::size_t i = 0; i < run.times.size(); ++i) {
    if (i > 0) {
      const FlowStatistics step = flow.advance(v, run.times[i - 1], run.times[i]);
      statistics.steps += step.steps;
      statistics.rejected += step.rejected;
    }
    const CloverEnergyAndCharge clover = clover_energy_and_charge(v);
    for (std::size_t e = 0; e < energies.size(); ++e)
      history.energy[e].push_back(energies[e].is_clover() ? clover.energy
                                                          : energies[e].action_based(v));
    history.charge.push_back(clover.charge);
    if (run.instanton_centre)
      history.instanton_size.push_back(fitted_instanton_size(v, *run.instanton_centre));
  }
  return history;
}

void write_summary(const FlowRun& run, const Geometry& lattice,
                   const std::vector<FlowHistory>& histories) {
  nlohmann::json scales = nlohmann::json::object();
  std::string mean = "t";
  for (const std::string& e : run.energies) mean += fmt::format(",t2E_{0},W_{0}", e);
  mean += "\n";
  std::vector<std::vector<double>> t2e(run.energies.size()), w(run.energies.size());
  for (std::size_t e = 0; e < run.energies.size(); ++e) {
    std::vector<std::vector<double>> samples;
    for (const FlowHistory& h : histories) samples.push_back(h.energy[e]);
    t2e[e].assign(run.times.size(), 0.0);
    for (const auto& s : samples)
      for (std::size_t i = 0; i < run.times.size(); ++i)
        t2e[e][i] += run.times[i] * run.times[i] * s[i] / double(samples.size());
    w[e] = flow_derivative(run.times, t2e[e]);
    nlohmann::json entry = {{"configurations", samples.size()}};
    try {
      const FlowScales s = flow_scales(run.times, samples, run.reference);
      entry["t0_over_a2"] = {{"value", s.t0.value}, {"error", s.t0.error}};
      entry["sqrt_t0_over_a"] = {{"value", std::sqrt(s.t0.value)},
                                 {"error", 0.5 * s.t0.error / std::sqrt(s.t0.value)}};
      entry["w0_over_a"] = {{"value", s.w0.value}, {"error", s.w0.error}};
      entry["sqrt_t0_over_w0"] = {{"value", s.sqrt_t0_over_w0.value},
                                  {"error", s.sqrt_t0_over_w0.error}};
    } catch (const std::runtime_error& error) {
      entry["error"] = error.what();  // e.g. the flow did not reach t²E = 0.3
    }
    scales[run.energies[e]] = entry;
  }
  for (std::size_t i = 0; i < run.times.size(); ++i) {
    mean += fmt::format("{:.10g}", run.times[i]);
    for (std::size_t e = 0; e < run.energies.size(); ++e)
      mean += fmt::format(",{:.17g},{:.17g}", t2e[e][i], w[e][i]);
    mean += "\n";
  }
  nlohmann::json charges = nlohmann::json::array();
  for (const FlowHistory& h : histories) charges.push_back(h.charge.back());
  const nlohmann::json summary = {{"extents", lattice.extents()},
                                  {"reference", run.reference},
                                  {"scale_energy", run.energies[run.scale_energy]},
                                  {"flow_action", run.action},
                                  {"t_max", run.times.back()},
                                  {"scales", scales},
                                  {"charge_at_t_max", charges}};
  write_output_file(run.output / "mean.csv", mean, true);
  write_output_file(run.output / "summary.json", summary.dump(2) + "\n", true);
}

}  // namespace

void run_flow(const RunCardOptions& options) {
  const RunCard card = options.load(kDefaults, "run.output");
  const FlowRun run = prepare(card);

  // Same card in the directory: continue that run; otherwise a new run (never on top of
  // another one unless --force).
  const fs::path card_file = run.output / "run.toml";
  bool resume = false;
  if (!options.force && fs::exists(card_file)) {
    std::ifstream in(card_file);
    std::stringstream text;
    text << in.rdbuf();
    resume = text.str() == card.to_toml();
    if (!resume)
      throw std::runtime_error(fmt::format(
          "{} holds a flow run with another run card: --force replaces it, or choose another "
          "--output",
          card_file.string()));
  }
  if (!resume) {
    prepare_run_directory(run.output, options.force, is_run_output);
    card.write(card_file);
  }

  const std::unique_ptr<Action> action = make_action(run.action);
  std::vector<EnergyDensity> energies;
  for (const std::string& e : run.energies) energies.emplace_back(e);

  std::vector<FlowHistory> histories;
  std::string log;
  // One lattice for the whole ensemble: its extents go into summary.json (the box L/√t0 of a
  // scaling study); a configuration of another size is refused.
  const Geometry lattice = read_configuration(run.inputs.front()).field.geometry();
  Progress progress("flow", static_cast<std::int64_t>(run.inputs.size()), "configurations");
  for (std::size_t c = 0; c < run.inputs.size(); ++c) {
    const fs::path history_file = run.output / fmt::format("flow_{:04d}.csv", c);
    FlowStatistics statistics;
    if (fs::exists(history_file)) {
      histories.push_back(read_history(history_file, run, statistics));
    } else {
      const ConfigurationFile input = read_configuration(run.inputs[c]);
      if (!(input.field.geometry() == lattice))
        throw std::runtime_error(fmt::format("{}: lattice {}, but {} has {} (one ensemble per "
                                             "flow run)",
                                             run.inputs[c].string(),
                                             input.field.geometry().to_string(),
                                             run.inputs.front().string(), lattice.to_string()));
      histories.push_back(flow_configuration(run, *action, energies, input.field, statistics));
      write_output_file(history_file, history_csv(run, histories.back(), statistics), false);
    }
    const FlowHistory& h = histories.back();
    log += nlohmann::json{{"file", fs::absolute(run.inputs[c]).string()},
                          {"history", history_file.filename().string()},
                          {"steps", statistics.steps},
                          {"rejected", statistics.rejected},
                          {"t_max", run.times.back()},
                          {"t2E_at_t_max", run.times.back() * run.times.back() *
                                               h.energy[run.scale_energy].back()},
                          {"charge_at_t_max", h.charge.back()}}
               .dump() +
           "\n";
    progress.update(static_cast<std::int64_t>(c + 1),
                    fmt::format("Q(t_max) {:.3f}", h.charge.back()));
  }
  write_output_file(run.output / "log.jsonl", log, true);
  write_summary(run, lattice, histories);
  if (run.plot) run_plot_script("flow", "plot_flow.py", run.output);

  std::ifstream summary_file(run.output / "summary.json");
  const nlohmann::json summary = nlohmann::json::parse(summary_file);
  std::printf("flowed %zu configurations with %s to t = %g (%s)\n", run.inputs.size(),
              run.action.c_str(), run.times.back(), run.output.c_str());
  for (const auto& [definition, entry] : summary["scales"].items()) {
    if (entry.contains("t0_over_a2"))
      std::printf(
          "  E = %-10s t0/a^2 = %.5f(%.5f)  w0/a = %.5f(%.5f)  sqrt(t0)/w0 = %.5f(%.5f)\n",
          definition.c_str(), entry["t0_over_a2"]["value"].get<double>(),
          entry["t0_over_a2"]["error"].get<double>(), entry["w0_over_a"]["value"].get<double>(),
          entry["w0_over_a"]["error"].get<double>(),
          entry["sqrt_t0_over_w0"]["value"].get<double>(),
          entry["sqrt_t0_over_w0"]["error"].get<double>());
    else
      std::printf("  E = %-10s %s\n", definition.c_str(),
                  entry["error"].get<std::string>().c_str());
  }
}

void register_flow_command(CLI::App& app) {
  auto options = std::make_shared<RunCardOptions>();
  CLI::App* command = app.add_subcommand(
      "flow",
      "Gradient flow (Lüscher RK3, fixed or adaptive step) of configuration files with any "
      "action; measures E(t) (clover, plaquette or action-based) and Q(t), and t0/a^2 and w0/a "
      "with jackknife errors. Writes DIR/run.toml, DIR/flow/NNNN.csv, DIR/log.jsonl, "
      "DIR/mean.csv, DIR/summary.json and plots; resumes a killed run with the same card. "
      "configs/flow_quickstart.toml documents every key.");
  add_run_card_options(*command, *options, "flow.t_max=2.0",
                       "Output directory (overrides run.output)",
                       "Replace a run already in the output directory");
  command->callback([options] { run_flow(*options); });
}

}  // namespace fpgauge::cli
