// Local updates of the Wilson action (mc/Heatbath.h): Cabibbo–Marinari heatbath with
// Kennedy–Pendleton sampling, overrelaxation, and the usual compound update of one heatbath and
// four overrelaxation sweeps.
//
// Counters: ns/link is wall time per link and per update of every link (for HB+4OR: per link
// and compound update, i.e. one heatbath and four overrelaxation steps of that link);
// links/s the corresponding rate. UseRealTime: sweeps run on several OpenMP threads.
// Arguments: L (an L^4 lattice) and the number of OpenMP threads. The field is thermalised at
// β = 6 first (3 heatbath sweeps from a hot start), so the heatbath's acceptance is that of a
// typical configuration.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <cstdint>

#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/mc/Heatbath.h"

namespace fpgauge {
namespace {

constexpr double kBeta = 6.0;
constexpr std::uint64_t kSeed = 20250101;

struct Setup {
  std::shared_ptr<const Geometry> geometry;
  GaugeField u;
  GaugeLoopAction action = GaugeLoopAction::wilson();
  std::uint64_t sweep = 0;

  explicit Setup(benchmark::State& state)
      : geometry(Geometry::make({int(state.range(0)), int(state.range(0)), int(state.range(0)),
                                 int(state.range(0))})),
        u(random_gauge_field(geometry, kSeed)) {
    omp_set_num_threads(int(state.range(1)));
    for (int i = 0; i < 3; ++i) heatbath_sweep(u, action, kBeta, kSeed, sweep++);
  }
  void set_counters(benchmark::State& state) const {
    using benchmark::Counter;
    const double links = double(geometry->link_count());
    state.counters["ns/link"] =
        Counter(links * 1e-9, Counter::kIsIterationInvariantRate | Counter::kInvert);
    state.counters["links/s"] = Counter(links, Counter::kIsIterationInvariantRate);
  }
};

void BM_Heatbath(benchmark::State& state) {
  Setup setup(state);
  for (auto _ : state) {
    heatbath_sweep(setup.u, setup.action, kBeta, kSeed, setup.sweep++);
    benchmark::ClobberMemory();
  }
  setup.set_counters(state);
}

void BM_Overrelaxation(benchmark::State& state) {
  Setup setup(state);
  for (auto _ : state) {
    overrelaxation_sweep(setup.u, setup.action);
    benchmark::ClobberMemory();
  }
  setup.set_counters(state);
}

void BM_HeatbathPlus4Overrelaxation(benchmark::State& state) {
  Setup setup(state);
  for (auto _ : state) {
    heatbath_sweep(setup.u, setup.action, kBeta, kSeed, setup.sweep++);
    for (int i = 0; i < 4; ++i) overrelaxation_sweep(setup.u, setup.action);
    benchmark::ClobberMemory();
  }
  setup.set_counters(state);
}

void lattice_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"L", "threads"})
      ->ArgsProduct({{8, 16}, {1, 2}})
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond)
      ->MinTime(0.5);
}

BENCHMARK(BM_Heatbath)->Apply(lattice_args);
BENCHMARK(BM_Overrelaxation)->Apply(lattice_args);
BENCHMARK(BM_HeatbathPlus4Overrelaxation)->Apply(lattice_args);

}  // namespace
}  // namespace fpgauge
