#include "host/pipeline/pipeline_graph.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "runtime/ops/op_context.h"

namespace locus::host {
namespace {

std::string shape_of(const schema::Tensor* t) {
  std::string s = "[";
  for (uint32_t i = 0; i < t->shape()->size(); ++i) {
    s += (i ? "," : "") + std::to_string(t->shape()->Get(i));
  }
  return s + "] " + schema::EnumNameTensorType(t->type());
}

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

const char* fill_for(const std::string& kind) {
  if (kind == "sensor") return "#e8f1fb";
  if (kind == "dsp") return "#e6f4ea";
  if (kind == "window") return "#fff4e0";
  if (kind == "postprocess") return "#f3e8fd";
  return "#f8f9fa";
}

}  // namespace

PipelineGraph pipeline_graph(const Capsule& capsule) {
  PipelineGraph g;
  const schema::CapsuleBody* body = capsule.body();
  const schema::Graph* model = capsule.graph();
  auto add = [&](std::string title, std::string detail, std::string kind) {
    g.nodes.push_back({std::move(title), std::move(detail), std::move(kind)});
    return g.nodes.size() - 1;
  };
  size_t last = SIZE_MAX;
  if (const auto* in = body->input()) {
    std::string detail = std::to_string(in->sample_rate_hz()) + " Hz";
    if (in->axes() > 1) detail += ", " + std::to_string(in->axes()) + " axes";
    if (in->window_ms()) detail += ", window " + std::to_string(in->window_ms()) + " ms";
    last = add(std::string("sensor: ") + schema::EnumNameSensorKind(in->sensor()), detail, "sensor");
  }
  if (body->dsp()) {
    for (const auto* block : *body->dsp()) {
      const size_t n = add(block->kind() ? block->kind()->str() : "dsp",
                           "implementation v" + std::to_string(block->implementation_version()),
                           "dsp");
      if (last != SIZE_MAX) g.edges.emplace_back(last, n);
      last = n;
    }
  }
  if (const auto* w = body->feature_window()) {
    const size_t n = add("feature window",
                         std::to_string(w->frames()) + " frames x " + std::to_string(w->features()) +
                             ", every " + std::to_string(w->stride_frames()),
                         "window");
    if (last != SIZE_MAX) g.edges.emplace_back(last, n);
    last = n;
  }
  // Operators, connected through the tensors they share.
  std::map<int32_t, size_t> producer;
  for (int32_t t : *model->inputs()) {
    if (last != SIZE_MAX) producer[t] = last;
  }
  for (uint32_t i = 0; i < model->operators()->size(); ++i) {
    const schema::Operator* op = model->operators()->Get(i);
    const ops::OpHandler* h = ops::find_op_handler(op->kind());
    const schema::Tensor* out =
        model->tensors()->Get(static_cast<uint32_t>(op->outputs()->Get(0)));
    const size_t n = add(h ? h->name : "?", shape_of(out), "operator");
    for (int32_t t : *op->inputs()) {
      const auto it = producer.find(t);
      if (it != producer.end()) g.edges.emplace_back(it->second, n);
    }
    for (int32_t t : *op->outputs()) producer[t] = n;
  }
  if (const auto* post = body->postprocess()) {
    std::string detail;
    if (post->kind() == schema::PostProcessKind::Anomaly) {
      detail = "anomaly score >= " + std::to_string(post->anomaly_threshold());
    } else {
      std::ostringstream s;
      s << "average " << post->average_ms() << " ms, threshold " << post->threshold()
        << ", suppress " << post->suppress_ms() << " ms";
      detail = s.str();
    }
    const size_t n = add("post-processing", detail, "postprocess");
    for (int32_t t : *model->outputs()) {
      const auto it = producer.find(t);
      if (it != producer.end()) g.edges.emplace_back(it->second, n);
    }
  }
  return g;
}

std::string to_dot(const PipelineGraph& g, const std::string& name) {
  std::ostringstream s;
  s << "digraph \"" << name << "\" {\n  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", "
       "fontname=\"Helvetica\"];\n";
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    s << "  n" << i << " [label=\"" << g.nodes[i].title << "\\n" << g.nodes[i].detail
      << "\", fillcolor=\"" << fill_for(g.nodes[i].kind) << "\"];\n";
  }
  for (const auto& [from, to] : g.edges) s << "  n" << from << " -> n" << to << ";\n";
  s << "}\n";
  return s.str();
}

