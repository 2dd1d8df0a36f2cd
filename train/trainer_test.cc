// The training loop learns a task it can learn, stops early, keeps the best
// weights, and resumes from its checkpoint to the same result.
#include "train/trainer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "host/common/error.h"

#include "train/models/model_zoo.h"

namespace locus::train {
namespace {

// Class k has a bright band at feature rows 2k..2k+1, plus noise.
TensorSet banded(int64_t per_class, int32_t classes, uint64_t seed) {
  torch::Generator gen = at::detail::createCPUGenerator(seed);
  std::vector<torch::Tensor> xs, ys;
  for (int32_t k = 0; k < classes; ++k) {
    torch::Tensor x = torch::randn({per_class, 12, 8}, gen);
    x.slice(2, 2 * k, 2 * k + 2) += 2.0;
    xs.push_back(x);
    ys.push_back(torch::full({per_class}, k, torch::kInt64));
  }
  return {torch::cat(xs), torch::cat(ys)};
}

std::shared_ptr<Network> small_net() {
  ArchSpec spec;
  spec.arch = "ds_cnn";
  spec.width = 8;
  spec.depth = 1;
  return make_network(spec, 12, 8, 3);
}

TrainLoopOptions quiet(int32_t epochs) {
  TrainLoopOptions o;
  o.settings.epochs = epochs;
  o.settings.batch = 16;
  o.settings.learning_rate = 1e-2f;
  o.settings.seed = 3;
  o.show_progress = false;
  o.fingerprint = "test";
  return o;
}

TEST(Trainer, LearnsASeparableTask) {
  torch::manual_seed(0);
  auto net = small_net();
  const TensorSet train = banded(40, 3, 1), val = banded(20, 3, 2);
  const double before = evaluate_float(*net, val).accuracy;
  const TrainOutcome outcome = fit(*net, train, val, quiet(6));
  EXPECT_EQ(outcome.history.size(), 6u);
  EXPECT_GT(outcome.best_val_accuracy, 0.9);
  EXPECT_LT(before, 0.7);
  // The network returned is the best epoch's.
  EXPECT_DOUBLE_EQ(evaluate_float(*net, val).accuracy, outcome.best_val_accuracy);
}

TEST(Trainer, StopsEarlyWhenValidationStopsImproving) {
  torch::manual_seed(0);
  auto net = small_net();
  // Labels that carry no information: validation cannot improve for long.
  TensorSet train = banded(20, 3, 1), val = banded(10, 3, 2);
  train.y = torch::randint(3, {train.size()}, at::detail::createCPUGenerator(5));
  val.y = torch::randint(3, {val.size()}, at::detail::createCPUGenerator(6));
  TrainLoopOptions o = quiet(40);
  o.settings.patience = 3;
  const TrainOutcome outcome = fit(*net, train, val, o);
  EXPECT_TRUE(outcome.stopped_early);
  EXPECT_LT(outcome.history.size(), 40u);
  EXPECT_EQ(static_cast<int32_t>(outcome.history.size()), outcome.best_epoch + 3);
}

TEST(Trainer, ResumesFromItsCheckpointToTheSameResult) {
  const auto dir = std::filesystem::temp_directory_path() / "locus_trainer_test";
  std::filesystem::create_directories(dir);
  const TensorSet train = banded(30, 3, 1), val = banded(10, 3, 2);

  torch::manual_seed(0);
  auto straight = small_net();
  TrainLoopOptions o = quiet(5);
  o.checkpoint = (dir / "straight.ckpt").string();
  std::filesystem::remove(o.checkpoint);
  const TrainOutcome full = fit(*straight, train, val, o);

  torch::manual_seed(0);
  auto interrupted = small_net();
  TrainLoopOptions first = quiet(2);  // as if stopped after two epochs
  first.checkpoint = (dir / "resumed.ckpt").string();
  std::filesystem::remove(first.checkpoint);
  first.settings.epochs = 5;
  int32_t seen = 0;
  first.on_epoch = [&](const EpochStats&) {
    if (++seen == 2) throw std::runtime_error("interrupted");
  };
  EXPECT_THROW(fit(*interrupted, train, val, first), std::runtime_error);

  torch::manual_seed(123);  // a different fresh init must not matter
  auto resumed = small_net();
  TrainLoopOptions second = quiet(5);
  second.checkpoint = first.checkpoint;
  const TrainOutcome rest = fit(*resumed, train, val, second);
  EXPECT_EQ(rest.resumed_from_epoch, 2);
  ASSERT_EQ(rest.history.size(), full.history.size());
  for (size_t i = 0; i < full.history.size(); ++i) {
    EXPECT_NEAR(rest.history[i].val_loss, full.history[i].val_loss, 1e-5) << "epoch " << i + 1;
  }
  // A checkpoint for other settings is not used.
  TrainLoopOptions other = quiet(5);
  other.checkpoint = first.checkpoint;
  other.fingerprint = "other data";
  EXPECT_EQ(fit(*small_net(), train, val, other).resumed_from_epoch, 0);
  std::filesystem::remove_all(dir);
}

TEST(Trainer, RefusesEmptySets) {
  auto net = small_net();
  EXPECT_THROW(fit(*net, TensorSet{}, banded(2, 3, 1), quiet(1)), host::Error);
  EXPECT_THROW(fit(*net, banded(2, 3, 1), TensorSet{}, quiet(1)), host::Error);
}

}  // namespace
}  // namespace locus::train
