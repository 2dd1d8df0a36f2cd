#include "host/evaluation/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "host/common/error.h"

namespace locus::host {

uint64_t ConfusionMatrix::total() const {
  uint64_t n = 0;
  for (const auto& row : counts) n = std::accumulate(row.begin(), row.end(), n);
  return n;
}

uint64_t ConfusionMatrix::correct() const {
  uint64_t n = 0;
  for (size_t i = 0; i < counts.size(); ++i) n += counts[i][i];
  return n;
}

uint64_t ConfusionMatrix::row_total(size_t truth) const {
  const auto& row = counts.at(truth);
  return std::accumulate(row.begin(), row.end(), uint64_t{0});
}

uint64_t ConfusionMatrix::column_total(size_t predicted) const {
  uint64_t n = 0;
  for (const auto& row : counts) n += row.at(predicted);
  return n;
}

ConfusionMatrix confusion_matrix(const std::vector<int32_t>& truth,
                                 const std::vector<int32_t>& predicted,
                                 std::vector<std::string> labels) {
  if (truth.size() != predicted.size()) {
    fail("confusion matrix: ", truth.size(), " true labels but ", predicted.size(),
         " predictions");
  }
  ConfusionMatrix m;
  const size_t n = labels.size();
  m.labels = std::move(labels);
  m.counts.assign(n, std::vector<uint64_t>(n, 0));
  for (size_t i = 0; i < truth.size(); ++i) {
    const int32_t t = truth[i], p = predicted[i];
    if (t < 0 || static_cast<size_t>(t) >= n || p < 0 || static_cast<size_t>(p) >= n) {
      fail("confusion matrix: sample ", i, " has class ", t, " predicted as ", p, "; classes are 0..",
           static_cast<int64_t>(n) - 1);
    }
    ++m.counts[static_cast<size_t>(t)][static_cast<size_t>(p)];
  }
  return m;
}

namespace {
double ratio(uint64_t a, uint64_t b) { return b == 0 ? 0.0 : static_cast<double>(a) / b; }
}  // namespace

ClassificationMetrics classification_metrics(const ConfusionMatrix& matrix) {
  ClassificationMetrics r;
  r.total = matrix.total();
  r.correct = matrix.correct();
  r.accuracy = ratio(r.correct, r.total);
  for (size_t c = 0; c < matrix.labels.size(); ++c) {
    ClassMetrics m;
    m.label = matrix.labels[c];
    const uint64_t tp = matrix.counts[c][c];
    m.support = matrix.row_total(c);
    m.predicted = matrix.column_total(c);
    m.precision = ratio(tp, m.predicted);
    m.recall = ratio(tp, m.support);
    m.f1 = m.precision + m.recall > 0.0 ? 2.0 * m.precision * m.recall / (m.precision + m.recall)
                                        : 0.0;
    if (m.support > 0 || m.predicted > 0) {
      r.macro_precision += m.precision;
      r.macro_recall += m.recall;
      r.macro_f1 += m.f1;
      ++r.macro_classes;
    }
    r.classes.push_back(std::move(m));
  }
  if (r.macro_classes > 0) {
    r.macro_precision /= static_cast<double>(r.macro_classes);
    r.macro_recall /= static_cast<double>(r.macro_classes);
    r.macro_f1 /= static_cast<double>(r.macro_classes);
  }
  return r;
}

std::vector<RocPoint> roc_curve(const std::vector<double>& scores,
                                const std::vector<bool>& positive) {
  if (scores.size() != positive.size()) {
    fail("roc curve: ", scores.size(), " scores but ", positive.size(), " labels");
  }
  uint64_t positives = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (!std::isfinite(scores[i])) fail("roc curve: score ", i, " is not finite (", scores[i], ")");
    positives += positive[i] ? 1 : 0;
  }
  const uint64_t negatives = scores.size() - positives;
  if (positives == 0 || negatives == 0) {
    fail("roc curve: needs both positive and negative samples (", positives, " positive, ",
         negatives, " negative)");
  }
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  std::vector<RocPoint> curve;
  curve.push_back({0.0, 0.0, std::numeric_limits<double>::infinity()});
  uint64_t tp = 0, fp = 0;
  for (size_t i = 0; i < order.size();) {
    const double threshold = scores[order[i]];
    // Every sample with this score turns positive at once.
    for (; i < order.size() && scores[order[i]] == threshold; ++i) {
      (positive[order[i]] ? tp : fp) += 1;
    }
    curve.push_back({ratio(fp, negatives), ratio(tp, positives), threshold});
  }
  return curve;
}

double roc_auc(const std::vector<RocPoint>& curve) {
  double area = 0.0;
  for (size_t i = 1; i < curve.size(); ++i) {
    area += (curve[i].fpr - curve[i - 1].fpr) * (curve[i].tpr + curve[i - 1].tpr) / 2.0;
  }
  return area;
}

double partial_auc(const std::vector<RocPoint>& curve, double max_fpr) {
  if (!(max_fpr > 0.0 && max_fpr <= 1.0)) fail("partial AUC: max FPR ", max_fpr, " is not in (0, 1]");
  double area = 0.0;
  for (size_t i = 1; i < curve.size(); ++i) {
    const RocPoint& a = curve[i - 1];
    const RocPoint& b = curve[i];
    if (a.fpr >= max_fpr) break;
    if (b.fpr <= max_fpr) {
      area += (b.fpr - a.fpr) * (a.tpr + b.tpr) / 2.0;
      continue;
    }
    // The segment crosses max_fpr: stop at the interpolated point.
    const double tpr = a.tpr + (b.tpr - a.tpr) * (max_fpr - a.fpr) / (b.fpr - a.fpr);
    area += (max_fpr - a.fpr) * (a.tpr + tpr) / 2.0;
    break;
  }
  return area / max_fpr;
}

}  // namespace locus::host
