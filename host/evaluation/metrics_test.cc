// Metrics on hand-computed cases: every expected value below is worked out
// in the comment beside it.
#include "host/evaluation/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "host/common/error.h"

namespace locus::host {
namespace {

// truth a a a b b c, predicted a a b b c c:
//        a  b  c
//   a  [ 2  1  0 ]
//   b  [ 0  1  1 ]
//   c  [ 0  0  1 ]
ConfusionMatrix three_classes() {
  return confusion_matrix({0, 0, 0, 1, 1, 2}, {0, 0, 1, 1, 2, 2}, {"a", "b", "c"});
}

TEST(ConfusionMatrix, CountsTruthByPrediction) {
  const ConfusionMatrix m = three_classes();
  EXPECT_EQ(m.labels, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(m.counts, (std::vector<std::vector<uint64_t>>{{2, 1, 0}, {0, 1, 1}, {0, 0, 1}}));
  EXPECT_EQ(m.total(), 6u);
  EXPECT_EQ(m.correct(), 4u);
  EXPECT_EQ(m.row_total(0), 3u);
  EXPECT_EQ(m.column_total(2), 2u);
}

TEST(ConfusionMatrix, RefusesMismatchedOrOutOfRangeClasses) {
  EXPECT_THROW(confusion_matrix({0, 1}, {0}, {"a", "b"}), Error);
  try {
    confusion_matrix({0, 2}, {0, 0}, {"a", "b"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "confusion matrix: sample 1 has class 2 predicted as 0; classes are 0..1");
  }
  EXPECT_THROW(confusion_matrix({0}, {-1}, {"a"}), Error);
}

TEST(ClassificationMetrics, PerClassAndMacro) {
  const ClassificationMetrics r = classification_metrics(three_classes());
  EXPECT_EQ(r.total, 6u);
  EXPECT_EQ(r.correct, 4u);
  EXPECT_DOUBLE_EQ(r.accuracy, 4.0 / 6.0);
  ASSERT_EQ(r.classes.size(), 3u);
  // a: TP 2, support 3, predicted 2 -> P 1, R 2/3, F1 2(2/3)/(5/3) = 0.8
  EXPECT_EQ(r.classes[0].label, "a");
  EXPECT_DOUBLE_EQ(r.classes[0].precision, 1.0);
  EXPECT_DOUBLE_EQ(r.classes[0].recall, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(r.classes[0].f1, 0.8);
  EXPECT_EQ(r.classes[0].support, 3u);
  EXPECT_EQ(r.classes[0].predicted, 2u);
  // b: TP 1, support 2, predicted 2 -> 0.5, 0.5, 0.5
  EXPECT_DOUBLE_EQ(r.classes[1].precision, 0.5);
  EXPECT_DOUBLE_EQ(r.classes[1].recall, 0.5);
  EXPECT_DOUBLE_EQ(r.classes[1].f1, 0.5);
  // c: TP 1, support 1, predicted 2 -> P 0.5, R 1, F1 1/1.5 = 2/3
  EXPECT_DOUBLE_EQ(r.classes[2].precision, 0.5);
  EXPECT_DOUBLE_EQ(r.classes[2].recall, 1.0);
  EXPECT_DOUBLE_EQ(r.classes[2].f1, 2.0 / 3.0);
  EXPECT_EQ(r.macro_classes, 3u);
  EXPECT_DOUBLE_EQ(r.macro_precision, 2.0 / 3.0);   // (1 + .5 + .5) / 3
  EXPECT_DOUBLE_EQ(r.macro_recall, 13.0 / 18.0);    // (2/3 + 1/2 + 1) / 3
  EXPECT_NEAR(r.macro_f1, 59.0 / 90.0, 1e-15);      // (4/5 + 1/2 + 2/3) / 3
}

TEST(ClassificationMetrics, AbsentClassesAndZeroDivision) {
  // Class d never occurs and is never predicted: left out of the macro
  // averages. Class e is predicted once but has no samples: P = R = F1 = 0,
  // and it counts. Truth a a b, predicted a e b.
  const ConfusionMatrix m = confusion_matrix({0, 0, 1}, {0, 4, 1}, {"a", "b", "c", "d", "e"});
  const ClassificationMetrics r = classification_metrics(m);
  EXPECT_DOUBLE_EQ(r.accuracy, 2.0 / 3.0);
  EXPECT_EQ(r.macro_classes, 3u);  // a, b, e
  EXPECT_DOUBLE_EQ(r.classes[0].precision, 1.0);
  EXPECT_DOUBLE_EQ(r.classes[0].recall, 0.5);
  EXPECT_DOUBLE_EQ(r.classes[4].precision, 0.0);
  EXPECT_DOUBLE_EQ(r.classes[4].recall, 0.0);
  EXPECT_DOUBLE_EQ(r.classes[4].f1, 0.0);
  EXPECT_EQ(r.classes[3].support + r.classes[3].predicted, 0u);
  EXPECT_DOUBLE_EQ(r.macro_precision, 2.0 / 3.0);  // (1 + 1 + 0) / 3
  EXPECT_DOUBLE_EQ(r.macro_recall, 0.5);           // (.5 + 1 + 0) / 3
  // No samples at all: zeros, no division by zero.
  const ClassificationMetrics none = classification_metrics(confusion_matrix({}, {}, {"a"}));
  EXPECT_EQ(none.total, 0u);
  EXPECT_EQ(none.accuracy, 0.0);
  EXPECT_EQ(none.macro_classes, 0u);
  EXPECT_EQ(none.macro_f1, 0.0);
}

// Scores .9 .8 .7 .6 .55 .4, positives at .9 .8 .6 (3 positive, 3 negative).
TEST(Roc, CurveAndAreaWithoutTies) {
  const auto curve = roc_curve({0.9, 0.8, 0.7, 0.6, 0.55, 0.4},
                               {true, true, false, true, false, false});
  ASSERT_EQ(curve.size(), 7u);
  const double third = 1.0 / 3.0;
  const double expected[7][2] = {{0, 0},         {0, third},    {0, 2 * third}, {third, 2 * third},
                                 {third, 1},     {2 * third, 1}, {1, 1}};
  for (size_t i = 0; i < 7; ++i) {
    EXPECT_DOUBLE_EQ(curve[i].fpr, expected[i][0]) << i;
    EXPECT_DOUBLE_EQ(curve[i].tpr, expected[i][1]) << i;
  }
  EXPECT_TRUE(std::isinf(curve[0].threshold));
  EXPECT_EQ(curve[3].threshold, 0.7);
  // 1/3 x 2/3 + 2/3 x 1 = 8/9: 8 of the 9 positive-negative pairs are ordered.
  EXPECT_DOUBLE_EQ(roc_auc(curve), 8.0 / 9.0);
  // Up to FPR 0.5: 2/9 + (1/2 - 1/3) x 1 = 7/18, normalised by 0.5 -> 7/9.
  EXPECT_DOUBLE_EQ(partial_auc(curve, 0.5), 7.0 / 9.0);
  EXPECT_DOUBLE_EQ(partial_auc(curve, 1.0), roc_auc(curve));
}

TEST(Roc, TiedScoresMoveDiagonallyAndCountHalf) {
  // .9+, .5+, .5-, .1-: points (0,0) (0,.5) (.5,1) (1,1).
  // Area .5 x (.5 + 1)/2 + .5 x 1 = .875 = (3 ordered pairs + 1 tie / 2) / 4.
  const std::vector<double> scores = {0.9, 0.5, 0.5, 0.1};
  const auto curve = roc_curve(scores, {true, true, false, false});
  ASSERT_EQ(curve.size(), 4u);
  EXPECT_DOUBLE_EQ(curve[2].fpr, 0.5);
  EXPECT_DOUBLE_EQ(curve[2].tpr, 1.0);
  EXPECT_DOUBLE_EQ(roc_auc(curve), 0.875);
  // The order of tied samples does not matter.
  EXPECT_DOUBLE_EQ(roc_auc(roc_curve({0.5, 0.9, 0.1, 0.5}, {false, true, false, true})), 0.875);
  // Interpolated inside the diagonal: at FPR .25 the TPR is .75;
  // .25 x (.5 + .75) / 2 = .15625, / .25 = .625.
  EXPECT_DOUBLE_EQ(partial_auc(curve, 0.25), 0.625);
  // All tied: one diagonal, area one half.
  const auto flat = roc_curve({2, 2, 2, 2}, {true, false, true, false});
  ASSERT_EQ(flat.size(), 2u);
  EXPECT_DOUBLE_EQ(roc_auc(flat), 0.5);
}

TEST(Roc, PerfectAndInvertedScores) {
  const auto perfect = roc_curve({3, 4, 1, 2}, {true, true, false, false});
  EXPECT_DOUBLE_EQ(roc_auc(perfect), 1.0);
  EXPECT_DOUBLE_EQ(partial_auc(perfect, 0.1), 1.0);
  const auto inverted = roc_curve({1, 2, 3, 4}, {true, true, false, false});
  EXPECT_DOUBLE_EQ(roc_auc(inverted), 0.0);
  EXPECT_DOUBLE_EQ(partial_auc(inverted, 0.1), 0.0);
}

TEST(Roc, RefusesDegenerateInput) {
  EXPECT_THROW(roc_curve({1, 2}, {true, true}), Error);
  EXPECT_THROW(roc_curve({1, 2}, {false, false}), Error);
  EXPECT_THROW(roc_curve({1}, {true, false}), Error);
  EXPECT_THROW(roc_curve({1, std::numeric_limits<double>::quiet_NaN()}, {true, false}), Error);
  const auto curve = roc_curve({1, 2}, {false, true});
  EXPECT_THROW(partial_auc(curve, 0.0), Error);
  EXPECT_THROW(partial_auc(curve, 1.5), Error);
}

}  // namespace
}  // namespace locus::host
