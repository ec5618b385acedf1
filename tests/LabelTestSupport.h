#pragma once
// Label records made by an action instead of an FP minimisation (fast; a model that fits them is
// fitting a known local action): A_FP = scale·A(U), ∂A_FP = scale·∂A(U), on fields near the unit
// field. Used by the training, baseline and fit tests.
#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <vector>

#include "TestSupport.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/io/LabelDataset.h"

namespace fpgauge::test {

inline LabelRecord action_label(const Action& action, GaugeField u, std::string source,
                                double scale = 1.0) {
  LabelRecord record;
  record.source = std::move(source);
  record.action = scale * action.value(u);
  AlgebraField d;
  action.force(u, d);
  for (SiteIndex l = 0; l < d.size(); ++l) {
    Algebra<double> h = matrix_to_algebra(d[l]);
    for (double& x : h) x *= scale;
    record.derivative.push_back(h);
  }
  record.configuration = std::move(u);
  record.converged = true;
  return record;
}

// Writes the records (all on one lattice) as a dataset whose labels came from `action`.
inline void write_action_dataset(const std::filesystem::path& file, const Action& action,
                                 const std::vector<LabelRecord>& records,
                                 const std::string& minimiser = R"({"name":"none"})") {
  LabelDatasetHeader header;
  header.coarse_extents = records.front().configuration.geometry().extents();
  header.fine_action = action.description().dump();
  header.kernel = R"j({"name":"none: labels of the action itself (test data)"})j";
  header.minimiser = minimiser;
  header.run_card = "# test data\n";
  LabelDatasetWriter writer(file, header, false);
  for (const LabelRecord& record : records) writer.append(record);
  writer.commit();
}

// `count` Wilson-labelled records on `extents` (fields near_unit_gauge_field(seed + k, amplitude)).
inline void write_wilson_dataset(const std::filesystem::path& file, const Coordinates& extents,
                                 int count, std::uint64_t seed, double amplitude = 0.5) {
  const GaugeLoopAction wilson = GaugeLoopAction::wilson();
  std::vector<LabelRecord> records;
  for (int k = 0; k < count; ++k)
    records.push_back(action_label(
        wilson, near_unit_gauge_field(Geometry::make(extents), seed + k, amplitude),
        fmt::format("wilson_{}_{}", seed, k)));
  write_action_dataset(file, wilson, records);
}

}  // namespace fpgauge::test
