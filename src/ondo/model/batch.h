// Plain data passed to a forward pass: the tokens of one step and the KV storage they read
// and write. Layer: model. The KV memory is owned by infer/ (kv_cache); the model only sees
// this view.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace ondo::model {

struct LoraSet;  // lora/adapter.h

// One token of a batch step: its id, its position in its sequence, which sequence slot of
// the KV store it belongs to, and whether logits are wanted for it.
struct BatchToken {
  int32_t token = 0;
  int32_t pos = 0;
  int32_t seq = 0;
  bool logits = false;
  // The LoRA adapters this token runs with (borrowed for the step; nullptr or empty: the
  // base model). Every adapter must be bound to the model the step runs.
  const LoraSet* lora = nullptr;
};

// KV storage: K and V for every layer, sequence slot and position, F32.
// Layout: [n_layer][n_seq][n_ctx][kv_dim]. A token at (seq, pos) attends to positions
// 0..pos of its slot, which must already hold K/V (from earlier steps or this one).
struct KvStore {
  int32_t n_layer = 0;
  int32_t n_seq = 0;
  int32_t n_ctx = 0;   // positions per slot
  int32_t kv_dim = 0;  // Hkv * D
  float* k = nullptr;
  float* v = nullptr;

  size_t offset(int32_t layer, int32_t seq, int32_t pos) const {
    return ((size_t(layer) * size_t(n_seq) + size_t(seq)) * size_t(n_ctx) + size_t(pos)) * size_t(kv_dim);
  }
};

}  // namespace ondo::model
