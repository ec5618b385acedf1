#include "fpgauge/io/FlowHistoryFile.h"

#include <fmt/format.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fpgauge {

const std::vector<double>& FlowHistoryTable::column(std::string_view name,
                                                    const std::filesystem::path& file) const {
  const auto found = std::find(names.begin(), names.end(), name);
  if (found == names.end())
    throw std::runtime_error(fmt::format("{}: no column '{}' (columns: {})", file.string(), name,
                                         fmt::join(names, ",")));
  return columns[static_cast<std::size_t>(found - names.begin())];
}

std::string flow_history_csv(const FlowHistoryTable& table) {
  if (table.columns.size() != table.names.size() || table.columns.empty())
    throw std::invalid_argument("flow history: one column per name expected");
  const std::size_t rows = table.columns.front().size();
  for (const auto& c : table.columns)
    if (c.size() != rows) throw std::invalid_argument("flow history: columns of unequal length");
  std::string csv = fmt::format("# steps {} rejected {}\n{}\n", table.steps, table.rejected,
                                fmt::join(table.names, ","));
  for (std::size_t r = 0; r < rows; ++r) {
    csv += fmt::format("{:.10g}", table.columns[0][r]);  // t: the measurement grid
    for (std::size_t c = 1; c < table.columns.size(); ++c)
      csv += fmt::format(",{:.17g}", table.columns[c][r]);
    csv += "\n";
  }
  return csv;
}

FlowHistoryTable read_flow_history(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(fmt::format("cannot read '{}'", file.string()));
  FlowHistoryTable table;
  std::string line;
  std::getline(in, line);
  if (std::sscanf(line.c_str(), "# steps %" SCNd64 " rejected %" SCNd64, &table.steps,
                  &table.rejected) != 2)
    throw std::runtime_error(fmt::format("{}: first line '{}' is not '# steps N rejected M'",
                                         file.string(), line));
  std::getline(in, line);
  std::stringstream header(line);
  for (std::string name; std::getline(header, name, ',');) table.names.push_back(name);
  if (table.names.empty() || table.names.front() != "t")
    throw std::runtime_error(
        fmt::format("{}: second line '{}' is not the column names 't,...'", file.string(), line));
  table.columns.assign(table.names.size(), {});
  while (std::getline(in, line)) {
    std::stringstream fields(line);
    std::size_t c = 0;
    for (std::string field; std::getline(fields, field, ','); ++c) {
      std::size_t used = 0;
      double value = 0.0;
      try {
        value = std::stod(field, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != field.size() || c >= table.names.size())
        throw std::runtime_error(fmt::format("{}: malformed line '{}'", file.string(), line));
      table.columns[c].push_back(value);
    }
    if (c != table.names.size())
      throw std::runtime_error(fmt::format("{}: malformed line '{}'", file.string(), line));
  }
  return table;
}

}  // namespace fpgauge
