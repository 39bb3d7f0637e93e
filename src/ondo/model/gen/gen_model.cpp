// Writing random-weight models of real shapes: the shape table, the weight generator and the
// GGUF layout llama.cpp's converter produces for the llama and bert architectures. Layer: model.
#include "ondo/model/gen/gen_model.h"

#include <array>
#include <cmath>
#include <cstring>
#include <memory>

#include "ondo/core/compute_pool.h"
#include "ondo/gguf/keys.h"
#include "ondo/gguf/reader.h"
#include "ondo/gguf/writer.h"

namespace ondo::model::gen {
namespace {

using core::DType;

// Shapes from the models' published config.json (facts). TinyLlama and Llama 3.2 use 1e-5 as
// rms eps; Llama 3.2 ties the output to the embeddings and scales rope as Llama 3.1 (factor 32).
// all-MiniLM-L6-v2: 6 layers, 384 wide, 12 heads, FFN 1536, 512 positions, WordPiece 30522,
// LayerNorm eps 1e-12, mean pooling.
const std::array<ModelShape, 4> kShapes = {{
    {"llama-3.2-1b", "Llama-3.2-1B", 16, 2048, 32, 8, 8192, 128256, 131072, 500000.0f, 1e-5f, true,
     {32.0f, 1.0f, 4.0f, 8192}, "tokenizer/ggml-vocab-llama-bpe.gguf", 0.02f},
    {"tinyllama-1.1b", "TinyLlama-1.1B", 22, 2048, 32, 4, 5632, 32000, 2048, 10000.0f, 1e-5f, false,
     {}, "tokenizer/ggml-vocab-llama-spm.gguf", 0.02f},
    // For tests: 2 layers, C = 64, GQA 2, Llama 3.1 rope scaling, a synthetic vocabulary.
    {"tiny", "ondo-tiny", 2, 64, 4, 2, 128, 384, 256, 10000.0f, 1e-5f, false,
     {8.0f, 1.0f, 4.0f, 64}, "", 0.1f},
    {"minilm-l6", "all-MiniLM-L6-v2", 6, 384, 12, 12, 1536, 30522, 512, 0.0f, 1e-12f, false,
     {}, "tokenizer/ggml-vocab-bert-bge.gguf", 0.02f, "bert"},
}};

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// One key per (seed, tensor name): FNV-1a of the name mixed with the seed.
uint64_t tensor_key(uint64_t seed, std::string_view name) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : name) h = (h ^ c) * 0x100000001B3ull;
  return splitmix64(seed ^ splitmix64(h));
}

// Sum of four 16-bit uniforms from one draw, centred (mean 2 * 65535) and scaled to unit
// variance (one uniform on 0..65535 has variance ~65536^2 / 12, the sum std 65536 / sqrt(3)).
float approx_normal(uint64_t key, uint64_t i) {
  const uint64_t r = splitmix64(key + i);
  const double s = double(r & 0xFFFF) + double((r >> 16) & 0xFFFF) + double((r >> 32) & 0xFFFF) + double(r >> 48);
  return float((s - 2.0 * 65535.0) * (1.7320508075688772 / 65536.0));
}

// What a tensor holds: random in the output type (matrices), random F32 (BERT's position and
// token-type rows, F32 as the converter keeps them), ones (norm weights), zeros (biases),
// or rope_freqs' factors.
enum class Fill { Matrix, RandomF32, Ones, Zeros, RopeFreqs };

struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;  // ggml order
  Fill fill;
};

std::vector<TensorSpec> bert_tensor_list(const ModelShape& s) {
  const int64_t C = s.n_embd, F = s.n_ff, V = s.n_vocab;
  std::vector<TensorSpec> t;
  t.push_back({"token_embd.weight", {C, V}, Fill::Matrix});
  t.push_back({"token_types.weight", {C, 2}, Fill::RandomF32});
  t.push_back({"position_embd.weight", {C, s.n_ctx}, Fill::RandomF32});
  t.push_back({"token_embd_norm.weight", {C}, Fill::Ones});
  t.push_back({"token_embd_norm.bias", {C}, Fill::Zeros});
  for (int32_t i = 0; i < s.n_layer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    for (const char* m : {"attn_q", "attn_k", "attn_v", "attn_output"}) {
      t.push_back({p + m + ".weight", {C, C}, Fill::Matrix});
      t.push_back({p + m + ".bias", {C}, Fill::Zeros});
    }
    t.push_back({p + "attn_output_norm.weight", {C}, Fill::Ones});
    t.push_back({p + "attn_output_norm.bias", {C}, Fill::Zeros});
    t.push_back({p + "ffn_up.weight", {C, F}, Fill::Matrix});
    t.push_back({p + "ffn_up.bias", {F}, Fill::Zeros});
    t.push_back({p + "ffn_down.weight", {F, C}, Fill::Matrix});
    t.push_back({p + "ffn_down.bias", {C}, Fill::Zeros});
    t.push_back({p + "layer_output_norm.weight", {C}, Fill::Ones});
    t.push_back({p + "layer_output_norm.bias", {C}, Fill::Zeros});
  }
  return t;
}