std::string to_svg(const PipelineGraph& g, const std::string& name) {
  // Layer = longest path from a source; nodes in a layer side by side.
  std::vector<int> layer(g.nodes.size(), 0);
  for (size_t pass = 0; pass < g.nodes.size(); ++pass) {
    bool changed = false;
    for (const auto& [from, to] : g.edges) {
      if (layer[to] < layer[from] + 1) {
        layer[to] = layer[from] + 1;
        changed = true;
      }
    }
    if (!changed) break;
  }
  const int layers = g.nodes.empty() ? 0 : *std::max_element(layer.begin(), layer.end()) + 1;
  std::vector<std::vector<size_t>> rows(static_cast<size_t>(layers));
  for (size_t i = 0; i < g.nodes.size(); ++i) rows[static_cast<size_t>(layer[i])].push_back(i);
  const int box_w = 280, box_h = 46, gap_x = 30, gap_y = 28, margin = 20;
  size_t widest = 1;
  for (const auto& r : rows) widest = std::max(widest, r.size());
  const int width = margin * 2 + static_cast<int>(widest) * (box_w + gap_x) - gap_x;
  const int height = margin * 2 + 30 + layers * (box_h + gap_y);
  std::vector<std::pair<int, int>> pos(g.nodes.size());
  for (int l = 0; l < layers; ++l) {
    const auto& r = rows[static_cast<size_t>(l)];
    const int row_w = static_cast<int>(r.size()) * (box_w + gap_x) - gap_x;
    for (size_t k = 0; k < r.size(); ++k) {
      pos[r[k]] = {(width - row_w) / 2 + static_cast<int>(k) * (box_w + gap_x),
                   margin + 30 + l * (box_h + gap_y)};
    }
  }
  std::ostringstream s;
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
    << "\" font-family=\"Helvetica, Arial, sans-serif\">\n"
    << "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
       "markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n"
    << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    << "<text x=\"" << margin << "\" y=\"" << margin + 12 << "\" font-size=\"15\" font-weight=\"bold\">"
    << escape(name) << "</text>\n";
  for (const auto& [from, to] : g.edges) {
    const int x1 = pos[from].first + box_w / 2, y1 = pos[from].second + box_h;
    const int x2 = pos[to].first + box_w / 2, y2 = pos[to].second;
    s << "<path d=\"M" << x1 << "," << y1 << " C" << x1 << "," << (y1 + y2) / 2 << " " << x2 << ","
      << (y1 + y2) / 2 << " " << x2 << "," << y2
      << "\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.3\" marker-end=\"url(#arrow)\"/>\n";
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const auto [x, y] = pos[i];
    s << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << box_w << "\" height=\"" << box_h
      << "\" rx=\"8\" fill=\"" << fill_for(g.nodes[i].kind) << "\" stroke=\"#777\"/>\n"
      << "<text x=\"" << x + box_w / 2 << "\" y=\"" << y + 19
      << "\" font-size=\"13\" font-weight=\"bold\" text-anchor=\"middle\">"
      << escape(g.nodes[i].title) << "</text>\n"
      << "<text x=\"" << x + box_w / 2 << "\" y=\"" << y + 36
      << "\" font-size=\"11\" fill=\"#333\" text-anchor=\"middle\">" << escape(g.nodes[i].detail)
      << "</text>\n";
  }
  s << "</svg>\n";
  return s.str();
}

}  // namespace locus::host
