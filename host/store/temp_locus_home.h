// Test helper: a fresh temporary directory set as LOCUS_HOME for the
// lifetime of the object (restores the previous value and deletes the
// directory afterwards).
#ifndef LOCUS_HOST_STORE_TEMP_LOCUS_HOME_H_
#define LOCUS_HOST_STORE_TEMP_LOCUS_HOME_H_

#include <stdlib.h>

#include <filesystem>
#include <optional>
#include <string>

namespace locus::host::testing {

class TempLocusHome {
 public:
  TempLocusHome() {
    std::string pattern = (std::filesystem::temp_directory_path() / "locus-home-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
    if (const char* old = getenv("LOCUS_HOME")) previous_ = old;
    setenv("LOCUS_HOME", path_.c_str(), 1);
  }
  ~TempLocusHome() {
    if (previous_) {
      setenv("LOCUS_HOME", previous_->c_str(), 1);
    } else {
      unsetenv("LOCUS_HOME");
    }
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempLocusHome(const TempLocusHome&) = delete;
  TempLocusHome& operator=(const TempLocusHome&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::optional<std::string> previous_;
};

}  // namespace locus::host::testing

#endif  // LOCUS_HOST_STORE_TEMP_LOCUS_HOME_H_
