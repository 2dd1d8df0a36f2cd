// The report's charts: confusion matrix (SVG and PNG) and ROC curve (SVG).
#include <algorithm>
#include <array>
#include <cstring>
#include <iomanip>
#include <sstream>

#include "host/common/error.h"
#include "host/evaluation/report.h"
#include "host/features/feature_writers.h"

namespace locus::host {
namespace {

std::string fixed(double v, int precision) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(precision) << v;
  return s.str();
}

// A cell's colour: its share of the row; rows without samples are grey.
std::array<uint8_t, 3> cell_colour(const ConfusionMatrix& m, size_t row, size_t col,
                                   double* share) {
  const uint64_t total = m.row_total(row);
  if (total == 0) {
    *share = 0.0;
    return {235, 235, 235};
  }
  *share = static_cast<double>(m.counts[row][col]) / static_cast<double>(total);
  return viridis(*share);
}

bool dark_text(double share, uint64_t row_total) { return row_total == 0 || share >= 0.55; }

std::string rgb(const std::array<uint8_t, 3>& c) {
  return "rgb(" + std::to_string(c[0]) + "," + std::to_string(c[1]) + "," + std::to_string(c[2]) +
         ")";
}

// 3 x 5 digits, one 3-bit row each (bit 2 = left column).
constexpr uint8_t kDigits[10][5] = {
    {7, 5, 5, 5, 7}, {2, 6, 2, 2, 7}, {7, 1, 7, 4, 7}, {7, 1, 7, 1, 7}, {5, 5, 7, 1, 1},
    {7, 4, 7, 1, 7}, {7, 4, 7, 5, 7}, {7, 1, 1, 1, 1}, {7, 5, 7, 5, 7}, {7, 5, 7, 1, 7}};

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string confusion_svg(const ConfusionMatrix& m) {
  const size_t n = m.labels.size();
  size_t longest = 4;
  for (const std::string& l : m.labels) longest = std::max(longest, l.size());
  const int cell = n <= 12 ? 56 : std::max(28, static_cast<int>(672 / n));
  const int left = 40 + 7 * static_cast<int>(longest);
  const int top = 40 + 5 * static_cast<int>(longest);
  const int width = left + static_cast<int>(n) * cell + 20 + 5 * static_cast<int>(longest);
  const int height = top + static_cast<int>(n) * cell + 20;
  const int font = std::max(9, std::min(15, cell / 4));
  std::ostringstream s;
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
    << "\" viewBox=\"0 0 " << width << " " << height
    << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
    << "<title>Confusion matrix (rows: true class, columns: predicted)</title>\n"
    << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    << "<text x=\"" << left << "\" y=\"16\" font-weight=\"bold\">predicted</text>\n"
    << "<text transform=\"translate(16," << top + static_cast<int>(n) * cell / 2
    << ") rotate(-90)\" text-anchor=\"middle\" font-weight=\"bold\">true</text>\n";
  for (size_t j = 0; j < n; ++j) {
    const int x = left + static_cast<int>(j) * cell + cell / 2;
    s << "<text transform=\"translate(" << x << "," << top - 6
      << ") rotate(-45)\">" << xml_escape(m.labels[j]) << "</text>\n";
  }
  for (size_t i = 0; i < n; ++i) {
    const int y = top + static_cast<int>(i) * cell;
    s << "<text x=\"" << left - 6 << "\" y=\"" << y + cell / 2 + 4 << "\" text-anchor=\"end\">"
      << xml_escape(m.labels[i]) << "</text>\n";
    for (size_t j = 0; j < n; ++j) {
      const int x = left + static_cast<int>(j) * cell;
      double share = 0.0;
      const auto colour = cell_colour(m, i, j, &share);
      const char* ink = dark_text(share, m.row_total(i)) ? "black" : "white";
      s << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << cell << "\" height=\"" << cell
        << "\" fill=\"" << rgb(colour) << "\" stroke=\"white\"><title>true "
        << xml_escape(m.labels[i]) << ", predicted " << xml_escape(m.labels[j]) << ": "
        << m.counts[i][j] << " (" << fixed(100.0 * share, 1) << "% of the row)</title></rect>\n"
        << "<text x=\"" << x + cell / 2 << "\" y=\"" << y + cell / 2 + font / 3
        << "\" text-anchor=\"middle\" font-size=\"" << font << "\" fill=\"" << ink << "\">"
        << m.counts[i][j] << "</text>\n";
    }
  }
  s << "</svg>\n";
  return s.str();
}

void write_confusion_png(const std::string& path, const ConfusionMatrix& m) {
  const size_t n = m.labels.size();
  if (n == 0) fail(path, ": the confusion matrix has no classes");
  size_t digits = 1;
  for (const auto& row : m.counts) {
    for (const uint64_t c : row) digits = std::max(digits, std::to_string(c).size());
  }
  constexpr int kScale = 3, kGrid = 2;
  const int cell = std::max(48, static_cast<int>(digits) * 4 * kScale + 4 * kScale);
  const int side = static_cast<int>(n) * (cell + kGrid) + kGrid;
  std::vector<uint8_t> image(static_cast<size_t>(side) * side * 3, 255);
  auto put = [&](int x, int y, const std::array<uint8_t, 3>& c) {
    std::memcpy(&image[(static_cast<size_t>(y) * side + x) * 3], c.data(), 3);
  };
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      double share = 0.0;
      const auto colour = cell_colour(m, i, j, &share);
      const std::array<uint8_t, 3> ink =
          dark_text(share, m.row_total(i)) ? std::array<uint8_t, 3>{0, 0, 0}
                                           : std::array<uint8_t, 3>{255, 255, 255};
      const int x0 = kGrid + static_cast<int>(j) * (cell + kGrid);
      const int y0 = kGrid + static_cast<int>(i) * (cell + kGrid);
      for (int y = 0; y < cell; ++y) {
        for (int x = 0; x < cell; ++x) put(x0 + x, y0 + y, colour);
      }
      const std::string text = std::to_string(m.counts[i][j]);
      const int text_width = static_cast<int>(text.size()) * 4 * kScale - kScale;
      const int tx = x0 + (cell - text_width) / 2, ty = y0 + (cell - 5 * kScale) / 2;
      for (size_t k = 0; k < text.size(); ++k) {
        const uint8_t* glyph = kDigits[text[k] - '0'];
        for (int r = 0; r < 5 * kScale; ++r) {
          for (int c = 0; c < 3 * kScale; ++c) {
            if (glyph[r / kScale] & (4 >> (c / kScale))) {
              put(tx + static_cast<int>(k) * 4 * kScale + c, ty + r, ink);
            }
          }
        }
      }
    }
  }
  write_png_rgb(path, side, side, image);
}

