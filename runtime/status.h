// Status: the only error channel of the runtime (no exceptions, no heap).
// A failed status carries a short message naming what went wrong and where,
// formatted into an inline buffer.
#ifndef LOCUS_RUNTIME_STATUS_H_
#define LOCUS_RUNTIME_STATUS_H_

#include <stddef.h>
#include <stdint.h>

namespace locus {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,     // caller passed something unusable
  kMalformed,           // bytes from outside failed verification
  kUnsupported,         // well-formed, but not something this build can run
  kResourceExhausted,   // arena or buffer too small
  kFailedPrecondition,  // called in the wrong state
  kDataLoss,            // self-test or digest mismatch
  kInternal,
};

const char* status_code_name(StatusCode code);

class Status {
 public:
  static constexpr size_t kMaxMessage = 160;

  Status() : code_(StatusCode::kOk) { message_[0] = '\0'; }
  static Status ok() { return Status(); }
  // printf-like subset: %s %d %u %ld %lu %lld %llu %zu %x %%.
  static Status error(StatusCode code, const char* format, ...)
      __attribute__((format(printf, 2, 3)));

  bool is_ok() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  StatusCode code() const { return code_; }
  const char* message() const { return message_; }

  // Prefixes the message with context ("operator 3 (CONV_2D): ...").
  Status& prefix(const char* format, ...) __attribute__((format(printf, 2, 3)));

 private:
  StatusCode code_;
  char message_[kMaxMessage];
};

}  // namespace locus

#define LOCUS_RETURN_IF_ERROR(expr)            \
  do {                                         \
    ::locus::Status locus_status_ = (expr);    \
    if (!locus_status_.is_ok()) return locus_status_; \
  } while (0)

#endif  // LOCUS_RUNTIME_STATUS_H_
