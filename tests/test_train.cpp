// The pieces of the training (train/): AdamW's decoupled decay and optimiser state round trips,
// the learning-rate schedules at known steps, the split by configuration and the epoch order,
// the guards and weights of the loss, checkpoints, and reading label datasets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <vector>

#include "ScratchDirectory.h"
#include "LabelTestSupport.h"
#include "fpgauge/actions/FatLinkAction.h"
#include "fpgauge/actions/LcnnAction.h"
#include "fpgauge/lattice/Communicator.h"
#include "fpgauge/train/Adam.h"
#include "fpgauge/train/LearningRateSchedule.h"
#include "fpgauge/train/TrainingCheckpoint.h"
#include "fpgauge/train/TrainingData.h"
#include "fpgauge/train/TrainingLoss.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;
using nn::Architecture;
using nn::LcnnModel;
using train::TrainingLabel;

TEST(AdamW, StepHasTheClosedFormWithDecoupledDecay) {
  // First step: m̂ = g, v̂ = g², so θ1 = θ0 − η (g/(|g| + ε) + w θ0); a zero gradient leaves
  // the decay alone, θ1 = (1 − η w) θ0.
  train::Adam adamw(3, {.learning_rate = 0.1, .weight_decay = 0.01});
  std::vector<double> w{1.0, -2.0, 3.0};
  adamw.step(w, std::vector<double>{0.5, -4.0, 0.0});
  EXPECT_NEAR(w[0], 1.0 - 0.1 * (0.5 / (0.5 + 1e-8) + 0.01 * 1.0), 1e-15);
  EXPECT_NEAR(w[1], -2.0 - 0.1 * (-4.0 / (4.0 + 1e-8) + 0.01 * -2.0), 1e-15);
  EXPECT_EQ(w[2], 3.0 - 0.1 * (0.0 + 0.01 * 3.0));
  // The rate given to step() replaces the parameter (the schedule's η_t), decay included.
  std::vector<double> u{2.0};
  train::Adam second(1, {.learning_rate = 0.1, .weight_decay = 0.5});
  second.step(u, std::vector<double>{0.0}, 0.2);
  EXPECT_EQ(u[0], 2.0 - 0.2 * (0.0 + 0.5 * 2.0));
  EXPECT_THROW(second.step(u, std::vector<double>{0.0}, -1.0), std::invalid_argument);
  EXPECT_THROW(train::Adam(1, {.weight_decay = -0.1}), std::invalid_argument);
}

TEST(GradientClipping, ScalesOnlyLongGradientsToTheMaximumNorm) {
  std::vector<double> g{3.0, -4.0};  // norm 5
  EXPECT_EQ(train::clip_gradient_norm(g, 10.0), 5.0);
  EXPECT_EQ(g, (std::vector<double>{3.0, -4.0}));
  EXPECT_EQ(train::clip_gradient_norm(g, 0.0), 5.0);  // 0: no clipping
  EXPECT_EQ(g, (std::vector<double>{3.0, -4.0}));
  EXPECT_EQ(train::clip_gradient_norm(g, 2.5), 5.0);
  EXPECT_EQ(g, (std::vector<double>{1.5, -2.0}));
}

TEST(AdamW, RestoredStateContinuesBitForBit) {
  const auto gradient = [](int t) {
    return std::vector<double>{std::sin(1.0 + t), std::cos(2.0 * t), 0.1 * t};
  };
  const train::AdamParameters p{.learning_rate = 0.05, .weight_decay = 0.1};
  train::Adam straight(3, p);
  std::vector<double> w{0.3, -0.2, 1.5};
  for (int t = 1; t <= 5; ++t) straight.step(w, gradient(t));
  train::Adam first(3, p);
  std::vector<double> v{0.3, -0.2, 1.5};
  for (int t = 1; t <= 2; ++t) first.step(v, gradient(t));
  train::Adam restored(3, p);
  restored.restore(first.state());
  for (int t = 3; t <= 5; ++t) restored.step(v, gradient(t));
  EXPECT_EQ(std::memcmp(w.data(), v.data(), sizeof(double) * 3), 0);
  EXPECT_EQ(restored.steps(), 5);
  EXPECT_THROW(train::Adam(2, p).restore(first.state()), std::invalid_argument);
}

