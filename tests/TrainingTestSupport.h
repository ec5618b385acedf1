#pragma once
// Label datasets for the training tests: the "labels" are the Wilson action and its derivative
// on random fields near the unit field (fast, no FP minimisation; a network that fits them is
// fitting a known local action).
#include <fmt/format.h>

#include <filesystem>

#include "TestSupport.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/io/LabelDataset.h"

namespace fpgauge::test {

// Writes `count` records on `extents` (fields near_unit_gauge_field(seed + k, amplitude)).
inline void write_wilson_dataset(const std::filesystem::path& file, const Coordinates& extents,
                                 int count, std::uint64_t seed, double amplitude = 0.5) {
  LabelDatasetHeader header;
  header.coarse_extents = extents;
  header.fine_action = R"j({"name":"wilson","labels":"A_W itself (test data)"})j";
  header.kernel = R"({"name":"none"})";
  header.minimiser = R"({"name":"none"})";
  header.run_card = "# test data\n";
  LabelDatasetWriter writer(file, header, false);
  const GaugeLoopAction wilson = GaugeLoopAction::wilson();
  for (int k = 0; k < count; ++k) {
    LabelRecord record;
    record.source = fmt::format("wilson_{}_{}", seed, k);
    record.configuration = near_unit_gauge_field(Geometry::make(extents), seed + k, amplitude);
    AlgebraField force;
    wilson.force(record.configuration, force);
    for (SiteIndex l = 0; l < force.size(); ++l)
      record.derivative.push_back(matrix_to_algebra(force[l]));
    record.action = wilson.value(record.configuration);
    record.converged = true;
    writer.append(record);
  }
  writer.commit();
}

}  // namespace fpgauge::test
