#include "fpgauge/train/TrainingCheckpoint.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "fpgauge/io/OutputFile.h"

namespace fpgauge::train {
namespace {

using nlohmann::json;
constexpr const char* kFormat = "fpgauge-training-checkpoint";
constexpr int kVersion = 1;
static_assert(std::endian::native == std::endian::little,
              "checkpoints store binary64 in host order, which must be little-endian");

json binary_of(const std::vector<double>& values) {
  std::vector<std::uint8_t> bytes(values.size() * sizeof(double));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return json::binary(std::move(bytes));
}

std::vector<double> doubles_of(const json& node) {
  const auto& bytes = node.get_binary();
  if (bytes.size() % sizeof(double) != 0) throw std::runtime_error("truncated vector");
  std::vector<double> values(bytes.size() / sizeof(double));
  std::memcpy(values.data(), bytes.data(), bytes.size());
  return values;
}

json binaries_of(const std::vector<std::vector<double>>& vectors) {
  json list = json::array();
  for (const std::vector<double>& v : vectors) list.push_back(binary_of(v));
  return list;
}

// Absent from checkpoints written before the L-BFGS option: no pairs, as for an Adam run.
std::vector<std::vector<double>> vectors_of(const json& checkpoint, const char* key) {
  std::vector<std::vector<double>> vectors;
  if (checkpoint.contains(key))
    for (const json& v : checkpoint.at(key)) vectors.push_back(doubles_of(v));
  return vectors;
}

}  // namespace

std::string checkpoint_bytes(const TrainingState& s) {
  const LossSums& e = s.epoch_loss;
  const json state = {
      {"format", kFormat},
      {"version", kVersion},
      {"run_card", s.run_card},
      {"weights", binary_of(s.weights)},
      {"adam_m", binary_of(s.optimiser.m)},
      {"adam_v", binary_of(s.optimiser.v)},
      {"steps", s.optimiser.steps},
      {"epoch", s.epoch},
      {"batch", s.batch},
      {"epoch_loss", binary_of({e.weight, e.loss, e.value, e.derivative, e.value_error,
                                e.derivative_error})},
      {"epoch_max_gradient_norm", binary_of({s.epoch_max_gradient_norm})},
      {"epoch_clipped_steps", s.epoch_clipped_steps},
      {"best_validation_loss", binary_of({s.best_validation_loss})},
      {"best_epoch", s.best_epoch},
      {"best_weights", binary_of(s.best_weights)},
      {"epochs_without_improvement", s.epochs_without_improvement},
      {"log_bytes", s.log_bytes},
      {"lbfgs_steps", binaries_of(s.lbfgs_steps)},
      {"lbfgs_gradient_changes", binaries_of(s.lbfgs_gradient_changes)}};
  const std::vector<std::uint8_t> bytes = json::to_cbor(state);
  return std::string(bytes.begin(), bytes.end());
}

void save_checkpoint(const std::filesystem::path& file, const TrainingState& state) {
  write_output_file(file, checkpoint_bytes(state), true);
}

TrainingState parse_checkpoint(const std::string& bytes, const std::string& origin) {
  try {
    const json c = json::from_cbor(bytes);
    if (c.at("format") != kFormat || c.at("version") != kVersion)
      throw std::runtime_error(fmt::format("not a version {} {} file", kVersion, kFormat));
    TrainingState s;
    s.run_card = c.at("run_card").get<std::string>();
    s.weights = doubles_of(c.at("weights"));
    s.optimiser = {doubles_of(c.at("adam_m")), doubles_of(c.at("adam_v")),
                   c.at("steps").get<std::int64_t>()};
    s.epoch = c.at("epoch").get<std::int64_t>();
    s.batch = c.at("batch").get<std::int64_t>();
    const std::vector<double> e = doubles_of(c.at("epoch_loss"));
    const std::vector<double> best = doubles_of(c.at("best_validation_loss"));
    if (e.size() != 6 || best.size() != 1) throw std::runtime_error("malformed loss record");
    s.epoch_loss = {e[0], e[1], e[2], e[3], e[4], e[5]};
    s.best_validation_loss = best[0];
    // Absent from checkpoints written before gradient clipping: 0, as for a run without it.
    if (c.contains("epoch_max_gradient_norm")) {
      const std::vector<double> norm = doubles_of(c.at("epoch_max_gradient_norm"));
      if (norm.size() != 1) throw std::runtime_error("malformed gradient-norm record");
      s.epoch_max_gradient_norm = norm[0];
    }
    s.epoch_clipped_steps = c.value("epoch_clipped_steps", std::int64_t{0});
    s.best_epoch = c.at("best_epoch").get<std::int64_t>();
    s.best_weights = doubles_of(c.at("best_weights"));
    s.epochs_without_improvement = c.at("epochs_without_improvement").get<std::int64_t>();
    s.log_bytes = c.at("log_bytes").get<std::uint64_t>();
    s.lbfgs_steps = vectors_of(c, "lbfgs_steps");
    s.lbfgs_gradient_changes = vectors_of(c, "lbfgs_gradient_changes");
    if (s.lbfgs_steps.size() != s.lbfgs_gradient_changes.size())
      throw std::runtime_error("L-BFGS history with unequal numbers of s and y");
    return s;
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("training checkpoint '{}': {}", origin, e.what()));
  }
}

}  // namespace fpgauge::train
