// Reports of an evaluation: a text summary with the confusion matrix and
// per-class table, JSON, charts (confusion matrix as SVG and PNG, ROC curve
// as SVG) and a self-contained HTML page that holds them all.
//
// `locus eval --report DIR` writes DIR/index.html, report.json,
// confusion.svg, confusion.png and, for anomaly capsules, roc.svg.
#ifndef LOCUS_HOST_EVALUATION_REPORT_H_
#define LOCUS_HOST_EVALUATION_REPORT_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/evaluation/capsule_evaluator.h"

namespace locus::host {

// Where the capsule and the data came from, for the report's header.
struct EvalContext {
  std::string capsule_origin;  // file or store reference
  std::string data_dir;
  std::string manifest;        // empty: folder layout or the default manifest
  std::string split;           // empty: every sample
  uint64_t split_seed = 0;
  size_t dataset_samples = 0;  // samples in the dataset before the split
};

std::string render_text(const EvalResult& result, const EvalContext& context);
nlohmann::json report_json(const EvalResult& result, const EvalContext& context);

// Rows: true class, columns: predicted. Each cell shows its count and is
// coloured by its share of the row (viridis), so classes of different sizes
// compare; labels on both axes.
std::string confusion_svg(const ConfusionMatrix& matrix);
// The same cells as a PNG (counts drawn in a small digit font; no label
// text: rows and columns follow the model's label order).
void write_confusion_png(const std::string& path, const ConfusionMatrix& matrix);
// The ROC curve with the chance diagonal, the partial-AUC range shaded, and
// AUC / pAUC in the title. Needs a curve (summary.roc not empty).
std::string roc_svg(const AnomalySummary& summary);

// One page, no external files: identity, dataset, metrics, latency, memory,
// the charts inline, the per-class table, misclassified files and errors.
std::string report_html(const EvalResult& result, const EvalContext& context);

// Writes the report files into `dir` (created if needed); returns their paths.
std::vector<std::string> write_report(const std::string& dir, const EvalResult& result,
                                      const EvalContext& context);

// Escapes & < > " ' for XML and HTML text and attributes.
std::string xml_escape(const std::string& text);

}  // namespace locus::host

#endif  // LOCUS_HOST_EVALUATION_REPORT_H_
