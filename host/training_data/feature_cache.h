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
// The block comes from its YAML or from a capsule's DSP block
// (FeatureBlockSource, host/features/feature_block.h).
//
// A cache entry's key is the SHA-256 of everything that decides its
// features: the block as a capsule stores it plus its host-only options
// (FeatureBlock::host_options(): spectral `normalize: peak`, `clip_ms`),
// not the YAML text, so a YAML block and the capsule block built from it
// share entries whenever the YAML holds nothing host-only (features
// computed for training are read back for calibration); then the block's
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

#include "host/features/feature_block.h"
#include "host/features/feature_writers.h"
#include "host/training_data/augment.h"
#include "host/training_data/training_set.h"

namespace locus::host {

// Bump when anything this cache does to a clip before the block changes,
// or how keys are made. 2: keys from the block's capsule form and host
// options instead of its YAML text.
inline constexpr uint32_t kFeatureCacheVersion = 2;

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

// Features of every example, in order, with blocks from `source` (one per
// worker). Throws Error naming the source (its `where`) or the file for
// unreadable clips, bad capsule blocks, augmentation or silence with a
// non-audio block, generated silence without clip_samples, or a noise bank
// at another rate than the block. `stats`, when given, receives counts.
std::vector<FeatureMatrix> compute_features(const FeatureBlockSource& source,
                                            const std::vector<TrainingExample>& examples,
                                            const FeatureCacheOptions& options,
                                            FeatureCacheStats* stats = nullptr);
// The same with the block's YAML (a one-key map, as under `features:`),
// `where` the file it came from.
std::vector<FeatureMatrix> compute_features(const YAML::Node& block_node, const std::string& where,
                                            const std::vector<TrainingExample>& examples,
                                            const FeatureCacheOptions& options,
                                            FeatureCacheStats* stats = nullptr);

// The cache key (64 hex digits) a block gives an example; exposed for tools
// and tests. `content_digest` is the SHA-256 of the example's file (ignored
// for generated silence).
std::string feature_cache_key(const FeatureBlockSource& source, const TrainingExample& example,
                              const std::array<uint8_t, 32>& content_digest,
                              const FeatureCacheOptions& options);
std::string feature_cache_key(const YAML::Node& block_node, const std::string& where,
                              const TrainingExample& example,
                              const std::array<uint8_t, 32>& content_digest,
                              const FeatureCacheOptions& options);

}  // namespace locus::host

#endif  // LOCUS_HOST_TRAINING_DATA_FEATURE_CACHE_H_
