// fpgauge evaluate CARD.toml: the evidence of SPEC §7 for an L-CNN FP action next to the fitted
// fat-link ansatz and the standard actions (configs/evaluate_quickstart.toml documents the card).
//
// Sections of DIR/report.json (and the same as tables in DIR/report.md, plots from
// tools/plot_report.py):
//   errors           per test dataset (one per β) and action: relative error of A and of the
//                    derivative field against the FP labels (evaluation/LabelErrors.h); the
//                    standard actions with the best overall rescale of `fpgauge baselines`
//   volume_transfer  the same on datasets of other volumes (a model trained on 4^4 on 8^4)
//   instantons       A/(4π²/3) against ρ for every action (unscaled: the classical normalisation),
//                    the FP labels where given, and the Wilson action with open boundaries
//   locality         the derivative response to one rotated link against distance, decay rate
//                    (evaluation/Locality.h)
//   symmetry         spread of A over the 384 hypercubic images of test configurations, and the
//                    change of A under a random gauge transformation
//   classical_limit  A/A_W for long-wavelength fields (evaluation/ClassicalLimit.h; unscaled):
//                    1 for every FP action
//   summary          the comparisons the paper makes (L-CNN against fat-link, per β)
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "fpgauge/actions/ActionFactory.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/cli/Commands.h"
#include "fpgauge/cli/RunCardOptions.h"
#include "fpgauge/evaluation/ClassicalLimit.h"
#include "fpgauge/evaluation/LabelErrors.h"
#include "fpgauge/evaluation/LatticeSymmetry.h"
#include "fpgauge/evaluation/Locality.h"
#include "fpgauge/instantons/Instanton.h"
#include "fpgauge/io/ConfigurationFile.h"
#include "fpgauge/io/LabelDataset.h"
#include "fpgauge/io/OutputFile.h"
#include "fpgauge/io/Progress.h"
#include "fpgauge/io/RunCard.h"
#include "fpgauge/io/RunDirectory.h"
#include "fpgauge/observables/Boundary.h"
#include "fpgauge/train/FatLinkFit.h"

namespace fpgauge::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kDefaults = R"(
[actions]
lcnn = ""
models = []
fatlink = ""
rescale = ""
standard = ["wilson", "symanzik", "iwasaki", "dbw2"]

[data]
test = []
transfer = []

[instantons]
configurations = []
labels = []

[locality]
epsilon = 1e-4

[symmetry]
configurations = 1
gauge_seed = 1

[output]
directory = "out/evaluate"
plots = true
)";

bool is_run_output(const fs::path& file) {
  const std::string name = file.filename().string();
  return name == "run.toml" || name == "report.json" || name == "report.md" ||
         file.extension() == ".png";
}

struct EvaluatedAction {
  std::string key;  // "lcnn", "fatlink" or the standard action's name
  std::unique_ptr<Action> action;
  double scale = 1.0;  // the best overall rescale (standard actions, from rescale.json)
};

struct TestDataset {
  fs::path file;
  std::string name;
  std::optional<double> beta;
};

struct EvaluateRun {
  std::vector<EvaluatedAction> actions;
  std::vector<TestDataset> test, transfer;
  std::vector<fs::path> instantons, instanton_labels;
  double epsilon;
  std::int64_t symmetry_configurations;
  std::uint64_t gauge_seed;
  fs::path output;
  bool plots;
};

std::string existing_file(const RunCard& card, const char* key, const std::string& file) {
  if (!fs::exists(file)) card.reject(key, fmt::format("an existing file ('{}' is not there)", file));
  return file;
}

