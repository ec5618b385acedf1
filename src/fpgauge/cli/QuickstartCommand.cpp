// fpgauge quickstart [--out DIR] [--size tiny|small] [--force]: the whole chain of fpgauge on
// small lattices, as the README's main job.
//
//   1. generate   Wilson ensembles on coarse L^4 at a few β (heatbath + overrelaxation)
//   2. label      FP labels of every configuration (fine (2L)^4, Wilson fine action, DeGrand
//                 kernel), split by configuration into training, validation and test datasets
//   3. instantons BPST instantons of several sizes on a larger coarse lattice
//   4. baselines  the fat-link fit (c chosen on the validation datasets) and the rescaled
//                 standard actions
//   5. train      an L-CNN on the training datasets (validation inside the training set), as a
//                 correction to the fitted fat-link ansatz, as the default model is made
//                 (configs/default_model/train.toml, docs/results.md)
//   6. evaluate   the report of SPEC §7 on the test datasets and the instantons
//
// Every step is an ordinary subcommand run on a card the quickstart writes to DIR/cards/ first
// (so each step can be rerun or changed by hand). A rerun continues a killed quickstart: the
// steps resume or find themselves complete (generate, label, train), or are skipped when their
// output exists (instantons, baselines); the report is always rewritten. --force starts over.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "fpgauge/cli/Commands.h"
#include "fpgauge/cli/RunCardOptions.h"
#include "fpgauge/io/OutputFile.h"
#include "fpgauge/io/Progress.h"

namespace fpgauge::cli {
namespace {

namespace fs = std::filesystem;

struct QuickstartOptions {
  fs::path output = "out/quickstart";
  std::string size = "small";
  bool force = false;
};

// The sizes of the chain. "small" is the README's main job (minutes on 2 cores); "tiny" runs in
// CI and checks that every step and every report section works. The heads are linear: hidden
// tanh units can saturate at the start of training and stop it (TrainCommand.cpp).
struct ChainSize {
  int coarse_extent;
  std::vector<double> betas;
  int train, validation, test;  // configurations per β
  int thermalisation, separation;
  double label_tolerance;
  int instanton_extent;
  std::vector<double> instanton_sizes;
  std::string architecture;
  int epochs, batch_size, warmup_steps;
  int fatlink_scan_points;
};

ChainSize chain_size(const std::string& size) {
  if (size == "tiny")
    return {2, {5.7, 8.0}, 6, 2, 2, 20, 5, 1e-8, 6, {1.0, 1.5},
            "input plaquettes centred; lcb 2; act tanh; trace; mlp", 4, 4, 2, 4};
  if (size == "small")
    return {4, {5.7, 6.0, 8.0}, 24, 4, 8, 200, 20, 1e-9, 12, {0.75, 1.0, 1.5, 2.0, 2.5},
            "input plaquettes centred; lcb 4; act tanh; lcb 4; act tanh; trace; mlp", 60, 4, 20, 9};
  throw std::runtime_error(fmt::format("quickstart --size {}: expected tiny or small", size));
}

std::string toml_list(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const std::string& item : items) quoted.push_back(fmt::format("\"{}\"", item));
  return fmt::format("[{}]", fmt::join(quoted, ", "));
}

std::string beta_tag(double beta) { return fmt::format("b{:.1f}", beta); }

class Chain {
 public:
  Chain(fs::path dir, ChainSize size) : dir_(std::move(dir)), size_(std::move(size)) {}

