// fpgauge lcnn init|info|eval: L-CNN model files (nn/README.md).
//   init ARCH_OR_FILE --seed N --output MODEL [--force]   a model with random weights
//                                                         (LcnnModel::random) for an
//                                                         architecture given as text or as a
//                                                         file holding the text
//   info MODEL [--json]                                   architecture, parameter count,
//                                                         receptive field, weight checksum,
//                                                         base action, the long-wavelength
//                                                         limit A/A_W (ClassicalLimit.h)
//   eval MODEL CONFIG [--json]                            the model's action (A_θ, or
//                                                         A_base + A_θ) and its force norm on
//                                                         a configuration
// The force norm is the one of `fpgauge action`: sqrt(Σ_{x,μ} Σ_a (∂^a_{x,μ} A)²) (SPEC §1).
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "fpgauge/actions/LcnnAction.h"
#include "fpgauge/cli/Commands.h"
#include "fpgauge/evaluation/ClassicalLimit.h"
#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/io/ConfigurationFile.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/lattice/SiteLoop.h"
#include "fpgauge/nn/LcnnModel.h"
#include "fpgauge/observables/GaugeObservables.h"

namespace fpgauge::cli {
namespace {

namespace fs = std::filesystem;
using nn::Architecture;
using nn::LcnnModel;

struct LcnnOptions {
  std::string architecture;  // init: text or file
  std::uint64_t seed = 0;
  std::string output;
  bool force = false;
  std::string model;   // info, eval
  std::string config;  // eval
  bool json = false;
};

// An existing file holds the architecture text; anything else is the text itself.
Architecture architecture_from(const std::string& text_or_file) {
  std::error_code error;
  if (fs::is_regular_file(text_or_file, error)) {
    std::ifstream in(text_or_file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in && !in.eof())
      throw std::runtime_error(fmt::format("cannot read architecture file '{}'", text_or_file));
    try {
      return Architecture::parse(text);
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(fmt::format("architecture file '{}': {}", text_or_file, e.what()));
    }
  }
  try {
    return Architecture::parse(text_or_file);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(fmt::format(
        "'{}' is neither a file nor an architecture text: {}", text_or_file, e.what()));
  }
}

nlohmann::json model_summary(const LcnnModel& model) {
  const Architecture& architecture = model.architecture();
  const nn::ReceptiveField field = architecture.receptive_field();
  return {{"architecture", architecture.to_string()},
          {"parameters", architecture.parameter_count()},
          {"receptive_field",
           {{"below", field.below}, {"above", field.above}, {"side", field.side()}}},
          {"weights_fnv1a64", fmt::format("{:016x}", model.fingerprint())},
          {"base_action", model.base_action().is_null()
                              ? nlohmann::json(nullptr)
                              : make_base_action(model.base_action())->description()}};
}

std::string summary_text(const nlohmann::json& summary) {
  const nlohmann::json& field = summary["receptive_field"];
  return fmt::format(
      "architecture    {}\n"
      "parameters      {}\n"
      "receptive field {} sites per axis (x - {} .. x + {})\n"
      "weights fnv1a64 {}\n"
      "base action     {}\n",
      summary["architecture"].get<std::string>(), summary["parameters"].get<std::int64_t>(),
      field["side"].get<int>(), field["below"].get<int>(), field["above"].get<int>(),
      summary["weights_fnv1a64"].get<std::string>(),
      summary["base_action"].is_null() ? "none" : summary["base_action"].dump());
}

void run_init(const LcnnOptions& options) {
  if (!options.force && fs::exists(options.output))
    throw std::runtime_error(fmt::format(
        "output file '{}' exists already; pass --force to replace it", options.output));
  const LcnnModel model = LcnnModel::random(architecture_from(options.architecture), options.seed);
  model.save(options.output, options.force);
  std::printf("%s", (fmt::format("wrote {} (seed {})\n", options.output, options.seed) +
                     summary_text(model_summary(model)))
                        .c_str());
}

void run_info(const LcnnOptions& options) {
  const auto model = std::make_shared<const LcnnModel>(LcnnModel::load(options.model));
  nlohmann::json summary = model_summary(*model);
  const double limit =
      evaluation::classical_normalisation(LcnnAction(model, options.model)).extrapolated;
  if (options.json) {
    summary["model"] = options.model;
    summary["classical_normalisation"] = limit;
    std::printf("%s\n", summary.dump().c_str());
  } else {
    std::printf("%s", (fmt::format("model           {}\n", options.model) + summary_text(summary) +
                       fmt::format("classical limit A/A_W -> {:.5f} for long-wavelength fields "
                                   "(1 for an FP action)\n",
                                   limit))
                          .c_str());
  }
}

void run_eval(const LcnnOptions& options) {
  const auto model = std::make_shared<const LcnnModel>(LcnnModel::load(options.model));
  const LcnnAction action(model, options.model);
  const GaugeField u = read_configuration(options.config).field;
  const auto start = std::chrono::steady_clock::now();
  AlgebraField d;
  const double value = action.value(u);
  action.force(u, d);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double norm = force_norm(d);
  const double plaquette = average_plaquette(u);
  if (options.json) {
    const nlohmann::json result = {{"model", options.model},
                                   {"file", options.config},
                                   {"lattice", u.geometry().extents()},
                                   {"lcnn", model_summary(*model)},
                                   {"reduced_action", value},
                                   {"plaquette", plaquette},
                                   {"force_norm", norm},
                                   {"seconds", seconds}};
    std::printf("%s\n", result.dump().c_str());
  } else {
    std::printf("%s", fmt::format("model           {}\n"
                                  "file            {}\n"
                                  "lattice         {}\n"
                                  "reduced action  {:.15g}\n"
                                  "plaquette       {:.15g}\n"
                                  "force norm      {:.15g}\n"
                                  "seconds         {:.3g} (value and force)\n",
                                  options.model, options.config, u.geometry().to_string(), value,
                                  plaquette, norm, seconds)
                          .c_str());
  }
}

}  // namespace

void register_lcnn_command(CLI::App& app) {
  auto options = std::make_shared<LcnnOptions>();
  CLI::App* lcnn = app.add_subcommand(
      "lcnn", "L-CNN model files: create one with random weights, describe one, evaluate one");
  lcnn->require_subcommand(1);

  CLI::App* init = lcnn->add_subcommand(
      "init",
      "Create a model with random weights for an architecture, e.g. 'input plaquettes; lcb 12; "
      "act tanh; trace; mlp 16' (see nn/README.md)");
  init->add_option("ARCH_OR_FILE", options->architecture,
                   "architecture text, or a file holding it")
      ->required();
  init->add_option("--seed", options->seed, "seed of the random weights")->required();
  init->add_option("--output", options->output, "model file to write")->required();
  init->add_flag("--force", options->force, "Replace an existing model file");
  init->callback([options] { run_init(*options); });

  CLI::App* info = lcnn->add_subcommand(
      "info", "Print a model's architecture, parameter count, receptive field and checksum");
  info->add_option("MODEL", options->model, "model file")->required();
  info->add_flag("--json", options->json, "Print exactly one JSON object on stdout");
  info->callback([options] { run_info(*options); });

  CLI::App* eval = lcnn->add_subcommand(
      "eval",
      "Print the learned reduced action A and the force norm sqrt(sum over links and a of "
      "(d^a A)^2) of a configuration file (NERSC, ILDG or openQCD)");
  eval->add_option("MODEL", options->model, "model file")->required();
  eval->add_option("CONFIG", options->config, "Gauge configuration (NERSC, ILDG or openQCD)")->required();
  eval->add_flag("--json", options->json, "Print exactly one JSON object on stdout");
  eval->callback([options] { run_eval(*options); });
}

}  // namespace fpgauge::cli
