// Loading a model (registry lookup, the unit's hyperparameters and weights, preparation)
// and the checks every pass shares before the unit runs. Layer: model.
#include "ondo/model/model.h"

#include "ondo/gguf/keys.h"
#include "ondo/model/lora/adapter.h"
#include "ondo/model/registry.h"

namespace ondo::model {
namespace {

Error invalid(const std::string& what) { return make_error(ErrorCode::InvalidArgument, what); }

// Checks shared by forward() and encode(): batch size and token ids.
Status validate_tokens(std::string_view pass, std::span<const BatchToken> batch, const HParams& hp,
                       const ForwardScratch& s) {
  const std::string p(pass);
  if (batch.empty()) return invalid(p + ": empty batch");
  if (int64_t(batch.size()) > s.max_tokens) {
    return invalid(p + ": batch of " + std::to_string(batch.size()) + " tokens exceeds the scratch size " +
                   std::to_string(s.max_tokens));
  }
  for (const BatchToken& t : batch) {
    if (t.token < 0 || t.token >= hp.n_vocab) {
      return invalid(p + ": token id " + std::to_string(t.token) + " is out of range (vocabulary " +
                     std::to_string(hp.n_vocab) + ")");
    }
  }
  return ok_status();
}

Status validate_forward(const Model& m, std::span<const BatchToken> batch, const HParams& hp, const KvStore& kv,
                        const ForwardScratch& s) {
  ONDO_TRY(validate_tokens("forward", batch, hp, s));
  if (kv.n_layer != hp.n_layer || kv.kv_dim != hp.kv_dim()) return invalid("forward: KV store shape does not match the model");
  for (const BatchToken& t : batch) {
    if (t.pos < 0 || t.pos >= kv.n_ctx || t.pos >= s.n_ctx) {
      return invalid("forward: position " + std::to_string(t.pos) + " is outside the context of " + std::to_string(kv.n_ctx));
    }
    if (t.seq < 0 || t.seq >= kv.n_seq) return invalid("forward: sequence slot " + std::to_string(t.seq) + " does not exist");
    if (!t.lora) continue;
    for (const LoraUse& u : t.lora->uses) {
      if (!u.adapter || &u.adapter->base() != &m) {
        return invalid("forward: a LoRA adapter of sequence slot " + std::to_string(t.seq) +
                       " is not bound to this model");
      }
    }
  }
  return ok_status();
}

// Sequences as contiguous runs in position order; fills s.seq_starts.
Status validate_encode(std::span<const BatchToken> batch, const HParams& hp, ForwardScratch& s) {
  ONDO_TRY(validate_tokens("encode", batch, hp, s));
  s.seq_starts.clear();
  for (size_t t = 0; t < batch.size(); ++t) {
    const BatchToken& bt = batch[t];
    const bool starts = t == 0 || bt.seq != batch[t - 1].seq;
    if (starts) {
      for (int32_t first : s.seq_starts) {
        if (batch[size_t(first)].seq == bt.seq) {
          return invalid("encode: the tokens of sequence " + std::to_string(bt.seq) + " are not one contiguous run");
        }
      }
      s.seq_starts.push_back(int32_t(t));
    }
    const int32_t want = starts ? 0 : batch[t - 1].pos + 1;
    if (bt.pos != want) {
      return invalid("encode: sequence " + std::to_string(bt.seq) + " has position " + std::to_string(bt.pos) +
                     " at batch index " + std::to_string(t) + " (expected " + std::to_string(want) + ")");
    }
    if (bt.pos >= s.n_ctx) {
      return invalid("encode: sequence " + std::to_string(bt.seq) + " is longer than the context of " +
                     std::to_string(s.n_ctx));
    }
  }
  s.seq_starts.push_back(int32_t(batch.size()));
  return ok_status();
}

}  // namespace

Pooling default_decoder_pooling(const gguf::GgufFile& file) {
  auto arch = file.get_string(gguf::keys::kArchitecture);
  if (!arch.ok()) return Pooling::Last;
  auto v = file.get_uint_or(std::string(*arch) + ".pooling_type", 0);
  if (v.ok() && (*v == uint64_t(Pooling::Mean) || *v == uint64_t(Pooling::Cls) || *v == uint64_t(Pooling::Last))) {
    return Pooling(*v);
  }
  return Pooling::Last;
}

Result<Pooling> parse_pooling(std::string_view name) {
  if (name == "mean") return Pooling::Mean;
  if (name == "cls") return Pooling::Cls;
  if (name == "last") return Pooling::Last;
  return invalid("pooling '" + std::string(name) + "' is not one of mean, cls, last");
}

std::string_view pooling_name(Pooling p) {
  switch (p) {
    case Pooling::None: return "none";
    case Pooling::Mean: return "mean";
    case Pooling::Cls: return "cls";
    case Pooling::Last: return "last";
    case Pooling::Rank: return "rank";
  }
  return "?";
}

Result<std::unique_ptr<Model>> Model::load(const std::filesystem::path& path, const LoadOptions& options) {
  ONDO_ASSIGN_OR_RETURN(auto file, gguf::GgufFile::open(path));
  return from_file(std::move(file), options);
}

Result<std::unique_ptr<Model>> Model::from_file(std::unique_ptr<gguf::GgufFile> file, const LoadOptions& options) {
  ONDO_ASSIGN_OR_RETURN(std::string_view arch, file->get_string(gguf::keys::kArchitecture));
  const ArchUnit* unit = find_architecture(arch);
  if (!unit) {
    std::string known;
    for (const ArchUnit* a : architectures()) known += (known.empty() ? "" : ", ") + std::string(a->name);
    return make_error(ErrorCode::Unsupported, file->name() + ": architecture '" + std::string(arch) +
                                                  "' is not supported (supported: " + known + ")");
  }
  return from_file(std::move(file), *unit, options);
}

Result<std::unique_ptr<Model>> Model::from_file(std::unique_ptr<gguf::GgufFile> file, const ArchUnit& unit,
                                                const LoadOptions& options) {
  const gguf::GgufFile& f = *file;
  std::unique_ptr<Model> m(new Model());
  m->unit_ = &unit;
  m->kind_ = unit.kind;
  ONDO_ASSIGN_OR_RETURN(m->hp_, unit.read_hparams(f));
  if (options.pooling) {
    const Pooling p = *options.pooling;
    if (p != Pooling::Mean && p != Pooling::Cls && p != Pooling::Last) {
      return invalid(f.name() + ": embedding pooling must be mean, cls or last (not " + std::string(pooling_name(p)) + ")");
    }
    if (!unit.encode) {
      return make_error(ErrorCode::Unsupported, f.name() + ": architecture '" + std::string(unit.name) +
                                                    "' has no embedding pass (pooling " + std::string(pooling_name(p)) + ")");
    }
    if (unit.kind == ModelKind::Encode && m->hp_.pooling == Pooling::Rank) {
      return invalid(f.name() + ": a reranker (pooling rank) scores pairs; its pooling cannot be changed");
    }
    m->hp_.pooling = p;
    m->kind_ = ModelKind::Encode;
  }

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
  ONDO_ASSIGN_OR_RETURN(m->w_, unit.bind_weights(f, m->hp_));
  if (options.prepare_weights) {
    const std::vector<core::PreparedTensor*> ws = m->w_->matmul_weights();
    core::prepare_weights(ws, options.pool, m->prepared_, [&f](const void* p, size_t n) { f.release_pages(p, n); });
  }
  m->tap_ = options.tap;
  m->file_ = std::move(file);
  return m;
}

MemoryEstimate Model::memory() const {
  MemoryEstimate e;
  for (const gguf::TensorInfo& t : file_->tensors()) e.weight_bytes += t.nbytes;
  if (unit_->memory) e.per_token = unit_->memory(hp_);
  return e;
}

StepContext Model::context(ForwardScratch& scratch, core::ThreadPool& pool) const {
  return StepContext{hp_, *w_, scratch, pool, tap_ ? &tap_ : nullptr};
}

Status Model::forward(std::span<const BatchToken> batch, KvStore& kv, ForwardScratch& scratch,
                      core::ThreadPool& pool, float* logits) const {
  if (kind() != ModelKind::Generate || !unit_->forward) {
    return invalid("forward: " + file_->name() + (unit_->forward ? " was loaded as an embedding model" : " is an encoder model") +
                   " ('" + std::string(unit_->name) + "'); use encode()");
  }
  ONDO_TRY(validate_forward(*this, batch, hp_, kv, scratch));
  return unit_->forward(context(scratch, pool), batch, kv, logits);
}

Status Model::encode(std::span<const BatchToken> batch, ForwardScratch& scratch, core::ThreadPool& pool,
                     float* out) const {
  if (kind() != ModelKind::Encode || !unit_->encode) {
    return invalid("encode: " + file_->name() + " is a generator model ('" + std::string(unit_->name) +
                   "'); use forward(), or load it with an embedding pooling");
  }
  ONDO_TRY(validate_encode(batch, hp_, scratch));
  return unit_->encode(context(scratch, pool), batch, out);
}

}  // namespace ondo::model
