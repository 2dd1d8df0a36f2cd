#include "train/trainer.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "host/common/error.h"

namespace locus::train {
namespace {

constexpr double kPi = 3.14159265358979323846;

double learning_rate_at(const OptimizerSettings& s, int32_t epoch) {
  const double base = s.learning_rate;
  if (epoch < s.warmup_epochs) return base * (epoch + 1) / (s.warmup_epochs + 1);
  if (s.schedule == "constant") return base;
  if (s.schedule == "step") return base * std::pow(0.1, epoch / std::max(1, s.epochs / 3));
  const double span = std::max(1, s.epochs - s.warmup_epochs);
  return base * 0.5 * (1.0 + std::cos(kPi * (epoch - s.warmup_epochs) / span));
}

uint64_t fnv1a(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

struct State {
  std::vector<torch::Tensor> tensors;
};

State capture(Network& net) {
  State s;
  for (const auto& p : net.parameters()) s.tensors.push_back(p.detach().clone());
  for (const auto& b : net.buffers()) s.tensors.push_back(b.detach().clone());
  return s;
}

void restore(Network& net, const State& s) {
  torch::NoGradGuard no_grad;
  size_t i = 0;
  for (auto& p : net.parameters()) p.copy_(s.tensors.at(i++));
  for (auto& b : net.buffers()) b.copy_(s.tensors.at(i++));
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(Network& net, const OptimizerSettings& s) {
  if (s.optimizer == "adam") {
    return std::make_unique<torch::optim::Adam>(
        net.parameters(), torch::optim::AdamOptions(s.learning_rate).weight_decay(s.weight_decay));
  }
  if (s.optimizer == "adamw") {
    return std::make_unique<torch::optim::AdamW>(
        net.parameters(), torch::optim::AdamWOptions(s.learning_rate).weight_decay(s.weight_decay));
  }
  host::fail("train.optimizer: unknown optimizer '", s.optimizer, "' (adam, adamw)");
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

torch::Tensor loss_of(Network& net, const torch::Tensor& output, const torch::Tensor& x,
                      const torch::Tensor& y, float label_smoothing) {
  if (net.task() == Task::kClassify) {
    return torch::nn::functional::cross_entropy(
        output, y, torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(label_smoothing));
  }
  return torch::mse_loss(output, x);
}

// SpecAugment-style masks: whole frames and feature rows set to the
// example's mean.
void apply_masks(torch::Tensor& x, const OptimizerSettings& s, torch::Generator& gen) {
  if (s.time_mask <= 0 && s.feature_mask <= 0) return;
  const int64_t frames = x.size(1), features = x.size(2);
  const torch::Tensor means = x.mean({1, 2});
  const auto r = torch::randint(1 << 30, {x.size(0), 4}, gen).to(torch::kInt64);
  const auto* v = r.data_ptr<int64_t>();
  for (int64_t i = 0; i < x.size(0); ++i) {
    const float fill = means[i].item<float>();
    if (s.time_mask > 0) {
      const int64_t width = v[i * 4] % (s.time_mask + 1);
      const int64_t start = v[i * 4 + 1] % std::max<int64_t>(1, frames - width + 1);
      x[i].slice(0, start, start + width).fill_(fill);
    }
    if (s.feature_mask > 0) {
      const int64_t width = v[i * 4 + 2] % (s.feature_mask + 1);
      const int64_t start = v[i * 4 + 3] % std::max<int64_t>(1, features - width + 1);
      x[i].slice(1, start, start + width).fill_(fill);
    }
  }
}

void print_bar(int32_t epoch, int32_t epochs, int64_t done, int64_t total, double loss) {
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(kWidth * done / std::max<int64_t>(1, total));
  std::fprintf(stderr, "\r  epoch %3d/%d [%.*s%*s] %3d%%  loss %.4f", epoch, epochs, filled,
               "==============================", kWidth - filled, "",
               static_cast<int>(100 * done / std::max<int64_t>(1, total)), loss);
  std::fflush(stderr);
}

void save_checkpoint(const std::string& path, Network& net, torch::optim::Optimizer& optimizer,
                     const State& best, const TrainOutcome& outcome, int32_t since_best,
                     uint64_t fingerprint) {
  torch::serialize::OutputArchive archive;
  torch::serialize::OutputArchive model, opt;
  net.save(model);
  optimizer.save(opt);
  archive.write("model", model);
  archive.write("optimizer", opt);
  for (size_t i = 0; i < best.tensors.size(); ++i) {
    archive.write("best_" + std::to_string(i), best.tensors[i], true);
  }
  std::vector<double> rows;
  for (const auto& e : outcome.history) {
    rows.insert(rows.end(), {double(e.epoch), e.loss, e.accuracy, e.val_loss, e.val_accuracy,
                             e.learning_rate, e.seconds});
  }
  archive.write("history",
                torch::tensor(rows, torch::kFloat64).view({int64_t(outcome.history.size()), 7}), true);
  archive.write("best", torch::tensor({double(outcome.best_epoch), outcome.best_val_loss,
                                       outcome.best_val_accuracy, double(since_best)},
                                      torch::kFloat64),
                true);
  archive.write("fingerprint", torch::tensor({static_cast<int64_t>(fingerprint)}), true);
  const std::string temp = path + ".partial";
  archive.save_to(temp);
  std::filesystem::rename(temp, path);
}

// Returns the epochs already done (0 when nothing usable was found).
int32_t load_checkpoint(const std::string& path, Network& net, torch::optim::Optimizer& optimizer,
                        State& best, TrainOutcome& outcome, int32_t& since_best,
                        uint64_t fingerprint) {
  if (path.empty() || !std::filesystem::exists(path)) return 0;
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
    torch::Tensor stored;
    archive.read("fingerprint", stored, true);
    if (static_cast<uint64_t>(stored.item<int64_t>()) != fingerprint) {
      std::fprintf(stderr, "  checkpoint %s is for other data or settings; starting afresh\n",
                   path.c_str());
      return 0;
    }
    torch::serialize::InputArchive model, opt;
    archive.read("model", model);
    archive.read("optimizer", opt);
    net.load(model);
    optimizer.load(opt);
    for (size_t i = 0; i < best.tensors.size(); ++i) {
      archive.read("best_" + std::to_string(i), best.tensors[i], true);
    }
    torch::Tensor history, summary;
    archive.read("history", history, true);
    archive.read("best", summary, true);
    outcome.history.clear();
    for (int64_t r = 0; r < history.size(0); ++r) {
      auto row = history[r];
      outcome.history.push_back({static_cast<int32_t>(row[0].item<double>()), row[1].item<double>(),
                                 row[2].item<double>(), row[3].item<double>(),
                                 row[4].item<double>(), row[5].item<double>(),
                                 row[6].item<double>()});
    }
    outcome.best_epoch = static_cast<int32_t>(summary[0].item<double>());
    outcome.best_val_loss = summary[1].item<double>();
    outcome.best_val_accuracy = summary[2].item<double>();
    since_best = static_cast<int32_t>(summary[3].item<double>());
  } catch (const c10::Error& e) {
    host::fail("checkpoint ", path, " is unreadable (", e.what_without_backtrace(),
               "); delete it or pass --fresh");
  }
  return static_cast<int32_t>(outcome.history.size());
}

bool improved(Task task, const EpochStats& e, const TrainOutcome& best) {
  if (best.best_epoch == 0) return true;
  if (task == Task::kClassify) {
    return e.val_accuracy > best.best_val_accuracy ||
           (e.val_accuracy == best.best_val_accuracy && e.val_loss < best.best_val_loss);
  }
  return e.val_loss < best.best_val_loss;
}

}  // namespace

Evaluation evaluate_float(Network& net, const TensorSet& set, int32_t batch) {
  torch::NoGradGuard no_grad;
  const bool was_training = net.is_training();
  net.eval();
  Evaluation result;
  std::vector<torch::Tensor> outputs;
  double loss_sum = 0;
  int64_t correct = 0;
  for (int64_t start = 0; start < set.size(); start += batch) {
    const int64_t end = std::min<int64_t>(set.size(), start + batch);
    const torch::Tensor x = set.x.slice(0, start, end);
    const torch::Tensor y = set.y.defined() ? set.y.slice(0, start, end) : torch::Tensor();
    const torch::Tensor out = net.forward(x);
    loss_sum += loss_of(net, out, x, y, 0.0f).item<double>() * double(end - start);
    if (net.task() == Task::kClassify) correct += out.argmax(1).eq(y).sum().item<int64_t>();
    outputs.push_back(out);
  }
  net.train(was_training);
  if (set.size() > 0) {
    result.loss = loss_sum / double(set.size());
    result.accuracy = double(correct) / double(set.size());
    result.outputs = torch::cat(outputs);
  }
  return result;
}

TrainOutcome fit(Network& net, const TensorSet& train, const TensorSet& validation,
                 const TrainLoopOptions& options) {
  const OptimizerSettings& s = options.settings;
  if (train.size() == 0) host::fail("training: no training examples");
  if (validation.size() == 0) host::fail("training: no validation examples");
  torch::set_num_threads(std::max(1, s.threads));
  auto optimizer = make_optimizer(net, s);
  const uint64_t fingerprint = fnv1a(options.fingerprint);

  TrainOutcome outcome;
  State best = capture(net);
  int32_t since_best = 0;
  int32_t start_epoch = 0;
  if (options.resume) {
    start_epoch = load_checkpoint(options.checkpoint, net, *optimizer, best, outcome, since_best,
                                  fingerprint);
    outcome.resumed_from_epoch = start_epoch;
    if (start_epoch > 0 && options.show_progress) {
      std::fprintf(stderr, "  resuming after epoch %d (best so far: epoch %d)\n", start_epoch,
                   outcome.best_epoch);
    }
  }
  const bool tty = isatty(STDERR_FILENO) != 0;
  for (int32_t epoch = start_epoch; epoch < s.epochs; ++epoch) {
    if (since_best >= s.patience) {
      outcome.stopped_early = true;
      break;
    }
    const auto t0 = std::chrono::steady_clock::now();
    if (options.before_epoch) options.before_epoch(epoch);
    const double lr = learning_rate_at(s, epoch);
    set_learning_rate(*optimizer, lr);
    net.train();
    // The order of an epoch depends only on the seed and the epoch, so a
    // resumed run sees the same batches.
    torch::Generator gen = at::detail::createCPUGenerator(s.seed * 1000003ull + epoch);
    torch::manual_seed(s.seed * 1000003ull + epoch + 1);  // dropout
    const torch::Tensor order = torch::randperm(train.size(), gen);
    double loss_sum = 0;
    int64_t correct = 0, seen = 0;
    for (int64_t start = 0; start < train.size(); start += s.batch) {
      const int64_t end = std::min<int64_t>(train.size(), start + s.batch);
      if (end - start < 2 && start > 0) break;  // batch norm needs two examples
      const torch::Tensor idx = order.slice(0, start, end);
      torch::Tensor x = train.x.index({idx});
      const torch::Tensor y = train.y.defined() ? train.y.index({idx}) : torch::Tensor();
      const torch::Tensor target = x;
      if (net.task() == Task::kClassify) apply_masks(x, s, gen);
      optimizer->zero_grad();
      const torch::Tensor out = net.forward(x);
      const torch::Tensor loss = loss_of(net, out, target, y, s.label_smoothing);
      loss.backward();
      optimizer->step();
      loss_sum += loss.item<double>() * double(end - start);
      if (net.task() == Task::kClassify) correct += out.argmax(1).eq(y).sum().item<int64_t>();
      seen += end - start;
      if (options.show_progress && tty) print_bar(epoch + 1, s.epochs, seen, train.size(), loss_sum / seen);
    }
    const Evaluation val = evaluate_float(net, validation);
    EpochStats e;
    e.epoch = epoch + 1;
    e.loss = loss_sum / double(std::max<int64_t>(1, seen));
    e.accuracy = double(correct) / double(std::max<int64_t>(1, seen));
    e.val_loss = val.loss;
    e.val_accuracy = val.accuracy;
    e.learning_rate = lr;
    e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    outcome.history.push_back(e);
    const bool better = improved(net.task(), e, outcome);
    if (better) {
      outcome.best_epoch = e.epoch;
      outcome.best_val_loss = e.val_loss;
      outcome.best_val_accuracy = e.val_accuracy;
      best = capture(net);
      since_best = 0;
    } else {
      ++since_best;
    }
    if (options.show_progress) {
      if (tty) std::fprintf(stderr, "\r\033[K");
      if (net.task() == Task::kClassify) {
        std::fprintf(stderr,
                     "  epoch %3d/%d  loss %.4f  acc %5.1f%%  val_loss %.4f  val_acc %5.1f%%  "
                     "lr %.2g  %.1fs%s\n",
                     e.epoch, s.epochs, e.loss, 100 * e.accuracy, e.val_loss, 100 * e.val_accuracy,
                     lr, e.seconds, better ? "  *" : "");
      } else {
        std::fprintf(stderr, "  epoch %3d/%d  loss %.5f  val_loss %.5f  lr %.2g  %.1fs%s\n",
                     e.epoch, s.epochs, e.loss, e.val_loss, lr, e.seconds, better ? "  *" : "");
      }
    }
    if (!options.checkpoint.empty()) {
      save_checkpoint(options.checkpoint, net, *optimizer, best, outcome, since_best, fingerprint);
    }
    if (options.on_epoch) options.on_epoch(e);
  }
  if (!outcome.stopped_early && since_best >= s.patience) outcome.stopped_early = true;
  restore(net, best);
  net.eval();
  return outcome;
}

}  // namespace locus::train