// data.test / data.transfer: file names, or tables {file = "...", beta = 6.0, name = "..."}.
std::vector<TestDataset> datasets(const RunCard& card, const char* key) {
  const toml::array& entries = *card.table().at_path(key).as_array();
  std::vector<TestDataset> result;
  for (std::size_t k = 0; k < entries.size(); ++k) {
    const auto fail = [&](const std::string& problem) {
      throw std::runtime_error(
          fmt::format("run card '{}': {}[{}]: {}", card.file().string(), key, k, problem));
    };
    TestDataset dataset;
    if (const auto* file = entries[k].as_string()) {
      dataset.file = file->get();
    } else if (const toml::table* table = entries[k].as_table()) {
      for (const auto& [name, value] : *table)
        if (name != "file" && name != "beta" && name != "name")
          fail(fmt::format("unknown key '{}' (known keys: file, beta, name)", name.str()));
      const auto file = (*table)["file"].value<std::string>();
      if (!file) fail("expected file (a string)");
      dataset.file = *file;
      dataset.beta = (*table)["beta"].value<double>();
      dataset.name = (*table)["name"].value<std::string>().value_or("");
    } else {
      fail("expected a file name or a table {file = \"labels.h5\", beta = 6.0, name = \"...\"}");
    }
    if (!fs::exists(dataset.file))
      fail(fmt::format("label dataset '{}' is not there", dataset.file.string()));
    if (dataset.name.empty())
      dataset.name = dataset.beta ? fmt::format("beta = {:g}", *dataset.beta)
                                  : dataset.file.stem().string();
    result.push_back(dataset);
  }
  return result;
}

// rescale.json of fpgauge baselines: {"actions": [{"action": NAME, "factor": s}, ...]}.
std::map<std::string, double> rescale_factors(const RunCard& card, const std::string& file) {
  std::map<std::string, double> factors;
  if (file.empty()) return factors;
  existing_file(card, "actions.rescale", file);
  try {
    std::ifstream in(file);
    const json rescale = json::parse(in);
    for (const json& entry : rescale.at("actions"))
      factors[entry.at("action").get<std::string>()] = entry.at("factor").get<double>();
  } catch (const json::exception& e) {
    throw std::runtime_error(
        fmt::format("'{}': not a rescale.json of fpgauge baselines ({})", file, e.what()));
  }
  return factors;
}

