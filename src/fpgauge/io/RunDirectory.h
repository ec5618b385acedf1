#pragma once
// The output directory of a run (generate, instantons, ...): a run never lands on top of another
// one unless asked (developers' guide; openQCD's rule).
#include <filesystem>
#include <functional>

namespace fpgauge {

// Creates `dir` if needed. If it already holds files of a run (those for which `is_run_output`
// is true), throws std::runtime_error naming the directory and one such file, unless `force`,
// in which case they are removed first, so that no stale output outlives its run card.
void prepare_run_directory(const std::filesystem::path& dir, bool force,
                           const std::function<bool(const std::filesystem::path&)>& is_run_output);

}  // namespace fpgauge
