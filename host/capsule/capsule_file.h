// Files on the host: reading whole files (into 16-byte aligned memory, as
// capsules need), writing atomically, and opening a capsule with the
// runtime's own verifier.
#ifndef LOCUS_HOST_CAPSULE_CAPSULE_FILE_H_
#define LOCUS_HOST_CAPSULE_CAPSULE_FILE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "runtime/capsule/capsule_reader.h"

namespace locus::host {

// Heap bytes aligned to 16, as the runtime wants capsules and arenas.
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t size);
  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }
  size_t size() const { return size_; }
  std::span<const uint8_t> span() const { return {data(), size()}; }

 private:
  struct Free {
    void operator()(uint8_t* p) const;
  };
  std::unique_ptr<uint8_t, Free> data_;
  size_t size_ = 0;
};

AlignedBuffer read_file(const std::string& path);
AlignedBuffer copy_to_aligned(std::span<const uint8_t> bytes);

// Writes to PATH.tmp, fsyncs, renames over PATH: readers see the old file
// or the new one, never a torn one.
void write_file_atomic(const std::string& path, std::span<const uint8_t> bytes);

// A capsule opened from memory it owns.
struct LoadedCapsule {
  AlignedBuffer bytes;
  Capsule capsule;
};

// Verifies with the runtime's reader; throws Error naming `origin` and the
// problem.
LoadedCapsule open_capsule(AlignedBuffer bytes, const std::string& origin);
LoadedCapsule load_capsule(const std::string& path);

}  // namespace locus::host

#endif  // LOCUS_HOST_CAPSULE_CAPSULE_FILE_H_
