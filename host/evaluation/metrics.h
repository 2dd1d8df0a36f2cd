// Evaluation metrics as pure functions: a confusion matrix and what follows
// from it (accuracy, per-class precision / recall / F1 / support, macro
// averages), and for anomaly detectors the ROC curve, its area and the
// partial area at low false-positive rates.
//
// Conventions (the same as scikit-learn's with zero_division=0):
//   precision = TP / (TP + FP), 0 when the class was never predicted;
//   recall    = TP / (TP + FN), 0 when the class has no samples;
//   F1        = 2PR / (P + R), 0 when P + R = 0;
//   macro averages are over the classes that occur in the truth or the
//   predictions (a model class absent from both does not pull them down).
#ifndef LOCUS_HOST_EVALUATION_METRICS_H_
#define LOCUS_HOST_EVALUATION_METRICS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace locus::host {

struct ConfusionMatrix {
  std::vector<std::string> labels;           // class names, in model order
  std::vector<std::vector<uint64_t>> counts;  // [truth][predicted]

  uint64_t total() const;
  uint64_t correct() const;            // the diagonal
  uint64_t row_total(size_t truth) const;
  uint64_t column_total(size_t predicted) const;
};

// Counts pairs (truth[i], predicted[i]); both must be class indices
// 0..labels.size()-1 and the vectors of equal length (Error otherwise).
ConfusionMatrix confusion_matrix(const std::vector<int32_t>& truth,
                                 const std::vector<int32_t>& predicted,
                                 std::vector<std::string> labels);

struct ClassMetrics {
  std::string label;
  double precision = 0.0;
  double recall = 0.0;
  double f1 = 0.0;
  uint64_t support = 0;    // samples whose truth is this class
  uint64_t predicted = 0;  // samples predicted as this class
};

struct ClassificationMetrics {
  uint64_t total = 0;
  uint64_t correct = 0;
  double accuracy = 0.0;  // correct / total (0 for no samples)
  std::vector<ClassMetrics> classes;
  double macro_precision = 0.0;
  double macro_recall = 0.0;
  double macro_f1 = 0.0;
  size_t macro_classes = 0;  // classes the macro averages are over
};

ClassificationMetrics classification_metrics(const ConfusionMatrix& matrix);

// One ROC point: classifying score >= threshold as positive gives these
// rates. The first point is (0, 0) at threshold +infinity.
struct RocPoint {
  double fpr = 0.0;
  double tpr = 0.0;
  double threshold = 0.0;
};

// One point per distinct score, from the highest down, so tied scores move
// the curve diagonally (and count half in the area, as in the Mann-Whitney
// statistic). Needs at least one positive and one negative and finite
// scores (Error otherwise).
std::vector<RocPoint> roc_curve(const std::vector<double>& scores,
                                const std::vector<bool>& positive);

// Area under the curve by the trapezoid rule.
double roc_auc(const std::vector<RocPoint>& curve);

// Area under the curve for FPR in [0, max_fpr] (the curve interpolated
// linearly at max_fpr), divided by max_fpr so that 1 is perfect; not
// McClish-standardised. max_fpr in (0, 1].
double partial_auc(const std::vector<RocPoint>& curve, double max_fpr);

}  // namespace locus::host

#endif  // LOCUS_HOST_EVALUATION_METRICS_H_
