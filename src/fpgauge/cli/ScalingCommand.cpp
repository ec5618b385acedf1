// fpgauge scaling CARD.toml: the analysis of a scaling study (issue 8, docs/scaling.md). Reads
// the histories of one `fpgauge flow` run per ensemble, computes √t0/w0 and t0/a² of the chosen
// energy definition (one for all, or one per ensemble: each action with its own flow and E), and
// t0/a² of the scale definition (clover: one x axis a²/t0 for every definition), with a
// jackknife over bins of consecutive configurations (one size for all, or one per ensemble)
// after leaving out each ensemble's first ensembles.discard configurations, and extrapolates
// √t0/w0 linearly in a²/t0 to the continuum
// (evaluation/ContinuumExtrapolation.h): per series (action) alone, and jointly with one shared
// continuum value. The discretisation effect of an ensemble is its deviation from the joint
// continuum value, δ = (√t0/w0)/(√t0/w0)_cont − 1. configs/scaling/scaling.toml documents
// every key.
//
// DIR receives run.toml (the resolved card, written first), scaling.json (every ensemble and
// fit, with the card), scaling.md (the same as tables) and scaling.png (tools/plot_scaling.py).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "fpgauge/cli/Commands.h"
#include "fpgauge/cli/RunCardOptions.h"
#include "fpgauge/evaluation/ContinuumExtrapolation.h"
#include "fpgauge/io/FlowHistoryFile.h"
#include "fpgauge/io/OutputFile.h"
#include "fpgauge/io/RunCard.h"
#include "fpgauge/io/RunDirectory.h"

namespace fpgauge::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kDefaults = R"(
[ensembles]
flows = []
series = []
energies = []
bin_sizes = []
discard = []

[analysis]
energy = "clover"
scale_energy = "clover"
bin_size = 1
fit_max = 1.0

[run]
output = "out/scaling/analysis"
plot = true
)";

bool is_run_output(const fs::path& file) {
  const std::string name = file.filename().string();
  return name == "run.toml" || name == "scaling.json" || name == "scaling.md" ||
         name == "scaling.png";
}

struct Ensemble {
  std::string series;
  fs::path flow;
  std::string energy;  // the definition of E whose t0 and w0 are used
  int bin_size = 1;    // consecutive configurations averaged before the jackknife
  int discarded = 0;   // leading configurations left out (thermalisation)
  std::vector<int> extents;
  int configurations = 0;
  Estimate t0;     // t0/a² of the scale definition (the x axis and the box)
  Estimate ratio;  // √t0/w0 of the ensemble's definition
  ScalingPoint point() const {
    // x = a²/t0 = 1/(t0/a²), σ_x = σ_t0/t0².
    return {1.0 / t0.value, t0.error / (t0.value * t0.value), ratio.value, ratio.error};
  }
  double box() const {  // L_min/√t0
    return *std::min_element(extents.begin(), extents.end()) / std::sqrt(t0.value);
  }
};

