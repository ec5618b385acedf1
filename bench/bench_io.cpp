// Reading and writing a 16^4 gauge configuration in every format and precision
// (io/ConfigurationFile.h): NERSC 64/32, ILDG 64/32, openQCD 64.
//
// Counters: MB/s = file bytes (10^6) per second of wall time; file_MB the size of the file.
// Writing includes what write_configuration always does: the SU(3) check of every link, the
// header observables, the checksum, the temporary file, fsync and rename (io/OutputFile.h).
// Reading includes every check of the format (checksum, SU(3) of every link, the plaquette
// recomputed). Files live in FPGAUGE_BENCH_DIR if set, else /dev/shm (tmpfs: no disk, so the
// numbers are those of the code, not of a device), else the system's temporary directory; the
// label names the directory. A read follows a write of the same file, so it comes from the
// page cache in every case.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "fpgauge/io/ConfigurationFile.h"
#include "fpgauge/lattice/GaugeFieldOps.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;

constexpr int kExtent = 16;
constexpr std::uint64_t kSeed = 20261126;

fs::path bench_directory() {
  if (const char* dir = std::getenv("FPGAUGE_BENCH_DIR")) return dir;
  if (fs::is_directory("/dev/shm")) return "/dev/shm";
  return fs::temp_directory_path();
}

ConfigurationFormat format_of(const benchmark::State& state) {
  return static_cast<ConfigurationFormat>(state.range(0));
}

fs::path bench_file(const benchmark::State& state) {
  const ConfigurationFormat format = format_of(state);
  return bench_directory() / ("fpgauge-bench-io-" + std::to_string(::getpid()) + "-" +
                              std::string(format_name(format)) + std::to_string(state.range(1)) +
                              std::string(format_extension(format)));
}

const GaugeField& bench_field() {
  static const GaugeField u =
      random_gauge_field(Geometry::make({kExtent, kExtent, kExtent, kExtent}), kSeed);
  return u;
}

void set_counters(benchmark::State& state, const fs::path& file) {
  const double megabytes = static_cast<double>(fs::file_size(file)) * 1e-6;
  state.counters["MB/s"] =
      benchmark::Counter(megabytes, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["file_MB"] = megabytes;
  state.SetLabel(std::string(format_name(format_of(state))) + " " + std::to_string(state.range(1)) +
                 "-bit in " + file.parent_path().string());
}

void BM_WriteConfiguration(benchmark::State& state) {
  const fs::path file = bench_file(state);
  const GaugeField& u = bench_field();
  for (auto _ : state)
    write_configuration(file, u, format_of(state), static_cast<int>(state.range(1)), true);
  set_counters(state, file);
  fs::remove(file);
}

void BM_ReadConfiguration(benchmark::State& state) {
  const fs::path file = bench_file(state);
  write_configuration(file, bench_field(), format_of(state), static_cast<int>(state.range(1)),
                      true);
  for (auto _ : state) benchmark::DoNotOptimize(read_configuration(file));
  set_counters(state, file);
  fs::remove(file);
}

// Arguments: the format (ConfigurationFormat as an integer) and the bits per real.
void formats_and_precisions(benchmark::internal::Benchmark* b) {
  b->ArgNames({"format", "bits"});
  b->Args({static_cast<int>(ConfigurationFormat::nersc), 64});
  b->Args({static_cast<int>(ConfigurationFormat::nersc), 32});
  b->Args({static_cast<int>(ConfigurationFormat::ildg), 64});
  b->Args({static_cast<int>(ConfigurationFormat::ildg), 32});
  b->Args({static_cast<int>(ConfigurationFormat::openqcd), 64});
}

BENCHMARK(BM_WriteConfiguration)
    ->Apply(formats_and_precisions)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReadConfiguration)
    ->Apply(formats_and_precisions)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fpgauge
