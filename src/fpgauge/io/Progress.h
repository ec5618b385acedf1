#pragma once
// Progress of a long job on stderr: "TASK: DONE/TOTAL UNIT (PCT%), ELAPSED elapsed, ETA REMAINING
// [, DETAIL]". The estimate is the mean time per step so far times the steps left. A line is
// printed at most every `interval` seconds and always for the last step, so a log file that
// captures stderr stays short while an interactive user sees the job move.
#include <chrono>
#include <cstdint>
#include <string>

namespace fpgauge {

class Progress {
 public:
  Progress(std::string task, std::int64_t total, std::string unit, double interval = 2.0);

  // Reports that `done` of the total steps are finished; `detail` (e.g. the last plaquette)
  // is appended to the line.
  void update(std::int64_t done, const std::string& detail = "");

  double elapsed_seconds() const;

 private:
  using Clock = std::chrono::steady_clock;

  std::string task_;
  std::int64_t total_;
  std::string unit_;
  double interval_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_print_ = start_;
};

// "42 s", "3 min 5 s", "2 h 7 min".
std::string format_duration(double seconds);

}  // namespace fpgauge
