#include "host/evaluation/report.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "host/capsule/capsule_file.h"
#include "host/common/error.h"

namespace locus::host {
namespace {

std::string fixed(double v, int precision) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(precision) << v;
  return s.str();
}

std::string percent(double v) { return fixed(100.0 * v, 2) + " %"; }

// A sample's path relative to the data folder when it lies inside it.
std::string shown_path(const std::string& path, const EvalContext& c) {
  if (c.data_dir.empty()) return path;
  std::string root = c.data_dir;
  if (root.back() != '/') root += '/';
  return path.rfind(root, 0) == 0 ? path.substr(root.size()) : path;
}

std::string class_name(const EvalResult& r, int32_t index) {
  return index >= 0 && static_cast<size_t>(index) < r.classes.size()
             ? r.classes[static_cast<size_t>(index)]
             : "?";
}

std::string data_line(const EvalResult& r, const EvalContext& c) {
  uint64_t skipped = 0;
  for (const auto& [label, n] : r.skipped_labels) skipped += n;
  uint64_t given = 0;
  for (const auto& [label, n] : r.dataset_labels) given += n;
  std::ostringstream s;
  s << c.data_dir;
  if (!c.split.empty()) s << " (split " << c.split << ", seed " << c.split_seed << ")";
  s << ": " << given << " samples, " << r.dataset_labels.size() << " labels; evaluated "
    << r.predictions.size() << ", skipped " << skipped << ", errors " << r.errors.size();
  return s.str();
}

std::string latency_line(const EvalResult& r) {
  const LatencySummary& l = r.latency;
  return "model " + fixed(l.mean_model_us, 1) + " us per inference (Engine::invoke only; max " +
         fixed(l.max_model_us, 0) + " us), DSP " + fixed(l.mean_dsp_us, 1) + " us per inference; " +
         std::to_string(l.inferences) + " inferences on " + std::to_string(l.threads) +
         " thread(s) in " + fixed(l.wall_seconds, 2) + " s";
}

std::string memory_line(const CapsuleSummary& c) {
  return "pipeline " + std::to_string(c.memory_bytes) + " bytes of RAM (graph arena " +
         std::to_string(c.arena_bytes) + "), capsule " + std::to_string(c.capsule_bytes) +
         " bytes of flash (weights " + std::to_string(c.weight_bytes) + ")";
}

std::string score_line(const EvalResult& r) {
  const ClassificationMetrics& m = r.metrics;
  std::string s = percent(m.accuracy) + " (" + std::to_string(m.correct) + " of " +
                  std::to_string(m.total) + "); macro precision " + fixed(m.macro_precision, 4) +
                  ", recall " + fixed(m.macro_recall, 4) + ", F1 " + fixed(m.macro_f1, 4);
  if (r.anomaly) s += " at threshold " + fixed(r.anomaly->threshold, 6);
  return s;
}

}  // namespace