std::vector<TensorSpec> tensor_list(const ModelShape& s) {
  if (s.arch == "bert") return bert_tensor_list(s);
  const int64_t C = s.n_embd, F = s.n_ff, V = s.n_vocab;
  const int64_t QD = int64_t(s.n_head) * s.head_dim(), KVD = int64_t(s.n_head_kv) * s.head_dim();
  std::vector<TensorSpec> t;
  if (s.rope_scaling.factor > 0) t.push_back({"rope_freqs.weight", {s.head_dim() / 2}, Fill::RopeFreqs});
  t.push_back({"token_embd.weight", {C, V}, Fill::Matrix});
  for (int32_t i = 0; i < s.n_layer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    t.push_back({p + "attn_norm.weight", {C}, Fill::Ones});
    t.push_back({p + "attn_q.weight", {C, QD}, Fill::Matrix});
    t.push_back({p + "attn_k.weight", {C, KVD}, Fill::Matrix});
    t.push_back({p + "attn_v.weight", {C, KVD}, Fill::Matrix});
    t.push_back({p + "attn_output.weight", {QD, C}, Fill::Matrix});
    t.push_back({p + "ffn_norm.weight", {C}, Fill::Ones});
    t.push_back({p + "ffn_gate.weight", {C, F}, Fill::Matrix});
    t.push_back({p + "ffn_up.weight", {C, F}, Fill::Matrix});
    t.push_back({p + "ffn_down.weight", {F, C}, Fill::Matrix});
  }
  t.push_back({"output_norm.weight", {C}, Fill::Ones});
  if (!s.tied_output) t.push_back({"output.weight", {C, V}, Fill::Matrix});
  return t;
}

uint32_t file_type_of(DType t) { return t == DType::F32 ? 0 : t == DType::F16 ? 1 : 32; }  // LLAMA_FTYPE

// The keys every architecture's file has: names and the transformer's sizes.
void set_shared_hparams(gguf::Writer& w, const ModelShape& s, const std::string& a, uint64_t seed) {
  using gguf::keys::arch_key;
  w.set_string(gguf::keys::kArchitecture, a);
  w.set_string(gguf::keys::kName, s.model_name);
  w.set_string("general.description", "random weights (ondo gen-model, seed " + std::to_string(seed) +
                                           "); not a trained model");
  w.set_u32(arch_key(a, "block_count"), uint32_t(s.n_layer));
  w.set_u32(arch_key(a, "context_length"), uint32_t(s.n_ctx));
  w.set_u32(arch_key(a, "embedding_length"), uint32_t(s.n_embd));
  w.set_u32(arch_key(a, "feed_forward_length"), uint32_t(s.n_ff));
  w.set_u32(arch_key(a, "attention.head_count"), uint32_t(s.n_head));
}

// The keys llama.cpp's converter writes for a BERT sentence-embedding model (no
// head_count_kv: n_head_kv = n_head).
void set_bert_hparams(gguf::Writer& w, const ModelShape& s, DType type, uint64_t seed) {
  using gguf::keys::arch_key;
  const std::string a = "bert";
  set_shared_hparams(w, s, a, seed);
  w.set_f32(arch_key(a, "attention.layer_norm_epsilon"), s.rms_eps);
  w.set_bool(arch_key(a, "attention.causal"), false);
  w.set_u32(arch_key(a, "pooling_type"), 1);  // mean, as all-MiniLM-L6-v2's sentence-transformers config
  w.set_u32(gguf::keys::kFileType, file_type_of(type));
  w.set_u32("general.quantization_version", 2);
}

