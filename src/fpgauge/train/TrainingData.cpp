#include "fpgauge/train/TrainingData.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "fpgauge/io/LabelDataset.h"
#include "fpgauge/lattice/Rng.h"

namespace fpgauge::train {

TrainingData load_training_data(std::span<const DatasetSource> sources) {
  TrainingData data;
  LabelDatasetHeader first;  // of sources[0]: every other dataset must share its transformation
  for (std::size_t k = 0; k < sources.size(); ++k) {
    const std::string file = sources[k].file.string();
    if (!std::filesystem::exists(sources[k].file))
      throw std::runtime_error(fmt::format("label dataset '{}' does not exist", file));
    LabelDataset dataset = read_label_dataset(sources[k].file);
    if (dataset.records.empty())
      throw std::runtime_error(fmt::format("label dataset '{}' holds no records", file));
    if (k == 0)
      first = dataset.header;
    else
      check_same_transformation(sources[k].file, dataset.header, sources[0].file, first);
    for (std::size_t r = 0; r < dataset.records.size(); ++r) {
      LabelRecord& record = dataset.records[r];
      try {
        data.labels.push_back(make_training_label(
            std::move(record.configuration), record.derivative, record.action, sources[k].weight,
            fmt::format("label dataset '{}' record {} ('{}')", file, r, record.source)));
        data.labels.back().derivative_weight = sources[k].derivative_weight;
      } catch (const std::invalid_argument& e) {
        throw std::runtime_error(e.what());
      }
      data.origins.push_back({k, r});
    }
  }
  return data;
}

DataSplit split_by_configuration(const TrainingData& data, double validation_fraction,
                                 double test_fraction, std::uint64_t seed) {
  if (!(validation_fraction >= 0.0) || !(test_fraction >= 0.0) ||
      !(validation_fraction + test_fraction < 1.0))
    throw std::invalid_argument(fmt::format(
        "split: validation fraction {} and test fraction {} must be >= 0 with a sum below 1",
        validation_fraction, test_fraction));
  // The labels of each dataset, as (key, label index).
  std::vector<std::vector<std::pair<std::uint64_t, std::size_t>>> datasets;
  for (std::size_t i = 0; i < data.labels.size(); ++i) {
    const LabelOrigin& o = data.origins[i];
    if (o.dataset >= datasets.size()) datasets.resize(o.dataset + 1);
    const std::uint64_t key = RngStream(seed, RngPurpose::training_split, o.dataset, o.record).bits();
    datasets[o.dataset].emplace_back(key, i);
  }
  DataSplit split;
  for (auto& keyed : datasets) {
    std::sort(keyed.begin(), keyed.end());
    const auto n = static_cast<double>(keyed.size());
    const auto validation = static_cast<std::size_t>(std::llround(validation_fraction * n));
    const auto test = std::min(keyed.size() - validation,
                               static_cast<std::size_t>(std::llround(test_fraction * n)));
    for (std::size_t j = 0; j < keyed.size(); ++j)
      (j < validation ? split.validation : j < validation + test ? split.test : split.train)
          .push_back(keyed[j].second);
  }
  for (std::vector<std::size_t>* set : {&split.train, &split.validation, &split.test})
    std::sort(set->begin(), set->end());
  return split;
}

std::vector<std::size_t> epoch_order(std::span<const std::size_t> train, std::uint64_t seed,
                                     std::int64_t epoch) {
  std::vector<std::size_t> order(train.begin(), train.end());
  RngStream rng(seed, RngPurpose::training_shuffle, static_cast<std::uint64_t>(epoch), 0);
  for (std::size_t i = order.size(); i > 1; --i)
    std::swap(order[i - 1], order[rng.bits() % i]);  // modulo bias < i/2^64: negligible
  return order;
}

}  // namespace fpgauge::train
