// Drawings of a capsule's pipeline: sensor -> DSP block -> feature window
// -> every operator of the model -> post-processing. As Graphviz DOT (for
// people with Graphviz) and as a self-contained SVG laid out here.
#ifndef LOCUS_HOST_PIPELINE_PIPELINE_GRAPH_H_
#define LOCUS_HOST_PIPELINE_PIPELINE_GRAPH_H_

#include <string>
#include <vector>

#include "runtime/capsule/capsule_reader.h"

namespace locus::host {

struct GraphNode {
  std::string title;   // e.g. "CONV_2D"
  std::string detail;  // e.g. "[1,25,20,8]"
  std::string kind;    // sensor | dsp | window | operator | postprocess
};

struct PipelineGraph {
  std::vector<GraphNode> nodes;
  std::vector<std::pair<size_t, size_t>> edges;  // from, to
};

PipelineGraph pipeline_graph(const Capsule& capsule);
std::string to_dot(const PipelineGraph& graph, const std::string& name);
std::string to_svg(const PipelineGraph& graph, const std::string& name);

}  // namespace locus::host

#endif  // LOCUS_HOST_PIPELINE_PIPELINE_GRAPH_H_