TEST(LearningRateSchedule, KnownSteps) {
  train::LearningRateSchedule s;
  s.learning_rate = 1.0;
  s.warmup_steps = 10;
  s.total_steps = 110;
  s.final_learning_rate = 0.1;
  s.kind = train::LearningRateSchedule::Kind::constant;
  EXPECT_DOUBLE_EQ(s.at(5), 0.5);  // warm-up: η t/W
  EXPECT_DOUBLE_EQ(s.at(10), 1.0);
  EXPECT_DOUBLE_EQ(s.at(77), 1.0);
  s.kind = train::LearningRateSchedule::Kind::cosine;
  EXPECT_DOUBLE_EQ(s.at(1), 0.1);
  EXPECT_DOUBLE_EQ(s.at(10), 1.0);
  EXPECT_NEAR(s.at(60), 0.55, 1e-15);                                       // half way
  EXPECT_NEAR(s.at(35), 0.1 + 0.45 * (1 + std::cos(M_PI / 4)), 1e-15);      // a quarter
  EXPECT_NEAR(s.at(110), 0.1, 1e-15);
  EXPECT_NEAR(s.at(500), 0.1, 1e-15);
  s.kind = train::LearningRateSchedule::Kind::step;
  s.warmup_steps = 0;
  s.step_size = 10;
  s.gamma = 0.5;
  EXPECT_EQ(s.at(1), 1.0);
  EXPECT_EQ(s.at(9), 1.0);
  EXPECT_EQ(s.at(10), 0.5);
  EXPECT_EQ(s.at(25), 0.25);
  EXPECT_NO_THROW(s.validate());
  s.kind = train::LearningRateSchedule::Kind::cosine;
  s.warmup_steps = 110;
  EXPECT_THROW(s.validate(), std::invalid_argument);
  EXPECT_THROW(train::schedule_kind("linear"), std::invalid_argument);
}

// Labels without fields: the split and the order look at the origins only.
train::TrainingData origins_only(std::initializer_list<std::size_t> records_per_dataset) {
  train::TrainingData data;
  std::size_t dataset = 0;
  for (const std::size_t n : records_per_dataset) {
    for (std::size_t r = 0; r < n; ++r) {
      data.labels.emplace_back();
      data.origins.push_back({dataset, r});
    }
    ++dataset;
  }
  return data;
}

TEST(TrainingData, SplitIsByConfigurationExactAndReproducible) {
  const train::TrainingData data = origins_only({40, 10});
  const train::DataSplit split = train::split_by_configuration(data, 0.2, 0.1, 7);
  // Sizes per dataset: round(0.2 N) validation, round(0.1 N) test.
  EXPECT_EQ(split.validation.size(), 8u + 2u);
  EXPECT_EQ(split.test.size(), 4u + 1u);
  EXPECT_EQ(split.train.size(), 28u + 7u);
  // Every configuration in exactly one set.
  std::multiset<std::size_t> all;
  for (const auto* set : {&split.train, &split.validation, &split.test})
    all.insert(set->begin(), set->end());
  EXPECT_EQ(all.size(), 50u);
  for (std::size_t i = 0; i < 50; ++i) EXPECT_EQ(all.count(i), 1u) << i;
  // The same seed gives the same split, another seed another one; a dataset's split does not
  // depend on the datasets beside it.
  EXPECT_EQ(train::split_by_configuration(data, 0.2, 0.1, 7).validation, split.validation);
  EXPECT_NE(train::split_by_configuration(data, 0.2, 0.1, 8).validation, split.validation);
  const train::DataSplit alone = train::split_by_configuration(origins_only({40}), 0.2, 0.1, 7);
  EXPECT_EQ(alone.validation,
            std::vector<std::size_t>(split.validation.begin(), split.validation.begin() + 8));
  EXPECT_THROW(train::split_by_configuration(data, 0.6, 0.4, 7), std::invalid_argument);
}