  void run() {
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::string> train, validation, test;
    for (std::size_t k = 0; k < size_.betas.size(); ++k) {
      const double beta = size_.betas[k];
      const std::string tag = beta_tag(beta);
      step(fmt::format("generate: Wilson beta = {:g} on {}^4", beta, size_.coarse_extent));
      run_generate(options(card("generate_" + tag, generate_card(beta, 100 + k))));
      const std::vector<std::string> files = configurations(dir_ / "ensembles" / tag);
      const auto part = [&](int from, int count) {
        return std::vector<std::string>(files.begin() + from, files.begin() + from + count);
      };
      const std::pair<const char*, std::vector<std::string>> subsets[] = {
          {"train", part(0, size_.train)},
          {"validation", part(size_.train, size_.validation)},
          {"test", part(size_.train + size_.validation, size_.test)}};
      for (const auto& [subset, inputs] : subsets) {
        const std::string name = fmt::format("{}_{}", subset, tag);
        step(fmt::format("label: {} configurations of beta = {:g} ({})", inputs.size(), beta, subset));
        run_label(options(card("label_" + name, label_card(inputs, name))));
        const std::string file = (dir_ / "labels" / (name + ".h5")).string();
        (std::string(subset) == "train" ? train : std::string(subset) == "validation" ? validation : test)
            .push_back(file);
      }
    }
    step("instantons");
    if (!fs::exists(dir_ / "instantons" / "index.json"))
      run_instantons(options(card("instantons", instantons_card())));
    step("baselines: fat-link fit and rescaled standard actions");
    if (!fs::exists(dir_ / "baselines" / "rescale.json"))
      run_baselines(options(card("baselines", baselines_card(train, validation))));
    step("train: the L-CNN action, a correction to the fat-link ansatz");
    run_train(options(card("train", train_card(train))));
    step("evaluate");
    RunCardOptions evaluate = options(card("evaluate", evaluate_card(test)));
    evaluate.force = true;
    run_evaluate(evaluate);
    std::printf("quickstart done in %s: report %s\n",
                format_duration(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()).c_str(),
                (dir_ / "evaluate" / "report.md").c_str());
  }

 private:
  void step(const std::string& what) {
    std::printf("\n== quickstart step %d: %s\n", ++steps_, what.c_str());
    std::fflush(stdout);
  }

  static RunCardOptions options(const fs::path& card) {
    RunCardOptions o;
    o.card = card.string();
    return o;
  }

  // Writes DIR/cards/NAME.toml (replacing the quickstart's own earlier card) and returns it.
  fs::path card(const std::string& name, const std::string& text) const {
    const fs::path file = dir_ / "cards" / (name + ".toml");  // cards/ exists (run_quickstart)
    write_output_file(file, "# written by fpgauge quickstart\n" + text, true);
    return file;
  }

