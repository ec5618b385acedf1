// fpgauge search CARD.toml: a budgeted grid search over L-CNN architectures (SPEC §5) on one
// training card. Every grid point (depth × width × reach × input loops) is an ordinary
// `fpgauge train` run of the base card with the point's architecture and fresh random weights,
// in DIR/runs/<name>; the points are compared by their best validation loss and by the cost of
// the action they learn (wall time of one value + force evaluation).
//
// Output directory: run.toml (the resolved search card, written first), runs/<name>/ (one
// training run per point), and at the end results.json (every point: architecture, parameters,
// receptive field, losses, times, or why it was skipped; the best point; this card),
// results.md (the table sorted by validation loss) and best.fpglcnn (a copy of the best point's
// best model).
//
// Resumption. The training runs resume by themselves (TrainCommand.cpp): rerunning the same
// command skips the complete points (their model.fpglcnn exists), continues an interrupted one
// from its checkpoint and trains the rest, so a killed search costs at most the steps since the
// last checkpoint. A different card is refused for an existing DIR; --force removes DIR's
// search outputs, runs/ included, and starts over.
//
// Budgets. max_parameters skips the points with more weights before anything is trained;
// max_seconds starts no new point once the search has run that long (complete points still
// count, they cost nothing). Skipped points are listed with the reason in both result files.
//
// The search runs in one process (each training uses the OpenMP threads); for MPI-parallel
// training run the points as `mpirun fpgauge train`.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "fpgauge/cli/Commands.h"
#include "fpgauge/cli/RunCardOptions.h"
#include "fpgauge/io/LabelDataset.h"
#include "fpgauge/io/OutputFile.h"
#include "fpgauge/io/RunCard.h"
#include "fpgauge/io/RunDirectory.h"
#include "fpgauge/lattice/Communicator.h"
#include "fpgauge/nn/LcnnModel.h"

namespace fpgauge::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Every key of the card with its default; configs/search_quickstart.toml documents them.
constexpr const char* kDefaults = R"(
[search]
train_card = "configs/train_quickstart.toml"
set = []
depths = [1, 2]
widths = [4, 8]
reaches = [1]
rectangles = [false]
diagonals = [false]
centred = true
mlp = "8"
max_parameters = 0
max_seconds = 0.0

[output]
directory = "out/search"
)";

// Evaluations of value + force timed per point (after one untimed warm-up); the median is kept.
constexpr int kTimingRepetitions = 5;

bool is_run_output(const fs::path& file) {
  const std::string name = file.filename().string();
  return name == "run.toml" || name == "results.json" || name == "results.md" ||
         name == "best.fpglcnn" || name == "runs";
}

struct GridPoint {
  int depth, width, reach;
  bool rectangles, diagonals;
  std::string name;          // d<depth>_w<width>_r<reach>_<p|r>[_diag], the run's directory
  std::string architecture;  // as given to the training card
  std::int64_t parameters;
  int receptive_side;
};

struct SearchRun {
  fs::path train_card;
  std::vector<std::string> overrides;  // search.set
  std::vector<GridPoint> points;
  std::int64_t max_parameters;
  double max_seconds;
  fs::path output;
};

// The keys the search itself sets for every point.
constexpr const char* kSearchKeys[] = {"model.architecture", "model.start", "output.directory"};

// A grid axis: distinct integers from 1 to kMaxGridValue (which keeps parameter counts in
// 64 bits).
constexpr std::int64_t kMaxGridValue = 100000;

std::vector<int> grid_values(const RunCard& card, const char* key) {
  const std::string expected =
      fmt::format("a non-empty array of distinct integers from 1 to {}", kMaxGridValue);
  std::vector<int> grid;
  for (const std::int64_t value : card.integers(key)) {
    if (value < 1 || value > kMaxGridValue ||
        std::find(grid.begin(), grid.end(), value) != grid.end())
      card.reject(key, expected);
    grid.push_back(static_cast<int>(value));
  }
  if (grid.empty()) card.reject(key, expected);
  return grid;
}

// A boolean grid axis: [false], [true] or [false, true].
std::vector<bool> grid_booleans(const RunCard& card, const char* key) {
  std::vector<bool> grid;
  for (const toml::node& element : *card.table().at_path(key).as_array()) {
    const bool value = element.as_boolean()->get();
    if (std::find(grid.begin(), grid.end(), value) != grid.end())
      card.reject(key, "distinct values: [false], [true] or [false, true]");
    grid.push_back(value);
  }
  if (grid.empty()) card.reject(key, "a non-empty array: [false], [true] or [false, true]");
  return grid;
}