// One ensemble from its flow directory: the lattice and the reference value from summary.json,
// t0/a² and √t0/w0 from the histories flow_NNNN.csv (io/FlowHistoryFile.h), with the jackknife
// over bins of `bin_size` consecutive configurations (HMC ensembles are autocorrelated; a
// remainder at the end is left out) after the first `discard` configurations (a thermalisation
// seen only in the flowed observables). Every missing or malformed entry names the file.
Ensemble read_ensemble(const fs::path& flow, const std::string& series, const std::string& energy,
                       const std::string& scale_energy, int bin_size, int discard) {
  const fs::path file = flow / "summary.json";
  Ensemble e;
  e.series = series;
  e.flow = flow;
  e.energy = energy;
  e.bin_size = bin_size;
  e.discarded = discard;
  double reference = 0.0;
  try {
    const json summary = json::parse(file_text(file));
    if (!summary.contains("extents"))
      throw std::runtime_error("no 'extents' (written by fpgauge flow since the scaling study: "
                               "rerun the flow, its finished configurations are kept)");
    e.extents = summary.at("extents").get<std::vector<int>>();
    reference = summary.at("reference").get<double>();
  } catch (const json::exception& error) {
    throw std::runtime_error(fmt::format("{}: {}", file.string(), error.what()));
  } catch (const std::runtime_error& error) {
    throw std::runtime_error(fmt::format("{}: {}", file.string(), error.what()));
  }

  std::vector<fs::path> histories;
  for (const auto& entry : fs::directory_iterator(flow)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("flow_", 0) == 0 && entry.path().extension() == ".csv")
      histories.push_back(entry.path());
  }
  std::sort(histories.begin(), histories.end());
  if (static_cast<std::size_t>(discard) >= histories.size())
    throw std::runtime_error(fmt::format("{}: {} configurations, all of them discarded ({})",
                                         flow.string(), histories.size(), discard));
  histories.erase(histories.begin(), histories.begin() + discard);
  const std::size_t bins = histories.size() / static_cast<std::size_t>(bin_size);
  if (bins < 2)
    throw std::runtime_error(fmt::format(
        "{}: {} configurations, fewer than two bins of {} for the jackknife", flow.string(),
        histories.size(), bin_size));
  // Binned histories of E per definition: [definition][bin][time].
  const std::vector<std::string> definitions = {energy, scale_energy};
  std::vector<double> times;
  std::vector<std::vector<std::vector<double>>> binned(definitions.size(),
                                                       std::vector<std::vector<double>>(bins));
  for (std::size_t c = 0; c < bins * static_cast<std::size_t>(bin_size); ++c) {
    const FlowHistoryTable table = read_flow_history(histories[c]);
    const std::vector<double>& t = table.column("t", histories[c]);
    if (c == 0) times = t;
    if (t != times)
      throw std::runtime_error(fmt::format("{}: flow times differ from those of {}",
                                           histories[c].string(), histories[0].string()));
    for (std::size_t d = 0; d < definitions.size(); ++d) {
      const std::vector<double>& history = table.column("E_" + definitions[d], histories[c]);
      std::vector<double>& bin = binned[d][c / static_cast<std::size_t>(bin_size)];
      bin.resize(times.size(), 0.0);
      for (std::size_t i = 0; i < times.size(); ++i) bin[i] += history[i] / bin_size;
    }
  }
  e.configurations = static_cast<int>(bins) * bin_size;
  auto scales = [&](std::size_t d) {
    try {
      return flow_scales(times, binned[d], reference);
    } catch (const std::runtime_error& error) {
      throw std::runtime_error(
          fmt::format("{} (E: {}): {}", flow.string(), definitions[d], error.what()));
    }
  };
  e.ratio = scales(0).sqrt_t0_over_w0;
  e.t0 = scales(1).t0;
  return e;
}

struct ScalingRun {
  std::vector<Ensemble> ensembles;
  std::vector<std::string> series;  // distinct, in order of first appearance
  std::string energy;
  std::string scale_energy;  // the t0 of the x axis a²/t0 and of the box L/√t0
  double fit_max = 0.0;
  fs::path output;
  bool plot = true;
};

ScalingRun prepare(const RunCard& card) {
  ScalingRun run;
  run.energy = card.string("analysis.energy");
  run.scale_energy = card.string("analysis.scale_energy");
  run.fit_max = card.real("analysis.fit_max");
  if (!(run.fit_max > 0.0)) card.reject("analysis.fit_max", "a positive a^2/t0");
  const std::vector<std::string> flows = card.strings("ensembles.flows");
  const std::vector<std::string> series = card.strings("ensembles.series");
  std::vector<std::string> energies = card.strings("ensembles.energies");
  if (energies.empty()) energies.assign(flows.size(), run.energy);
  if (energies.size() != flows.size())
    card.reject("ensembles.energies", fmt::format("[] or one energy definition per flow ({})",
                                                  flows.size()));
  const auto bin_size = card.integer("analysis.bin_size");
  if (bin_size < 1) card.reject("analysis.bin_size", "a positive number of configurations");
  std::vector<std::int64_t> bin_sizes = card.integers("ensembles.bin_sizes");
  if (bin_sizes.empty()) bin_sizes.assign(flows.size(), bin_size);
  if (bin_sizes.size() != flows.size() ||
      std::any_of(bin_sizes.begin(), bin_sizes.end(), [](std::int64_t b) { return b < 1; }))
    card.reject("ensembles.bin_sizes",
                fmt::format("[] or one positive bin size per flow ({})", flows.size()));
  std::vector<std::int64_t> discard = card.integers("ensembles.discard");
  if (discard.empty()) discard.assign(flows.size(), 0);
  if (discard.size() != flows.size() ||
      std::any_of(discard.begin(), discard.end(), [](std::int64_t d) { return d < 0; }))
    card.reject("ensembles.discard",
                fmt::format("[] or one number of configurations >= 0 per flow ({})", flows.size()));
  if (flows.empty()) card.reject("ensembles.flows", "at least one flow output directory");
  if (series.size() != flows.size())
    card.reject("ensembles.series", fmt::format("one series name per flow ({})", flows.size()));
  for (std::size_t i = 0; i < flows.size(); ++i) {
    if (series[i].empty()) card.reject("ensembles.series", "non-empty names");
    run.ensembles.push_back(
        read_ensemble(flows[i], series[i], energies[i], run.scale_energy,
                      static_cast<int>(bin_sizes[i]), static_cast<int>(discard[i])));
    if (std::find(run.series.begin(), run.series.end(), series[i]) == run.series.end())
      run.series.push_back(series[i]);
  }
  run.output = card.string("run.output");
  if (run.output.empty()) card.reject("run.output", "a directory name");
  run.plot = card.boolean("run.plot");
  return run;
}

