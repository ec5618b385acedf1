#pragma once
// The data of a training run (SPEC §6): labelled configurations from one or more HDF5 label
// datasets (io/LabelDataset.h), each dataset with a loss weight (e.g. instantons mixed with MC
// data for finetuning: dataset k contributes the share w_k N_k / Σ_j w_j N_j of the loss), split
// into training, validation and test sets by configuration, and the order of the training set
// in each epoch. Both random choices are keyed (lattice/Rng.h), with no hidden state: the split
// by (seed, dataset, record), the epoch order by (seed, epoch), so that a resumed run sees the
// same batches as an uninterrupted one.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <vector>

#include "fpgauge/train/TrainingLoss.h"

namespace fpgauge::train {

struct DatasetSource {
  std::filesystem::path file;
  double weight = 1.0;
  std::optional<double> derivative_weight = std::nullopt;  // λ of its labels, if not the loss's
};

// Where a label comes from: index of its dataset in the list and of its record in the file.
struct LabelOrigin {
  std::size_t dataset = 0;
  std::size_t record = 0;
};

struct TrainingData {
  std::vector<TrainingLabel> labels;
  std::vector<LabelOrigin> origins;  // per label
};

// Reads every dataset in order. Throws std::runtime_error naming the file (and record) for a
// missing or malformed dataset, an empty one, one made by another RG transformation than the
// first (check_same_transformation), or a label the loss cannot use (make_training_label). Datasets and records may have different extents: the loss treats each
// configuration on its own, so a batch may mix them.
TrainingData load_training_data(std::span<const DatasetSource> sources);

// Indices into TrainingData::labels.
struct DataSplit {
  std::vector<std::size_t> train, validation, test;
};

// Per dataset of N records: the records ordered by the key Philox(seed, training_split,
// dataset, record); the first round(f_val N) are validation, the next round(f_test N) test, the
// rest training, each set in record order. So the sizes are exact, the split of a dataset does
// not depend on the other datasets, and it is the same on every rank and in every rerun. Throws
// std::invalid_argument unless 0 <= f_val, f_test and f_val + f_test < 1.
DataSplit split_by_configuration(const TrainingData& data, double validation_fraction,
                                 double test_fraction, std::uint64_t seed);

// The training set in the order of epoch e (Fisher–Yates driven by Philox(seed,
// training_shuffle, e)); minibatches are consecutive runs of it.
std::vector<std::size_t> epoch_order(std::span<const std::size_t> train, std::uint64_t seed,
                                     std::int64_t epoch);

}  // namespace fpgauge::train
