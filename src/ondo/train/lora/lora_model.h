// LoRA over a frozen GGUF decoder: the base (llama, qwen2: any llama-style decoder unit, any weight type the matmul
// kernels read) stays mmapped and untouched; each targeted weight W gets y = W x + s B (A x'),
// x' = dropout(x), s = alpha / rank of its group. forward_backward keeps what the backward
// pass needs and returns gradients for the adapter matrices A and B only. Layer: train.
//
// Frozen products run through core::matmul; their input gradient dx = dy W reads W a block
// of rows at a time (core::get_row), so a quantized base is never dequantized whole.
// Ownership: FrozenBase owns its file mapping; LoraModel borrows the base (must outlive it)
// and owns its activation buffers. Thread contract: one call at a time per LoraModel; each
// call splits its work over the pool. Deterministic for the same inputs and pool size.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ondo/core/kernels/matmul.h"
#include "ondo/core/result.h"
#include "ondo/core/thread_pool.h"
#include "ondo/gguf/reader.h"
#include "ondo/model/blocks/decoder_weights.h"
#include "ondo/model/hparams.h"
#include "ondo/train/config.h"
#include "ondo/train/ops.h"
#include "ondo/train/params.h"

namespace ondo::train::lora {

// The weights an adapter can target, in the order they are laid out per layer.
enum class Target { Q = 0, K, V, O, Gate, Up, Down };
constexpr int kTargetCount = 7;
// GGUF name stem ("attn_q", ..., "ffn_down") and the short name ("q", ..., "down").
const char* target_stem(Target t);
const char* target_short(Target t);
inline bool is_attention(Target t) { return int(t) <= int(Target::O); }

struct LoraGroup {
  int32_t rank = 8;
  float alpha = 16;
};

struct LoraConfig {
  std::array<bool, kTargetCount> targets{};  // which weights get an adapter
  LoraGroup attn, mlp;                       // q/k/v/o use attn, gate/up/down use mlp
  float dropout = 0;                         // on the adapter input, in [0, 1)

  const LoraGroup& group(Target t) const { return is_attention(t) ? attn : mlp; }
  float scale(Target t) const { return group(t).alpha / float(group(t).rank); }
};

// "q,v" or "q,k,v,o,gate,up,down" or "attn", "mlp", "all" into cfg.targets (replacing them).
// Error (InvalidArgument) names an unknown entry.
Status parse_targets(std::string_view list, LoraConfig& cfg);
// InvalidArgument naming the field: no target, rank < 1, alpha <= 0, dropout outside [0, 1).
Status validate_lora_config(const LoraConfig& cfg);

// A decoder GGUF opened for LoRA training.
struct FrozenBase {
  std::unique_ptr<gguf::GgufFile> file;
  model::HParams hp;
  std::unique_ptr<model::blocks::DecoderWeights> w;
  core::RopeParams rope;

  // Errors name the file: unreadable, an architecture whose unit is not the llama-style
  // decoder (llama, qwen2), weights that do not bind (decoder_weights.h).
  static Result<std::unique_ptr<FrozenBase>> open(const std::filesystem::path& path);
  // The base weight a target of layer l multiplies with.
  const core::PreparedTensor& weight(int32_t layer, Target t) const;
};

// dx[T][K] (+)= dy[T][N] W for a frozen W (N rows of K, any type and layout), reading W
// 128 rows at a time (core::get_row) into `tile` (scratch, grown on first use). The sum over
// n runs in a fixed order: the same bits for any pool size.
void frozen_input_grad(const core::PreparedTensor& w, const float* dy, int64_t T, float* dx, bool accumulate,
                       std::vector<float>& tile, core::ThreadPool& pool);

class LoraModel {
 public:
  // Requires: validate_lora_config(cfg) ok, max_tokens >= 1 (B*S of the largest batch).
  LoraModel(const FrozenBase& base, const LoraConfig& cfg, int64_t max_batch, int64_t max_seq);

  // Adapter tensors in the flat parameter buffer: per layer, per enabled target, A
  // ("blk.L.attn_q.weight.lora_a", shape {K, r}) then B ("....lora_b", shape {r, N}).
  const ParamLayout& layout() const { return layout_; }
  const LoraConfig& config() const { return cfg_; }
  const FrozenBase& base() const { return base_; }

  // llama.cpp / PEFT initialization: A ~ U(-1/sqrt(K), 1/sqrt(K)) drawn from rng in layout
  // order, B = 0 (the adapter starts as the identity change).
  void init_params(Rng& rng, float* params) const;

  // Mean cross-entropy over masked-in targets of tokens [B][S] (each row from position 0);
  // gradients of the adapter ADDED into grads. Dropout masks are drawn from `dropout_seed`
  // (ignored when cfg.dropout is 0). *n_counted gets the tokens counted.
  double forward_backward(const float* params, const int32_t* tokens, const int32_t* targets, const uint8_t* mask,
                          int64_t B, int64_t S, uint64_t dropout_seed, float* grads, int64_t* n_counted,
                          core::ThreadPool& pool);
  // The loss only, no dropout (evaluation).
  double loss(const float* params, const int32_t* tokens, const int32_t* targets, const uint8_t* mask, int64_t B,
              int64_t S, int64_t* n_counted, core::ThreadPool& pool);
  // Logits [B*S][V] of the last forward (before loss turns them into gradients).
  const float* forward(const float* params, const int32_t* tokens, int64_t B, int64_t S, bool train,
                       uint64_t dropout_seed, core::ThreadPool& pool);

 private:
  // One adapted product's saved state.
  struct Adapted {
    int64_t a_off = -1, b_off = -1;  // into params; -1: no adapter on this weight
    int32_t rank = 0;
    float scale = 0;
    std::vector<float> keep;  // [T][K] dropout factors (0 or 1/(1-p)), empty without dropout
    std::vector<float> z;     // [T][r] = x' A^T
  };
  struct LayerActs {
    std::vector<float> x, xn1, rstd1, q, k, v, probs, att, x_mid, xn2, rstd2, g, u, h;
    std::array<Adapted, kTargetCount> ad;
  };
  void adapted_forward(const float* P, Target t, int32_t layer, const float* x, int64_t T, float* y, bool train,
                       uint64_t seed, core::ThreadPool& pool);
  // dx (+)= dy W + the adapter's input gradient; adapter gradients added into G.
  void adapted_backward(const float* P, Target t, int32_t layer, const float* x, const float* dy, int64_t T,
                        float* dx, bool accumulate, float* G, core::ThreadPool& pool);
  void backward(const float* P, float* G, core::ThreadPool& pool);

  const FrozenBase& base_;
  LoraConfig cfg_;
  ParamLayout layout_;
  int64_t max_T_, max_S_;
  int64_t B_ = 0, S_ = 0;
  std::vector<int32_t> pos_;
  std::vector<LayerActs> acts_;
  std::vector<float> x_final_, xnf_, rstdf_, logits_;
  std::vector<float> dx_, dxn_, datt_, dq_, dk_, dv_, dh_, dg_, du_, dp_;
  std::vector<float> tmp_, tmp2_, dz_, tile_, norm_dw_;
  std::vector<float> xd_;  // dropped-out input scratch [T][max(K)]
  core::MatmulScratch mm_;
  LinearScratch lin_;
};

}  // namespace ondo::train::lora
