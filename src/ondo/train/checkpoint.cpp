// Trainer checkpoints: weights, AdamW moments, step and data cursor in one GGUF file, so a
// resumed run continues bit-exactly. Layer: train.
#include <cstring>

#include "ondo/gguf/reader.h"
#include "ondo/gguf/writer.h"
#include "ondo/train/trainer.h"

namespace ondo::train {
namespace {

constexpr const char* kShapeKeys[] = {"ondo.train.n_vocab", "ondo.train.n_embd", "ondo.train.n_layer",
                                      "ondo.train.n_head", "ondo.train.n_head_kv", "ondo.train.n_ff",
                                      "ondo.train.n_ctx"};

std::vector<int64_t> shape_values(const ModelConfig& c) {
  return {c.n_vocab, c.n_embd, c.n_layer, c.n_head, c.n_head_kv, c.n_ff, c.n_ctx};
}

std::span<const uint8_t> bytes_of(const std::vector<float>& v) {
  return {reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(float)};
}

}  // namespace

Status Trainer::save_checkpoint(const std::filesystem::path& path) const {
  return save_checkpoint(path, o_.env ? *o_.env : core::Env::posix());
}

Status Trainer::save_checkpoint(const std::filesystem::path& path, core::Env& env) const {
  gguf::Writer w;
  w.set_string("general.architecture", "ondo-train-checkpoint");
  const auto shape = shape_values(o_.model);
  for (size_t i = 0; i < shape.size(); ++i) w.set_i64(kShapeKeys[i], shape[i]);
  w.set_i64("ondo.train.step", step_);
  w.set_i64("ondo.train.adam_t", adam_.t);
  w.set_u64("ondo.train.epoch", cursor_.epoch);
  w.set_u64("ondo.train.index", cursor_.index);
  w.set_u64("ondo.train.seed", o_.seed);
  const int64_t n = int64_t(params_.size());
  ONDO_TRY(w.add_tensor("train.params", core::DType::F32, {n}, bytes_of(params_)));
  ONDO_TRY(w.add_tensor("train.adam_m", core::DType::F32, {n}, bytes_of(adam_.m)));
  ONDO_TRY(w.add_tensor("train.adam_v", core::DType::F32, {n}, bytes_of(adam_.v)));
  return w.write(path, env);
}

Status Trainer::load_checkpoint(const std::filesystem::path& path) {
  ONDO_ASSIGN_OR_RETURN(auto f, gguf::GgufFile::open(path));
  const auto shape = shape_values(o_.model);
  for (size_t i = 0; i < shape.size(); ++i) {
    ONDO_ASSIGN_OR_RETURN(int64_t v, f->get_int(kShapeKeys[i]));
    if (v != shape[i]) {
      return make_error(ErrorCode::InvalidArgument, path.string() + ": " + kShapeKeys[i] + " = " + std::to_string(v) +
                                                        ", but this run has " + std::to_string(shape[i]));
    }
  }
  ONDO_ASSIGN_OR_RETURN(int64_t step, f->get_int("ondo.train.step"));
  ONDO_ASSIGN_OR_RETURN(int64_t adam_t, f->get_int("ondo.train.adam_t"));
  ONDO_ASSIGN_OR_RETURN(uint64_t epoch, f->get_uint("ondo.train.epoch"));
  ONDO_ASSIGN_OR_RETURN(uint64_t index, f->get_uint("ondo.train.index"));
  std::vector<float>* dst[] = {&params_, &adam_.m, &adam_.v};
  const char* names[] = {"train.params", "train.adam_m", "train.adam_v"};
  for (int i = 0; i < 3; ++i) {
    const gguf::TensorInfo* t = f->find_tensor(names[i]);
    if (!t || t->type != core::DType::F32 || t->nbytes != dst[i]->size() * sizeof(float)) {
      return make_error(ErrorCode::InvalidFile, path.string() + ": tensor '" + names[i] + "' is missing or mis-sized");
    }
    std::memcpy(dst[i]->data(), t->data, t->nbytes);
  }
  step_ = step;
  adam_.t = adam_t;
  cursor_ = {epoch, index};
  return ok_status();
}

}  // namespace ondo::train