std::string render_text(const EvalResult& r, const EvalContext& c) {
  std::ostringstream s;
  const CapsuleSummary& k = r.capsule;
  s << "capsule   " << k.name << " " << k.version << "  sha256:" << k.digest.substr(0, 16) << "  ("
    << (k.anomaly ? "anomaly" : "classifier") << ", " << k.sensor << ", " << k.dsp_block << ")\n"
    << "data      " << data_line(r, c) << "\n";
  if (r.anomaly && !r.anomaly->roc.empty()) {
    s << "AUC       " << fixed(r.anomaly->auc, 4) << "   pAUC (FPR <= " << fixed(r.anomaly->max_fpr, 2)
      << ") " << fixed(r.anomaly->partial_auc, 4) << "   (" << r.anomaly->normal << " normal, "
      << r.anomaly->anomalous << " anomalous)\n";
  }
  s << "accuracy  " << score_line(r) << "\n"
    << "latency   " << latency_line(r) << "\n"
    << "memory    " << memory_line(k) << "\n\n";

  const ConfusionMatrix& m = r.confusion;
  size_t width = 5;
  for (const std::string& l : m.labels) width = std::max(width, l.size());
  for (const auto& row : m.counts) {
    for (const uint64_t v : row) width = std::max(width, std::to_string(v).size());
  }
  s << "confusion matrix (rows: true, columns: predicted)\n" << std::string(width + 2, ' ');
  for (const std::string& l : m.labels) s << " " << std::setw(static_cast<int>(width)) << l;
  s << "\n";
  for (size_t i = 0; i < m.labels.size(); ++i) {
    s << "  " << std::left << std::setw(static_cast<int>(width)) << m.labels[i] << std::right;
    for (const uint64_t v : m.counts[i]) s << " " << std::setw(static_cast<int>(width)) << v;
    s << "\n";
  }
  s << "\n  " << std::left << std::setw(static_cast<int>(width)) << "class" << std::right
    << "  precision     recall         f1    support\n";
  for (const ClassMetrics& cm : r.metrics.classes) {
    s << "  " << std::left << std::setw(static_cast<int>(width)) << cm.label << std::right
      << std::setw(11) << fixed(cm.precision, 4) << std::setw(11) << fixed(cm.recall, 4)
      << std::setw(11) << fixed(cm.f1, 4) << std::setw(11) << cm.support << "\n";
  }
  s << "  " << std::left << std::setw(static_cast<int>(width)) << "macro" << std::right
    << std::setw(11) << fixed(r.metrics.macro_precision, 4) << std::setw(11)
    << fixed(r.metrics.macro_recall, 4) << std::setw(11) << fixed(r.metrics.macro_f1, 4)
    << std::setw(11) << r.metrics.total << "\n";
  if (!r.errors.empty()) {
    s << "\nerrors (" << r.errors.size() << "):\n";
    for (const SampleError& e : r.errors) s << "  " << e.message << "\n";
  }
  for (const std::string& w : r.warnings) s << "warning: " << w << "\n";
  return s.str();
}

nlohmann::json report_json(const EvalResult& r, const EvalContext& c) {
  using nlohmann::json;
  const CapsuleSummary& k = r.capsule;
  json j;
  j["capsule"] = {{"origin", c.capsule_origin}, {"name", k.name},
                  {"version", k.version},       {"digest", k.digest},
                  {"kind", k.anomaly ? "anomaly" : "classify"},
                  {"sensor", k.sensor},         {"dsp_block", k.dsp_block},
                  {"sample_rate_hz", k.sample_rate_hz}, {"window_ms", k.window_ms},
                  {"clip_samples", k.fit_samples},      {"capsule_bytes", k.capsule_bytes},
                  {"weight_bytes", k.weight_bytes},     {"arena_bytes", k.arena_bytes},
                  {"memory_bytes", k.memory_bytes}};
  uint64_t skipped = 0;
  for (const auto& [label, n] : r.skipped_labels) skipped += n;
  j["dataset"] = {{"root", c.data_dir},          {"manifest", c.manifest},
                  {"split", c.split},            {"split_seed", c.split_seed},
                  {"dataset_samples", c.dataset_samples},
                  {"labels", r.dataset_labels},  {"evaluated", r.predictions.size()},
                  {"skipped", skipped},          {"skipped_labels", r.skipped_labels},
                  {"errors", r.errors.size()}};
  const ClassificationMetrics& m = r.metrics;
  j["metrics"] = {{"accuracy", m.accuracy},
                  {"correct", m.correct},
                  {"total", m.total},
                  {"macro_precision", m.macro_precision},
                  {"macro_recall", m.macro_recall},
                  {"macro_f1", m.macro_f1},
                  {"macro_classes", m.macro_classes},
                  {"classes", json::array()}};
  for (const ClassMetrics& cm : m.classes) {
    j["metrics"]["classes"].push_back({{"label", cm.label},
                                       {"precision", cm.precision},
                                       {"recall", cm.recall},
                                       {"f1", cm.f1},
                                       {"support", cm.support},
                                       {"predicted", cm.predicted}});
  }
  j["confusion"] = {{"labels", r.confusion.labels}, {"counts", r.confusion.counts}};
  if (r.anomaly) {
    const AnomalySummary& a = *r.anomaly;
    json roc = {{"fpr", json::array()}, {"tpr", json::array()}, {"threshold", json::array()}};
    for (const RocPoint& p : a.roc) {
      roc["fpr"].push_back(p.fpr);
      roc["tpr"].push_back(p.tpr);
      roc["threshold"].push_back(std::isinf(p.threshold) ? json(nullptr) : json(p.threshold));
    }
    j["anomaly"] = {{"normal", a.normal}, {"anomalous", a.anomalous},
                    {"anomalous_labels", a.anomalous_labels},
                    {"auc", a.roc.empty() ? json(nullptr) : json(a.auc)},
                    {"partial_auc", a.roc.empty() ? json(nullptr) : json(a.partial_auc)},
                    {"max_fpr", a.max_fpr}, {"threshold", a.threshold}, {"roc", roc}};
  }
  const LatencySummary& l = r.latency;
  j["latency"] = {{"timing", "model: steady clock around Engine::invoke() only; dsp: the feature "
                             "frames computed since the previous inference"},
                  {"mean_model_us", l.mean_model_us}, {"max_model_us", l.max_model_us},
                  {"mean_dsp_us", l.mean_dsp_us},     {"inferences", l.inferences},
                  {"threads", l.threads},             {"wall_seconds", l.wall_seconds}};
  j["predictions"] = json::array();
  for (const SamplePrediction& p : r.predictions) {
    json e = {{"path", p.path}, {"label", p.label}, {"truth", class_name(r, p.truth)},
              {"predicted", class_name(r, p.predicted)}, {"confidence", p.confidence},
              {"correct", p.correct()}, {"inferences", p.inferences}};
    if (r.capsule.anomaly) e["anomaly_score"] = p.anomaly_score;
    else e["scores"] = p.scores;
    j["predictions"].push_back(std::move(e));
  }
  j["errors"] = json::array();
  for (const SampleError& e : r.errors) {
    j["errors"].push_back({{"path", e.path}, {"label", e.label}, {"message", e.message}});
  }
  j["warnings"] = r.warnings;
  return j;
}