TEST(TrainingData, EpochOrderIsAKeyedPermutation) {
  const std::vector<std::size_t> train_set{3, 5, 8, 13, 21, 34, 55, 89};
  const std::vector<std::size_t> first = train::epoch_order(train_set, 1, 0);
  std::vector<std::size_t> sorted = first;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, train_set);
  EXPECT_EQ(train::epoch_order(train_set, 1, 0), first);
  EXPECT_NE(train::epoch_order(train_set, 1, 1), first);
  EXPECT_NE(train::epoch_order(train_set, 2, 0), first);
}

TEST(TrainingData, ReadsDatasetsAndNamesTheBadOnes) {
  const test::ScratchDirectory dir;
  test::write_wilson_dataset(dir / "a.h5", {2, 2, 2, 2}, 3, 10);
  test::write_wilson_dataset(dir / "b.h5", {3, 2, 2, 2}, 2, 20);
  const std::vector<train::DatasetSource> sources{{dir / "a.h5", 1.0}, {dir / "b.h5", 3.0}};
  const train::TrainingData data = train::load_training_data(sources);
  ASSERT_EQ(data.labels.size(), 5u);
  EXPECT_EQ(data.origins[4].dataset, 1u);
  EXPECT_EQ(data.origins[4].record, 1u);
  EXPECT_EQ(data.labels[4].weight, 3.0);
  EXPECT_EQ(data.labels[4].configuration.geometry().extents(), (Coordinates{3, 2, 2, 2}));
  try {
    const std::vector<train::DatasetSource> missing{{dir / "absent.h5", 1.0}};
    train::load_training_data(missing);
    ADD_FAILURE() << "read a missing dataset";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("absent.h5"), std::string::npos) << e.what();
  }  // labels of another RG transformation (another fine action) are refused, naming both files
  const GaugeLoopAction symanzik = GaugeLoopAction::symanzik();
  test::write_action_dataset(
      dir / "c.h5", symanzik,
      {test::action_label(symanzik, test::near_unit_gauge_field(Geometry::make({2, 2, 2, 2}), 5, 0.5),
                          "symanzik")});
  try {
    const std::vector<train::DatasetSource> mixed{{dir / "a.h5", 1.0}, {dir / "c.h5", 1.0}};
    train::load_training_data(mixed);
    ADD_FAILURE() << "mixed two RG transformations";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("c.h5"), std::string::npos) << what;
    EXPECT_NE(what.find("a.h5"), std::string::npos) << what;
    EXPECT_NE(what.find("fine_action"), std::string::npos) << what;
  }
}

TEST(TrainingLoss, RefusesLabelsItCannotDivideBy) {
  const auto geometry = Geometry::make({2, 2, 2, 2});
  const GaugeField u = test::near_unit_gauge_field(geometry, 3, 0.3);
  const std::vector<Algebra<double>> zero(static_cast<std::size_t>(u.size()), Algebra<double>{});
  std::vector<Algebra<double>> some = zero;
  some[5][2] = 0.25;
  try {
    train::make_training_label(u, some, 0.0, 1.0, "file.h5 record 4");
    ADD_FAILURE() << "accepted A_FP = 0";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("file.h5 record 4"), std::string::npos) << e.what();
  }
  EXPECT_THROW(train::make_training_label(u, zero, 1.0, 1.0, "x"), std::invalid_argument);
  EXPECT_THROW(train::make_training_label(u, some, 1.0, 0.0, "x"), std::invalid_argument);
  const TrainingLabel label = train::make_training_label(u, some, 2.0, 1.0, "x");
  EXPECT_EQ(label.derivative_norm2, 0.0625);
}

