#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "host/capsule/capsule_file.h"
#include "host/common/error.h"
#include "host/pipeline/pipeline_builder.h"
#include "host/pipeline/pipeline_graph.h"

namespace locus::cli {

void register_graph(CLI::App& app) {
  auto source = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "graph",
      "Draw a pipeline: sensor, DSP block, feature window, every model operator with its\n"
      "output shape, and post-processing. From a capsule or a pipeline file.");
  cmd->add_option("source", *source, "A .capsule or a pipeline file (locus.yml)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", *output, "File to write (.svg or .dot); default: DOT on stdout");
  cmd->add_option("--format", *format, "svg or dot (default: from the output's extension)")
      ->check(CLI::IsMember({"svg", "dot"}));
  cmd->callback([source, output, format] {
    host::LoadedCapsule loaded;
    std::string name = std::filesystem::path(*source).stem().string();
    if (std::filesystem::path(*source).extension() == ".capsule") {
      loaded = host::load_capsule(*source);
    } else {
      const host::PipelineFile pipeline = host::load_pipeline(*source);
      name = pipeline.name;
      loaded = host::open_capsule(
          host::copy_to_aligned(host::build_pipeline(pipeline, {}).bytes), *source);
    }
    const host::PipelineGraph graph = host::pipeline_graph(loaded.capsule);
    std::string fmt = *format;
    if (fmt.empty()) fmt = std::filesystem::path(*output).extension() == ".svg" ? "svg" : "dot";
    const std::string text = fmt == "svg" ? host::to_svg(graph, name) : host::to_dot(graph, name);
    if (output->empty()) {
      std::cout << text;
    } else {
      host::write_file_atomic(*output, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
      std::cout << "wrote " << *output << " (" << graph.nodes.size() << " nodes)\n";
    }
  });
}

}  // namespace locus::cli
