// fpgauge baselines CARD.toml: the baselines of every comparison with the L-CNN (SPEC §2, §7),
// fitted on a training label dataset and judged on a validation one (io/LabelDataset.h) with the
// L-CNN's loss (SPEC §6, train/FatLinkFit.h):
// * the fat-link ansatz (actions/FatLinkAction.h): least-squares coefficients for each smearing
//   c tried, c chosen by the validation loss (scan + golden section) → DIR/fatlink.json, usable
//   as the action "fatlink:DIR/fatlink.json";
// * Wilson, tree-level Symanzik, Iwasaki and DBW2, each with its best overall factor s on the
//   training set (closed form) → DIR/rescale.json (s, and the losses with and without s).
// DIR also receives run.toml (the resolved card, written first) and log.jsonl (one line per c
// tried and per rescaled action); both JSON files carry the resolved card as well.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "fpgauge/actions/FatLinkAction.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/cli/Commands.h"
#include "fpgauge/cli/RunCardOptions.h"
#include "fpgauge/io/LabelDataset.h"
#include "fpgauge/io/OutputFile.h"
#include "fpgauge/io/Progress.h"
#include "fpgauge/io/RunCard.h"
#include "fpgauge/io/RunDirectory.h"
#include "fpgauge/train/FatLinkFit.h"

namespace fpgauge::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Every key of the card with its default; configs/baselines_quickstart.toml documents them.
constexpr const char* kDefaults = R"(
[data]
training = []  # file names or {file = "...", weight = w}
validation = ["out/labels/validation.h5"]

[loss]
lambda = 1.0

[fatlink]
degree = 4
normalised = true
c_min = 0.0
c_max = 0.16
scan_points = 9
c_tolerance = 1e-4

[output]
directory = "out/baselines"
)";

bool is_run_output(const fs::path& file) {
  const std::string name = file.filename().string();
  return name == "run.toml" || name == "log.jsonl" || name == "fatlink.json" ||
         name == "rescale.json";
}

struct BaselinesRun {
  std::vector<train::DatasetSource> training;
  std::vector<fs::path> validation;
  fs::path output;
  FatLinkFitOptions fit;
};

std::vector<fs::path> dataset_files(const RunCard& card, const char* key) {
  std::vector<fs::path> files;
  for (const std::string& file : card.strings(key)) {
    if (!fs::exists(file)) card.reject(key, fmt::format("existing label datasets (fpgauge label); '{}' is not there", file));
    files.push_back(file);
  }
  if (files.empty()) card.reject(key, "at least one label dataset");
  return files;
}

BaselinesRun prepare(const RunCard& card) {
  BaselinesRun run;
  run.training = label_dataset_sources(card, "data.training");
  for (const train::DatasetSource& source : run.training) {
    if (!fs::exists(source.file))
      card.reject("data.training", fmt::format("existing label datasets (fpgauge label); '{}' is "
                                               "not there",
                                               source.file.string()));
    if (source.derivative_weight)  // the fit has one λ (loss.lambda)
      card.reject("data.training", "datasets without derivative_weight (a key of fpgauge train)");
  }
  run.validation = dataset_files(card, "data.validation");
  for (const fs::path& validation : run.validation)
    for (const train::DatasetSource& training : run.training)
      if (fs::equivalent(training.file, validation))
        card.reject("data.validation",
                    fmt::format("other datasets than data.training ('{}' is in both; the "
                                "validation loss chooses c and must not see the training labels)",
                                validation.string()));
  run.fit.lambda = card.real("loss.lambda");
  if (!(run.fit.lambda >= 0.0)) card.reject("loss.lambda", "a weight >= 0");
  const std::int64_t degree = card.integer("fatlink.degree");
  if (degree < 1 || degree > FatLinkAction::kMaxDegree)
    card.reject("fatlink.degree", fmt::format("1 to {}", FatLinkAction::kMaxDegree));
  run.fit.degree = static_cast<int>(degree);
  run.fit.normalised = card.boolean("fatlink.normalised");
  run.fit.c_min = card.real("fatlink.c_min");
  run.fit.c_max = card.real("fatlink.c_max");
  if (!(run.fit.c_min >= 0.0 && run.fit.c_min < 1.0 / 6.0))
    card.reject("fatlink.c_min", "a value in [0, 1/6)");
  if (!(run.fit.c_max > run.fit.c_min && run.fit.c_max <= 1.0 / 6.0))
    card.reject("fatlink.c_max", "a value in (fatlink.c_min, 1/6]");
  const std::int64_t points = card.integer("fatlink.scan_points");
  if (points < 2 || points > 1000) card.reject("fatlink.scan_points", "2 to 1000");
  run.fit.scan_points = static_cast<int>(points);
  run.fit.c_tolerance = card.real("fatlink.c_tolerance");
  if (!(run.fit.c_tolerance > 0.0)) card.reject("fatlink.c_tolerance", "a width > 0");
  run.output = card.string("output.directory");
  if (run.output.empty()) card.reject("output.directory", "a directory name");
  return run;
}