std::string roc_svg(const AnomalySummary& a) {
  if (a.roc.empty()) fail("roc chart: no ROC curve (needs normal and anomalous samples)");
  constexpr int kX = 60, kY = 40, kSide = 340;
  auto px = [&](double fpr) { return fixed(kX + fpr * kSide, 1); };
  auto py = [&](double tpr) { return fixed(kY + kSide - tpr * kSide, 1); };
  std::ostringstream s;
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"420\" height=\"430\" "
       "viewBox=\"0 0 420 430\" font-family=\"sans-serif\" font-size=\"12\">\n"
    << "<title>ROC curve</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    << "<text x=\"" << kX << "\" y=\"22\" font-weight=\"bold\">ROC: AUC " << fixed(a.auc, 4)
    << ", pAUC (FPR &lt;= " << fixed(a.max_fpr, 2) << ") " << fixed(a.partial_auc, 4)
    << "</text>\n"
    << "<rect x=\"" << kX << "\" y=\"" << kY << "\" width=\"" << fixed(a.max_fpr * kSide, 1)
    << "\" height=\"" << kSide << "\" fill=\"#fde9b0\"><title>partial AUC range</title></rect>\n";
  for (int k = 0; k <= 5; ++k) {
    const double v = k / 5.0;
    s << "<line x1=\"" << px(v) << "\" y1=\"" << kY << "\" x2=\"" << px(v) << "\" y2=\""
      << kY + kSide << "\" stroke=\"#ddd\"/>\n"
      << "<line x1=\"" << kX << "\" y1=\"" << py(v) << "\" x2=\"" << kX + kSide << "\" y2=\""
      << py(v) << "\" stroke=\"#ddd\"/>\n"
      << "<text x=\"" << px(v) << "\" y=\"" << kY + kSide + 16 << "\" text-anchor=\"middle\">"
      << fixed(v, 1) << "</text>\n"
      << "<text x=\"" << kX - 6 << "\" y=\"" << py(v) << "\" dy=\"4\" text-anchor=\"end\">"
      << fixed(v, 1) << "</text>\n";
  }
  s << "<rect x=\"" << kX << "\" y=\"" << kY << "\" width=\"" << kSide << "\" height=\"" << kSide
    << "\" fill=\"none\" stroke=\"black\"/>\n"
    << "<line x1=\"" << px(0) << "\" y1=\"" << py(0) << "\" x2=\"" << px(1) << "\" y2=\"" << py(1)
    << "\" stroke=\"#888\" stroke-dasharray=\"5,4\"/>\n<polyline fill=\"none\" stroke=\"#3b518b\" "
       "stroke-width=\"2\" points=\"";
  for (const RocPoint& p : a.roc) s << px(p.fpr) << "," << py(p.tpr) << " ";
  s << "\"/>\n<text x=\"" << kX + kSide / 2 << "\" y=\"" << kY + kSide + 36
    << "\" text-anchor=\"middle\">false positive rate (normal clips flagged)</text>\n"
    << "<text transform=\"translate(18," << kY + kSide / 2
    << ") rotate(-90)\" text-anchor=\"middle\">true positive rate (anomalies found)</text>\n"
    << "</svg>\n";
  return s.str();
}

}  // namespace locus::host