bool mixed_energies(const ScalingRun& run) {
  return std::any_of(run.ensembles.begin(), run.ensembles.end(),
                     [&](const Ensemble& e) { return e.energy != run.energy; });
}

json estimate_json(const Estimate& e) { return {{"value", e.value}, {"error", e.error}}; }

json fit_json(const ContinuumFit& fit, const std::vector<std::string>& names) {
  json slopes = json::object();
  for (std::size_t s = 0; s < names.size(); ++s) slopes[names[s]] = estimate_json(fit.slopes[s]);
  return {{"continuum", estimate_json(fit.continuum)},
          {"slope", slopes},
          {"chi2", fit.chi2},
          {"degrees_of_freedom", fit.degrees_of_freedom}};
}

// The fitted points (a²/t0 ≤ fit_max) of the given series.
std::vector<std::vector<ScalingPoint>> fitted_points(const ScalingRun& run,
                                                     const std::vector<std::string>& names) {
  std::vector<std::vector<ScalingPoint>> points(names.size());
  for (const Ensemble& e : run.ensembles) {
    const auto s = std::find(names.begin(), names.end(), e.series) - names.begin();
    if (s < static_cast<std::ptrdiff_t>(names.size()) && e.point().x <= run.fit_max)
      points[static_cast<std::size_t>(s)].push_back(e.point());
  }
  return points;
}

// A fit of the given series, or the reason it cannot be made (e.g. one spacing).
json try_fit(const ScalingRun& run, const std::vector<std::string>& names,
             ContinuumFit* result = nullptr) {
  const std::vector<std::vector<ScalingPoint>> points = fitted_points(run, names);
  for (std::size_t s = 0; s < names.size(); ++s)
    if (points[s].empty())
      return {{"error", fmt::format("no ensemble of {} with a²/t0 ≤ fit_max = {}", names[s],
                                    run.fit_max)}};
  try {
    const ContinuumFit fit = fit_continuum_limit(points);
    if (result) *result = fit;
    return fit_json(fit, names);
  } catch (const std::invalid_argument& error) {
    return {{"error", error.what()}};
  }
}

// "1.1072(19)": the value to the second significant digit of its error, the error in units of
// the last digit.
std::string format_estimate(const Estimate& e, double scale = 1.0) {
  const double value = scale * e.value, error = scale * e.error;
  if (!(error > 0.0) || !std::isfinite(error)) return fmt::format("{:.6g}", value);
  int digits = std::max(0, 1 - static_cast<int>(std::floor(std::log10(error))));
  if (digits > 0 && std::round(error * std::pow(10.0, digits)) >= 100.0) --digits;  // 0.0996 → (10)
  return fmt::format("{:.{}f}({:.0f})", value, digits, error * std::pow(10.0, digits));
}

