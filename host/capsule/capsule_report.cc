#include "host/capsule/capsule_report.h"

#include <sstream>

#include "host/capsule/capsule_writer.h"
#include "runtime/ops/op_context.h"

namespace locus::host {
namespace {

using nlohmann::json;

json tensor_json(const schema::Graph* g, int32_t index) {
  const schema::Tensor* t = g->tensors()->Get(static_cast<uint32_t>(index));
  json j;
  j["index"] = index;
  j["name"] = t->name() ? t->name()->str() : "";
  j["type"] = schema::EnumNameTensorType(t->type());
  j["shape"] = json::array();
  for (int32_t d : *t->shape()) j["shape"].push_back(d);
  if (const auto* q = t->quantization(); q && q->scale() && q->scale()->size() > 0) {
    if (q->scale()->size() == 1) {
      j["scale"] = q->scale()->Get(0);
      j["zero_point"] = q->zero_point()->Get(0);
    } else {
      j["per_channel_scales"] = q->scale()->size();
      j["quantized_dimension"] = q->quantized_dimension();
    }
  }
  return j;
}

// A short human summary of the parameters that matter when reading a graph.
std::string op_summary(const schema::Operator* op) {
  std::ostringstream s;
  switch (op->params_type()) {
    case schema::OpParams::Conv2DParams: {
      const auto* p = op->params_as_Conv2DParams();
      s << "stride " << p->stride_h() << "x" << p->stride_w() << ", pad " << p->pad_top() << ","
        << p->pad_left() << "," << p->pad_bottom() << "," << p->pad_right();
      if (p->dilation_h() != 1 || p->dilation_w() != 1)
        s << ", dilation " << p->dilation_h() << "x" << p->dilation_w();
      s << ", " << schema::EnumNameActivation(p->activation());
      break;
    }
    case schema::OpParams::DepthwiseConv2DParams: {
      const auto* p = op->params_as_DepthwiseConv2DParams();
      s << "stride " << p->stride_h() << "x" << p->stride_w() << ", pad " << p->pad_top() << ","
        << p->pad_left() << "," << p->pad_bottom() << "," << p->pad_right() << ", multiplier "
        << p->depth_multiplier() << ", " << schema::EnumNameActivation(p->activation());
      break;
    }
    case schema::OpParams::FullyConnectedParams:
      s << schema::EnumNameActivation(op->params_as_FullyConnectedParams()->activation());
      break;
    case schema::OpParams::Pool2DParams: {
      const auto* p = op->params_as_Pool2DParams();
      s << "filter " << p->filter_h() << "x" << p->filter_w() << ", stride " << p->stride_h()
        << "x" << p->stride_w();
      break;
    }
    case schema::OpParams::ConcatenationParams:
      s << "axis " << op->params_as_ConcatenationParams()->axis();
      break;
    default:
      break;
  }
  return s.str();
}

}  // namespace

json capsule_report(const Capsule& capsule, size_t file_bytes) {
  const schema::Capsule* env = capsule.envelope();
  const schema::CapsuleBody* body = capsule.body();
  const schema::Graph* g = capsule.graph();
  json r;
  r["format_version"] = env->format_version();
  r["file_bytes"] = file_bytes;
  r["body_sha256"] = to_hex(env->body_sha256()->data(), env->body_sha256()->size());
  if (env->signature() && env->signature()->ed25519()) {
    r["signature"] = {{"key_id", env->signature()->key_id() ? env->signature()->key_id()->str()
                                                             : ""}};
  } else {
    r["signature"] = nullptr;
  }
  json id = json::object();
  if (const auto* i = body->identity()) {
    id["name"] = i->name() ? i->name()->str() : "";
    id["version"] = i->version() ? i->version()->str() : "";
    id["sequence"] = i->sequence();
    id["location"] = i->location() ? i->location()->str() : "";
    id["created_unix"] = i->created_unix();
    id["producer"] = i->producer() ? i->producer()->str() : "";
    id["parent_digest"] = i->parent_digest() && i->parent_digest()->size()
                              ? json(to_hex(i->parent_digest()->data(), i->parent_digest()->size()))
                              : json(nullptr);
  }
  r["identity"] = id;
  if (const auto* c = body->calibration()) {
    json added = json::array();
    if (c->labels_added()) {
      for (const auto* l : *c->labels_added()) added.push_back(l->str());
    }
    r["calibration"] = {
        {"mode", c->mode() ? c->mode()->str() : ""},
        {"trained_layers", c->trained_layers()},
        {"shots_per_class", c->shots_per_class()},
        {"location_clips", c->location_clips()},
        {"replayed_clips", c->replayed_clips()},
        {"data_digest", c->data_digest() ? to_hex(c->data_digest()->data(), c->data_digest()->size())
                                         : ""},
        {"labels_added", added},
        {"dsp_changed", c->dsp_changed()}};
  } else {
    r["calibration"] = nullptr;
  }
  r["labels"] = json::array();
  if (body->labels()) {
    for (const auto* l : *body->labels()) r["labels"].push_back(l->str());
  }
  r["inputs"] = json::array();
  for (int32_t t : *g->inputs()) r["inputs"].push_back(tensor_json(g, t));
  r["outputs"] = json::array();
  for (int32_t t : *g->outputs()) r["outputs"].push_back(tensor_json(g, t));

  size_t weight_bytes = 0;
  for (const auto* t : *g->tensors()) {
    if (t->data()) weight_bytes += t->data()->size();
  }
  r["tensors"] = g->tensors()->size();
  r["weight_bytes"] = weight_bytes;
  r["arena_bytes"] = g->arena_bytes();
  r["arena_lower_bound"] = g->arena_lower_bound();
  r["operators"] = json::array();
  uint32_t index = 0;
  for (const auto* op : *g->operators()) {
    const ops::OpHandler* h = ops::find_op_handler(op->kind());
    json o;
    o["index"] = index++;
    o["kind"] = h ? h->name : "UNKNOWN";
    o["inputs"] = json::array();
    for (int32_t t : *op->inputs()) o["inputs"].push_back(t);
    o["outputs"] = json::array();
    for (int32_t t : *op->outputs()) o["outputs"].push_back(t);
    o["output_shape"] = json::array();
    if (op->outputs()->size() > 0) {
      for (int32_t d : *g->tensors()->Get(static_cast<uint32_t>(op->outputs()->Get(0)))->shape())
        o["output_shape"].push_back(d);
    }
    o["params"] = op_summary(op);
    r["operators"].push_back(o);
  }
  r["self_test"] = body->self_test() != nullptr && body->self_test()->outputs() != nullptr;
  return r;
}

std::string render_capsule_report(const json& r) {
  std::ostringstream s;
  const json& id = r["identity"];
  auto shape = [](const json& a) {
    std::string out = "[";
    for (size_t i = 0; i < a.size(); ++i) out += (i ? "," : "") + std::to_string(a[i].get<int>());
    return out + "]";
  };
  auto tensor_line = [&](const json& t) {
    std::ostringstream l;
    l << "  " << t["name"].get<std::string>() << "  " << t["type"].get<std::string>() << " "
      << shape(t["shape"]);
    if (t.contains("scale")) l << "  scale " << t["scale"].get<double>() << " zero point "
                               << t["zero_point"].get<int>();
    return l.str();
  };
  s << "capsule   " << id.value("name", "") << " " << id.value("version", "") << " (sequence "
    << id.value("sequence", 0) << ")\n";
  s << "digest    sha256:" << r["body_sha256"].get<std::string>() << "\n";
  s << "signed    "
    << (r["signature"].is_null() ? "no" : "key " + r["signature"]["key_id"].get<std::string>())
    << "\n";
  if (!id.value("location", "").empty()) s << "location  " << id["location"].get<std::string>() << "\n";
  if (!id.value("producer", "").empty()) s << "producer  " << id["producer"].get<std::string>() << "\n";
  if (!id["parent_digest"].is_null()) {
    s << "parent    sha256:" << id["parent_digest"].get<std::string>() << "\n";
  }
  if (!r["calibration"].is_null()) {
    const json& c = r["calibration"];
    s << "calibrated " << c["mode"].get<std::string>() << " (" << c["trained_layers"].get<uint32_t>()
      << " layers) on " << c["location_clips"].get<uint32_t>() << " clips, "
      << c["shots_per_class"].get<uint32_t>() << " per class, " << c["replayed_clips"].get<uint32_t>()
      << " replayed" << (c["dsp_changed"].get<bool>() ? ", new DSP block" : "") << "\n";
  }
  s << "size      " << r["file_bytes"].get<size_t>() << " bytes (weights "
    << r["weight_bytes"].get<size_t>() << ")\n";
  s << "arena     " << r["arena_bytes"].get<uint32_t>() << " bytes (lower bound "
    << r["arena_lower_bound"].get<uint32_t>() << ")\n";
  s << "self-test " << (r["self_test"].get<bool>() ? "yes" : "no") << "\n";
  if (!r["labels"].empty()) {
    s << "labels   ";
    for (const auto& l : r["labels"]) s << " " << l.get<std::string>();
    s << "\n";
  }
  s << "inputs\n";
  for (const auto& t : r["inputs"]) s << tensor_line(t) << "\n";
  s << "outputs\n";
  for (const auto& t : r["outputs"]) s << tensor_line(t) << "\n";
  s << "operators (" << r["operators"].size() << ")\n";
  for (const auto& o : r["operators"]) {
    std::ostringstream line;
    line << "  " << o["index"].get<int>() << "  " << o["kind"].get<std::string>();
    std::string text = line.str();
    text.resize(std::max<size_t>(text.size() + 1, 24), ' ');
    s << text << "-> " << shape(o["output_shape"]);
    if (!o["params"].get<std::string>().empty()) s << "  " << o["params"].get<std::string>();
    s << "\n";
  }
  return s.str();
}

}  // namespace locus::host