TEST(TrainingLoss, BatchIsTheWeightedMeanAndMixesExtents) {
  const test::ScratchDirectory dir;
  test::write_wilson_dataset(dir / "a.h5", {2, 2, 2, 2}, 1, 30);
  test::write_wilson_dataset(dir / "b.h5", {3, 2, 2, 2}, 1, 40);
  const std::vector<train::DatasetSource> sources{{dir / "a.h5", 1.0}, {dir / "b.h5", 3.0}};
  const train::TrainingData data = train::load_training_data(sources);
  const LcnnModel model =
      LcnnModel::random(Architecture::parse("input plaquettes; lcb 2; act tanh; trace; mlp 4"), 5);
  std::vector<double> g0, g1, g;
  const train::LossSums l0 = train::configuration_loss(model, data.labels[0], 0.7, &g0);
  const train::LossSums l1 = train::configuration_loss(model, data.labels[1], 0.7, &g1);
  EXPECT_NEAR(l0.loss, l0.value + 0.7 * l0.derivative, 1e-15 * l0.loss);
  EXPECT_NEAR(l0.value_error, std::sqrt(l0.value), 1e-15);
  const std::vector<const TrainingLabel*> batch{&data.labels[0], &data.labels[1]};
  const train::LossSums sums = train::batch_loss(model, batch, 0.7, &g, Communicator::world());
  EXPECT_EQ(sums.weight, 4.0);
  EXPECT_NEAR(sums.mean().loss, (l0.loss + 3 * l1.loss) / 4, 1e-14 * l0.loss);
  for (std::size_t k = 0; k < g.size(); ++k)
    EXPECT_NEAR(g[k], (g0[k] + 3 * g1[k]) / 4, 1e-13 * (std::abs(g0[k]) + std::abs(g1[k]))) << k;
}

TEST(TrainingLoss, ADatasetsOwnDerivativeWeightReplacesLambdaForItsLabels) {
  // Dataset b with derivative_weight 0: its labels enter with their value term only.
  const test::ScratchDirectory dir;
  test::write_wilson_dataset(dir / "a.h5", {2, 2, 2, 2}, 1, 30);
  test::write_wilson_dataset(dir / "b.h5", {2, 2, 2, 2}, 1, 40);
  const std::vector<train::DatasetSource> sources{{dir / "a.h5", 1.0}, {dir / "b.h5", 3.0, 0.0}};
  const train::TrainingData data = train::load_training_data(sources);
  ASSERT_FALSE(data.labels[0].derivative_weight.has_value());
  ASSERT_EQ(data.labels[1].derivative_weight, 0.0);
  const LcnnModel model =
      LcnnModel::random(Architecture::parse("input plaquettes; lcb 2; act tanh; trace; mlp 4"), 5);
  std::vector<double> g0, g1, g;
  const train::LossSums l0 = train::configuration_loss(model, data.labels[0], 0.7, &g0);
  const train::LossSums l1 = train::configuration_loss(model, data.labels[1], 0.0, &g1);
  ASSERT_GT(l1.derivative, 1e-3 * l1.value);  // so that dropping it shows
  const std::vector<const TrainingLabel*> batch{&data.labels[0], &data.labels[1]};
  const train::LossSums sums = train::batch_loss(model, batch, 0.7, &g, Communicator::world());
  EXPECT_NEAR(sums.mean().loss, (l0.loss + 3 * l1.value) / 4, 1e-14 * l0.loss);
  EXPECT_NEAR(sums.mean().derivative, (l0.derivative + 3 * l1.derivative) / 4,
              1e-14 * l0.derivative);
  for (std::size_t k = 0; k < g.size(); ++k)
    EXPECT_NEAR(g[k], (g0[k] + 3 * g1[k]) / 4, 1e-13 * (std::abs(g0[k]) + std::abs(g1[k]))) << k;
}

