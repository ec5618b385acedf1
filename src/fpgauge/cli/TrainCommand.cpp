// fpgauge train CARD.toml: trains an L-CNN action on FP label datasets (SPEC §6) with the loss,
// data split, optimisers and schedules of train/ (train/README.md).
//
// Output directory: run.toml (the resolved card, written first), split.json (which records are
// training, validation and test configurations), log.jsonl (one line per epoch, a final line),
// checkpoint.cbor (every training.checkpoint_steps steps, replaced atomically), best.fpglcnn
// (the model of the lowest validation loss so far) and, last, model.fpglcnn (the final model:
// its presence marks a finished run).
//
// Resumption. A rerun with the same resolved card continues from checkpoint.cbor: log.jsonl is
// cut back to its length at the checkpoint and the steps since are recomputed, which gives the
// bits of an uninterrupted run (keyed data order, fixed summation order, tests:
// TrainCli.ResumeAfterKillIsBitIdentical). A card that differs is refused; --force starts over.
//
// Optimisers. Adam(W) takes a step per minibatch; "lbfgs" one L-BFGS iteration per epoch on the
// whole training set (core/Lbfgs.h), whose log line has the loss at the epoch's end and, as
// max_gradient_norm, the norm of the full-batch gradient there.
//
// Processes. Under mpirun every rank reads the data and holds the model; the configurations of
// a batch are dealt out over the ranks and their gradients summed in batch order
// (train::batch_loss), so every rank takes the same step, and the result does not depend on the
// number of ranks. Rank 0 writes; a failure there reaches every rank at the next exchange.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "fpgauge/actions/FatLinkAction.h"
#include "fpgauge/core/Lbfgs.h"
#include "fpgauge/actions/LcnnAction.h"
#include "fpgauge/cli/Commands.h"
#include "fpgauge/cli/RunCardOptions.h"
#include "fpgauge/io/OutputFile.h"
#include "fpgauge/io/Progress.h"
#include "fpgauge/io/RunCard.h"
#include "fpgauge/io/RunDirectory.h"
#include "fpgauge/lattice/Communicator.h"
#include "fpgauge/nn/LcnnModel.h"
#include "fpgauge/train/Adam.h"
#include "fpgauge/train/LearningRateSchedule.h"
#include "fpgauge/train/TrainingCheckpoint.h"
#include "fpgauge/train/TrainingData.h"
#include "fpgauge/train/TrainingLoss.h"

namespace fpgauge::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Every key of the card with its default; configs/train_quickstart.toml documents them.
constexpr const char* kDefaults = R"(
[data]
datasets = []
validation_fraction = 0.2
test_fraction = 0.0
split_seed = 1

[model]
start = "random"
architecture = "input plaquettes centred; lcb 4; act tanh; lcb 4; act tanh; trace; mlp 8"
seed = 1
file = ""
base = ""

[loss]
derivative_weight = 1.0

[optimiser]
kind = "adamw"
learning_rate = 0.002
beta1 = 0.9
beta2 = 0.999
epsilon = 1e-8
weight_decay = 0.0
clip_norm = 0.0
history = 10

[schedule]
kind = "cosine"
warmup_steps = 0
final_learning_rate = 0.0
step_size = 100
gamma = 0.5

[training]
epochs = 20
batch_size = 4
shuffle_seed = 1
patience = 0
checkpoint_steps = 20

[output]
directory = "out/train"
)";

constexpr const char* kCheckpointName = "checkpoint.cbor";

bool is_run_output(const fs::path& file) {
  const std::string name = file.filename().string();
  return name == "run.toml" || name == "log.jsonl" || name == "split.json" ||
         name == kCheckpointName || name == "model.fpglcnn" || name == "best.fpglcnn";
}

