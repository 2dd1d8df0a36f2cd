#include "host/features/yaml_fields.h"

namespace locus::host {

std::string yaml_position(const std::string& where, const YAML::Mark& mark) {
  if (mark.is_null()) return where;
  return where + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

YamlFields::YamlFields(const YAML::Node& map, std::string where, std::string context)
    : map_(map), where_(std::move(where)), context_(std::move(context)) {
  if (map_ && !map_.IsNull() && !map_.IsMap()) {
    error_at(map_, context_ + ": expected a map of parameters");
  }
}

YAML::Node YamlFields::child(const char* key) {
  known_.insert(key);
  if (!map_.IsMap()) return YAML::Node();
  YAML::Node node = map_[key];
  if (node && !node.IsNull() && !node.IsMap()) {
    error_at(node, context_ + "." + key + ": expected a map of parameters");
  }
  return node;
}

YAML::Node YamlFields::any(const char* key) {
  known_.insert(key);
  return map_.IsMap() ? map_[key] : YAML::Node();
}

void YamlFields::reject_unknown() const {
  if (!map_.IsMap()) return;
  for (const auto& entry : map_) {
    const std::string key = entry.first.as<std::string>();
    if (!known_.count(key)) {
      std::string list;
      for (const auto& k : known_) list += (list.empty() ? "" : ", ") + k;
      error_at(entry.first, context_ + ": unknown key '" + key + "' (expected one of: " + list + ")");
    }
  }
}

void YamlFields::error_at(const YAML::Node& node, const std::string& message) const {
  fail(yaml_position(where_, node.Mark()), ": ", message);
}

}  // namespace locus::host
