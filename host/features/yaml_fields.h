// Typed access to YAML maps with errors that name file, line and column,
// and refusal of unknown keys (a typo must not silently fall back to a
// default).
#ifndef LOCUS_HOST_FEATURES_YAML_FIELDS_H_
#define LOCUS_HOST_FEATURES_YAML_FIELDS_H_

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "host/common/error.h"

namespace locus::host {

class YamlFields {
 public:
  // `map` must be a mapping (or null: all defaults). `context` is e.g.
  // "audio_frontend" and appears in messages.
  YamlFields(const YAML::Node& map, std::string where, std::string context);

  template <typename T>
  void get(const char* key, T& value);
  // A nested map (or null when absent).
  YAML::Node child(const char* key);
  // Any value (the caller checks it); marks the key as known.
  YAML::Node any(const char* key);
  // Throws if the map has keys nobody asked for.
  void reject_unknown() const;
  [[noreturn]] void error_at(const YAML::Node& node, const std::string& message) const;
  const std::string& where() const { return where_; }

 private:
  YAML::Node map_;
  std::string where_;
  std::string context_;
  std::set<std::string> known_;
};

std::string yaml_position(const std::string& where, const YAML::Mark& mark);

template <typename T>
struct IsVector : std::false_type {};
template <typename T>
struct IsVector<std::vector<T>> : std::true_type {};

template <typename T>
void YamlFields::get(const char* key, T& value) {
  known_.insert(key);
  if (!map_.IsMap()) return;
  const YAML::Node node = map_[key];
  if (!node) return;
  try {
    value = node.as<T>();
  } catch (const YAML::Exception&) {
    const char* expected = IsVector<T>::value                  ? "a list"
                           : std::is_same_v<T, bool>           ? "true or false"
                           : std::is_floating_point_v<T>       ? "a number"
                           : std::is_integral_v<T>             ? "an integer"
                                                               : "a string";
    error_at(node, std::string(context_) + "." + key + ": expected " + expected + ", got '" +
                       (node.IsScalar() ? node.Scalar() : std::string("a ") +
                                                              (node.IsMap() ? "map" : "list")) +
                       "'");
  }
}

}  // namespace locus::host

#endif  // LOCUS_HOST_FEATURES_YAML_FIELDS_H_
