#include "train/models/model_zoo.h"

#include <algorithm>

#include "host/features/yaml_fields.h"
#include "train/models/conv_nets.h"

namespace locus::train {

std::vector<std::string> architectures() {
  return {"ds_cnn", "cnn", "conv1d", "autoencoder", "kmeans"};
}

bool is_network_arch(const std::string& arch) { return arch != "kmeans"; }

Task arch_task(const std::string& arch) {
  return arch == "autoencoder" || arch == "kmeans" ? Task::kReconstruct : Task::kClassify;
}

ArchSpec parse_arch(const YAML::Node& node, const std::string& where) {
  host::YamlFields f(node, where, "model");
  ArchSpec spec;
  f.get("arch", spec.arch);
  f.get("width", spec.width);
  f.get("depth", spec.depth);
  f.get("dropout", spec.dropout);
  f.get("bottleneck", spec.bottleneck);
  f.get("clusters", spec.clusters);
  const auto known = architectures();
  if (std::find(known.begin(), known.end(), spec.arch) == known.end()) {
    std::string list;
    for (const auto& a : known) list += (list.empty() ? "" : ", ") + a;
    f.error_at(node["arch"], "model.arch: unknown architecture '" + spec.arch + "' (known: " +
                                 list + ")");
  }
  auto check = [&](const char* key, int32_t value, int32_t lo, int32_t hi) {
    if (node[key] && (value < lo || value > hi)) {
      f.error_at(node[key], std::string("model.") + key + ": expected " + std::to_string(lo) +
                                " to " + std::to_string(hi));
    }
  };
  check("width", spec.width, 1, 1024);
  check("depth", spec.depth, 1, 16);
  check("bottleneck", spec.bottleneck, 1, 1024);
  check("clusters", spec.clusters, 1, 256);
  if (!(spec.dropout >= 0.0f && spec.dropout < 1.0f)) {
    f.error_at(node["dropout"], "model.dropout: expected a value in [0, 1)");
  }
  return spec;
}

std::shared_ptr<Network> make_network(const ArchSpec& spec, int32_t frames, int32_t features,
                                      int32_t outputs) {
  if (spec.arch == "ds_cnn") return make_ds_cnn(spec, frames, features, outputs);
  if (spec.arch == "cnn") return make_small_cnn(spec, frames, features, outputs);
  if (spec.arch == "conv1d") return make_conv1d(spec, frames, features, outputs);
  if (spec.arch == "autoencoder") return make_autoencoder(spec, frames, features);
  host::fail("model.arch '", spec.arch, "' is not a network");
}

}  // namespace locus::train
