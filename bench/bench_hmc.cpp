// HMC (mc/Hmc.h): wall time per trajectory with the Wilson action and with the shipped L-CNN
// model (models/default) on 4^4 and 8^4, 1 and 2 threads; Omelyan, 12 steps, τ = 1, the β of
// the scaling study's coarse ensembles (Wilson 5.7, L-CNN 4.6: t0/a² ≈ 1 and, with the earlier
// model models/plain_2x4, 0.66 on 8^4, docs/scaling.md). The start is a Wilson heatbath configuration (β = 5.7, 30 sweeps), so the
// acceptance counter is a rough guide only; the production acceptances are in docs/scaling.md.
// Counters: s per trajectory, link-updates per second (links × force evaluations of the
// trajectory), the mean acceptance probability of the timed trajectories.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <memory>

#include "fpgauge/actions/ActionFactory.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/mc/Heatbath.h"
#include "fpgauge/mc/Hmc.h"

namespace fpgauge {
namespace {

constexpr int kSteps = 12;
// Omelyan 2MN: two force evaluations per step, the last kick of a step merged with the first of
// the next (mc/Hmc.cpp).
constexpr int kForces = 2 * kSteps + 1;

GaugeField heatbath_start(int l) {
  GaugeField u = random_gauge_field(Geometry::make({l, l, l, l}), 5);
  const GaugeLoopAction wilson = GaugeLoopAction::wilson();
  for (int sweep = 0; sweep < 30; ++sweep) heatbath_sweep(u, wilson, 5.7, 11, sweep);
  return u;
}

void BM_HmcTrajectory(benchmark::State& state) {
  const int l = int(state.range(0));
  const bool lcnn = state.range(1) == 1;
  omp_set_num_threads(int(state.range(2)));
  const std::unique_ptr<Action> action =
      make_action(lcnn ? "lcnn:" FPGAUGE_SOURCE_DIR "/models/default/model.fpglcnn" : "wilson");
  state.SetLabel(action->name());
  const Hmc hmc({.trajectory_length = 1.0,
                 .integrator = Integrator::omelyan,
                 .levels = {{action.get(), lcnn ? 4.6 : 5.7, kSteps}},
                 .seed = 3});
  GaugeField u = heatbath_start(l);
  std::uint64_t trajectory = 0;
  double acceptance = 0.0;
  for (auto _ : state) acceptance += hmc.trajectory(u, trajectory++).acceptance_probability;
  state.counters["s/trajectory"] =
      benchmark::Counter(1.0, benchmark::Counter::kIsIterationInvariantRate |
                                  benchmark::Counter::kInvert);
  state.counters["link-updates/s"] = benchmark::Counter(
      double(u.size()) * kForces, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["acceptance"] = acceptance / double(trajectory);
}
BENCHMARK(BM_HmcTrajectory)
    ->ArgNames({"L", "lcnn", "threads"})
    ->ArgsProduct({{4, 8}, {0, 1}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fpgauge
