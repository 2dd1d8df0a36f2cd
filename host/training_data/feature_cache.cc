#include "host/training_data/feature_cache.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "host/audio/audio_file.h"
#include "host/audio/clip.h"
#include "host/common/error.h"
#include "host/features/feature_block.h"
#include "host/store/data_dir.h"

namespace locus::host {
namespace {

namespace fs = std::filesystem;
using Digest = std::array<uint8_t, 32>;

// ---- keys ----

class Hasher {
 public:
  Hasher() { crypto_hash_sha256_init(&state_); }
  Hasher& bytes(const void* data, size_t size) {
    crypto_hash_sha256_update(&state_, static_cast<const uint8_t*>(data), size);
    return *this;
  }
  Hasher& u64(uint64_t v) {
    uint8_t b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
    return bytes(b, 8);
  }
  Hasher& f32(float v) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    return u64(bits);
  }
  // Length-prefixed, so that concatenations cannot collide.
  Hasher& text(std::string_view s) { return u64(s.size()).bytes(s.data(), s.size()); }
  Hasher& digest(const Digest& d) { return bytes(d.data(), d.size()); }
  Digest finish() {
    Digest out;
    crypto_hash_sha256_final(&state_, out.data());
    return out;
  }

 private:
  crypto_hash_sha256_state state_;
};

std::string hex(const Digest& d) {
  static const char* kDigits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : d) {
    s += kDigits[b >> 4];
    s += kDigits[b & 15];
  }
  return s;
}

// Everything about the block that decides its output: its capsule form
// and its host-only options, not the text it was written as, so the same
// block from YAML (written in any order or style, or as a preset) or from
// a capsule has one key.
Digest block_digest(const FeatureBlock& block) {
  schema::DspBlockT capsule_form = block.to_capsule();
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(schema::DspBlock::Pack(fbb, &capsule_form));
  Hasher h;
  h.text("locus feature block");
  h.u64(fbb.GetSize()).bytes(fbb.GetBufferPointer(), fbb.GetSize());
  h.text(block.host_options()).text(block.kind()).u64(block.implementation_version());
  h.u64(block.sample_rate());
  h.u64(static_cast<uint32_t>(block.features_per_frame()));
  h.u64(static_cast<uint32_t>(block.output_type()));
  h.u64(static_cast<uint32_t>(block.frame_length())).u64(static_cast<uint32_t>(block.frame_step()));
  return h.finish();
}

bool is_augmented(const TrainingExample& e) { return e.source != nullptr && e.variant > 0; }

Digest example_key(const Digest& block, const TrainingExample& e, const Digest& content,
                   const Digest& noise, const FeatureCacheOptions& options) {
  Hasher h;
  h.text("locus feature cache").u64(kFeatureCacheVersion).digest(block);
  h.u64(options.clip_samples);
  if (e.source != nullptr) {
    h.text("file").digest(content).u64(e.variant);
  } else {
    h.text("generated silence").u64(e.variant);
  }
  if (is_augmented(e) || e.source == nullptr) {
    h.u64(kAugmentImplementationVersion).u64(options.seed).digest(noise);
  }
  if (is_augmented(e)) {
    const AugmentOptions& a = options.augment;
    h.f32(a.noise_probability).f32(a.snr_min_db).f32(a.snr_max_db).u64(a.shift_ms);
    h.f32(a.gain_min_db).f32(a.gain_max_db);
  }
  return h.finish();
}

Digest file_digest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, ": cannot read (", std::strerror(errno), ")");
  Hasher h;
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (in.gcount() > 0) h.bytes(buffer.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) fail(path, ": read failed");
  return h.finish();
}

// ---- entry files ----
//
//   0  8  magic "LOCUSFTC"
//   8  4  format version (kFeatureCacheVersion), little-endian
//  12 32  key
//  44  4  frames      48 4 features      52 4 type (FeatureType)
//  56     frames x features float32, little-endian
//   end  32  SHA-256 of everything before it

constexpr char kMagic[8] = {'L', 'O', 'C', 'U', 'S', 'F', 'T', 'C'};
constexpr size_t kHeaderBytes = 56;
constexpr size_t kChecksumBytes = 32;

void put32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint32_t get32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

std::vector<uint8_t> encode_entry(const Digest& key, const FeatureMatrix& m) {
  std::vector<uint8_t> out(kMagic, kMagic + 8);
  put32(out, kFeatureCacheVersion);
  out.insert(out.end(), key.begin(), key.end());
  put32(out, static_cast<uint32_t>(m.frames));
  put32(out, static_cast<uint32_t>(m.features));
  put32(out, static_cast<uint32_t>(m.type));
  for (float v : m.values) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    put32(out, bits);
  }
  Digest sum;
  crypto_hash_sha256(sum.data(), out.data(), out.size());
  out.insert(out.end(), sum.begin(), sum.end());
  return out;
}

