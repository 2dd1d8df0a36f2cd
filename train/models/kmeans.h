// k-means for anomaly detection: the score of a window is its distance to the
// nearest centroid. So that the capsule needs no special operator, the
// centroids are exported as a "reconstruction": a dense layer scoring every
// centroid (2 x.c - |c|^2, sharpened), a softmax that picks the nearest, and
// a dense layer that outputs that centroid. The runtime's anomaly score (mean
// squared error between input and output) is then the squared distance to
// the nearest centroid divided by the window size.
#ifndef LOCUS_TRAIN_MODELS_KMEANS_H_
#define LOCUS_TRAIN_MODELS_KMEANS_H_

#include <torch/torch.h>

#include <optional>

#include "host/quantize/float_model.h"

namespace locus::train {

struct KMeansOptions {
  int32_t clusters = 8;
  int32_t iterations = 100;
  uint64_t seed = 0;
};

struct KMeansModel {
  torch::Tensor centroids;  // [k, d]
  double inertia = 0;       // sum of squared distances to the nearest centroid
  int32_t iterations = 0;
};

// k-means++ initialisation, then Lloyd iterations until assignments settle.
// `data` is [n, d].
KMeansModel fit_kmeans(const torch::Tensor& data, const KMeansOptions& options);

// Squared distance of each row to its nearest centroid, [n].
torch::Tensor nearest_distance(const KMeansModel& model, const torch::Tensor& data);

// Mean silhouette coefficient of the clustering of `data` (a deterministic
// subsample of at most `max_points` rows keeps it O(max_points^2)).
double silhouette(const KMeansModel& model, const torch::Tensor& data, int64_t max_points = 2000,
                  uint64_t seed = 0);

// The nearest-centroid reconstruction as a float model. The centroid scores
// are multiplied by 20 / (smallest squared distance between centroids), so
// the softmax is one-hot except very near a decision boundary.
host::FloatModel export_kmeans(const KMeansModel& model, std::vector<int32_t> input_shape,
                               std::optional<host::AffineQuantization> input_quantization);

}  // namespace locus::train

#endif  // LOCUS_TRAIN_MODELS_KMEANS_H_
