// Loading a model: architecture lookup in the registry, hyperparameters, weight binding.
// Layer: model.
#include "ondo/model/model.h"

#include "ondo/gguf/keys.h"

namespace ondo::model {

Result<std::unique_ptr<Model>> Model::load(const std::filesystem::path& path) {
  ONDO_ASSIGN_OR_RETURN(auto file, gguf::GgufFile::open(path));
  return from_file(std::move(file));
}

Result<std::unique_ptr<Model>> Model::from_file(std::unique_ptr<gguf::GgufFile> file) {
  const gguf::GgufFile& f = *file;
  ONDO_ASSIGN_OR_RETURN(std::string_view arch, f.get_string(gguf::keys::kArchitecture));
  const ArchSpec* spec = find_architecture(arch);
  if (!spec) {
    std::string known;
    for (const ArchSpec& a : architectures()) known += (known.empty() ? "" : ", ") + std::string(a.name);
    return make_error(ErrorCode::Unsupported, f.name() + ": architecture '" + std::string(arch) +
                                                  "' is not supported (supported: " + known + ")");
  }
  std::unique_ptr<Model> m(new Model());
  m->spec_ = spec;
  ONDO_ASSIGN_OR_RETURN(m->hp_, read_hparams(f, std::string(arch), spec->rope_style));

  // The vocabulary size comes from the embedding matrix; the tokenizer must agree.
  const gguf::TensorInfo* embd = f.find_tensor("token_embd.weight");
  if (!embd) return make_error(ErrorCode::InvalidFile, f.name() + ": tensor 'token_embd.weight' is missing");
  if (embd->shape.size() < 2 || embd->shape[1] <= 0 || embd->shape[1] > (int64_t(1) << 24)) {
    return make_error(ErrorCode::InvalidFile, f.name() + ": tensor 'token_embd.weight' does not have a vocabulary dimension");
  }
  m->hp_.n_vocab = int32_t(embd->shape[1]);
  if (const gguf::Value* toks = f.find(gguf::keys::kTokTokens)) {
    if (toks->type() == gguf::ValueType::Array && toks->size() != uint64_t(m->hp_.n_vocab)) {
      return make_error(ErrorCode::InvalidFile,
                        f.name() + ": tokenizer has " + std::to_string(toks->size()) +
                            " tokens but token_embd.weight has " + std::to_string(m->hp_.n_vocab) + " rows");
    }
  }
  ONDO_ASSIGN_OR_RETURN(m->w_, bind_weights(f, m->hp_, *spec));
  interleave_weights(f, m->w_, m->copies_);
  m->file_ = std::move(file);
  return m;
}

MemoryEstimate Model::memory() const {
  MemoryEstimate e;
  for (const gguf::TensorInfo& t : file_->tensors()) e.weight_bytes += t.nbytes;
  e.kv_bytes_per_token = 2ull * uint64_t(hp_.n_layer) * uint64_t(hp_.kv_dim()) * sizeof(float);
  e.scratch_bytes_per_token =
      sizeof(float) * (4ull * uint64_t(hp_.n_embd) + 2ull * uint64_t(hp_.q_dim()) + 2ull * uint64_t(hp_.kv_dim()) +
                       2ull * uint64_t(hp_.n_ff));
  return e;
}

}  // namespace ondo::model