// Everything the run needs from the card, checked before anything is read or written.
struct TrainRun {
  std::vector<train::DatasetSource> datasets;
  double validation_fraction, test_fraction;
  std::uint64_t split_seed;
  bool random_start;
  std::string architecture;
  std::uint64_t model_seed;
  fs::path model_file;
  fs::path base_file;  // fat-link coefficients the network corrects; empty: none
  double lambda;
  train::AdamParameters adam;
  double clip_norm;  // 0: no clipping
  bool lbfgs;        // full-batch L-BFGS instead of Adam(W) on minibatches
  int lbfgs_history;
  train::LearningRateSchedule schedule;  // total_steps set once the data are known
  std::int64_t epochs, batch_size, patience, checkpoint_steps;
  std::uint64_t shuffle_seed;
  fs::path output;
};

std::int64_t at_least(const RunCard& card, const char* key, std::int64_t minimum) {
  const std::int64_t value = card.integer(key);
  if (value < minimum) card.reject(key, fmt::format("an integer >= {}", minimum));
  return value;
}

TrainRun prepare(const RunCard& card) {
  TrainRun run;
  run.datasets = label_dataset_sources(card, "data.datasets");
  run.validation_fraction = card.real("data.validation_fraction");
  run.test_fraction = card.real("data.test_fraction");
  if (!(run.validation_fraction >= 0.0 && run.test_fraction >= 0.0 &&
        run.validation_fraction + run.test_fraction < 1.0))
    card.reject("data.test_fraction",
                "fractions >= 0 with validation_fraction + test_fraction < 1");
  run.split_seed = static_cast<std::uint64_t>(at_least(card, "data.split_seed", 0));

  const std::string start = card.string("model.start");
  if (start != "random" && start != "file") card.reject("model.start", "\"random\" or \"file\"");
  run.random_start = start == "random";
  run.architecture = card.string("model.architecture");
  run.model_seed = static_cast<std::uint64_t>(at_least(card, "model.seed", 0));
  run.model_file = card.string("model.file");
  if (!run.random_start && run.model_file.empty())
    card.reject("model.file", "a model file for model.start = \"file\"");
  run.base_file = card.string("model.base");
  if (!run.random_start && !run.base_file.empty())
    card.reject("model.base", "\"\" for model.start = \"file\" (the model file brings its base)");

  run.lambda = card.real("loss.derivative_weight");
  if (!(run.lambda >= 0.0)) card.reject("loss.derivative_weight", "a number >= 0");

  const std::string kind = card.string("optimiser.kind");
  if (kind != "adam" && kind != "adamw" && kind != "lbfgs")
    card.reject("optimiser.kind", "\"adam\", \"adamw\" or \"lbfgs\"");
  run.lbfgs = kind == "lbfgs";
  run.lbfgs_history = static_cast<int>(at_least(card, "optimiser.history", 1));
  run.adam = {card.real("optimiser.learning_rate"), card.real("optimiser.beta1"),
              card.real("optimiser.beta2"), card.real("optimiser.epsilon"),
              card.real("optimiser.weight_decay")};
  run.clip_norm = card.real("optimiser.clip_norm");
  if (!(run.clip_norm >= 0.0) || !std::isfinite(run.clip_norm))
    card.reject("optimiser.clip_norm", "a number >= 0 (0: no clipping)");
  if (kind != "adamw" && run.adam.weight_decay != 0.0)
    card.reject("optimiser.weight_decay",
                fmt::format("0 for \"{}\" (decoupled weight decay is \"adamw\")", kind));
  try {
    train::Adam(0, run.adam);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(
        fmt::format("run card '{}': [optimiser]: {}", card.file().string(), e.what()));
  }

  try {
    run.schedule.kind = train::schedule_kind(card.string("schedule.kind"));
  } catch (const std::invalid_argument&) {
    card.reject("schedule.kind", "\"constant\", \"cosine\" or \"step\"");
  }
  run.schedule.learning_rate = run.adam.learning_rate;
  run.schedule.warmup_steps = at_least(card, "schedule.warmup_steps", 0);
  run.schedule.final_learning_rate = card.real("schedule.final_learning_rate");
  run.schedule.step_size = at_least(card, "schedule.step_size", 1);
  run.schedule.gamma = card.real("schedule.gamma");

  run.epochs = at_least(card, "training.epochs", 1);
  run.batch_size = at_least(card, "training.batch_size", 1);
  run.shuffle_seed = static_cast<std::uint64_t>(at_least(card, "training.shuffle_seed", 0));
  run.patience = at_least(card, "training.patience", 0);
  run.checkpoint_steps = at_least(card, "training.checkpoint_steps", 1);
  run.output = card.string("output.directory");
  if (run.output.empty()) card.reject("output.directory", "a directory name");
  return run;
}

