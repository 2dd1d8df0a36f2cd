// Each architecture exported to a float model must compute what the libtorch
// network computes (batch norm folded, layouts converted), and k-means must
// find planted clusters.
#include <gtest/gtest.h>

#include "host/common/error.h"
#include "train/models/kmeans.h"
#include "train/models/model_zoo.h"

namespace locus::train {
namespace {

// Gives every batch norm non-trivial statistics and affine parameters, so
// folding is really exercised.
void randomize_norms(Network& net) {
  torch::NoGradGuard no_grad;
  for (auto& module : net.modules(false)) {
    for (auto& item : module->named_buffers(false)) {
      auto& buffer = item.value();
      if (item.key() == "running_mean") buffer.copy_(torch::randn_like(buffer) * 0.1);
      if (item.key() == "running_var") buffer.copy_(torch::rand_like(buffer) + 0.5);
    }
  }
  for (auto& item : net.named_parameters()) {
    const std::string& name = item.key();
    auto& p = item.value();
    if (name.find("_norm.weight") != std::string::npos) p.copy_(torch::rand_like(p) + 0.5);
    if (name.find("_norm.bias") != std::string::npos) p.copy_(torch::randn_like(p) * 0.1);
  }
}

float max_abs_difference(const std::vector<float>& a, const torch::Tensor& b) {
  const torch::Tensor t = b.contiguous();
  EXPECT_EQ(static_cast<int64_t>(a.size()), t.numel());
  float worst = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::abs(a[i] - t.data_ptr<float>()[i]));
  }
  return worst;
}

struct ArchCase {
  const char* arch;
  int32_t frames, features;
};

class ExportTest : public testing::TestWithParam<ArchCase> {};

TEST_P(ExportTest, FloatModelComputesWhatTheNetworkComputes) {
  const ArchCase c = GetParam();
  torch::manual_seed(7);
  ArchSpec spec;
  spec.arch = c.arch;
  spec.width = 8;
  spec.depth = 2;
  auto net = make_network(spec, c.frames, c.features, 5);
  randomize_norms(*net);
  net->eval();
  FloatModelBuilder builder(net->input_shape(c.frames, c.features), std::nullopt);
  net->export_layers(builder);
  const host::FloatModel model = builder.finish();
  for (int trial = 0; trial < 3; ++trial) {
    const torch::Tensor x = torch::randn({1, c.frames, c.features});
    torch::Tensor expected = net->forward(x).detach();
    if (net->task() == Task::kClassify) expected = torch::softmax(expected, 1);
    const std::vector<float> input(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
    const auto values = host::run_float_model(model, input);
    EXPECT_LT(max_abs_difference(values[static_cast<size_t>(model.output)], expected), 1e-4f)
        << c.arch << " trial " << trial;
  }
}

INSTANTIATE_TEST_SUITE_P(Architectures, ExportTest,
                         testing::Values(ArchCase{"ds_cnn", 49, 10}, ArchCase{"ds_cnn", 49, 40},
                                         ArchCase{"cnn", 49, 40}, ArchCase{"conv1d", 50, 6},
                                         ArchCase{"autoencoder", 5, 16}),
                         [](const auto& info) {
                           return std::string(info.param.arch) + "_" +
                                  std::to_string(info.param.features);
                         });

TEST(ModelZoo, RejectsUnknownArchitecturesAndBadKnobs) {
  const auto error_of = [](const std::string& yaml) {
    try {
      parse_arch(YAML::Load(yaml), "locus.yml");
    } catch (const host::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of("{arch: resnet}").find("unknown architecture 'resnet'"), std::string::npos);
  EXPECT_NE(error_of("{arch: ds_cnn, width: 0}").find("model.width"), std::string::npos);
  EXPECT_NE(error_of("{arch: ds_cnn, dropout: 1.5}").find("model.dropout"), std::string::npos);
  EXPECT_EQ(parse_arch(YAML::Load("{arch: cnn, width: 4, depth: 2}"), "x").width, 4);
  EXPECT_THROW(make_network(parse_arch(YAML::Load("{arch: ds_cnn}"), "x"), 4, 1, 3), host::Error);
}

// Three well separated blobs.
torch::Tensor blobs(int64_t per_blob, uint64_t seed) {
  torch::Generator gen = at::detail::createCPUGenerator(seed);
  const torch::Tensor centres = torch::tensor({{0.0f, 0.0f, 0.0f, 0.0f},
                                               {5.0f, 5.0f, 0.0f, 0.0f},
                                               {0.0f, 5.0f, 5.0f, 5.0f}});
  std::vector<torch::Tensor> parts;
  for (int64_t i = 0; i < 3; ++i) {
    parts.push_back(centres[i] + 0.3 * torch::randn({per_blob, 4}, gen));
  }
  return torch::cat(parts);
}

TEST(KMeans, FindsPlantedClustersAndReportsSilhouette) {
  const torch::Tensor data = blobs(100, 1);
  const KMeansModel model = fit_kmeans(data, {3, 100, 0});
  EXPECT_EQ(model.centroids.size(0), 3);
  // Every true centre has a centroid within 0.2.
  for (const auto& centre : {std::vector<float>{0, 0, 0, 0}, std::vector<float>{5, 5, 0, 0},
                             std::vector<float>{0, 5, 5, 5}}) {
    const torch::Tensor d = (model.centroids - torch::tensor(centre)).norm(2, 1);
    EXPECT_LT(d.min().item<float>(), 0.2f);
  }
  EXPECT_GT(silhouette(model, data), 0.8);
  // Four clusters on three blobs separate less cleanly.
  EXPECT_LT(silhouette(fit_kmeans(data, {6, 100, 0}), data), silhouette(model, data));
  // Same seed, same answer.
  EXPECT_TRUE(torch::equal(fit_kmeans(data, {3, 100, 0}).centroids, model.centroids));
}

TEST(KMeans, ExportReconstructsTheNearestCentroid) {
  const torch::Tensor data = blobs(50, 2);
  const KMeansModel model = fit_kmeans(data, {3, 100, 0});
  const host::FloatModel exported = export_kmeans(model, {1, 4}, std::nullopt);
  const torch::Tensor probes = blobs(5, 3);
  for (int64_t i = 0; i < probes.size(0); ++i) {
    const torch::Tensor x = probes[i].contiguous();
    const std::vector<float> input(x.data_ptr<float>(), x.data_ptr<float>() + 4);
    const auto values = host::run_float_model(exported, input);
    const auto& out = values[static_cast<size_t>(exported.output)];
    float error = 0;
    for (int j = 0; j < 4; ++j) error += (out[j] - input[j]) * (out[j] - input[j]);
    EXPECT_NEAR(error, nearest_distance(model, x.unsqueeze(0)).item<float>(), 1e-3f);
  }
}

TEST(KMeans, RefusesMoreClustersThanWindows) {
  EXPECT_THROW(fit_kmeans(torch::randn({2, 3}), {3, 10, 0}), host::Error);
}

}  // namespace
}  // namespace locus::train
