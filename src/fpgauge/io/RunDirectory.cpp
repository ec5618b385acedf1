#include "fpgauge/io/RunDirectory.h"

#include <fmt/format.h>

#include <stdexcept>
#include <vector>

namespace fpgauge {

namespace fs = std::filesystem;

void prepare_run_directory(const fs::path& dir, bool force,
                           const std::function<bool(const fs::path&)>& is_run_output) {
  if (fs::exists(dir) && !fs::is_directory(dir))
    throw std::runtime_error(fmt::format("output '{}' exists and is not a directory", dir.string()));
  fs::create_directories(dir);
  std::vector<fs::path> previous;
  for (const auto& entry : fs::directory_iterator(dir))
    if (is_run_output(entry.path())) previous.push_back(entry.path());
  if (previous.empty()) return;
  if (!force)
    throw std::runtime_error(fmt::format(
        "output directory '{}' already holds a run ({}); choose another --output or pass --force "
        "to replace it",
        dir.string(), previous.front().filename().string()));
  for (const fs::path& file : previous) fs::remove(file);
}

}  // namespace fpgauge