  std::vector<std::string> configurations(const fs::path& ensemble) const {
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(ensemble))
      if (entry.path().extension() == ".nersc") files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());
    return files;
  }

  std::string path(const std::string& relative) const { return (dir_ / relative).string(); }

  std::string generate_card(double beta, std::uint64_t seed) const {
    const int l = size_.coarse_extent;
    return fmt::format(R"([lattice]
extents = [{0}, {0}, {0}, {0}]
[action]
name = "wilson"
beta = {1}
[algorithm]
kind = "heatbath"
overrelaxation = 4
[run]
start = "hot"
thermalisation = {2}
configurations = {3}
separation = {4}
seed = {5}
output = "{6}"
)",
                       l, beta, size_.thermalisation, size_.train + size_.validation + size_.test,
                       size_.separation, seed, path("ensembles/" + beta_tag(beta)));
  }

  std::string label_card(const std::vector<std::string>& inputs, const std::string& name) const {
    return fmt::format(R"([input]
configurations = {}
[fine_action]
name = "wilson"
[kernel]
kind = "degrand"
c = 0.1
kappa = 8.0
[minimiser]
tolerance = {}
[output]
file = "{}"
)",
                       toml_list(inputs), size_.label_tolerance, path("labels/" + name + ".h5"));
  }

  std::string instantons_card() const {
    std::vector<std::string> sizes;
    for (const double rho : size_.instanton_sizes) sizes.push_back(fmt::format("{}", rho));
    return fmt::format(R"([lattice]
extents = [{0}, {0}, {0}, {0}]
boundary = "open"
[instanton]
sizes = [{1}]
offsets = [[0.0, 0.0, 0.0, 0.0]]
gauge = "singular"
[run]
output = "{2}"
)",
                       size_.instanton_extent, fmt::join(sizes, ", "), path("instantons"));
  }

  std::string train_card(const std::vector<std::string>& train) const {
    return fmt::format(R"([data]
datasets = {}
validation_fraction = 0.2
[model]
architecture = "{}"
seed = 1
base = "{}"
[loss]
derivative_weight = 0.1
[optimiser]
kind = "adamw"
learning_rate = 0.002
clip_norm = 10.0
[schedule]
kind = "cosine"
warmup_steps = {}
final_learning_rate = 0.00001
[training]
epochs = {}
batch_size = {}
patience = 0
checkpoint_steps = 20
[output]
directory = "{}"
)",
                       toml_list(train), size_.architecture, path("baselines/fatlink.json"),
                       size_.warmup_steps, size_.epochs, size_.batch_size, path("train"));
  }

  std::string baselines_card(const std::vector<std::string>& train,
                             const std::vector<std::string>& validation) const {
    return fmt::format(R"([data]
training = {}
validation = {}
[fatlink]
degree = 4
scan_points = {}
[output]
directory = "{}"
)",
                       toml_list(train), toml_list(validation), size_.fatlink_scan_points,
                       path("baselines"));
  }

  std::string evaluate_card(const std::vector<std::string>& test) const {
    std::vector<std::string> sets;
    for (std::size_t k = 0; k < test.size(); ++k)
      sets.push_back(fmt::format("{{file = \"{}\", beta = {}}}", test[k], size_.betas[k]));
    // The shipped model (models/default/) next to the one the quickstart trains, if it is there.
    const fs::path shipped = fs::path(FPGAUGE_MODELS_DIR) / "default" / "model.fpglcnn";
    const std::string models =
        fs::exists(shipped) ? fmt::format("[{{name = \"shipped\", file = \"{}\"}}]", shipped.string())
                            : "[]";
    return fmt::format(R"([actions]
lcnn = "{}"
models = {}
fatlink = "{}"
rescale = "{}"
[data]
test = [{}]
[instantons]
configurations = ["{}"]
[output]
directory = "{}"
)",
                       path("train/best.fpglcnn"), models, path("baselines/fatlink.json"),
                       path("baselines/rescale.json"), fmt::join(sets, ", "), path("instantons"),
                       path("evaluate"));
  }

  fs::path dir_;
  ChainSize size_;
  int steps_ = 0;
};

void run_quickstart(const QuickstartOptions& options) {
  const ChainSize size = chain_size(options.size);
  const fs::path marker = options.output / "cards" / "quickstart.txt";
  if (fs::exists(options.output) && !fs::is_empty(options.output)) {
    if (!fs::exists(marker))
      throw std::runtime_error(fmt::format(
          "'{}' exists and is not a quickstart directory (no cards/quickstart.txt); choose another "
          "--out", options.output.string()));
    const std::string previous = file_text(marker);
    if (options.force) {
      fs::remove_all(options.output);
    } else if (previous != options.size + "\n") {
      throw std::runtime_error(fmt::format(
          "'{}' holds a quickstart of size {}; use --size {} to continue it or --force to start over",
          options.output.string(), previous.substr(0, previous.size() - 1),
          previous.substr(0, previous.size() - 1)));
    }
  }
  fs::create_directories(marker.parent_path());
  write_output_file(marker, options.size + "\n", true);
  Chain(options.output, size).run();
}

}  // namespace

void register_quickstart_command(CLI::App& app) {
  auto options = std::make_shared<QuickstartOptions>();
  CLI::App* command = app.add_subcommand(
      "quickstart",
      "Run the whole chain on small lattices: Wilson ensembles at a few beta, FP labels, "
      "instantons, L-CNN training, fat-link and rescaled baselines, and the evaluation report "
      "(DIR/evaluate/report.md with plots). Every step's card is written to DIR/cards/; rerunning "
      "continues a killed run.");
  command->add_option("--out", options->output, "Output directory")->capture_default_str();
  command->add_option("--size", options->size, "tiny (a CI check) or small (minutes on 2 cores)")
      ->check(CLI::IsMember({"tiny", "small"}))
      ->capture_default_str();
  command->add_flag("--force", options->force, "Remove a previous quickstart in DIR and start over");
  command->callback([options] { run_quickstart(*options); });
}

}  // namespace fpgauge::cli