void set_hparams(gguf::Writer& w, const ModelShape& s, DType type, uint64_t seed) {
  using gguf::keys::arch_key;
  if (s.arch == "bert") return set_bert_hparams(w, s, type, seed);
  const std::string a = "llama";
  set_shared_hparams(w, s, a, seed);
  w.set_u32(arch_key(a, "attention.head_count_kv"), uint32_t(s.n_head_kv));
  w.set_f32(arch_key(a, "rope.freq_base"), s.rope_base);
  w.set_f32(arch_key(a, "attention.layer_norm_rms_epsilon"), s.rms_eps);
  w.set_u32(arch_key(a, "attention.key_length"), uint32_t(s.head_dim()));
  w.set_u32(arch_key(a, "attention.value_length"), uint32_t(s.head_dim()));
  w.set_u32(gguf::keys::kFileType, file_type_of(type));
  w.set_u32(arch_key(a, "vocab_size"), uint32_t(s.n_vocab));
  w.set_u32(arch_key(a, "rope.dimension_count"), uint32_t(s.head_dim()));
  w.set_u32("general.quantization_version", 2);
}

// A small SentencePiece-style vocabulary: <unk> <s> </s>, the 256 byte tokens, then
// "▁a".."▁z", "a".."z" and two-letter pieces until n_vocab.
void set_synthetic_vocab(gguf::Writer& w, int32_t n_vocab) {
  std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
  std::vector<int32_t> types = {2, 3, 3};  // UNKNOWN, CONTROL
  for (int b = 0; b < 256; ++b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    tokens.push_back(buf);
    types.push_back(6);  // BYTE
  }
  for (int k = 0; int32_t(tokens.size()) < n_vocab; ++k) {
    const char a = char('a' + k % 26), b = char('a' + (k / 26) % 26);
    tokens.push_back(k < 26 ? "\xE2\x96\x81" + std::string(1, a) : k < 52 ? std::string(1, a) : std::string{b, a});
    types.push_back(1);  // NORMAL
  }
  tokens.resize(size_t(n_vocab));
  types.resize(size_t(n_vocab));
  std::vector<float> scores(tokens.size());
  for (size_t i = 0; i < scores.size(); ++i) scores[i] = types[i] == 1 ? -float(i) : 0.0f;
  w.set_string(gguf::keys::kTokModel, "llama");
  w.set_string(gguf::keys::kTokPre, "default");
  w.set_array(gguf::keys::kTokTokens, std::span<const std::string>(tokens));
  w.set_array(gguf::keys::kTokScores, std::span<const float>(scores));
  w.set_array(gguf::keys::kTokTypes, std::span<const int32_t>(types));
  w.set_u32(gguf::keys::kTokBos, 1);
  w.set_u32(gguf::keys::kTokEos, 2);
  w.set_u32(gguf::keys::kTokUnk, 0);
  w.set_bool(gguf::keys::kTokAddBos, true);
  w.set_bool(gguf::keys::kTokAddEos, false);
}

// Copies the tokenizer.* keys of a vocabulary file whose token count fits the shape.
Status copy_vocab(gguf::Writer& w, const ModelShape& s, const std::filesystem::path& path) {
  ONDO_ASSIGN_OR_RETURN(std::unique_ptr<gguf::GgufFile> v, gguf::GgufFile::open(path));
  const gguf::Value* tokens = v->find(gguf::keys::kTokTokens);
  if (tokens == nullptr || tokens->type() != gguf::ValueType::Array) {
    return make_error(ErrorCode::InvalidFile, v->name() + ": no tokenizer.ggml.tokens array");
  }
  if (tokens->size() != uint64_t(s.n_vocab)) {
    return make_error(ErrorCode::InvalidFile, v->name() + ": vocabulary has " + std::to_string(tokens->size()) +
                                                  " tokens, expected " + std::to_string(s.n_vocab) + " for shape " +
                                                  std::string(s.name));
  }
  w.copy_metadata(*v, [](std::string_view k) { return k.substr(0, 10) == "tokenizer."; });
  if (s.arch == "bert") {  // what today's converter adds for a BERT tokenizer.json: [CLS] ... [SEP]
    w.set_u32(gguf::keys::kTokBos, 101);
    w.set_u32(gguf::keys::kTokEos, 102);
    w.set_bool(gguf::keys::kTokAddBos, true);
    w.set_bool(gguf::keys::kTokAddEos, true);
    w.set_bool("tokenizer.ggml.add_sep_token", false);
  }
  return ok_status();
}

}  // namespace

std::span<const ModelShape> model_shapes() { return kShapes; }