std::string report_html(const EvalResult& r, const EvalContext& c) {
  const CapsuleSummary& k = r.capsule;
  std::ostringstream s;
  auto row = [&](const std::string& key, const std::string& value) {
    s << "<tr><th>" << xml_escape(key) << "</th><td>" << xml_escape(value) << "</td></tr>\n";
  };
  s << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>locus eval: "
    << xml_escape(k.name) << " " << xml_escape(k.version) << "</title>\n<style>\n"
    << "body{font-family:sans-serif;margin:2em;max-width:70em;color:#222}\n"
    << "table{border-collapse:collapse;margin:.5em 0 1.5em}\n"
    << "th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}\n"
    << "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    << ".warn{color:#a40}\n</style></head><body>\n"
    << "<h1>" << xml_escape(k.name) << " " << xml_escape(k.version) << "</h1>\n"
    << "<p>Evaluated through the runtime's Pipeline, as a device runs the capsule: its own DSP "
       "block, feature window and int8 graph.</p>\n<h2>Capsule</h2>\n<table>\n";
  row("file", c.capsule_origin);
  row("digest", "sha256:" + k.digest);
  row("kind", k.anomaly ? "anomaly detector" : "classifier");
  row("input", k.sensor + ", " + std::to_string(k.sample_rate_hz) + " Hz, window " +
                   std::to_string(k.window_ms) + " ms");
  row("DSP block", k.dsp_block);
  row("memory", memory_line(k));
  s << "</table>\n<h2>Dataset</h2>\n<table>\n";
  row("data", data_line(r, c));
  if (!c.manifest.empty()) row("manifest", c.manifest);
  for (const auto& [label, n] : r.dataset_labels) {
    const bool skipped = r.skipped_labels.count(label) > 0;
    row("label " + label, std::to_string(n) + (skipped ? " (skipped: not a capsule label)" : ""));
  }
  s << "</table>\n<h2>Results</h2>\n<table>\n";
  if (r.anomaly && !r.anomaly->roc.empty()) {
    row("AUC", fixed(r.anomaly->auc, 4));
    row("pAUC (FPR <= " + fixed(r.anomaly->max_fpr, 2) + ")", fixed(r.anomaly->partial_auc, 4));
  }
  row("accuracy", score_line(r));
  row("latency", latency_line(r));
  s << "</table>\n";
  for (const std::string& w : r.warnings) s << "<p class=\"warn\">" << xml_escape(w) << "</p>\n";
  s << "<h2>Confusion matrix</h2>\n<p>Rows: true class; columns: predicted. Colour: the cell's "
       "share of its row.</p>\n"
    << confusion_svg(r.confusion);
  if (r.anomaly && !r.anomaly->roc.empty()) s << "<h2>ROC curve</h2>\n" << roc_svg(*r.anomaly);
  s << "<h2>Per class</h2>\n<table>\n<tr><th>class</th><th>precision</th><th>recall</th>"
       "<th>F1</th><th>support</th><th>predicted</th></tr>\n";
  for (const ClassMetrics& m : r.metrics.classes) {
    s << "<tr><td>" << xml_escape(m.label) << "</td><td class=\"n\">" << fixed(m.precision, 4)
      << "</td><td class=\"n\">" << fixed(m.recall, 4) << "</td><td class=\"n\">" << fixed(m.f1, 4)
      << "</td><td class=\"n\">" << m.support << "</td><td class=\"n\">" << m.predicted
      << "</td></tr>\n";
  }
  s << "<tr><th>macro</th><td class=\"n\">" << fixed(r.metrics.macro_precision, 4)
    << "</td><td class=\"n\">" << fixed(r.metrics.macro_recall, 4) << "</td><td class=\"n\">"
    << fixed(r.metrics.macro_f1, 4) << "</td><td class=\"n\">" << r.metrics.total
    << "</td><td></td></tr>\n</table>\n";
  size_t wrong = 0;
  for (const SamplePrediction& p : r.predictions) wrong += p.correct() ? 0 : 1;
  s << "<h2>Misclassified files (" << wrong << ")</h2>\n";
  if (wrong > 0) {
    s << "<table>\n<tr><th>file</th><th>true</th><th>predicted</th><th>"
      << (k.anomaly ? "anomaly score" : "confidence") << "</th></tr>\n";
    for (const SamplePrediction& p : r.predictions) {
      if (p.correct()) continue;
      s << "<tr><td>" << xml_escape(shown_path(p.path, c)) << "</td><td>"
        << xml_escape(class_name(r, p.truth)) << "</td><td>" << xml_escape(class_name(r, p.predicted))
        << "</td><td class=\"n\">" << fixed(p.confidence, 4) << "</td></tr>\n";
    }
    s << "</table>\n";
  }
  if (!r.errors.empty()) {
    s << "<h2>Errors (" << r.errors.size() << ")</h2>\n<ul>\n";
    for (const SampleError& e : r.errors) s << "<li>" << xml_escape(e.message) << "</li>\n";
    s << "</ul>\n";
  }
  s << "</body></html>\n";
  return s.str();
}

std::vector<std::string> write_report(const std::string& dir, const EvalResult& r,
                                      const EvalContext& c) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) fail(dir, ": cannot create the report folder: ", ec.message());
  std::vector<std::string> written;
  auto text_file = [&](const std::string& name, const std::string& text) {
    const std::string path = (std::filesystem::path(dir) / name).string();
    write_file_atomic(path, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
    written.push_back(path);
  };
  text_file("index.html", report_html(r, c));
  text_file("report.json", report_json(r, c).dump(2) + "\n");
  text_file("confusion.svg", confusion_svg(r.confusion));
  const std::string png = (std::filesystem::path(dir) / "confusion.png").string();
  write_confusion_png(png, r.confusion);
  written.push_back(png);
  if (r.anomaly && !r.anomaly->roc.empty()) text_file("roc.svg", roc_svg(*r.anomaly));
  return written;
}

}  // namespace locus::host
