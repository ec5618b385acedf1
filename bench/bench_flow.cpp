// The gradient flow (flow/GradientFlow.h): wall time per unit flow time with each flow action
// (Wilson, Symanzik, Iwasaki on 8^4 and 16^4; the shipped L-CNN model, models/default, on 4^4
// and 8^4), fixed RK3 step ε = 0.02 (three forces per step, so 150 force evaluations per unit
// flow time), 1 and 2 threads; and the flow measurement (clover E and Q from one pass).
// Counter: s per unit t and link-updates per second.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <memory>

#include "fpgauge/actions/ActionFactory.h"
#include "fpgauge/flow/GradientFlow.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/observables/Topology.h"

namespace fpgauge {
namespace {

constexpr double kStep = 0.02;
constexpr double kFlowTime = 0.1;  // per benchmark iteration: 5 steps

std::unique_ptr<Action> flow_action(int index) {
  switch (index) {
    case 0: return make_action("wilson");
    case 1: return make_action("symanzik");
    case 2: return make_action("iwasaki");
    default: return make_action("lcnn:" FPGAUGE_SOURCE_DIR "/models/default/model.fpglcnn");
  }
}

void BM_Flow(benchmark::State& state) {
  const int l = int(state.range(0));
  omp_set_num_threads(int(state.range(2)));
  const std::unique_ptr<Action> action = flow_action(int(state.range(1)));
  state.SetLabel(action->name());
  const GaugeField start = random_gauge_field(Geometry::make({l, l, l, l}), 7);
  GradientFlow flow(*action, {.step = kStep});
  for (auto _ : state) {
    state.PauseTiming();
    GaugeField v = start;
    state.ResumeTiming();
    flow.advance(v, 0.0, kFlowTime);
    benchmark::DoNotOptimize(v.data());
  }
  const double links = double(start.size());
  state.counters["s/unit_t"] = benchmark::Counter(
      kFlowTime, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["link-updates/s"] = benchmark::Counter(
      links * kFlowTime / kStep, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Flow)
    ->ArgNames({"L", "action", "threads"})
    ->ArgsProduct({{8, 16}, {0, 1, 2}, {1, 2}})
    ->ArgsProduct({{4, 8}, {3}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_FlowMeasurement(benchmark::State& state) {
  const int l = int(state.range(0));
  omp_set_num_threads(int(state.range(1)));
  const GaugeField v = random_gauge_field(Geometry::make({l, l, l, l}), 7);
  for (auto _ : state) benchmark::DoNotOptimize(clover_energy_and_charge(v));
  state.counters["sites/s"] =
      benchmark::Counter(double(v.geometry().volume()), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_FlowMeasurement)
    ->ArgNames({"L", "threads"})
    ->ArgsProduct({{8, 16}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fpgauge