const ModelShape* find_shape(std::string_view name) {
  for (const ModelShape& s : kShapes) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string shapes_list() {
  std::string out;
  for (const ModelShape& s : kShapes) (out += out.empty() ? "" : ", ") += s.name;
  return out;
}

float random_weight(uint64_t seed, std::string_view name, uint64_t i, float std) {
  return std * approx_normal(tensor_key(seed, name), i);
}

std::vector<float> llama3_rope_factors(int32_t head_dim, float rope_base, const Llama3RopeScaling& s) {
  const float low_wavelen = float(s.original_context) / s.low_freq_factor;
  const float high_wavelen = float(s.original_context) / s.high_freq_factor;
  std::vector<float> out;
  for (int32_t i = 0; i < head_dim; i += 2) {
    const float freq = 1.0f / std::pow(rope_base, float(i) / float(head_dim));
    const float wavelen = float(2.0 * M_PI) / freq;
    if (wavelen < high_wavelen) {
      out.push_back(1.0f);
    } else if (wavelen > low_wavelen) {
      out.push_back(s.factor);
    } else {
      const float smooth = (float(s.original_context) / wavelen - s.low_freq_factor) /
                           (s.high_freq_factor - s.low_freq_factor);
      out.push_back(1.0f / ((1.0f - smooth) / s.factor + smooth));
    }
  }
  return out;
}

Result<GenReport> generate_model(const GenOptions& o, core::ComputePool& pool) {
  const ModelShape& s = *o.shape;
  if (o.type != DType::F32 && o.type != DType::F16 && o.type != DType::BF16) {
    return make_error(ErrorCode::InvalidArgument, "gen-model writes F32, F16 or BF16 weights, not " +
                                                      std::string(core::dtype_name(o.type)));
  }
  gguf::Writer w;
  set_hparams(w, s, o.type, o.seed);
  if (s.vocab_file.empty()) {
    set_synthetic_vocab(w, s.n_vocab);
  } else {
    ONDO_TRY(copy_vocab(w, s, o.vocab));
  }

  GenReport rep;
  const core::FromFloatFn to_type = core::dtype_info(o.type).scalar.from_float;
  for (const TensorSpec& t : tensor_list(s)) {
    int64_t n = 1;
    for (int64_t d : t.shape) n *= d;
    rep.n_params += uint64_t(n);
    ++rep.n_tensors;
    if (t.fill != Fill::Matrix) {
      std::vector<float> v;
      if (t.fill == Fill::RopeFreqs) v = llama3_rope_factors(s.head_dim(), s.rope_base, s.rope_scaling);
      else v.assign(size_t(n), t.fill == Fill::Ones ? 1.0f : 0.0f);
      if (t.fill == Fill::RandomF32) {
        const uint64_t key = tensor_key(o.seed, t.name);
        for (int64_t i = 0; i < n; ++i) v[size_t(i)] = s.init_std * approx_normal(key, uint64_t(i));
      }
      std::vector<uint8_t> bytes(v.size() * 4);
      std::memcpy(bytes.data(), v.data(), bytes.size());
      ONDO_TRY(w.add_tensor_owned(t.name, DType::F32, t.shape, std::move(bytes)));
      continue;
    }
    const uint64_t key = tensor_key(o.seed, t.name);
    const int64_t row = t.shape[0], rows = n / row;
    const size_t row_bytes = size_t(row) * size_t(core::dtype_info(o.type).block_bytes);
    auto fill = [=, &pool, sd = s.init_std](std::span<uint8_t> dst) -> Status {
      const core::ComputePool::Lease lease = pool.acquire(core::Priority::Background);
      lease.pool().run([&](int ith, int nth) {
        int64_t r0 = 0, r1 = 0;
        core::split_range(rows, ith, nth, &r0, &r1);
        std::vector<float> x(static_cast<size_t>(row));
        for (int64_t r = r0; r < r1; ++r) {
          for (int64_t j = 0; j < row; ++j) x[size_t(j)] = sd * approx_normal(key, uint64_t(r * row + j));
          to_type(x.data(), dst.data() + size_t(r) * row_bytes, row);
        }
      });
      return ok_status();
    };
    ONDO_TRY(w.add_tensor_fill(t.name, o.type, t.shape, fill));
  }
  ONDO_TRY(w.write(o.output));
  std::error_code ec;
  rep.file_bytes = std::filesystem::file_size(o.output, ec);
  return rep;
}

}  // namespace ondo::model::gen