TEST(TrainingLoss, ABaseActionShiftsTheTargetsNotTheScales) {
  // The loss of a correction on shifted labels is the loss of A_base + A_θ on the FP labels.
  const test::ScratchDirectory dir;
  test::write_wilson_dataset(dir / "a.h5", {2, 2, 2, 2}, 1, 30);
  const std::vector<train::DatasetSource> sources{{dir / "a.h5", 1.0}};
  const TrainingLabel label = train::load_training_data(sources).labels[0];
  const FatLinkAction base(0.05, 2, {0.2, 0.05, 0.01, 0.0, -0.01});
  const Architecture arch = Architecture::parse("input plaquettes; lcb 2; act tanh; trace; mlp 4");
  const LcnnModel model(arch, LcnnModel::random(arch, 5).weights(), base.to_json());
  TrainingLabel shifted = label;
  train::subtract_base_action(shifted, base);
  EXPECT_EQ(shifted.fp_action, label.action);
  EXPECT_EQ(shifted.derivative_norm2, label.derivative_norm2);
  const train::LossSums loss = train::configuration_loss(model, shifted, 0.7, nullptr);

  const LcnnAction sum(std::make_shared<const LcnnModel>(model), "sum");
  AlgebraField d;
  const double a = sum.value(label.configuration);
  sum.force(label.configuration, d);
  double residual = 0.0;
  for (SiteIndex l = 0; l < d.size(); ++l) residual += 2.0 * norm2(d[l] - label.derivative[l]);
  const double value = (a - label.action) * (a - label.action) / (label.action * label.action);
  EXPECT_NEAR(loss.value, value, 1e-12 * value);
  EXPECT_NEAR(loss.derivative, residual / label.derivative_norm2,
              1e-12 * residual / label.derivative_norm2);
}

TEST(TrainingCheckpoint, RoundTripIsExact) {
  train::TrainingState s;
  s.run_card = "[training]\nepochs = 3\n";
  s.weights = {0.1, -0.0, 1e-310, 3.0};
  s.optimiser = {{1.0, 2.0, 3.0, 4.0}, {0.5, 0.25, 0.125, 1e300}, 17};
  s.epoch = 2;
  s.batch = 5;
  s.epoch_loss = {4.0, 0.3, 0.1, 0.2, 0.05, 0.07};
  s.epoch_max_gradient_norm = 12.5;
  s.epoch_clipped_steps = 3;
  s.best_validation_loss = 0.123456789;
  s.best_epoch = 1;
  s.best_weights = {0.2, 0.3, 0.4, 0.5};
  s.epochs_without_improvement = 1;
  s.log_bytes = 4242;
  const std::string bytes = train::checkpoint_bytes(s);
  const train::TrainingState back = train::parse_checkpoint(bytes, "c.cbor");
  EXPECT_EQ(train::checkpoint_bytes(back), bytes);
  EXPECT_EQ(std::memcmp(back.weights.data(), s.weights.data(), 4 * sizeof(double)), 0);
  EXPECT_EQ(back.optimiser.steps, 17);
  EXPECT_EQ(back.log_bytes, 4242u);
  EXPECT_EQ(back.epoch_max_gradient_norm, 12.5);
  EXPECT_EQ(back.epoch_clipped_steps, 3);
  try {
    train::parse_checkpoint("not a checkpoint", "c.cbor");
    ADD_FAILURE() << "parsed garbage";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("c.cbor"), std::string::npos) << e.what();
  }
}

TEST(Communicator, SumInPlaceOnOneRankIsTheIdentity) {
  std::vector<double> v{1.0, -0.0, 3.5};
  Communicator::world().sum_in_place(v);
  EXPECT_EQ(v, (std::vector<double>{1.0, -0.0, 3.5}));
}

}  // namespace
}  // namespace fpgauge
