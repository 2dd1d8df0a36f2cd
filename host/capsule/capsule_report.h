// What `locus inspect` shows: a capsule's identity, interface, operators,
// sizes and memory plan, as JSON (for scripts) or as text (for people).
#ifndef LOCUS_HOST_CAPSULE_CAPSULE_REPORT_H_
#define LOCUS_HOST_CAPSULE_CAPSULE_REPORT_H_

#include <nlohmann/json.hpp>
#include <string>

#include "runtime/capsule/capsule_reader.h"

namespace locus::host {

nlohmann::json capsule_report(const Capsule& capsule, size_t file_bytes);
std::string render_capsule_report(const nlohmann::json& report);

}  // namespace locus::host

#endif  // LOCUS_HOST_CAPSULE_CAPSULE_REPORT_H_