std::string point_architecture(const GridPoint& point, bool centred, const std::string& mlp) {
  std::string text = point.rectangles ? "input plaquettes rectangles" : "input plaquettes";
  if (centred) text += " centred";
  for (int layer = 0; layer < point.depth; ++layer)
    text += fmt::format("; lcb {} reach={}{}; act tanh", point.width, point.reach,
                        point.diagonals ? " diagonals" : "");
  return text + "; trace; mlp" + (mlp.empty() ? "" : " " + mlp);
}

SearchRun prepare(const RunCard& card) {
  SearchRun run;
  run.train_card = card.string("search.train_card");
  if (run.train_card.empty() || !fs::is_regular_file(run.train_card))
    card.reject("search.train_card", "an existing training card (fpgauge train)");
  run.overrides = card.strings("search.set");
  for (const std::string& text : run.overrides)
    for (const char* key : kSearchKeys)
      if (text.starts_with(std::string(key) + "="))
        card.reject("search.set", fmt::format("overrides of other keys than {} (the search sets "
                                              "model.architecture, model.start and "
                                              "output.directory of every point)",
                                              key));

  const std::vector<int> depths = grid_values(card, "search.depths");
  const std::vector<int> widths = grid_values(card, "search.widths");
  const std::vector<int> reaches = grid_values(card, "search.reaches");
  const std::vector<bool> rectangles = grid_booleans(card, "search.rectangles");
  const std::vector<bool> diagonals = grid_booleans(card, "search.diagonals");
  const bool centred = card.boolean("search.centred");
  const std::string mlp = card.string("search.mlp");

  run.max_parameters = card.integer("search.max_parameters");
  if (run.max_parameters < 0) card.reject("search.max_parameters", "an integer >= 0 (0: no limit)");
  run.max_seconds = card.real("search.max_seconds");
  if (!(run.max_seconds >= 0.0)) card.reject("search.max_seconds", "a number >= 0 (0: no limit)");
  run.output = card.string("output.directory");
  if (run.output.empty()) card.reject("output.directory", "a directory name");

  for (const int depth : depths)
    for (const int width : widths)
      for (const int reach : reaches)
        for (const bool rect : rectangles)
          for (const bool diag : diagonals) {
            GridPoint point{depth, width, reach, rect, diag, "", "", 0, 0};
            point.name = fmt::format("d{}_w{}_r{}_{}{}", depth, width, reach, rect ? "r" : "p",
                                     diag ? "_diag" : "");
            point.architecture = point_architecture(point, centred, mlp);
            try {
              const nn::Architecture parsed = nn::Architecture::parse(point.architecture);
              point.parameters = parsed.parameter_count();
              point.receptive_side = parsed.receptive_field().side();
            } catch (const std::invalid_argument& e) {
              card.reject("search.mlp",
                          fmt::format("hidden widths of the MLP head, e.g. \"16 16\" ({})",
                                      e.what()));
            }
            run.points.push_back(std::move(point));
          }
  if (run.max_parameters > 0 &&
      std::none_of(run.points.begin(), run.points.end(),
                   [&](const GridPoint& p) { return p.parameters <= run.max_parameters; }))
    card.reject("search.max_parameters",
                fmt::format("a budget that leaves a point (the smallest has {} parameters)",
                            std::min_element(run.points.begin(), run.points.end(),
                                             [](const GridPoint& a, const GridPoint& b) {
                                               return a.parameters < b.parameters;
                                             })
                                ->parameters));
  return run;
}

// The points are compared by their validation loss, so the base card must keep validation
// configurations. Read from the card's TOML and the search's overrides before anything trains
// (the training command has the final word on every other key; a card without the key has the
// training default, 0.2).
void require_validation(const RunCard& card, const SearchRun& run) {
  std::optional<double> fraction;
  bool overridden = false;
  try {
    const toml::table base = toml::parse(file_text(run.train_card), run.train_card.string());
    fraction = base.at_path("data.validation_fraction").value<double>();
    const std::string key = "data.validation_fraction=";
    for (const std::string& text : run.overrides)
      if (text.starts_with(key)) {
        fraction = toml::parse("value = " + text.substr(key.size()))["value"].value<double>();
        overridden = true;
      }
  } catch (const toml::parse_error&) {
    return;  // the training command reports it, naming the line
  }
  if (fraction && !(*fraction > 0.0))
    throw std::runtime_error(fmt::format(
        "run card '{}': the training card '{}'{} has data.validation_fraction = {}: expected a "
        "fraction > 0 (the search compares points by their validation loss)",
        card.file().string(), run.train_card.string(), overridden ? " with search.set" : "",
        *fraction));
}

