#include "train/models/kmeans.h"

#include "host/common/error.h"
#include "train/export/float_model_builder.h"

namespace locus::train {

namespace {

// Squared distances [n, k] between rows of a and rows of b.
torch::Tensor squared_distances(const torch::Tensor& a, const torch::Tensor& b) {
  return torch::clamp_min(a.pow(2).sum(1, true) - 2 * a.matmul(b.t()) + b.pow(2).sum(1).unsqueeze(0),
                          0);
}

}  // namespace

KMeansModel fit_kmeans(const torch::Tensor& input, const KMeansOptions& options) {
  torch::NoGradGuard no_grad;
  const torch::Tensor data = input.to(torch::kFloat64);
  const int64_t n = data.size(0);
  const int64_t k = options.clusters;
  if (n < k) host::fail("kmeans: ", n, " training windows for ", k, " clusters");
  torch::Generator gen = at::detail::createCPUGenerator(options.seed);

  // k-means++: each new centroid drawn with probability proportional to the
  // squared distance to the nearest one chosen so far.
  std::vector<int64_t> chosen = {torch::randint(n, {1}, gen).item<int64_t>()};
  torch::Tensor nearest = squared_distances(data, data.index({chosen[0]}).unsqueeze(0)).squeeze(1);
  while (static_cast<int64_t>(chosen.size()) < k) {
    const double total = nearest.sum().item<double>();
    const int64_t next = total > 0 ? torch::multinomial(nearest, 1, false, gen).item<int64_t>()
                                   : torch::randint(n, {1}, gen).item<int64_t>();
    chosen.push_back(next);
    nearest = torch::minimum(nearest,
                             squared_distances(data, data.index({next}).unsqueeze(0)).squeeze(1));
  }
  torch::Tensor centroids = data.index({torch::tensor(chosen)}).clone();

  KMeansModel model;
  torch::Tensor assignment;
  for (int32_t it = 0; it < options.iterations; ++it) {
    const torch::Tensor next = squared_distances(data, centroids).argmin(1);
    model.iterations = it + 1;
    if (assignment.defined() && torch::equal(next, assignment)) break;
    assignment = next;
    for (int64_t c = 0; c < k; ++c) {
      const torch::Tensor members = data.index({assignment == c});
      if (members.size(0) > 0) centroids[c] = members.mean(0);
    }
  }
  model.centroids = centroids.to(torch::kFloat32);
  model.inertia = squared_distances(data, centroids).amin(1).sum().item<double>();
  return model;
}

torch::Tensor nearest_distance(const KMeansModel& model, const torch::Tensor& data) {
  torch::NoGradGuard no_grad;
  return squared_distances(data.to(torch::kFloat32), model.centroids).amin(1);
}

double silhouette(const KMeansModel& model, const torch::Tensor& input, int64_t max_points,
                  uint64_t seed) {
  torch::NoGradGuard no_grad;
  torch::Tensor data = input.to(torch::kFloat64);
  if (data.size(0) > max_points) {
    torch::Generator gen = at::detail::createCPUGenerator(seed);
    data = data.index({torch::randperm(data.size(0), gen).slice(0, 0, max_points)});
  }
  const int64_t k = model.centroids.size(0);
  const torch::Tensor labels =
      squared_distances(data, model.centroids.to(torch::kFloat64)).argmin(1);
  const torch::Tensor dist = torch::sqrt(squared_distances(data, data));
  // Mean distance from each point to each cluster.
  const torch::Tensor onehot = torch::one_hot(labels, k).to(torch::kFloat64);  // [n, k]
  const torch::Tensor sizes = onehot.sum(0);                                     // [k]
  const torch::Tensor sums = dist.matmul(onehot);                                // [n, k]
  const torch::Tensor own_size = sizes.index({labels});
  const torch::Tensor a = sums.gather(1, labels.unsqueeze(1)).squeeze(1) /
                          torch::clamp_min(own_size - 1, 1);
  torch::Tensor others = sums / sizes.unsqueeze(0);
  others.scatter_(1, labels.unsqueeze(1), std::numeric_limits<double>::infinity());
  others = torch::where(sizes.unsqueeze(0) > 0, others,
                        torch::full_like(others, std::numeric_limits<double>::infinity()));
  const torch::Tensor b = std::get<0>(others.min(1));
  torch::Tensor s = (b - a) / torch::maximum(a, b);
  // Points alone in their cluster score 0 by convention.
  s = torch::where(own_size > 1, s, torch::zeros_like(s));
  s = torch::nan_to_num(s, 0.0, 0.0, 0.0);
  return s.mean().item<double>();
}

host::FloatModel export_kmeans(const KMeansModel& model, std::vector<int32_t> input_shape,
                               std::optional<host::AffineQuantization> input_quantization) {
  torch::NoGradGuard no_grad;
  const torch::Tensor c = model.centroids;
  // Sharpness: the smallest distance between two centroids sets how steep
  // the choice must be to be near one-hot at the decision boundaries' scale.
  const int64_t k = c.size(0);
  double sharpness = 1.0;
  if (k > 1) {
    torch::Tensor d = squared_distances(c, c);
    d.fill_diagonal_(std::numeric_limits<float>::infinity());
    const double closest = d.min().item<double>();
    if (closest > 0) sharpness = 20.0 / closest;
  }
  FloatModelBuilder b(std::move(input_shape), input_quantization);
  b.dense("centroid_scores", 2.0 * sharpness * c, -sharpness * c.pow(2).sum(1),
          host::FloatActivation::kNone);
  b.softmax("nearest");
  b.dense("centroid", c.t().contiguous(), torch::zeros({c.size(1)}), host::FloatActivation::kNone);
  return b.finish();
}

}  // namespace locus::train
