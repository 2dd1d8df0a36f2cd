#include "runtime/status.h"

#include <stdarg.h>

namespace locus {
namespace {

// Minimal formatter so the runtime needs no libc printf (which can pull in
// malloc on embedded C libraries).
class Writer {
 public:
  Writer(char* out, size_t capacity) : out_(out), capacity_(capacity) {}
  void put(char c) {
    if (length_ + 1 < capacity_) out_[length_++] = c;
  }
  void put(const char* s) {
    if (s == nullptr) s = "(null)";
    while (*s) put(*s++);
  }
  void put_unsigned(unsigned long long v, unsigned base) {
    char digits[24];
    int n = 0;
    do {
      unsigned d = static_cast<unsigned>(v % base);
      digits[n++] = static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
      v /= base;
    } while (v != 0);
    while (n > 0) put(digits[--n]);
  }
  void put_signed(long long v) {
    if (v < 0) {
      put('-');
      put_unsigned(0ull - static_cast<unsigned long long>(v), 10);
    } else {
      put_unsigned(static_cast<unsigned long long>(v), 10);
    }
  }
  void finish() { out_[length_ < capacity_ ? length_ : capacity_ - 1] = '\0'; }
  size_t length() const { return length_; }

 private:
  char* out_;
  size_t capacity_;
  size_t length_ = 0;
};

void format_into(Writer& w, const char* format, va_list args) {
  for (const char* p = format; *p; ++p) {
    if (*p != '%') {
      w.put(*p);
      continue;
    }
    ++p;
    int longs = 0;
    bool size_t_arg = false;
    while (*p == 'l') {
      ++longs;
      ++p;
    }
    if (*p == 'z') {
      size_t_arg = true;
      ++p;
    }
    switch (*p) {
      case 's': w.put(va_arg(args, const char*)); break;
      case 'd':
        if (longs >= 2) w.put_signed(va_arg(args, long long));
        else if (longs == 1) w.put_signed(va_arg(args, long));
        else w.put_signed(va_arg(args, int));
        break;
      case 'u':
      case 'x': {
        unsigned base = *p == 'x' ? 16 : 10;
        if (size_t_arg) w.put_unsigned(va_arg(args, size_t), base);
        else if (longs >= 2) w.put_unsigned(va_arg(args, unsigned long long), base);
        else if (longs == 1) w.put_unsigned(va_arg(args, unsigned long), base);
        else w.put_unsigned(va_arg(args, unsigned), base);
        break;
      }
      case '%': w.put('%'); break;
      case '\0': --p; break;
      default: w.put('?'); break;
    }
  }
}

}  // namespace

const char* status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid argument";
    case StatusCode::kMalformed: return "malformed";
    case StatusCode::kUnsupported: return "unsupported";
    case StatusCode::kResourceExhausted: return "resource exhausted";
    case StatusCode::kFailedPrecondition: return "failed precondition";
    case StatusCode::kDataLoss: return "data loss";
    case StatusCode::kInternal: return "internal";
  }
  return "unknown";
}

Status Status::error(StatusCode code, const char* format, ...) {
  Status s;
  s.code_ = code == StatusCode::kOk ? StatusCode::kInternal : code;
  Writer w(s.message_, kMaxMessage);
  va_list args;
  va_start(args, format);
  format_into(w, format, args);
  va_end(args);
  w.finish();
  return s;
}

Status& Status::prefix(const char* format, ...) {
  char old[kMaxMessage];
  size_t i = 0;
  for (; i + 1 < kMaxMessage && message_[i]; ++i) old[i] = message_[i];
  old[i] = '\0';
  Writer w(message_, kMaxMessage);
  va_list args;
  va_start(args, format);
  format_into(w, format, args);
  va_end(args);
  w.put(": ");
  w.put(old);
  w.finish();
  return *this;
}

}  // namespace locus