// Writes run.toml, or checks that DIR/run.toml is this card (a rerun resumes the search).
void prepare_output(const RunCard& card, const SearchRun& run, bool force) {
  const fs::path run_toml = run.output / "run.toml";
  if (!force && fs::exists(run_toml)) {
    const std::string difference = first_difference(file_text(run_toml), card.to_toml());
    if (!difference.empty())
      throw std::runtime_error(fmt::format(
          "output directory '{}' holds a search with another card (run.toml: {}); use the same "
          "card to resume it, or --force to start over",
          run.output.string(), difference));
    return;
  }
  // prepare_run_directory removes files; the runs of the points go as a whole.
  if (force) fs::remove_all(run.output / "runs");
  prepare_run_directory(run.output, force, is_run_output);
  card.write(run_toml);
}

std::vector<json> log_lines(const fs::path& file) {
  std::vector<json> lines;
  std::istringstream in(file_text(file));
  for (std::string line; std::getline(in, line);) {
    try {
      lines.push_back(json::parse(line));
    } catch (const json::parse_error& e) {
      throw std::runtime_error(
          fmt::format("training log '{}': line {}: {}", file.string(), lines.size() + 1, e.what()));
    }
  }
  return lines;
}

// The configuration the cost of every point is measured on: the first validation configuration
// of the split (the same for every point: one base card, one split), read once.
struct TimingConfiguration {
  std::string key;  // "FILE record N"
  GaugeField configuration;
};

const GaugeField& timing_configuration(const fs::path& run_dir,
                                       std::optional<TimingConfiguration>& cached) {
  const json split = json::parse(file_text(run_dir / "split.json"));
  const json& first = split.at("validation").at(0);
  const fs::path file =
      split.at("datasets").at(first.at("dataset").get<std::size_t>()).at("file").get<std::string>();
  const auto record = first.at("record").get<std::size_t>();
  const std::string key = fmt::format("{} record {}", file.string(), record);
  if (!cached || cached->key != key) {
    LabelDataset dataset = read_label_dataset(file);
    if (record >= dataset.records.size())
      throw std::runtime_error(fmt::format("'{}' lists {}, which '{}' does not hold",
                                           (run_dir / "split.json").string(), key, file.string()));
    cached = TimingConfiguration{key, std::move(dataset.records[record].configuration)};
  }
  return cached->configuration;
}