EvaluateRun prepare(const RunCard& card) {
  EvaluateRun run;
  // make_action names the file of a model it cannot read; an unknown name is the card's error.
  const auto add = [&](const std::string& key, const std::string& spec,
                       const std::optional<double>& scale) {
    std::unique_ptr<Action> action;
    try {
      action = make_action(spec);
    } catch (const std::invalid_argument& e) {
      card.reject("actions.standard", e.what());
    }
    run.actions.push_back({key, std::move(action), scale.value_or(1.0)});
  };
  if (const std::string lcnn = card.string("actions.lcnn"); !lcnn.empty())
    add("lcnn", "lcnn:" + existing_file(card, "actions.lcnn", lcnn), 1.0);
  // Further L-CNN models next to the main one: tables {name = "...", file = "..."}.
  const toml::array& models = *card.table().at_path("actions.models").as_array();
  for (std::size_t k = 0; k < models.size(); ++k) {
    const toml::table* model = models[k].as_table();
    const auto name = model ? (*model)["name"].value<std::string>() : std::nullopt;
    const auto file = model ? (*model)["file"].value<std::string>() : std::nullopt;
    if (!name || !file || model->size() != 2 || name->empty() || *name == "lcnn" || *name == "fatlink")
      throw std::runtime_error(fmt::format(
          "run card '{}': actions.models[{}]: expected a table {{name = \"...\", file = "
          "\"MODEL.fpglcnn\"}} with a name other than lcnn and fatlink",
          card.file().string(), k));
    add(*name, "lcnn:" + existing_file(card, "actions.models", *file), 1.0);
  }
  if (const std::string fatlink = card.string("actions.fatlink"); !fatlink.empty())
    add("fatlink", "fatlink:" + existing_file(card, "actions.fatlink", fatlink), 1.0);
  const std::map<std::string, double> factors = rescale_factors(card, card.string("actions.rescale"));
  for (const std::string& name : card.strings("actions.standard")) {
    if (name.rfind("lcnn:", 0) == 0 || name.rfind("fatlink:", 0) == 0)
      card.reject("actions.standard", "standard actions only (the models go to actions.lcnn and "
                                      "actions.fatlink)");
    const auto factor = factors.find(name);
    add(name, name, factor == factors.end() ? std::nullopt : std::optional(factor->second));
    if (!factors.empty() && factor == factors.end())
      card.reject("actions.rescale", fmt::format("a rescale file with a factor for '{}'", name));
  }
  if (run.actions.empty()) card.reject("actions.standard", "at least one action to evaluate");
  for (std::size_t i = 0; i < run.actions.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (run.actions[i].key == run.actions[j].key)
        card.reject("actions.models", fmt::format("distinct names ('{}' twice)", run.actions[i].key));

  run.test = datasets(card, "data.test");
  run.transfer = datasets(card, "data.transfer");
  for (const std::string& dir : card.strings("instantons.configurations"))
    run.instantons.push_back(existing_file(card, "instantons.configurations", dir));
  for (const std::string& file : card.strings("instantons.labels"))
    run.instanton_labels.push_back(existing_file(card, "instantons.labels", file));
  if (run.test.empty() && run.instantons.empty())
    card.reject("data.test", "test datasets (or instanton configurations) to evaluate on");

  run.epsilon = card.real("locality.epsilon");
  if (!(run.epsilon > 0.0 && run.epsilon < 0.1)) card.reject("locality.epsilon", "a value in (0, 0.1)");
  run.symmetry_configurations = card.integer("symmetry.configurations");
  if (run.symmetry_configurations < 0) card.reject("symmetry.configurations", "an integer >= 0");
  run.gauge_seed = static_cast<std::uint64_t>(card.integer("symmetry.gauge_seed"));
  run.output = card.string("output.directory");
  if (run.output.empty()) card.reject("output.directory", "a directory name");
  run.plots = card.boolean("output.plots");
  return run;
}

json summary_json(const evaluation::ErrorSummary& s) {
  return {{"mean", s.mean}, {"error", s.error}, {"max", s.max}};
}

// Relative errors of every action on every dataset of `sets`.
// Every dataset of `sets`, read before anything is written (a bad file costs no output).
std::vector<LabelDataset> read_datasets(const std::vector<TestDataset>& sets) {
  std::vector<LabelDataset> datasets;
  for (const TestDataset& set : sets) {
    datasets.push_back(read_label_dataset(set.file));
    if (datasets.back().records.empty())
      throw std::runtime_error(fmt::format("label dataset '{}' has no records", set.file.string()));
  }
  return datasets;
}

// How ambiguous the labels are (rg/FpEquation.h: solve_fp_equation_from_starts): the starts of
// the dataset's minimiser (1 if it names none), the configurations whose starts reached several
// minima and the mean spread of their derivative labels, which no action's derivative error can
// go below by more than the choice of minimum allows.
json label_ambiguity(const LabelDataset& dataset) {
  const json minimiser = json::parse(dataset.header.minimiser, nullptr, false);
  const int starts = minimiser.is_object() && minimiser.contains("starts")
                         ? minimiser["starts"].value("count", 1)
                         : 1;
  std::int64_t several = 0;
  double spread = 0.0;
  for (const LabelRecord& record : dataset.records) {
    several += record.minima > 1 ? 1 : 0;
    spread += record.derivative_spread / static_cast<double>(dataset.records.size());
  }
  return {{"starts", starts}, {"several_minima", several}, {"mean_derivative_spread", spread}};
}

json label_error_section(const EvaluateRun& run, const std::vector<TestDataset>& sets,
                         const std::vector<LabelDataset>& datasets, Progress& progress,
                         std::int64_t& done) {
  json section = json::array();
  for (std::size_t k = 0; k < sets.size(); ++k) {
    const TestDataset& set = sets[k];
    const LabelDataset& dataset = datasets[k];
    json actions = json::object();
    for (const EvaluatedAction& a : run.actions) {
      const evaluation::LabelErrors errors =
          evaluation::label_errors(compare_with_labels(*a.action, dataset.records), a.scale);
      actions[a.key] = {{"scale", a.scale},
                        {"value", summary_json(errors.value)},
                        {"derivative", summary_json(errors.derivative)},
                        {"mean_ratio", errors.mean_ratio}};
      progress.update(++done, fmt::format("{} on {}", a.key, set.name));
    }
    json entry = {{"name", set.name},
                  {"file", fs::absolute(set.file).string()},
                  {"extents", dataset.header.coarse_extents},
                  {"records", dataset.records.size()},
                  {"labels", label_ambiguity(dataset)},
                  {"actions", actions}};
    entry["beta"] = set.beta ? json(*set.beta) : json(nullptr);
    section.push_back(entry);
  }
  return section;
}

std::string canonical_name(const std::string& file) {
  return fs::weakly_canonical(fs::absolute(file)).string();
}

// A/(4π²/3) of every action on the instantons of the index.json of each directory.
json instanton_section(const EvaluateRun& run, Progress& progress, std::int64_t& done) {
  std::map<std::string, double> fp_action;  // canonical source file → A_FP
  for (const fs::path& file : run.instanton_labels)
    for (const LabelRecord& record : read_label_dataset(file).records)
      fp_action[canonical_name(record.source)] = record.action;
  json configurations = json::array();
  for (const fs::path& dir : run.instantons) {
    json index;
    try {
      std::ifstream in(dir / "index.json");
      index = json::parse(in);
    } catch (const json::exception& e) {
      throw std::runtime_error(fmt::format("'{}': not an index.json of fpgauge instantons ({})",
                                           (dir / "index.json").string(), e.what()));
    }
    for (const json& entry : index.at("configurations")) {
      const fs::path file = dir / entry.at("file").get<std::string>();
      const GaugeField u = read_configuration(file).field;
      json actions = json::object();
      for (const EvaluatedAction& a : run.actions)
        actions[a.key] = a.action->value(u) / kInstantonAction;
      const auto fp = fp_action.find(canonical_name(file.string()));
      configurations.push_back(
          {{"file", fs::absolute(file).string()},
           {"rho", entry.at("rho")},
           {"centre", entry.at("centre")},
           {"extents", u.geometry().extents()},
           {"actions", actions},
           {"fp", fp == fp_action.end() ? json(nullptr) : json(fp->second / kInstantonAction)},
           {"wilson_open", wilson_action_open(u) / kInstantonAction},
           {"wilson_periodic", GaugeLoopAction::wilson().value(u) / kInstantonAction}});
      progress.update(++done, fmt::format("instanton rho {}", entry.at("rho").dump()));
    }
  }
  return {{"continuum_action", kInstantonAction},
          {"note", "A/(4 pi^2/3) on the periodic lattice (the instanton glued across the "
                   "boundary); wilson_open: the Wilson action of the loops inside the box, "
                   "wilson_periodic - wilson_open the Wilson action of the gluing. The "
                   "standard actions are not rescaled here: their classical normalisation."},
          {"configurations", configurations}};
}

json locality_section(const EvaluateRun& run, const LabelRecord& background, Progress& progress,
                      std::int64_t& done) {
  json actions = json::object();
  for (const EvaluatedAction& a : run.actions) {
    const evaluation::LocalityProfile profile =
        evaluation::action_locality(*a.action, background.configuration, run.epsilon);
    json points = json::array();
    for (const evaluation::LocalityPoint& p : profile.profile)
      points.push_back({{"r", p.r}, {"response", p.response}});
    actions[a.key] = {{"decay_rate", std::isfinite(profile.decay_rate) ? json(profile.decay_rate)
                                                                       : json(nullptr)},
                      {"fitted_points", profile.fitted_points},
                      {"profile", points}};
    progress.update(++done, fmt::format("locality of {}", a.key));
  }
  return {{"background", background.source},
          {"epsilon", run.epsilon},
          {"method", "R(r) = max over links at distance r of |D(+eps) - D(-eps)|/(2 eps) for "
                     "V_0(0) -> exp(+-i eps t^1) V_0(0); decay rate from ln R over 1 <= r <= L/2"},
          {"actions", actions}};
}

json symmetry_section(const EvaluateRun& run, const std::vector<const LabelRecord*>& records,
                      Progress& progress, std::int64_t& done) {
  json actions = json::object();
  json sources = json::array();
  for (const LabelRecord* record : records) sources.push_back(record->source);
  for (const EvaluatedAction& a : run.actions) {
    double spread = 0.0, gauge = 0.0;
    for (const LabelRecord* record : records) {
      spread = std::max(spread, evaluation::hypercubic_spread(*a.action, record->configuration));
      gauge = std::max(gauge, evaluation::gauge_variation(*a.action, record->configuration,
                                                          run.gauge_seed));
    }
    actions[a.key] = {{"hypercubic_spread", spread}, {"gauge_variation", gauge}};
    progress.update(++done, fmt::format("symmetries of {}", a.key));
  }
  return {{"configurations", sources},
          {"method", "hypercubic_spread: (max - min)/|mean| of A over the 384 rotations and "
                     "reflections; gauge_variation: |A(gU) - A(U)|/|A(U)| for a random gauge "
                     "transformation g; the largest over the configurations"},
          {"actions", actions}};
}

json classical_limit_section(const EvaluateRun& run, Progress& progress, std::int64_t& done) {
  json actions = json::object();
  for (const EvaluatedAction& a : run.actions) {
    const evaluation::ClassicalNormalisation n = evaluation::classical_normalisation(*a.action);
    actions[a.key] = {{"normalisation", n.extrapolated},
                      {"ratio_L64", n.ratio_short},
                      {"ratio_L128", n.ratio_long}};
    progress.update(++done, fmt::format("classical limit of {}", a.key));
  }
  return {{"method", "(A(V) - A(1))/A_W(V) for abelian plane waves V (amplitude 0.02) of "
                     "momentum 2 pi/L on 4 x L x 4 x 4, L = 64 and 128, extrapolated to p = 0 "
                     "as (4 r(128) - r(64))/3; unscaled actions"},
          {"actions", actions}};
}

// The comparisons of SPEC §7.1 and §7.2 (only with both an L-CNN and a fat-link action).
json summary(const EvaluateRun& run, const json& errors, const json& instantons,
             const json& classical_limit) {
  const auto has = [&](const char* key) {
    return std::any_of(run.actions.begin(), run.actions.end(),
                       [&](const EvaluatedAction& a) { return a.key == key; });
  };
  json result = json::object();
  if (has("lcnn") && has("fatlink") && !errors.empty()) {
    json per_set = json::array();
    double worst_derivative_ratio = std::numeric_limits<double>::infinity();
    bool value_better = true;
    for (const json& set : errors) {
      const json& lcnn = set["actions"]["lcnn"];
      const json& fat = set["actions"]["fatlink"];
      const double derivative_ratio = fat["derivative"]["mean"].get<double>() /
                                      lcnn["derivative"]["mean"].get<double>();
      const double value_ratio =
          fat["value"]["mean"].get<double>() / lcnn["value"]["mean"].get<double>();
      worst_derivative_ratio = std::min(worst_derivative_ratio, derivative_ratio);
      value_better = value_better && value_ratio > 1.0;
      per_set.push_back({{"name", set["name"]},
                         {"fatlink_over_lcnn_derivative_error", derivative_ratio},
                         {"fatlink_over_lcnn_value_error", value_ratio}});
    }
    result["lcnn_vs_fatlink"] = per_set;
    result["smallest_derivative_error_ratio"] = worst_derivative_ratio;
    result["lcnn_derivative_error_10x_smaller_at_every_dataset"] = worst_derivative_ratio >= 10.0;
    result["lcnn_value_error_smaller_at_every_dataset"] = value_better;
  }
  if (has("lcnn"))
    result["lcnn_classical_normalisation"] = classical_limit["actions"]["lcnn"]["normalisation"];
  if (has("lcnn") && !instantons.is_null()) {
    // Against the FP labels where there are any; against 1 for the isolated instantons of
    // ρ ≥ 1, those whose periodic gluing adds less than kIsolated to the Wilson action.
    constexpr double kIsolated = 0.005;
    double from_label = 0.0, from_one = 0.0;
    int labelled = 0, isolated = 0;
    for (const json& c : instantons["configurations"]) {
      const double lcnn = c["actions"]["lcnn"].get<double>();
      if (!c["fp"].is_null()) {
        from_label = std::max(from_label, std::abs(lcnn / c["fp"].get<double>() - 1.0));
        ++labelled;
      }
      const double gluing = c["wilson_periodic"].get<double>() - c["wilson_open"].get<double>();
      if (c["rho"].get<double>() >= 1.0 && gluing < kIsolated) {
        from_one = std::max(from_one, std::abs(lcnn - 1.0));
        ++isolated;
      }
    }
    if (labelled > 0) result["lcnn_instanton_largest_deviation_from_fp_label"] = from_label;
    if (isolated > 0) {
      result["lcnn_instanton_isolated_rho_ge_1"] = isolated;
      result["lcnn_instanton_largest_deviation_rho_ge_1"] = from_one;
      result["lcnn_instanton_within_2_percent_rho_ge_1"] = from_one <= 0.02;
    }
  }
  return result;
}

// `plots`: the PNG files of tools/plot_report.py in the report's directory, shown at the end.
std::string markdown_report(const json& report, const std::vector<std::string>& plots) {
  std::string md = "# fpgauge evaluation report\n\n";
  md += fmt::format("Program version {}. Actions:\n\n", report["program_version"].get<std::string>());
  for (const json& a : report["actions"]) {
    json shown = a["description"];
    shown.erase("coefficients");  // the fat-link's p_kl: in report.json
    md += fmt::format("* `{}`: {}{}\n", a["key"].get<std::string>(), shown.dump(),
                      a["scale"].get<double>() != 1.0
                          ? fmt::format(" (best overall rescale s = {:.5f})", a["scale"].get<double>())
                          : "");
  }
  const auto error_table = [&](const json& sets, const char* title) {
    if (sets.empty()) return;
    md += fmt::format("\n## {}\n\nMean relative error ± standard error over the configurations "
                      "(value |A − A_FP|/|A_FP|; derivative ‖D − D_FP‖/‖D_FP‖).\n\n",
                      title);
    md += "| dataset | extents | records | action | value error | derivative error |\n";
    md += "|---|---|---|---|---|---|\n";
    for (const json& set : sets)
      for (const json& a : report["actions"]) {
        const json& e = set["actions"][a["key"].get<std::string>()];
        md += fmt::format("| {} | {} | {} | {} | {:.3e} ± {:.1e} | {:.3e} ± {:.1e} |\n",
                          set["name"].get<std::string>(), set["extents"].dump(),
                          set["records"].get<std::size_t>(), a["key"].get<std::string>(),
                          e["value"]["mean"].get<double>(), e["value"]["error"].get<double>(),
                          e["derivative"]["mean"].get<double>(),
                          e["derivative"]["error"].get<double>());
      }
    const auto several_starts = [](const json& set) { return set["labels"]["starts"] > 1; };
    if (std::none_of(sets.begin(), sets.end(), several_starts)) return;
    md += "\nLabels from several starts of the FP minimisation (its lowest minimum; "
          "docs/labels.md): where the starts reach different minima, their derivative labels "
          "differ by the spread, which bounds how well any smooth action can match them.\n\n"
          "| dataset | starts | configurations with several minima | mean derivative spread |\n"
          "|---|---|---|---|\n";
    for (const json& set : sets)
      if (several_starts(set))
        md += fmt::format("| {} | {} | {} of {} | {:.3e} |\n", set["name"].get<std::string>(),
                          set["labels"]["starts"].get<int>(),
                          set["labels"]["several_minima"].get<std::int64_t>(),
                          set["records"].get<std::size_t>(),
                          set["labels"]["mean_derivative_spread"].get<double>());
  };
  error_table(report["errors"], "Errors against the FP labels (test sets)");
  error_table(report["volume_transfer"], "Volume transfer");
  if (report.contains("instantons")) {
    md += "\n## Instantons: A/(4π²/3)\n\n";
    md += report["instantons"]["note"].get<std::string>() +
          "\n\n| ρ | extents | FP label | Wilson (open) | gluing (Wilson) |";
    for (const json& a : report["actions"]) md += " " + a["key"].get<std::string>() + " |";
    md += "\n|---|---|---|---|---|";
    for (std::size_t k = 0; k < report["actions"].size(); ++k) md += "---|";
    md += "\n";
    for (const json& c : report["instantons"]["configurations"]) {
      md += fmt::format("| {} | {} | {} | {:.4f} | {:.4f} |", c["rho"].dump(), c["extents"].dump(),
                        c["fp"].is_null() ? std::string("–") : fmt::format("{:.4f}", c["fp"].get<double>()),
                        c["wilson_open"].get<double>(),
                        c["wilson_periodic"].get<double>() - c["wilson_open"].get<double>());
      for (const json& a : report["actions"])
        md += fmt::format(" {:.4f} |", c["actions"][a["key"].get<std::string>()].get<double>());
      md += "\n";
    }
  }
  if (report.contains("locality")) {
    md += fmt::format("\n## Locality\n\n{} Background: `{}`.\n\n| action | decay rate | fitted points |\n|---|---|---|\n",
                      report["locality"]["method"].get<std::string>(),
                      report["locality"]["background"].get<std::string>());
    for (const json& a : report["actions"]) {
      const std::string key = a["key"];
      const json& l = report["locality"]["actions"][key];
      md += fmt::format("| {} | {} | {} |\n", key,
                        l["decay_rate"].is_null() ? std::string("–")
                                                  : fmt::format("{:.3f}", l["decay_rate"].get<double>()),
                        l["fitted_points"].get<int>());
    }
  }
  if (report.contains("symmetry")) {
    md += fmt::format("\n## Lattice symmetries\n\n{}.\n\n| action | hypercubic spread | gauge variation |\n|---|---|---|\n",
                      report["symmetry"]["method"].get<std::string>());
    for (const json& a : report["actions"]) {
      const std::string key = a["key"];
      const json& s = report["symmetry"]["actions"][key];
      md += fmt::format("| {} | {:.3e} | {:.3e} |\n", key, s["hypercubic_spread"].get<double>(),
                        s["gauge_variation"].get<double>());
    }
  }
  md += fmt::format("\n## Classical continuum limit\n\n{}. Every FP action has 1.\n\n| action | "
                    "A/A_W (p → 0) | L = 64 | L = 128 |\n|---|---|---|---|\n",
                    report["classical_limit"]["method"].get<std::string>());
  for (const json& a : report["actions"]) {
    const json& n = report["classical_limit"]["actions"][a["key"].get<std::string>()];
    md += fmt::format("| {} | {:.5f} | {:.5f} | {:.5f} |\n", a["key"].get<std::string>(),
                      n["normalisation"].get<double>(), n["ratio_L64"].get<double>(),
                      n["ratio_L128"].get<double>());
  }
  md += "\n## Summary\n\n```\n" + report["summary"].dump(2) + "\n```\n";
  if (!plots.empty()) md += "\n## Plots\n\n";
  for (const std::string& png : plots) md += fmt::format("![{}]({})\n", png, png);
  return md;
}

}  // namespace

