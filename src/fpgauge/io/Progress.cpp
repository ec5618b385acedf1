#include "fpgauge/io/Progress.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>

namespace fpgauge {

Progress::Progress(std::string task, std::int64_t total, std::string unit, double interval)
    : task_(std::move(task)), total_(total), unit_(std::move(unit)), interval_(interval) {}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(Clock::now() - start_).count();
}

void Progress::update(std::int64_t done, const std::string& detail) {
  const Clock::time_point now = Clock::now();
  if (done < total_ && std::chrono::duration<double>(now - last_print_).count() < interval_)
    return;
  last_print_ = now;
  const double elapsed = elapsed_seconds();
  const double remaining = done > 0 ? elapsed / done * (total_ - done) : NAN;
  std::string line = fmt::format("{}: {}/{} {} ({:.0f}%), {} elapsed", task_, done, total_, unit_,
                                 total_ > 0 ? 100.0 * done / total_ : 100.0,
                                 format_duration(elapsed));
  if (done < total_) line += fmt::format(", ETA {}", format_duration(remaining));
  if (!detail.empty()) line += ", " + detail;
  std::fprintf(stderr, "%s\n", line.c_str());
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds)) return "unknown";
  if (seconds < 60) return fmt::format("{:.0f} s", seconds);
  const auto s = static_cast<long long>(std::lround(seconds));
  if (s < 3600) return fmt::format("{} min {} s", s / 60, s % 60);
  return fmt::format("{} h {} min", s / 3600, (s % 3600) / 60);
}

}  // namespace fpgauge