void write_outputs(const ScalingRun& run, const RunCard& card) {
  json per_series = json::object();
  for (const std::string& name : run.series) per_series[name] = try_fit(run, {name});
  // The joint fit over the series with fitted points (a series only coarser than fit_max is
  // shown against the joint continuum value, not fitted).
  std::vector<std::string> fitted_series;
  for (const std::string& name : run.series)
    if (std::any_of(run.ensembles.begin(), run.ensembles.end(), [&](const Ensemble& e) {
          return e.series == name && e.point().x <= run.fit_max;
        }))
      fitted_series.push_back(name);
  ContinuumFit joint;
  const json joint_json = try_fit(run, fitted_series, &joint);
  const bool have_joint = !joint_json.contains("error");

  json ensembles = json::array();
  std::string table =
      "| series | lattice | configurations (bin) | t0/a² | a²/t0 | L/√t0 | √t0/w0 | δ = deviation "
      "from the continuum |\n|---|---|---|---|---|---|---|---|\n";
  for (const Ensemble& e : run.ensembles) {
    const ScalingPoint p = e.point();
    json entry = {{"series", e.series},
                  {"flow", e.flow.string()},
                  {"energy", e.energy},
                  {"extents", e.extents},
                  {"configurations", e.configurations},
                  {"bin_size", e.bin_size},
                  {"discarded", e.discarded},
                  {"t0_over_a2", estimate_json(e.t0)},
                  {"a2_over_t0", {{"value", p.x}, {"error", p.x_error}}},
                  {"box_over_sqrt_t0", e.box()},
                  {"sqrt_t0_over_w0", estimate_json(e.ratio)},
                  {"fitted", p.x <= run.fit_max}};
    std::string deviation = "–";
    if (have_joint) {
      // δ's error: the ensemble's and the continuum value's, added in quadrature (conservative:
      // the fitted continuum value is correlated with the ensemble's own point).
      const double c = joint.continuum.value;
      const Estimate delta{e.ratio.value / c - 1.0,
                           std::hypot(e.ratio.error / c,
                                      e.ratio.value * joint.continuum.error / (c * c))};
      entry["deviation"] = estimate_json(delta);
      deviation = (delta.value >= 0.0 ? "+" : "") + format_estimate(delta, 100.0) + " %";
    }
    ensembles.push_back(entry);
    std::string lattice;
    for (const int l : e.extents) lattice += (lattice.empty() ? "" : "×") + std::to_string(l);
    const std::string label = mixed_energies(run) ? fmt::format("{} (E: {})", e.series, e.energy)
                                                  : e.series;
    const std::string discarded =
        e.discarded > 0 ? fmt::format(", the first {} left out", e.discarded) : "";
    table += fmt::format("| {} | {} | {} ({}){} | {} | {:.4f} | {:.2f} | {}{} | {} |\n", label,
                         lattice, e.configurations, e.bin_size, discarded, format_estimate(e.t0),
                         p.x, e.box(), format_estimate(e.ratio),
                         p.x <= run.fit_max ? "" : " (not fitted)", deviation);
  }

  std::string fits = "| fit | (√t0/w0) continuum | slope in a²/t0 | χ²/dof |\n|---|---|---|---|\n";
  auto fit_row = [&](const std::string& name, const json& fit) {
    if (fit.contains("error")) {
      fits += fmt::format("| {} | {} | | |\n", name, fit["error"].get<std::string>());
      return;
    }
    std::string slopes;
    for (const auto& [series, slope] : fit["slope"].items())
      slopes += fmt::format("{}{}: {}", slopes.empty() ? "" : ", ", series,
                            format_estimate({slope["value"].get<double>(),
                                             slope["error"].get<double>()}));
    const int dof = fit["degrees_of_freedom"].get<int>();
    fits += fmt::format("| {} | {} | {} | {} |\n", name,
                        format_estimate({fit["continuum"]["value"].get<double>(),
                                         fit["continuum"]["error"].get<double>()}),
                        slopes,
                        dof > 0 ? fmt::format("{:.2f}/{}", fit["chi2"].get<double>(), dof)
                                : std::string("– (exact)"));
  };
  for (const std::string& name : run.series) fit_row(name, per_series[name]);
  fit_row("joint (shared continuum value)", joint_json);

  const json output = {{"observable", "sqrt_t0_over_w0"},
                       {"scale_energy", run.scale_energy},
                       {"energy", run.energy},  // the default of ensembles.energies
                       {"fit_max", run.fit_max},
                       {"ensembles", ensembles},
                       {"fits", per_series},
                       {"joint_fit", joint_json},
                       {"run_card", card.to_toml()}};
  write_output_file(run.output / "scaling.json", output.dump(2) + "\n", false);
  const std::string markdown = fmt::format(
      "# Scaling of √t0/w0 (E: {}; a²/t0 with t0 from E: {}; linear fits in a²/t0 ≤ {})\n\n{}\n{}",
      mixed_energies(run) ? std::string("per ensemble, see scaling.json") : run.energy,
      run.scale_energy, run.fit_max, table, fits);
  write_output_file(run.output / "scaling.md", markdown, false);
  std::printf("%s", markdown.c_str());
}

}  // namespace

void run_scaling(const RunCardOptions& options) {
  const RunCard card = options.load(kDefaults, "run.output");
  const ScalingRun run = prepare(card);
  prepare_run_directory(run.output, options.force, is_run_output);
  card.write(run.output / "run.toml");
  write_outputs(run, card);
  if (run.plot) run_plot_script("scaling", "plot_scaling.py", run.output);
}

void register_scaling_command(CLI::App& app) {
  auto options = std::make_shared<RunCardOptions>();
  CLI::App* command = app.add_subcommand(
      "scaling",
      "Scaling study analysis: sqrt(t0)/w0 of `fpgauge flow` runs (one per ensemble) against "
      "a^2/t0, linear continuum extrapolations per action and with a shared continuum value, and "
      "each ensemble's deviation from it. Writes DIR/run.toml, DIR/scaling.json, DIR/scaling.md "
      "and DIR/scaling.png. configs/scaling/scaling.toml documents every key.");
  add_run_card_options(*command, *options, "analysis.fit_max=0.5",
                       "Output directory (overrides run.output)",
                       "Replace an analysis already in the output directory");
  command->callback([options] { run_scaling(*options); });
}

}  // namespace fpgauge::cli
