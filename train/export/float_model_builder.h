// Writes libtorch layers (in eval mode) into a host::FloatModel in the
// runtime's layout: NCHW activations become NHWC, conv weights OIHW become
// OHWI, depthwise weights [C, 1, H, W] become [1, H, W, C], and a batch norm
// that follows a convolution or dense layer is folded into its weights.
#ifndef LOCUS_TRAIN_EXPORT_FLOAT_MODEL_BUILDER_H_
#define LOCUS_TRAIN_EXPORT_FLOAT_MODEL_BUILDER_H_

#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

#include "host/quantize/float_model.h"

namespace locus::train {

// Strides and zero padding of a convolution (padding may be asymmetric, as
// TFLite's SAME padding is).
struct Geometry2d {
  int32_t stride_h = 1, stride_w = 1;
  int32_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
};

class FloatModelBuilder {
 public:
  FloatModelBuilder(std::vector<int32_t> input_shape,
                    std::optional<host::AffineQuantization> input_quantization);

  // Current activation shape (NHWC or [1, N]).
  const std::vector<int32_t>& shape() const;

  void conv2d(const std::string& name, const torch::nn::Conv2d& conv,
              const torch::nn::BatchNorm2d* norm, host::FloatActivation activation);
  // groups == channels, one filter per channel.
  void depthwise_conv2d(const std::string& name, const torch::nn::Conv2d& conv,
                        const torch::nn::BatchNorm2d* norm, host::FloatActivation activation);
  // From raw tensors: weight OIHW (depthwise: [C, 1, H, W]), bias [O] or undefined.
  void conv2d(const std::string& name, const torch::Tensor& weight, const torch::Tensor& bias,
              const Geometry2d& geometry, host::FloatActivation activation);
  void depthwise_conv2d(const std::string& name, const torch::Tensor& weight,
                        const torch::Tensor& bias, const Geometry2d& geometry,
                        host::FloatActivation activation);
  void dense(const std::string& name, const torch::nn::Linear& linear,
             const torch::nn::BatchNorm1d* norm, host::FloatActivation activation);
  // A dense layer from raw weights [out, in] and bias [out].
  void dense(const std::string& name, const torch::Tensor& weight, const torch::Tensor& bias,
             host::FloatActivation activation);
  void average_pool(const std::string& name, int32_t filter_h, int32_t filter_w, int32_t stride_h,
                    int32_t stride_w);
  void max_pool(const std::string& name, int32_t filter_h, int32_t filter_w, int32_t stride_h,
                int32_t stride_w);
  void flatten(const std::string& name);
  void softmax(const std::string& name);

  host::FloatModel finish();

 private:
  int32_t add_tensor(const std::string& name, std::vector<int32_t> shape);
  host::FloatLayer& convolution(const std::string& name, host::FloatOp op,
                                const torch::Tensor& weight, const torch::Tensor& bias,
                                const Geometry2d& geometry, host::FloatActivation activation,
                                int32_t channels);
  host::FloatLayer& add_layer(const std::string& name, host::FloatOp op,
                              std::vector<int32_t> output_shape);
  void pool(const std::string& name, host::FloatOp op, int32_t filter_h, int32_t filter_w,
            int32_t stride_h, int32_t stride_w);

  host::FloatModel model_;
  int32_t current_ = 0;
};

// Scale and shift that fold an eval-mode batch norm into the layer before it:
// y = x * scale + shift per channel.
struct FoldedNorm {
  torch::Tensor scale, shift;
};
FoldedNorm fold_batch_norm(const torch::Tensor& weight, const torch::Tensor& bias,
                           const torch::Tensor& running_mean, const torch::Tensor& running_var,
                           double eps);

// W and b of a layer (dimension 0 of W: output channels) with the batch norm
// that follows it folded in, eval-mode statistics; `norm` may be null.
// Differentiable: quantisation-aware training folds exactly as the export.
std::pair<torch::Tensor, torch::Tensor> fold_into_layer(const torch::Tensor& weight,
                                                        const torch::Tensor& bias,
                                                        const torch::nn::BatchNorm2dImpl* norm);
std::pair<torch::Tensor, torch::Tensor> fold_into_layer(const torch::Tensor& weight,
                                                        const torch::Tensor& bias,
                                                        const torch::nn::BatchNorm1dImpl* norm);

std::vector<float> to_vector(const torch::Tensor& tensor);

}  // namespace locus::train

#endif  // LOCUS_TRAIN_EXPORT_FLOAT_MODEL_BUILDER_H_