// Median wall time in milliseconds of A_θ(U) with its force D A_θ(U), with the process's OpenMP
// threads (on a lattice this small, thread start-up can outweigh the work: compare the points
// with each other, at one thread count).
double value_and_force_milliseconds(const nn::LcnnModel& model, const GaugeField& u) {
  AlgebraField force;
  model.evaluate(u, &force, nullptr);  // warm-up: allocations, caches
  std::vector<double> milliseconds;
  for (int k = 0; k < kTimingRepetitions; ++k) {
    const auto start = std::chrono::steady_clock::now();
    model.evaluate(u, &force, nullptr);
    milliseconds.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::nth_element(milliseconds.begin(), milliseconds.begin() + kTimingRepetitions / 2,
                   milliseconds.end());
  return milliseconds[kTimingRepetitions / 2];
}

json point_description(const GridPoint& point) {
  return {{"name", point.name},
          {"architecture", point.architecture},
          {"depth", point.depth},
          {"width", point.width},
          {"reach", point.reach},
          {"rectangles", point.rectangles},
          {"diagonals", point.diagonals},
          {"parameters", point.parameters},
          {"receptive_field_side", point.receptive_side}};
}

// The results of a finished training run of `point`, read from its directory.
json trained_point(const GridPoint& point, const fs::path& run_dir,
                   std::optional<TimingConfiguration>& timing) {
  json entry = point_description(point);
  const std::vector<json> lines = log_lines(run_dir / "log.jsonl");
  if (lines.empty() || !lines.back().value("final", false))
    throw std::runtime_error(
        fmt::format("training log '{}' has no final line", (run_dir / "log.jsonl").string()));
  const json& final_line = lines.back();
  const json* best_line = nullptr;
  double training_seconds = 0.0;
  for (const json& line : lines)
    if (line.contains("epoch")) {
      training_seconds += line.value("seconds", 0.0);
      if (line.value("best", false)) best_line = &line;
    }
  // run_train logs validation entries only when it has validation configurations.
  if (!best_line || !best_line->contains("validation_loss"))
    throw std::runtime_error(fmt::format(
        "training run '{}' has no validation loss: data.validation_fraction of the base card "
        "leaves no validation configurations",
        run_dir.string()));

  const nn::LcnnModel best = nn::LcnnModel::load(run_dir / "best.fpglcnn");
  const GaugeField& u = timing_configuration(run_dir, timing);
  entry["parameters"] = best.weights().size();
  entry["best_validation_loss"] = final_line.at("best_validation_loss");
  entry["best_epoch"] = final_line.at("best_epoch");
  entry["epochs"] = final_line.at("epochs");
  entry["stopped_early"] = final_line.at("stopped_early");
  entry["validation_value_error"] = best_line->at("validation_value_error");
  entry["validation_derivative_error"] = best_line->at("validation_derivative_error");
  entry["best_fnv1a64"] = final_line.at("best_fnv1a64");
  entry["run"] = "runs/" + point.name;
  // Wall-clock entries, which no rerun reproduces: the training time is the sum over the
  // epochs (so it counts every process of a resumed run); the cost is that of the best model.
  const Coordinates extents = u.geometry().extents();
  entry["timing"] = {{"training_seconds", training_seconds},
                     {"ms_per_value_and_force", value_and_force_milliseconds(best, u)},
                     {"extents", std::vector<int>(extents.begin(), extents.end())},
                     {"repetitions", kTimingRepetitions},
                     {"threads", omp_get_max_threads()}};
  return entry;
}

std::string markdown_table(const json& points) {
  std::vector<const json*> trained;
  for (const json& point : points)
    if (!point.contains("skipped")) trained.push_back(&point);
  std::stable_sort(trained.begin(), trained.end(), [](const json* a, const json* b) {
    return a->at("best_validation_loss").get<double>() <
           b->at("best_validation_loss").get<double>();
  });
  std::string table =
      "| rank | point | parameters | receptive field | validation loss | value error | "
      "derivative error | epochs | training s | ms value+force | architecture |\n"
      "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
  for (std::size_t k = 0; k < trained.size(); ++k) {
    const json& p = *trained[k];
    const json& timing = p.at("timing");
    table += fmt::format(
        "| {} | {} | {} | {} | {:.4e} | {:.3e} | {:.3e} | {} | {:.3g} | {:.3g} | `{}` |\n", k + 1,
        p.at("name").get<std::string>(), p.at("parameters").get<std::int64_t>(),
        p.at("receptive_field_side").get<int>(), p.at("best_validation_loss").get<double>(),
        p.at("validation_value_error").get<double>(),
        p.at("validation_derivative_error").get<double>(), p.at("epochs").get<int>(),
        timing.at("training_seconds").get<double>(),
        timing.at("ms_per_value_and_force").get<double>(), p.at("architecture").get<std::string>());
  }
  for (const json& point : points)
    if (point.contains("skipped"))
      table += fmt::format("\nskipped: {} ({} parameters): {}", point.at("name").get<std::string>(),
                           point.at("parameters").get<std::int64_t>(),
                           point.at("skipped").get<std::string>());
  return table + (trained.size() < points.size() ? "\n" : "");
}

void run_search(const RunCardOptions& options) {
  const RunCard card = options.load(kDefaults, "output.directory");
  const SearchRun run = prepare(card);
  require_validation(card, run);
  if (Communicator::world().size() > 1)
    throw std::runtime_error("fpgauge search runs in one process: start it without mpirun (each "
                             "training uses the OpenMP threads)");
  prepare_output(card, run, options.force);

  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const auto say = [](const std::string& text) {
    std::printf("%s\n", text.c_str());
    std::fflush(stdout);
  };
  say(fmt::format("search: {} points on the training card {}{}; outputs in {}", run.points.size(),
                  run.train_card.string(),
                  run.overrides.empty()
                      ? ""
                      : fmt::format(" --set {}", fmt::join(run.overrides, " ")),
                  run.output.string()));
  std::optional<TimingConfiguration> timing;
  json points = json::array();
  std::optional<std::size_t> best;  // index into points
  for (std::size_t k = 0; k < run.points.size(); ++k) {
    const GridPoint& point = run.points[k];
    const fs::path run_dir = run.output / "runs" / point.name;
    const std::string tag = fmt::format("search: [{}/{}] {}", k + 1, run.points.size(), point.name);
    std::string skipped;
    if (run.max_parameters > 0 && point.parameters > run.max_parameters)
      skipped = fmt::format("{} parameters > search.max_parameters = {}", point.parameters,
                            run.max_parameters);
    else if (best && run.max_seconds > 0.0 && elapsed() >= run.max_seconds &&
             !fs::exists(run_dir / "model.fpglcnn"))
      skipped = fmt::format("search.max_seconds = {:g} s used up ({:.1f} s elapsed) before it "
                            "started",
                            run.max_seconds, elapsed());
    if (!skipped.empty()) {
      json entry = point_description(point);
      entry["skipped"] = skipped;
      points.push_back(entry);
      say(fmt::format("{}: skipped: {}", tag, skipped));
      continue;
    }
    say(fmt::format("{}: {} ({} parameters, receptive field {} sites per axis)", tag,
                    point.architecture, point.parameters, point.receptive_side));
    RunCardOptions train;
    train.card = run.train_card.string();
    train.overrides = run.overrides;
    train.overrides.push_back("model.architecture=" + point.architecture);
    train.overrides.push_back("model.start=random");
    train.output = run_dir.string();
    run_train(train);
    points.push_back(trained_point(point, run_dir, timing));
    const json& entry = points.back();
    say(fmt::format("{}: best validation loss {:.6g} (epoch {} of {}), {:.3g} s training, {:.3g} "
                    "ms per value+force on {}",
                    tag, entry["best_validation_loss"].get<double>(),
                    entry["best_epoch"].get<int>(), entry["epochs"].get<int>(),
                    entry["timing"]["training_seconds"].get<double>(),
                    entry["timing"]["ms_per_value_and_force"].get<double>(),
                    fmt::join(entry["timing"]["extents"].get<std::vector<int>>(), "x")));
    if (!best || entry["best_validation_loss"].get<double>() <
                     points[*best]["best_validation_loss"].get<double>())
      best = points.size() - 1;
  }
  // The first point within the parameter budget always trains (prepare() keeps one; the time
  // budget stops only points after a trained one), so there is a best point.
  const json& winner = points.at(best.value());
  const std::string best_name = winner["name"];
  const json results = {{"points", points},
                        {"best", {{"name", best_name},
                                  {"architecture", winner["architecture"]},
                                  {"best_validation_loss", winner["best_validation_loss"]},
                                  {"model", "best.fpglcnn"}}},
                        {"criterion", "smallest best validation loss of the training runs"},
                        {"program_version", FPGAUGE_VERSION},
                        {"run_card", card.to_toml()}};
  const std::string table = markdown_table(points);
  const std::string summary =
      fmt::format("best: {} (validation loss {:.6g}): `{}`\n", best_name,
                  winner["best_validation_loss"].get<double>(),
                  winner["architecture"].get<std::string>());
  write_output_file(run.output / "best.fpglcnn",
                    file_text(run.output / "runs" / best_name / "best.fpglcnn"), true);
  write_output_file(run.output / "results.json", results.dump(2) + "\n", true);
  write_output_file(run.output / "results.md",
                    fmt::format("# fpgauge search: {}\n\nTraining card `{}`, sorted by the best "
                                "validation loss; the cost is the median wall time of one "
                                "value + force evaluation of the best model.\n\n{}\n{}",
                                run.output.string(), run.train_card.string(), table, summary),
                    true);
  std::printf("%s\n%swrote %s\n", table.c_str(), summary.c_str(),
              (run.output / "results.json").string().c_str());
}

}  // namespace

void register_search_command(CLI::App& app) {
  auto options = std::make_shared<RunCardOptions>();
  CLI::App* command = app.add_subcommand(
      "search",
      "Train a grid of L-CNN architectures (depth, width, reach, input loops) on one training "
      "card within a parameter and time budget, and compare them by validation loss and cost; "
      "rerunning resumes (complete points are not retrained). Writes DIR/results.json, "
      "DIR/results.md, DIR/best.fpglcnn and DIR/runs/<point>/. "
      "configs/search_quickstart.toml documents every key.");
  add_run_card_options(*command, *options, "'search.depths=[1,2,3]'",
                       "Output directory (overrides output.directory)",
                       "Start anew, removing the outputs of a previous search in the directory");
  command->callback([options] { run_search(*options); });
}

}  // namespace fpgauge::cli
