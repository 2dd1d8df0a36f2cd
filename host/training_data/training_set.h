// Which examples a model trains on: the clips of one split mapped to the
// model's labels, other words subsampled into `_unknown_`, `_silence_`
// topped up with generated clips, and augmented copies. Bad input (an empty
// class, a one-class dataset) is refused here, before any training starts.
#ifndef LOCUS_HOST_TRAINING_DATA_TRAINING_SET_H_
#define LOCUS_HOST_TRAINING_DATA_TRAINING_SET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "host/dataset/dataset.h"

namespace locus::host {

struct TrainingExample {
  const Sample* source = nullptr;  // into the Dataset; nullptr: generated _silence_
  int32_t label = 0;               // index into the model's labels
  // 0: the clean clip; > 0: an augmented copy whose seed derives from the
  // training seed, the file's content and this number. For generated
  // silence: which generated clip (its seed derives from the training seed
  // and this number).
  uint32_t variant = 0;
};

struct TrainingSetOptions {
  std::vector<std::string> labels;  // the model's labels, in output order
  std::string split = std::string(kTrainSplit);
  uint32_t augment_variants = 0;  // augmented copies per clip, besides the clean one
  // _unknown_ examples (other words and the dataset's own _unknown_ clips)
  // relative to the mean clip count of the named classes (those other than
  // _unknown_ and _silence_); a larger pool is subsampled by the seed.
  double unknown_share = 1.0;
  // _silence_ examples relative to that mean: the dataset's own _silence_
  // clips, topped up with generated ones when noise is available.
  double silence_share = 1.0;
  // Every clip of the split, as `locus eval` sees it: all other words in
  // _unknown_, only the dataset's own _silence_ clips, no shares applied.
  // For measuring, not training.
  bool whole_split = false;
  uint64_t seed = 0;
};

struct TrainingSet {
  std::vector<TrainingExample> examples;  // clips in path order, each followed by its
                                          // variants; generated silence last
  std::vector<std::string> warnings;      // e.g. dataset labels the model does not use
  std::vector<size_t> counts_per_label;   // examples per model label (variants included)
};

// The examples of `options.split`. `have_noise`: a background noise bank is
// available, so _silence_ can be generated. Throws Error, naming the dataset
// and split, for: fewer than two or duplicate model labels; a dataset with
// only one class; a split with no samples; model labels with no examples
// (except _silence_ when noise is available); negative shares. Examples
// point into `dataset`, which must outlive them.
TrainingSet compose_training_set(const Dataset& dataset, const TrainingSetOptions& options,
                                 bool have_noise);

}  // namespace locus::host

#endif  // LOCUS_HOST_TRAINING_DATA_TRAINING_SET_H_