nn::LcnnModel initial_model(const RunCard& card, const TrainRun& run) {
  if (!run.random_start) return nn::LcnnModel::load(run.model_file);
  nlohmann::json base;  // FatLinkAction::load names the file and what is wrong with it
  if (!run.base_file.empty()) base = FatLinkAction::load(run.base_file).to_json();
  try {
    return nn::LcnnModel::random(nn::Architecture::parse(run.architecture), run.model_seed,
                                 std::move(base));
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(
        fmt::format("run card '{}': model.architecture: {}", card.file().string(), e.what()));
  }
}

// A model that corrects a base action learns A_FP − A_base (train::subtract_base_action).
void subtract_base_action(const nn::LcnnModel& model, const std::string& source,
                          train::TrainingData& data) {
  if (model.base_action().is_null()) return;
  const LcnnAction action(std::make_shared<const nn::LcnnModel>(model), source);
  for (train::TrainingLabel& label : data.labels) train::subtract_base_action(label, *action.base());
}

// Runs `task` on rank 0 and makes its failure every rank's failure (the other ranks would
// otherwise wait in the next collective for ever).
void on_root(const Communicator& world, const std::function<void()>& task) {
  std::string error;
  if (world.is_root()) {
    try {
      task();
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  error = world.broadcast(error);
  if (!error.empty()) throw std::runtime_error(error);
}

json split_description(const train::TrainingData& data, const train::DataSplit& split,
                       const TrainRun& run) {
  const auto records = [&](const std::vector<std::size_t>& set) {
    json list = json::array();
    for (const std::size_t i : set)
      list.push_back({{"dataset", data.origins[i].dataset}, {"record", data.origins[i].record}});
    return list;
  };
  json datasets = json::array();
  for (const train::DatasetSource& source : run.datasets) {
    json entry = {{"file", source.file.string()}, {"weight", source.weight}};
    if (source.derivative_weight) entry["derivative_weight"] = *source.derivative_weight;
    datasets.push_back(entry);
  }
  return {{"seed", run.split_seed},
          {"validation_fraction", run.validation_fraction},
          {"test_fraction", run.test_fraction},
          {"datasets", datasets},
          {"train", records(split.train)},
          {"validation", records(split.validation)},
          {"test", records(split.test)}};
}

json loss_entry(const std::string& prefix, const train::LossSums& sums) {
  const train::LossSums m = sums.mean();
  return {{prefix + "_loss", m.loss},
          {prefix + "_value", m.value},
          {prefix + "_derivative", m.derivative},
          {prefix + "_value_error", m.value_error},
          {prefix + "_derivative_error", m.derivative_error}};
}

std::vector<const train::TrainingLabel*> labels_of(const train::TrainingData& data,
                                                   std::span<const std::size_t> indices) {
  std::vector<const train::TrainingLabel*> labels;
  for (const std::size_t i : indices) labels.push_back(&data.labels[i]);
  return labels;
}

// Rank 0 decides how the run starts: "fresh", "resume" (with the checkpoint's bytes) or
// "complete"; it also prepares the directory, run.toml, split.json and log.jsonl.
json start_run(const RunCard& card, const TrainRun& run, bool force, const json& split) {
  const fs::path dir = run.output, run_toml = dir / "run.toml", log = dir / "log.jsonl";
  const fs::path checkpoint = dir / kCheckpointName;
  const std::string resolved = card.to_toml();
  json plan = {{"status", "fresh"}};
  if (!force && fs::exists(run_toml)) {
    const std::string difference = first_difference(file_text(run_toml), resolved);
    if (!difference.empty())
      throw std::runtime_error(fmt::format(
          "output directory '{}' holds a run with another card (run.toml: {}); use the same "
          "card to resume it, or --force to start over",
          dir.string(), difference));
    if (fs::exists(dir / "model.fpglcnn")) return {{"status", "complete"}};
    if (fs::exists(checkpoint)) {
      const std::string bytes = file_text(checkpoint);
      const train::TrainingState state = train::parse_checkpoint(bytes, checkpoint.string());
      if (state.run_card != resolved)
        throw std::runtime_error(fmt::format("training checkpoint '{}' belongs to another card",
                                             checkpoint.string()));
      if (!fs::exists(log) || fs::file_size(log) < state.log_bytes)
        throw std::runtime_error(fmt::format(
            "cannot resume the run in '{}': log.jsonl is shorter than at the checkpoint ({} bytes)",
            dir.string(), state.log_bytes));
      fs::resize_file(log, state.log_bytes);
      plan = {{"status", "resume"}, {"checkpoint", json::binary({bytes.begin(), bytes.end()})}};
    }
  } else {
    prepare_run_directory(dir, force, is_run_output);
    card.write(run_toml);
  }
  if (plan["status"] == "fresh") write_output_file(log, "", true);
  write_output_file(dir / "split.json", split.dump(1) + "\n", true);
  return plan;
}

}  // namespace

void run_train(const RunCardOptions& options) {
  const Communicator& world = Communicator::world();
  const RunCard card = options.load(kDefaults, "output.directory");
  TrainRun run = prepare(card);
  train::TrainingData data = train::load_training_data(run.datasets);
  const train::DataSplit split = train::split_by_configuration(
      data, run.validation_fraction, run.test_fraction, run.split_seed);
  if (split.train.empty())
    card.reject("data.validation_fraction",
                fmt::format("fractions that leave training configurations ({} in all)",
                            data.labels.size()));
  if (run.patience > 0 && split.validation.empty())
    card.reject("training.patience", "0 (early stopping needs validation configurations)");
  nn::LcnnModel model = initial_model(card, run);
  subtract_base_action(model, run.random_start ? card.file().string() : run.model_file.string(),
                       data);
  const auto train_count = static_cast<std::int64_t>(split.train.size());
  // L-BFGS takes one step per epoch on the whole training set.
  const std::int64_t batches = run.lbfgs ? 1 : (train_count + run.batch_size - 1) / run.batch_size;
  run.schedule.total_steps = run.epochs * batches;
  try {
    run.schedule.validate();
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(fmt::format("run card '{}': [schedule]: {}", card.file().string(), e.what()));
  }

  json plan;
  on_root(world, [&] {
    plan = start_run(card, run, options.force, split_description(data, split, run));
  });
  const std::vector<std::uint8_t> plan_bytes = json::to_cbor(plan);
  plan = json::from_cbor(world.broadcast(std::string(plan_bytes.begin(), plan_bytes.end())));
  const bool root = world.is_root();
  const auto say = [&](const std::string& text) {
    if (!root) return;
    std::printf("%s\n", text.c_str());
    std::fflush(stdout);
  };
  if (plan["status"] == "complete") {
    say(fmt::format("the training in {} is complete (model.fpglcnn); --force starts it anew",
                    run.output.string()));
    return;
  }

  train::Adam adam(model.weights().size(), run.adam);
  LbfgsHistory lbfgs(run.lbfgs_history, serial_lbfgs_vector_ops());
  train::TrainingState state;
  state.run_card = card.to_toml();
  if (plan["status"] == "resume") {
    const auto& bytes = plan["checkpoint"].get_binary();
    state = train::parse_checkpoint(std::string(bytes.begin(), bytes.end()),
                                    (run.output / kCheckpointName).string());
    model.set_weights(state.weights);
    if (run.lbfgs) {
      for (std::size_t k = 0; k < state.lbfgs_steps.size(); ++k)
        lbfgs.add(state.lbfgs_steps[k], state.lbfgs_gradient_changes[k]);
    } else {
      adam.restore(state.optimiser);
    }
  } else {
    state.weights = state.best_weights = model.weights();
    if (!run.lbfgs) state.optimiser = adam.state();
  }
  const auto steps = [&] { return run.lbfgs ? state.optimiser.steps : adam.steps(); };
  const auto save_state = [&] {
    on_root(world, [&] {
      state.weights = model.weights();
      if (run.lbfgs) {
        state.lbfgs_steps.assign(lbfgs.steps().begin(), lbfgs.steps().end());
        state.lbfgs_gradient_changes.assign(lbfgs.gradient_changes().begin(),
                                            lbfgs.gradient_changes().end());
      } else {
        state.optimiser = adam.state();
      }
      train::save_checkpoint(run.output / kCheckpointName, state);
    });
  };

  const nn::ReceptiveField field = model.architecture().receptive_field();
  say(fmt::format(
      "training {} ({} parameters, receptive field {} sites per axis) on {} training, {} "
      "validation and {} test configurations from {} dataset(s) in {} process(es): {} epochs of "
      "{} steps{}",
      model.architecture().to_string(), model.weights().size(), field.side(), split.train.size(),
      split.validation.size(), split.test.size(), run.datasets.size(), world.size(), run.epochs,
      batches,
      plan["status"] == "resume"
          ? fmt::format("; resuming after step {} (epoch {})", steps(), state.epoch + 1)
          : ""));

  const std::vector<const train::TrainingLabel*> validation = labels_of(data, split.validation);
  const fs::path log_file = run.output / "log.jsonl";
  const auto append_log = [&](const json& line) {
    std::ofstream log(log_file, std::ios::app);
    log << line.dump() << "\n";
    log.flush();
    if (!log) throw std::runtime_error(fmt::format("cannot write '{}'", log_file.string()));
    state.log_bytes = fs::file_size(log_file);
  };
  const std::int64_t first_step = steps();
  Progress progress("train", run.schedule.total_steps - first_step, "steps");
  const auto wall_start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  std::int64_t trained = 0;  // configurations (over all ranks) in this process's lifetime
  std::vector<double> gradient;
  bool stopped_early = false;

  // Full-batch L-BFGS: a point is the weights with the training loss and its gradient there. The
  // current point is recomputed from the weights after a resume (the same bits: batch_loss is
  // deterministic), so the checkpoint needs only the weights and the curvature pairs.
  struct WeightPoint {
    std::vector<double> weights;
    double value = 0.0;
    LbfgsVector gradient;
    train::LossSums sums;
  };
  const std::vector<const train::TrainingLabel*> training = labels_of(data, split.train);
  const auto evaluate_at = [&](std::vector<double> weights) {
    model.set_weights(weights);
    WeightPoint point;
    point.weights = std::move(weights);
    point.sums = train::batch_loss(model, training, run.lambda, &point.gradient, world);
    point.value = point.sums.mean().loss;
    trained += train_count;
    const auto finite = [](double g) { return std::isfinite(g); };
    if (!std::isfinite(point.value) ||
        !std::all_of(point.gradient.begin(), point.gradient.end(), finite))
      throw std::runtime_error(fmt::format(
          "the training loss or its gradient is not finite (loss {}) at an L-BFGS trial step; "
          "lower optimiser.learning_rate (the length of the first step)", point.value));
    return point;
  };
  LbfgsIteration<WeightPoint> lbfgs_iteration(
      lbfgs, [&](const WeightPoint& from, const LbfgsVector& x, double alpha) {
        std::vector<double> weights = from.weights;
        for (std::size_t k = 0; k < weights.size(); ++k) weights[k] += alpha * x[k];
        return evaluate_at(std::move(weights));
      });
  std::optional<WeightPoint> current;
  bool converged = false;  // L-BFGS: no step lowers the training loss any more
  for (; state.epoch < run.epochs; ++state.epoch, state.batch = 0, state.epoch_loss = {},
                                   state.epoch_max_gradient_norm = 0.0,
                                   state.epoch_clipped_steps = 0) {
    if (run.patience > 0 && state.epochs_without_improvement >= run.patience) {
      stopped_early = true;
      break;
    }
    const auto epoch_start = std::chrono::steady_clock::now();
    const std::vector<std::size_t> order = train::epoch_order(split.train, run.shuffle_seed, state.epoch);
    std::int64_t epoch_steps = 0, learning_steps = 0;  // of this process, for the saturation check
    while (state.batch < batches && run.lbfgs) {
      if (!current) current = evaluate_at(model.weights());
      ++epoch_steps;
      const double norm = std::sqrt(lbfgs.ops().dot(current->gradient, current->gradient));
      if (norm == 0.0) break;  // saturated: reported below
      ++learning_steps;
      // Without curvature pairs the step is −η g/|g|: optimiser.learning_rate is its length.
      const bool moved = lbfgs_iteration.iterate(*current, run.adam.learning_rate / norm);
      model.set_weights(current->weights);  // the model last held a trial point of the search
      if (!moved) {
        converged = true;
        break;
      }
      state.epoch_loss = current->sums;
      state.epoch_max_gradient_norm =
          std::sqrt(lbfgs.ops().dot(current->gradient, current->gradient));
      ++state.optimiser.steps;
      ++state.batch;
      if (root)
        progress.update(steps() - first_step,
                        fmt::format("epoch {}, loss {:.4g}", state.epoch + 1, current->value));
      if (steps() % run.checkpoint_steps == 0) save_state();
    }
    if (converged) {
      stopped_early = true;
      break;
    }
    while (state.batch < batches && !run.lbfgs) {
      const auto begin = static_cast<std::size_t>(state.batch * run.batch_size);
      const std::size_t end = std::min(order.size(), begin + static_cast<std::size_t>(run.batch_size));
      const std::vector<const train::TrainingLabel*> batch =
          labels_of(data, std::span(order).subspan(begin, end - begin));
      state.epoch_loss += train::batch_loss(model, batch, run.lambda, &gradient, world);
      const double norm = train::clip_gradient_norm(gradient, run.clip_norm);
      state.epoch_max_gradient_norm = std::max(state.epoch_max_gradient_norm, norm);
      if (run.clip_norm > 0.0 && norm > run.clip_norm) ++state.epoch_clipped_steps;
      ++epoch_steps;
      if (std::any_of(gradient.begin(), gradient.end(), [](double g) { return g != 0.0; }))
        ++learning_steps;
      std::vector<double> weights = model.weights();
      adam.step(weights, gradient, run.schedule.at(adam.steps() + 1));
      model.set_weights(std::move(weights));
      ++state.batch;
      trained += static_cast<std::int64_t>(batch.size());
      if (root)
        progress.update(adam.steps() - first_step,
                        fmt::format("epoch {}, loss {:.4g}", state.epoch + 1,
                                    state.epoch_loss.mean().loss));
      if (adam.steps() % run.checkpoint_steps == 0) save_state();
    }
    // Saturated tanh units (e.g. after too large a step) make A_θ constant, so A_θ = 0 by the unit
    // subtraction, every gradient exactly zero and the loss 1 + λ for ever: stop, do not go on silently.
    if (epoch_steps > 0 && learning_steps == 0)
      throw std::runtime_error(fmt::format(
          "the network has saturated: every gradient of epoch {} is exactly zero (A_theta is "
          "constant, loss {:.6g}), so the training cannot go on; lower optimiser.learning_rate or "
          "use a head without hidden units (\"mlp\"), and start over with --force",
          state.epoch + 1, state.epoch_loss.mean().loss));
    const train::LossSums validated = train::batch_loss(model, validation, run.lambda, nullptr, world);
    const double validation_loss = validated.mean().loss;
    // Without validation configurations the best model is the last one.
    const bool improved = validation.empty() || validation_loss < state.best_validation_loss;
    if (improved) {
      if (!validation.empty()) state.best_validation_loss = validation_loss;
      state.best_epoch = state.epoch;
      state.best_weights = model.weights();
      state.epochs_without_improvement = 0;
    } else {
      ++state.epochs_without_improvement;
    }
    const double learning_rate = run.schedule.at(steps());  // of the epoch's last step
    json line = {{"epoch", state.epoch + 1}, {"step", steps()}};
    if (!run.lbfgs) line["learning_rate"] = learning_rate;
    line.update(loss_entry("train", state.epoch_loss));
    line["max_gradient_norm"] = state.epoch_max_gradient_norm;
    if (run.clip_norm > 0.0) line["clipped_steps"] = state.epoch_clipped_steps;
    if (!validation.empty()) line.update(loss_entry("validation", validated));
    line["best"] = improved;
    line["seconds"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
    on_root(world, [&] {
      append_log(line);
      if (improved)
        nn::LcnnModel(model.architecture(), state.best_weights, model.base_action())
            .save(run.output / "best.fpglcnn", true);
    });
    say(fmt::format("epoch {}/{}: train loss {:.6g}{}{}{}", state.epoch + 1, run.epochs,
                    state.epoch_loss.mean().loss,
                    validation.empty() ? "" : fmt::format(", validation loss {:.6g}", validation_loss),
                    run.lbfgs ? "" : fmt::format(", lr {:.3g}", learning_rate),
                    improved ? " (best)" : ""));
  }

  const nn::LcnnModel best(model.architecture(), state.best_weights, model.base_action());
  const train::LossSums tested =
      train::batch_loss(best, labels_of(data, split.test), run.lambda, nullptr, world);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  const double cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  json final_line = {{"final", true},
                     {"epochs", state.epoch},
                     {"steps", steps()},
                     {"stopped_early", stopped_early},
                     {"best_epoch", state.best_epoch + 1},
                     {"best_validation_loss", state.best_validation_loss},
                     {"model_fnv1a64", fmt::format("{:016x}", model.fingerprint())},
                     {"best_fnv1a64", fmt::format("{:016x}", best.fingerprint())}};
  if (!split.test.empty()) final_line.update(loss_entry("test", tested));
  // Throughput of this process's steps (value + derivative loss, gradient and update); the
  // only entries besides "seconds" that a resumed run does not reproduce.
  final_line["timing"] = {{"seconds", seconds},
                          {"cpu_seconds_rank0", cpu_seconds},
                          {"configurations", trained},
                          {"configurations_per_second", seconds > 0 ? trained / seconds : 0.0}};
  on_root(world, [&] {
    append_log(final_line);
    best.save(run.output / "best.fpglcnn", true);
    model.save(run.output / "model.fpglcnn", true);
  });
  say(fmt::format("done after {} epochs ({} steps{}): {}{}; {:.3g} configurations/s; wrote {}",
                  state.epoch, steps(),
                  converged ? ", stopped: no step lowers the training loss"
                            : stopped_early ? ", stopped early" : "",
                  validation.empty()
                      ? std::string("no validation configurations, best = final model")
                      : fmt::format("best validation loss {:.6g} in epoch {}",
                                    state.best_validation_loss, state.best_epoch + 1),
                  split.test.empty() ? "" : fmt::format(", test loss {:.6g}", tested.mean().loss),
                  final_line["timing"]["configurations_per_second"].get<double>(),
                  (run.output / "model.fpglcnn").string()));
}

void register_train_command(CLI::App& app) {
  auto options = std::make_shared<RunCardOptions>();
  CLI::App* command = app.add_subcommand(
      "train",
      "Train an L-CNN action on FP label datasets (loss on values and derivatives, Adam/AdamW "
      "on minibatches with learning-rate schedules or full-batch L-BFGS, early stopping); rerunning with the same card resumes from the "
      "last checkpoint bit for bit; under mpirun each batch is split across ranks. "
      "configs/train_quickstart.toml documents every key.");
  add_run_card_options(*command, *options, "training.epochs=50",
                       "Output directory (overrides output.directory)",
                       "Start anew, removing the outputs of a previous run in the directory");
  command->callback([options] {
    try {
      run_train(*options);
    } catch (const std::exception&) {
      // Every rank fails at the same point (see the top of this file); rank 0 reports it.
      if (!Communicator::world().is_root()) std::exit(1);
      throw;
    }
  });
}

}  // namespace fpgauge::cli