// The entry, or false when the file is not a valid entry for `key`.
bool decode_entry(const std::vector<uint8_t>& bytes, const Digest& key, FeatureType type,
                  FeatureMatrix& m) {
  if (bytes.size() < kHeaderBytes + kChecksumBytes) return false;
  if (std::memcmp(bytes.data(), kMagic, 8) != 0) return false;
  if (get32(bytes.data() + 8) != kFeatureCacheVersion) return false;
  if (std::memcmp(bytes.data() + 12, key.data(), key.size()) != 0) return false;
  const uint32_t frames = get32(bytes.data() + 44);
  const uint32_t features = get32(bytes.data() + 48);
  const uint32_t stored_type = get32(bytes.data() + 52);
  if (stored_type != static_cast<uint32_t>(type)) return false;
  const uint64_t count = uint64_t{frames} * features;
  if (frames > (1u << 30) || features > (1u << 30) ||
      count * 4 != bytes.size() - kHeaderBytes - kChecksumBytes) {
    return false;
  }
  Digest sum;
  const size_t body = bytes.size() - kChecksumBytes;
  crypto_hash_sha256(sum.data(), bytes.data(), body);
  if (std::memcmp(sum.data(), bytes.data() + body, kChecksumBytes) != 0) return false;
  m.frames = static_cast<int32_t>(frames);
  m.features = static_cast<int32_t>(features);
  m.type = type;
  m.values.resize(count);
  for (uint64_t i = 0; i < count; ++i) {
    const uint32_t bits = get32(bytes.data() + kHeaderBytes + 4 * i);
    std::memcpy(&m.values[i], &bits, 4);
  }
  return true;
}

// Empty when the file does not exist or cannot be read.
std::vector<uint8_t> read_entry_file(const fs::path& path, bool& present) {
  std::ifstream in(path, std::ios::binary);
  present = static_cast<bool>(in);
  if (!in) return {};
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Temporary file + rename, so readers never see a torn entry. No fsync: an
// entry lost or torn by a power cut fails its checksum and is recomputed,
// and thousands of fsyncs would cost more than the features.
void write_entry_file(const fs::path& path, const std::vector<uint8_t>& bytes) {
  static std::atomic<uint64_t> counter{0};
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (!fs::is_directory(path.parent_path())) {
    fail(path.parent_path().string(), ": cannot create the feature cache folder (", ec.message(),
         ")");
  }
  const std::string tmp = path.string() + ".tmp." + std::to_string(::getpid()) + "." +
                          std::to_string(counter.fetch_add(1));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) fail(tmp, ": cannot create a feature cache file (", std::strerror(errno), ")");
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      fail(tmp, ": write failed (", std::strerror(err), ")");
    }
    written += static_cast<size_t>(n);
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail(path.string(), ": cannot write the feature cache file (", std::strerror(err), ")");
  }
}

// ---- workers ----

// Runs fn(index, worker) for every index on `threads` threads; reports
// progress on the calling thread; the first exception stops the others
// and is rethrown here.
template <typename Fn>
void parallel_for(size_t count, unsigned threads, Fn fn,
                  const std::function<void(size_t, size_t)>& progress) {
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::condition_variable changed;
  size_t done = 0;
  unsigned finished = 0;
  std::exception_ptr error;
  auto work = [&](unsigned worker) {
    while (!stop) {
      const size_t i = next++;
      if (i >= count) break;
      try {
        fn(i, worker);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!error) error = std::current_exception();
        stop = true;
        break;
      }
      std::lock_guard<std::mutex> lock(mutex);
      ++done;
      changed.notify_all();
    }
    std::lock_guard<std::mutex> lock(mutex);
    ++finished;
    changed.notify_all();
  };
  std::vector<std::thread> pool;
  for (unsigned w = 0; w < threads; ++w) pool.emplace_back(work, w);
  try {
    std::unique_lock<std::mutex> lock(mutex);
    size_t reported = 0;
    for (;;) {
      changed.wait(lock, [&] { return done != reported || finished == threads; });
      if (error) break;
      if (done != reported && progress) {
        const size_t now = done;
        lock.unlock();
        progress(now, count);
        lock.lock();
        reported = now;
      } else {
        reported = done;
      }
      if (finished == threads && reported == done) break;
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!error) error = std::current_exception();
    stop = true;
  }
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

struct Context {
  Digest block;
  Digest noise;
  FeatureType type = FeatureType::kFloat32;
  bool audio = false;
  uint32_t rate = 0;
};

Context make_context(const FeatureBlock& block, const FeatureCacheOptions& options) {
  Context c;
  c.block = block_digest(block);
  c.noise = options.noise != nullptr ? options.noise->digest() : NoiseBank{}.digest();
  c.type = block.output_type();
  c.audio = dynamic_cast<const AudioFeatureBlock*>(&block) != nullptr;
  c.rate = block.sample_rate();
  return c;
}

