#pragma once
// The state of a training run between two steps: everything the next step depends on, so that
// a run restored from a checkpoint continues bit for bit like an uninterrupted one (the data
// order is keyed by (seed, epoch), train/TrainingData.h, and holds no state of its own).
// File format: CBOR (RFC 8949) of a map with format = "fpgauge-training-checkpoint", version 1;
// the double vectors as byte strings of little-endian binary64, all scalars exact.
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "fpgauge/train/Adam.h"
#include "fpgauge/train/TrainingLoss.h"

namespace fpgauge::train {

struct TrainingState {
  std::string run_card;                 // the resolved card of the run (TOML text)
  std::vector<double> weights;
  AdamState optimiser;                  // optimiser.steps = steps taken (by either optimiser)
  // L-BFGS (full batch): the curvature pairs s, y, oldest first (core/Lbfgs.h); empty for Adam.
  std::vector<std::vector<double>> lbfgs_steps, lbfgs_gradient_changes;
  std::int64_t epoch = 0;               // the epoch in progress (0-based)
  std::int64_t batch = 0;               // its batches done
  LossSums epoch_loss;                  // its training-loss sums so far
  double epoch_max_gradient_norm = 0.0;  // its largest batch-gradient norm so far (before clipping)
  std::int64_t epoch_clipped_steps = 0;  // its steps with a clipped gradient
  double best_validation_loss = std::numeric_limits<double>::infinity();
  std::int64_t best_epoch = -1;
  std::vector<double> best_weights;
  std::int64_t epochs_without_improvement = 0;  // early stopping
  std::uint64_t log_bytes = 0;          // length of log.jsonl at this state
};

// Writes the state to `file` atomically (temporary + rename, io/OutputFile.h), replacing it.
void save_checkpoint(const std::filesystem::path& file, const TrainingState& state);
std::string checkpoint_bytes(const TrainingState& state);
// Throws std::runtime_error naming `origin` (the file) for bytes that are not a checkpoint.
TrainingState parse_checkpoint(const std::string& bytes, const std::string& origin);

}  // namespace fpgauge::train
