// Deterministic, group-disjoint train / validation / test splits.
#include <sodium.h>

#include <cmath>
#include <map>

#include "host/common/error.h"
#include "host/dataset/dataset.h"

namespace locus::host {

double split_fraction(std::string_view group, uint64_t seed) {
  static constexpr char kDomain[] = "locus-split-v1";
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(kDomain),
                            sizeof(kDomain));  // with its terminating zero
  unsigned char seed_bytes[8];
  for (int i = 0; i < 8; ++i) seed_bytes[i] = static_cast<unsigned char>(seed >> (8 * i));
  crypto_hash_sha256_update(&state, seed_bytes, sizeof(seed_bytes));
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(group.data()),
                            group.size());
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  uint64_t h = 0;
  for (int i = 0; i < 8; ++i) h = (h << 8) | digest[i];
  // The top 53 bits give every double in [0, 1) on the 2^-53 grid exactly.
  return static_cast<double>(h >> 11) * 0x1p-53;
}

void assign_splits(Dataset& dataset, const SplitOptions& options) {
  const double v = options.validation_share;
  const double t = options.test_share;
  if (!std::isfinite(v) || v < 0.0 || v > 1.0) {
    fail("split: validation share ", v, " is not between 0 and 1");
  }
  if (!std::isfinite(t) || t < 0.0 || t > 1.0) {
    fail("split: test share ", t, " is not between 0 and 1");
  }
  if (v + t >= 1.0) {
    fail("split: validation share ", v, " and test share ", t,
         " add up to 1 or more, which leaves nothing to train on");
  }
  if (!options.keep_manifest_splits) {
    for (Sample& s : dataset.samples) s.split.clear();
  }
  // A group that already has a split (from the manifest) keeps its other
  // samples with it, so no group straddles two splits.
  std::map<std::string, std::string> split_of_group;
  for (const Sample& s : dataset.samples) {
    if (!s.split.empty()) split_of_group.emplace(s.group, s.split);
  }
  std::map<std::string, std::string> hashed;
  for (Sample& s : dataset.samples) {
    if (!s.split.empty()) continue;
    if (const auto it = split_of_group.find(s.group); it != split_of_group.end()) {
      s.split = it->second;
      continue;
    }
    auto [it, added] = hashed.emplace(s.group, "");
    if (added) {
      const double x = split_fraction(s.group, options.seed);
      it->second = std::string(x < t ? kTestSplit : x < t + v ? kValidationSplit : kTrainSplit);
    }
    s.split = it->second;
  }
}

}  // namespace locus::host