FeatureMatrix compute_example(FeatureBlock& block, const Context& c, const TrainingExample& e,
                              const Digest& content, const FeatureCacheOptions& options) {
  static const NoiseBank kNoNoise;
  const NoiseBank& noise = options.noise != nullptr ? *options.noise : kNoNoise;
  const std::string origin = e.source != nullptr ? e.source->path : "generated _silence_";
  if (!c.audio) return block.compute_file(e.source->path);
  Audio audio;
  if (e.source != nullptr) {
    audio = read_audio(e.source->path, c.rate);
    if (options.clip_samples > 0) fit_length(audio.samples, options.clip_samples);
    if (e.variant > 0) {
      augment_clip(audio.samples, c.rate, noise, options.augment,
                   derive_seed(options.seed, hex(content), e.variant));
    }
  } else {
    audio.sample_rate = c.rate;
    audio.samples = silence_clip(noise, options.clip_samples,
                                 derive_seed(options.seed, kSilenceLabel, e.variant));
  }
  try {
    return static_cast<AudioFeatureBlock&>(block).compute(audio);
  } catch (const Error& err) {
    fail(origin, ": ", err.what());
  }
}

}  // namespace

std::string default_feature_cache_dir() {
  return (locus_data_dir() / "cache" / "features").string();
}

std::string feature_cache_key(const FeatureBlockSource& source, const TrainingExample& example,
                              const Digest& content_digest, const FeatureCacheOptions& options) {
  const auto block = source.make();
  const Context c = make_context(*block, options);
  return hex(example_key(c.block, example, content_digest, c.noise, options));
}

std::string feature_cache_key(const YAML::Node& block_node, const std::string& where,
                              const TrainingExample& example, const Digest& content_digest,
                              const FeatureCacheOptions& options) {
  return feature_cache_key(FeatureBlockSource(block_node, where), example, content_digest, options);
}

std::vector<FeatureMatrix> compute_features(const YAML::Node& block_node, const std::string& where,
                                            const std::vector<TrainingExample>& examples,
                                            const FeatureCacheOptions& options,
                                            FeatureCacheStats* stats) {
  return compute_features(FeatureBlockSource(block_node, where), examples, options, stats);
}

std::vector<FeatureMatrix> compute_features(const FeatureBlockSource& source,
                                            const std::vector<TrainingExample>& examples,
                                            const FeatureCacheOptions& options,
                                            FeatureCacheStats* stats) {
  const std::string& where = source.where();
  // Blocks keep streaming state, so each worker gets its own; all are built
  // here, on one thread (yaml-cpp nodes are not safe to read concurrently).
  unsigned threads = options.threads != 0 ? options.threads
                                          : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::max<size_t>(1, std::min<size_t>(threads, examples.size())));
  std::vector<std::unique_ptr<FeatureBlock>> blocks;
  for (unsigned w = 0; w < threads; ++w) blocks.push_back(source.make());
  const Context c = make_context(*blocks[0], options);

  bool augmented = false, silence = false;
  for (const auto& e : examples) {
    augmented = augmented || is_augmented(e);
    silence = silence || e.source == nullptr;
  }
  if (!c.audio && (augmented || silence)) {
    fail(where, ": ", blocks[0]->kind(), " is not an audio block: its examples cannot be ",
         silence ? "generated silence" : "augmented");
  }
  if (silence && options.clip_samples == 0) {
    fail(where, ": generated _silence_ examples need clip_samples (the pipeline's window length)");
  }
  if ((augmented || silence) && options.noise != nullptr && !options.noise->empty() &&
      options.noise->sample_rate != c.rate) {
    fail(where, ": the background noise is at ", options.noise->sample_rate, " Hz, ",
         blocks[0]->kind(), " runs at ", c.rate, " Hz");
  }
  const fs::path dir = options.dir.empty() ? fs::path(default_feature_cache_dir()) : fs::path(options.dir);

  // Content digests, once per file.
  std::map<const Sample*, size_t> source_index;
  std::vector<const Sample*> sources;
  for (const auto& e : examples) {
    if (e.source != nullptr && source_index.emplace(e.source, sources.size()).second) {
      sources.push_back(e.source);
    }
  }
  std::vector<Digest> digests(sources.size());
  parallel_for(sources.size(), threads,
               [&](size_t i, unsigned) { digests[i] = file_digest(sources[i]->path); }, {});

  std::vector<FeatureMatrix> results(examples.size());
  std::atomic<size_t> hits{0}, misses{0}, rejected{0};
  parallel_for(
      examples.size(), threads,
      [&](size_t i, unsigned worker) {
        const TrainingExample& e = examples[i];
        const Digest content = e.source != nullptr ? digests[source_index.at(e.source)] : Digest{};
        const Digest key = example_key(c.block, e, content, c.noise, options);
        const std::string name = hex(key);
        const fs::path path = dir / name.substr(0, 2) / (name + ".bin");
        bool present = false;
        const std::vector<uint8_t> bytes = read_entry_file(path, present);
        if (present && decode_entry(bytes, key, c.type, results[i])) {
          ++hits;
          return;
        }
        if (present) ++rejected;
        ++misses;
        results[i] = compute_example(*blocks[worker], c, e, content, options);
        if (results[i].type != c.type) {
          fail(where, ": ", blocks[worker]->kind(), " produced ", feature_type_name(results[i].type),
               " features but declares ", feature_type_name(c.type));
        }
        write_entry_file(path, encode_entry(key, results[i]));
      },
      options.progress);
  if (stats != nullptr) {
    stats->hits = hits;
    stats->misses = misses;
    stats->rejected = rejected;
  }
  return results;
}

}  // namespace locus::host
