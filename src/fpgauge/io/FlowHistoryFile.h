#pragma once
// The history of one configuration in a gradient-flow run, DIR/flow_NNNN.csv (cli/FlowCommand.cpp):
//
//   # steps N rejected M          (the integrator's accepted and rejected steps)
//   t,E_clover,E_plaquette,Q      (column names: t first, then the measured quantities)
//   0,2.21,16.36,-0.177           (one row per measurement time, %.17g)
//
// Written by the flow command, read back when it resumes and by the scaling analysis, which
// redoes the jackknife of t0 and w0 over bins of consecutive configurations.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace fpgauge {

struct FlowHistoryTable {
  std::int64_t steps = 0;
  std::int64_t rejected = 0;
  std::vector<std::string> names;            // column names, "t" first
  std::vector<std::vector<double>> columns;  // columns[c][row], one per name

  // The column called `name`; throws std::runtime_error naming `file` and the columns present.
  const std::vector<double>& column(std::string_view name, const std::filesystem::path& file) const;
};

// The file's text. Throws std::invalid_argument if the columns differ in length or in number
// from the names.
std::string flow_history_csv(const FlowHistoryTable& table);

// Throws std::runtime_error naming the file and the offending line for anything that is not
// such a table (a missing header, a row with the wrong number of fields or a non-number).
FlowHistoryTable read_flow_history(const std::filesystem::path& file);

}  // namespace fpgauge
