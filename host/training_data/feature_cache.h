// Features of training examples, computed with the pipeline's own feature
// block on several threads and cached on disk, so the second epoch, the
// second training run and the evaluation after it read files instead of
// recomputing.
//
// Each example's clip is prepared as a device would see it: read at the
// block's rate, fitted to the pipeline window (clip_samples), augmented
// when variant > 0 (or generated when it is silence), then run through the
// block from a fresh state. Non-audio blocks (IMU CSV, images) compute from
// the file and take no augmentation.
//
// A cache entry's key is the SHA-256 of everything that decides its
// features: the block as a capsule stores it plus its YAML (host-side clip
// options such as `normalize: peak` are not in the capsule), the block's
// implementation version, this cache's and the augmentation's versions,
// the file's content digest, clip_samples, and for augmented or generated
// clips the variant, seed, augmentation options and the noise bank's
// digest. Entries are one file each, checked (magic, version, key, size,
// SHA-256) when read; anything that does not check out is recomputed and
// replaced, never used.
#ifndef LOCUS_HOST_TRAINING_DATA_FEATURE_CACHE_H_
#define LOCUS_HOST_TRAINING_DATA_FEATURE_CACHE_H_

#include <yaml-cpp/yaml.h>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "host/features/feature_writers.h"
#include "host/training_data/augment.h"
#include "host/training_data/training_set.h"

namespace locus::host {

// Bump when anything this cache does to a clip before the block changes.
inline constexpr uint32_t kFeatureCacheVersion = 1;

struct FeatureCacheOptions {
  std::string dir;             // empty: default_feature_cache_dir()
  uint32_t clip_samples = 0;   // pad or cut each clip (the pipeline window); 0: keep
  AugmentOptions augment;      // for variants > 0
  const NoiseBank* noise = nullptr;  // for augmentation and generated silence
  unsigned threads = 2;        // workers; 0: one per hardware thread
  uint64_t seed = 0;           // the training seed (augmentation, silence)
  // Called on the calling thread after each example, with (done, total).
  std::function<void(size_t, size_t)> progress;
};

struct FeatureCacheStats {
  size_t hits = 0;      // read from the cache
  size_t misses = 0;    // computed (and written)
  size_t rejected = 0;  // of the misses: a cache file was there but corrupt or mismatched
};

// $LOCUS_HOME/cache/features (see host/store/data_dir.h for the fallbacks).
std::string default_feature_cache_dir();

// Features of every example, in order. `block_node` is the block's YAML
// (a one-key map, as under `features:`), `where` the file it came from.
// Throws Error naming the file for unreadable clips, augmentation or silence
// with a non-audio block, generated silence without clip_samples, or a noise
// bank at another rate than the block. `stats`, when given, receives counts.
std::vector<FeatureMatrix> compute_features(const YAML::Node& block_node, const std::string& where,
                                            const std::vector<TrainingExample>& examples,
                                            const FeatureCacheOptions& options,
                                            FeatureCacheStats* stats = nullptr);

// The cache key (64 hex digits) a block gives an example; exposed for tools
// and tests. `content_digest` is the SHA-256 of the example's file (ignored
// for generated silence).
std::string feature_cache_key(const YAML::Node& block_node, const std::string& where,
                              const TrainingExample& example,
                              const std::array<uint8_t, 32>& content_digest,
                              const FeatureCacheOptions& options);

}  // namespace locus::host

#endif  // LOCUS_HOST_TRAINING_DATA_FEATURE_CACHE_H_