json loss_json(const LabelLoss& loss) {
  return {{"value", loss.value}, {"derivative", loss.derivative}, {"total", loss.total}};
}

std::string table_row(const std::string& action, const std::string& parameter,
                      const LabelLoss& training, const LabelLoss& validation,
                      double normalisation) {
  return fmt::format("{:<10} {:>14} {:>12.4e} {:>12.4e} {:>12.4e} {:>12.4e} {:>10.4f}\n", action,
                     parameter, training.total, validation.total, validation.value,
                     validation.derivative, normalisation);
}

}  // namespace

void run_baselines(const RunCardOptions& options) {
  const RunCard card = options.load(kDefaults, "output.directory");
  const BaselinesRun run = prepare(card);
  // Read every dataset before anything is written: a bad file costs no output directory.
  // `weights` receives the dataset's weight once per record.
  // Every dataset must come from the RG transformation of the first training dataset.
  std::optional<std::pair<fs::path, LabelDatasetHeader>> reference;
  const auto read_all = [&reference](const std::vector<train::DatasetSource>& sources,
                                     LabelDatasetHeader& header, std::vector<double>& weights) {
    std::vector<LabelRecord> records;
    for (const train::DatasetSource& source : sources) {
      LabelDataset dataset = read_label_dataset(source.file);
      if (dataset.records.empty())
        throw std::runtime_error(
            fmt::format("label dataset '{}' has no records", source.file.string()));
      if (reference)
        check_same_transformation(source.file, dataset.header, reference->first,
                                  reference->second);
      else
        reference.emplace(source.file, dataset.header);
      header = dataset.header;
      weights.insert(weights.end(), dataset.records.size(), source.weight);
      std::move(dataset.records.begin(), dataset.records.end(), std::back_inserter(records));
    }
    return records;
  };
  std::vector<train::DatasetSource> validation_sources;
  for (const fs::path& file : run.validation) validation_sources.push_back({file, 1.0});
  LabelDatasetHeader header, validation_header;
  std::vector<double> weights, validation_weights;
  const std::vector<LabelRecord> training = read_all(run.training, header, weights);
  const std::vector<LabelRecord> validation =
      read_all(validation_sources, validation_header, validation_weights);
  json training_files = json::array();
  for (const train::DatasetSource& source : run.training)
    training_files.push_back(
        {{"file", fs::absolute(source.file).string()}, {"weight", source.weight}});
  json validation_files = json::array();
  for (const fs::path& file : run.validation) validation_files.push_back(fs::absolute(file).string());

  prepare_run_directory(run.output, options.force, is_run_output);
  card.write(run.output / "run.toml");
  const std::string run_card = card.to_toml();
  const json data = {{"training", training_files},
                     {"training_records", training.size()},
                     {"validation", validation_files},
                     {"validation_records", validation.size()},
                     {"labels_fine_action", header.fine_action},
                     {"labels_kernel", header.kernel}};

  constexpr int kStandardActions = 4;
  const int fits = fat_link_fit_evaluations(run.fit);
  Progress progress("baselines", fits + kStandardActions, "fits");
  std::string log;
  const FatLinkFitResult fit = fit_fat_link(
      training, weights, validation, run.fit, [&](const FatLinkFitPoint& point, int done) {
        log += json{{"fit", "fatlink"},
                    {"c", point.c},
                    {"p", point.p},
                    {"training", loss_json(point.training)},
                    {"validation", loss_json(point.validation)}}
                   .dump() +
               "\n";
        progress.update(done, fmt::format("c {:.5f}, validation loss {:.4e}", point.c,
                                          point.validation.total));
      });
  json tried = json::array();
  for (const FatLinkFitPoint& point : fit.tried)
    tried.push_back({{"c", point.c}, {"training", point.training.total},
                     {"validation", point.validation.total}});
  const json fat_link_fit = {{"data", data},
                             {"loss", {{"lambda", run.fit.lambda},
                                       {"training", loss_json(fit.best.training)},
                                       {"validation", loss_json(fit.best.validation)}}},
                             {"c_search", {{"c_min", run.fit.c_min},
                                           {"c_max", run.fit.c_max},
                                           {"scan_points", run.fit.scan_points},
                                           {"c_tolerance", run.fit.c_tolerance},
                                           {"tried", tried}}},
                             {"normalised", run.fit.normalised},
                             {"method", run.fit.normalised
                                            ? "linear least squares by QR for fixed c with "
                                              "p_10 + (1 + 24c) p_01 = 1/3 (A/A_W -> 1 for "
                                              "long-wavelength fields); c by the validation "
                                              "loss (scan + golden section)"
                                            : "linear least squares by QR for fixed c; c by the "
                                              "validation loss (scan + golden section)"},
                             {"program_version", FPGAUGE_VERSION},
                             {"run_card", run_card}};
  const FatLinkAction fat_link(fit.best.c, run.fit.degree, fit.best.p, fat_link_fit);

  std::string table = fmt::format("{:<10} {:>14} {:>12} {:>12} {:>12} {:>12} {:>10}\n",
                                  "action", "parameter", "train L", "valid L", "valid value",
                                  "valid deriv", "A/A_W(p→0)");
  table += table_row("fatlink", fmt::format("c = {:.5f}", fit.best.c), fit.best.training,
                     fit.best.validation, fat_link.classical_normalisation());
  json rescaled = json::array();
  int done = fits;
  for (const GaugeLoopAction& action : {GaugeLoopAction::wilson(), GaugeLoopAction::symanzik(),
                                        GaugeLoopAction::iwasaki(), GaugeLoopAction::dbw2()}) {
    const auto on_training = compare_with_labels(action, training, weights);
    const auto on_validation = compare_with_labels(action, validation);
    const double s = best_rescale(on_training, run.fit.lambda);
    const LabelLoss train = label_loss(on_training, run.fit.lambda, s);
    const LabelLoss valid = label_loss(on_validation, run.fit.lambda, s);
    const json entry = {{"action", action.name()},
                        {"description", action.description()},
                        {"factor", s},
                        {"training", loss_json(train)},
                        {"validation", loss_json(valid)},
                        {"unscaled", {{"training", loss_json(label_loss(on_training,
                                                                        run.fit.lambda))},
                                      {"validation", loss_json(label_loss(on_validation,
                                                                          run.fit.lambda))}}}};
    rescaled.push_back(entry);
    log += json{{"fit", "rescale"}, {"action", action.name()}, {"factor", s},
                {"training", loss_json(train)}, {"validation", loss_json(valid)}}
               .dump() +
           "\n";
    table += table_row(action.name(), fmt::format("s = {:.5f}", s), train, valid, s);
    progress.update(++done, action.name());
  }
  const json rescale = {{"data", data},
                        {"lambda", run.fit.lambda},
                        {"method", "s·A with s minimising the loss on the training set "
                                   "(closed form)"},
                        {"actions", rescaled},
                        {"fatlink", {{"c", fit.best.c},
                                     {"classical_normalisation",
                                      fat_link.classical_normalisation()},
                                     {"training", loss_json(fit.best.training)},
                                     {"validation", loss_json(fit.best.validation)}}},
                        {"program_version", FPGAUGE_VERSION},
                        {"run_card", run_card}};
  fat_link.save(run.output / "fatlink.json", false);
  write_output_file(run.output / "rescale.json", rescale.dump(2) + "\n", false);
  write_output_file(run.output / "log.jsonl", log, false);
  std::printf("%s", fmt::format("baselines on {} training / {} validation records, lambda = {:g}; "
                                "L = value + lambda * derivative loss (SPEC 6)\n{}wrote {}\n",
                                training.size(), validation.size(),
                                run.fit.lambda, table, run.output.string())
                        .c_str());
}

void register_baselines_command(CLI::App& app) {
  auto options = std::make_shared<RunCardOptions>();
  CLI::App* command = app.add_subcommand(
      "baselines",
      "Fit the fat-link FP ansatz and the best overall rescale of the Wilson, Symanzik, "
      "Iwasaki and DBW2 actions to training label datasets with the L-CNN's loss, choose the "
      "smearing on validation datasets, and write DIR/fatlink.json, DIR/rescale.json, "
      "DIR/run.toml and DIR/log.jsonl. configs/baselines_quickstart.toml documents every key.");
  add_run_card_options(*command, *options, "fatlink.degree=3",
                       "Output directory (overrides output.directory)",
                       "Replace a run already in the output directory");
  command->callback([options] { run_baselines(*options); });
}

}  // namespace fpgauge::cli
