// The image_preprocess block on the host: reads an image file and produces
// the model's int8 input with the runtime's block. The feature matrix has
// one row per output pixel row (width x channels values each).
#include "host/capsule/capsule_file.h"
#include "host/features/feature_block_factories.h"
#include "host/features/yaml_fields.h"
#include "host/sensors/image_file.h"
#include "runtime/dsp/image/image_preprocess.h"

namespace locus::host {
namespace {

class ImageBlock : public FeatureBlock {
 public:
  ImageBlock(const dsp::ImagePreprocessConfig& config, const std::string& where) : config_(config) {
    memory_ = AlignedBuffer(dsp::ImagePreprocessor::state_bytes(config) + 16);
    const Status s = block_.init(config, memory_.data(), memory_.size());
    if (!s) fail(where, ": image_preprocess: ", s.message());
  }
  std::string kind() const override { return "image_preprocess"; }
  uint32_t implementation_version() const override {
    return dsp::kImagePreprocessImplementationVersion;
  }
  uint32_t sample_rate() const override { return 0; }
  size_t state_bytes() const override { return dsp::ImagePreprocessor::state_bytes(config_); }

  schema::DspBlockT to_capsule() const override {
    schema::ImagePreprocessParamsT p;
    p.width = config_.output_width;
    p.height = config_.output_height;
    p.channels = config_.output_channels;
    p.crop = static_cast<uint8_t>(config_.crop);
    p.resize = static_cast<uint8_t>(config_.resize);
    p.quantization = static_cast<uint8_t>(config_.quantization);
    p.input_scale = config_.input_scale;
    p.input_zero_point = config_.input_zero_point;
    p.real_min = config_.real_min;
    p.real_max = config_.real_max;
    schema::DspBlockT block;
    block.kind = kind();
    block.implementation_version = implementation_version();
    block.params.Set(std::move(p));
    return block;
  }
  // One "frame" per image: the whole preprocessed image.
  int32_t features_per_frame() const override {
    return config_.output_width * config_.output_height * config_.output_channels;
  }
  FeatureType output_type() const override { return FeatureType::kInt8; }
  // subtract_128 means pixel / 255; affine its own scale and zero point;
  // raw bytes (q = (int8) p) wrap around and have no affine meaning.
  std::optional<FeatureQuantization> output_quantization() const override {
    switch (config_.quantization) {
      case dsp::ImageQuantization::kSubtract128: return FeatureQuantization{1.0f / 255.0f, -128};
      case dsp::ImageQuantization::kAffine:
        return FeatureQuantization{config_.input_scale, config_.input_zero_point};
      default: return std::nullopt;
    }
  }
  int32_t frame_length() const override { return 0; }
  int32_t frame_step() const override { return 0; }

  FeatureMatrix compute_file(const std::string& path) override {
    const Image image = read_image(path);
    std::vector<int8_t> out(block_.output_bytes());
    const Status s =
        block_.process(image.pixels.data(), image.width, image.height, image.format, out.data());
    if (!s) fail(path, ": image_preprocess: ", s.message());
    FeatureMatrix m;
    m.frames = config_.output_height;
    m.features = config_.output_width * config_.output_channels;
    m.type = FeatureType::kInt8;
    m.values.assign(out.begin(), out.end());
    return m;
  }

 private:
  dsp::ImagePreprocessConfig config_;
  AlignedBuffer memory_;
  dsp::ImagePreprocessor block_;
};

}  // namespace

std::unique_ptr<FeatureBlock> make_image_preprocess(const YAML::Node& params,
                                                    const std::string& where) {
  YamlFields f(params, where, "image_preprocess");
  dsp::ImagePreprocessConfig c = dsp::ImagePreprocessConfig::defaults();
  f.get("width", c.output_width);
  f.get("height", c.output_height);
  f.get("channels", c.output_channels);
  std::string crop = "center", resize = "bilinear", quantization = "subtract_128";
  f.get("crop", crop);
  f.get("resize", resize);
  f.get("quantization", quantization);
  f.get("input_scale", c.input_scale);
  f.get("input_zero_point", c.input_zero_point);
  f.get("real_min", c.real_min);
  f.get("real_max", c.real_max);
  f.reject_unknown();
  if (crop == "none") c.crop = dsp::ImageCrop::kNone;
  else if (crop == "center") c.crop = dsp::ImageCrop::kCenterAspect;
  else f.error_at(params["crop"], "image_preprocess.crop: expected none or center");
  if (resize == "bilinear") c.resize = dsp::ImageResize::kBilinear;
  else if (resize == "nearest") c.resize = dsp::ImageResize::kNearest;
  else f.error_at(params["resize"], "image_preprocess.resize: expected bilinear or nearest");
  if (quantization == "raw") c.quantization = dsp::ImageQuantization::kRawBytes;
  else if (quantization == "subtract_128") c.quantization = dsp::ImageQuantization::kSubtract128;
  else if (quantization == "affine") c.quantization = dsp::ImageQuantization::kAffine;
  else f.error_at(params["quantization"], "image_preprocess.quantization: expected raw, subtract_128 or affine");
  return std::make_unique<ImageBlock>(c, where);
}

std::unique_ptr<FeatureBlock> image_preprocess_from_config(const DspBlockConfig& config,
                                                           const std::string& where) {
  return std::make_unique<ImageBlock>(config.image, where);
}

}  // namespace locus::host
