// Host-side error: the host, train and fleet code report bad input by
// throwing this, with a message that names what is wrong and where. The CLI
// and the server catch it at their boundary. (The runtime never throws; it
// returns locus::Status.)
#ifndef LOCUS_HOST_COMMON_ERROR_H_
#define LOCUS_HOST_COMMON_ERROR_H_

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace locus::host {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// fail("tflite: operator ", index, " (", name, "): unsupported") throws Error
// with the pieces streamed together.
template <typename... Parts>
[[noreturn]] void fail(Parts&&... parts) {
  std::ostringstream out;
  (out << ... << std::forward<Parts>(parts));
  throw Error(out.str());
}

}  // namespace locus::host

#endif  // LOCUS_HOST_COMMON_ERROR_H_