void run_evaluate(const RunCardOptions& options) {
  const RunCard card = options.load(kDefaults, "output.directory");
  const EvaluateRun run = prepare(card);
  const std::vector<LabelDataset> test = read_datasets(run.test);
  const std::vector<LabelDataset> transfer = read_datasets(run.transfer);
  prepare_run_directory(run.output, options.force, is_run_output);
  card.write(run.output / "run.toml");

  // The configurations of the locality and symmetry checks: the first test records.
  const LabelDataset* first_test = test.empty() ? nullptr : &test.front();
  std::vector<const LabelRecord*> symmetry_records;
  if (first_test)
    for (const LabelRecord& record : first_test->records)
      if (static_cast<std::int64_t>(symmetry_records.size()) < run.symmetry_configurations)
        symmetry_records.push_back(&record);

  std::int64_t instanton_count = 0;
  for (const fs::path& dir : run.instantons) {
    std::ifstream in(dir / "index.json");
    instanton_count += static_cast<std::int64_t>(
        json::parse(in, nullptr, false).value("configurations", json::array()).size());
  }
  const auto actions = static_cast<std::int64_t>(run.actions.size());
  Progress progress("evaluate",
                    actions * static_cast<std::int64_t>(run.test.size() + run.transfer.size()) +
                        instanton_count + (first_test ? actions : 0) +
                        (symmetry_records.empty() ? 0 : actions) + actions,
                    "steps");
  std::int64_t done = 0;

  json report = {{"program_version", FPGAUGE_VERSION}, {"run_card", card.to_toml()}};
  json action_list = json::array();
  for (const EvaluatedAction& a : run.actions)
    action_list.push_back({{"key", a.key}, {"description", a.action->description()}, {"scale", a.scale}});
  report["actions"] = action_list;
  report["errors"] = label_error_section(run, run.test, test, progress, done);
  report["volume_transfer"] = label_error_section(run, run.transfer, transfer, progress, done);
  json instantons;
  if (!run.instantons.empty()) report["instantons"] = instantons = instanton_section(run, progress, done);
  if (first_test)
    report["locality"] = locality_section(run, first_test->records.front(), progress, done);
  if (!symmetry_records.empty())
    report["symmetry"] = symmetry_section(run, symmetry_records, progress, done);
  report["classical_limit"] = classical_limit_section(run, progress, done);
  report["summary"] = summary(run, report["errors"], instantons, report["classical_limit"]);

  write_output_file(run.output / "report.json", report.dump(2) + "\n", false);
  if (run.plots) run_plot_script("evaluate", "plot_report.py", run.output);
  std::vector<std::string> plots;
  for (const char* png : {"errors.png", "instantons.png", "locality.png"})
    if (fs::exists(run.output / png)) plots.push_back(png);
  const std::string md = markdown_report(report, plots);
  write_output_file(run.output / "report.md", md, false);
  std::printf("%s\nwrote %s\n", md.c_str(), (run.output / "report.md").c_str());
}

void register_evaluate_command(CLI::App& app) {
  auto options = std::make_shared<RunCardOptions>();
  CLI::App* command = app.add_subcommand(
      "evaluate",
      "Evaluate an L-CNN FP action against the FP labels next to the fitted fat-link ansatz and "
      "the (rescaled) standard actions: errors per beta, volume transfer, instanton action "
      "against rho, locality, hypercubic and gauge symmetry, the classical continuum limit; writes DIR/report.json, "
      "DIR/report.md and plots. configs/evaluate_quickstart.toml documents every key.");
  add_run_card_options(*command, *options, "actions.lcnn=models/default/model.fpglcnn",
                       "Output directory (overrides output.directory)",
                       "Replace a report already in the output directory");
  command->callback([options] { run_evaluate(*options); });
}

}  // namespace fpgauge::cli
