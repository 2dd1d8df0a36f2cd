// Dataset manifests: CSV (header row) or JSON lines, one sample per row.
// Columns: path (relative to the manifest's folder, or absolute), label,
// and optionally split, location and group, speaker or device (the first of
// these with a value is the sample's group); every other column is kept in
// Sample::extra. write_manifest is declared in dataset.h.
#ifndef LOCUS_HOST_DATASET_MANIFEST_H_
#define LOCUS_HOST_DATASET_MANIFEST_H_

#include <string>
#include <vector>

#include "host/dataset/dataset.h"

namespace locus::host {

// Samples in manifest order. `root` is the dataset's absolute root: every
// path must lie inside it. Throws Error naming manifest:line for a row
// without path or label, an unknown split name, a file that does not exist,
// a file outside the root, a duplicate path, or a malformed row.
std::vector<Sample> read_manifest(const std::string& manifest_path, const std::string& root);

// "train", "validation" or "test" for the names manifests use (also
// training, val, valid, dev, testing; any case); empty stays empty; anything
// else returns "?".
std::string normalize_split_name(std::string_view name);

}  // namespace locus::host

#endif  // LOCUS_HOST_DATASET_MANIFEST_H_
