// `ondo quantize` as a library call: plan each tensor's type with the preset rule, then stream
// the converted tensors through gguf::Writer. Layer: model (uses gguf/ and core/ only).
#include "ondo/model/quantize/quantize.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "ondo/core/quant/reference.h"
#include "ondo/core/quant/weighted.h"
#include "ondo/gguf/keys.h"
#include "ondo/gguf/reader.h"
#include "ondo/gguf/writer.h"
#include "ondo/model/hparams.h"
#include "ondo/model/registry.h"

namespace ondo::model::quantize {
namespace {

using core::DType;

constexpr uint32_t kQuantizationVersion = 2;  // ggml's GGML_QNT_VERSION
constexpr std::string_view kQuantVersionKey = "general.quantization_version";

bool is_float_source(DType t) { return t == DType::F32 || t == DType::F16 || t == DType::BF16; }

core::FromFloatFn quantizer_of(DType t) {
  // The registry's Q8_0 quantizer is the activation one; model files use llama.cpp's
  // quantize_row_q8_0_ref rounding (see core/quant/q8_0.cpp).
  if (t == DType::Q8_0) return core::quant::quantize_row_q8_0_model;
  return core::dtype_info(t).scalar.from_float;
}

Error file_error(const gguf::GgufFile& f, ErrorCode code, const std::string& what) {
  return make_error(code, f.name() + ": " + what);
}

// The output plan: tensors in llama.cpp's order with their chosen types.
struct Planned {
  const gguf::TensorInfo* src;
  TensorChoice choice;
  uint64_t bytes_out;
  std::vector<float> importance;  // empty: quantized without weights
};

// The importance weights of tensor t converted to `to`, as llama-quantize picks them: the
// entry of the same name, for a type with a weighted quantizer; its size must be the row
// length (llama.cpp: "imatrix size ... is different from tensor size ...").
Result<std::vector<float>> importance_for(const gguf::GgufFile& f, const gguf::TensorInfo& t, DType to,
                                          const Imatrix* im) {
  if (im == nullptr || to == t.type || !core::quant::has_weighted_quantizer(to)) return std::vector<float>{};
  const auto it = im->entries.find(std::string(t.name));
  if (it == im->entries.end()) return std::vector<float>{};
  const ImatrixEntry& e = it->second;
  if (e.n_in != t.shape[0] || e.n_mat() != 1) {
    return file_error(f, ErrorCode::InvalidArgument,
                      "imatrix entry '" + it->first + "' has " + std::to_string(e.n_in) + " x " + std::to_string(e.n_mat()) +
                          " values, but the tensor's rows have " + std::to_string(t.shape[0]) + " elements");
  }
  return e.importance();
}

Result<std::vector<Planned>> plan(const gguf::GgufFile& f, const Preset& preset, const Imatrix* im) {
  ONDO_ASSIGN_OR_RETURN(std::string_view arch, f.get_string(gguf::keys::kArchitecture));
  const ArchUnit* unit = find_architecture(arch);
  if (unit == nullptr) {
    return file_error(f, ErrorCode::Unsupported, "architecture '" + std::string(arch) + "' is not one ondo knows");
  }
  ONDO_ASSIGN_OR_RETURN(HParams hp, unit->read_hparams(f));

  std::vector<std::string_view> names;
  for (const gguf::TensorInfo& t : f.tensors()) names.push_back(t.name);
  const std::vector<size_t> order = llama_tensor_order(names);
  std::vector<TensorDesc> descs;
  for (size_t i : order) descs.push_back({f.tensors()[i].name, f.tensors()[i].type, f.tensors()[i].shape});
  const std::vector<TensorChoice> choices = choose_types(preset, {hp.n_layer, hp.n_head, hp.n_head_kv}, descs);

  std::vector<Planned> out;
  for (size_t k = 0; k < order.size(); ++k) {
    const gguf::TensorInfo& t = f.tensors()[order[k]];
    const TensorChoice& c = choices[k];
    if (c.type != t.type) {
      if (!is_float_source(t.type)) {
        return file_error(f, ErrorCode::Unsupported,
                          "tensor '" + std::string(t.name) + "' is " + std::string(core::dtype_name(t.type)) +
                              ", expected F32, F16 or BF16 (ondo quantize does not requantize quantized weights)");
      }
      if (quantizer_of(c.type) == nullptr) {
        return file_error(f, ErrorCode::Unsupported, "no quantizer for " + std::string(core::dtype_name(c.type)));
      }
    }
    ONDO_ASSIGN_OR_RETURN(uint64_t row, core::row_bytes(c.type, t.shape[0]));
    ONDO_ASSIGN_OR_RETURN(std::vector<float> qw, importance_for(f, t, c.type, im));
    out.push_back({&t, c, row * uint64_t(t.n_elements() / t.shape[0]), std::move(qw)});
  }
  return out;
}

}  // namespace

namespace {

// Values per run() of for_each_float_row: each slice ends at a preemption point where a
// Background caller yields to serving work (compute_pool.h), a few ms of quantizing at most.
constexpr int64_t kSliceValues = int64_t(1) << 18;

// Calls write_row(x, out_row_ptr) for every row of `src` as floats, rows split over the pool
// (F32 rows are read in place; others are converted into a per-thread scratch row). Rows are
// independent, so cutting the tensor into slices of rows changes no output byte.
template <typename WriteRow>
void for_each_float_row(core::ThreadPool& pool, DType from, const uint8_t* src, DType to, uint8_t* dst,
                        int64_t n_rows, int64_t n_per_row, const WriteRow& write_row) {
  const core::ToFloatFn to_float = core::dtype_info(from).scalar.to_float;
  const size_t in_row = size_t(*core::row_bytes(from, n_per_row));
  const size_t out_row = size_t(*core::row_bytes(to, n_per_row));
  const int64_t slice_rows = std::max<int64_t>(1, kSliceValues / std::max<int64_t>(1, n_per_row));
  for (int64_t first = 0; first < n_rows; first += slice_rows) {
    const int64_t rows = std::min(slice_rows, n_rows - first);
    pool.run([&](int ith, int nth) {
      int64_t r0 = 0, r1 = 0;
      core::split_range(rows, ith, nth, &r0, &r1);
      std::vector<float> tmp(from == DType::F32 ? 0 : size_t(n_per_row));
      for (int64_t r = first + r0; r < first + r1; ++r) {
        const uint8_t* s = src + size_t(r) * in_row;
        const float* x = reinterpret_cast<const float*>(s);  // F32 rows are 4-byte aligned in GGUF
        if (from != DType::F32) {
          to_float(s, tmp.data(), n_per_row);
          x = tmp.data();
        }
        write_row(x, dst + size_t(r) * out_row);
      }
    });
  }
}

}  // namespace

void convert_rows(core::ThreadPool& pool, DType from, const uint8_t* src, DType to, uint8_t* dst,
                  int64_t n_rows, int64_t n_per_row) {
  const core::FromFloatFn from_float = quantizer_of(to);
  for_each_float_row(pool, from, src, to, dst, n_rows, n_per_row,
                     [&](const float* x, uint8_t* out) { from_float(x, out, n_per_row); });
}

void convert_rows_weighted(core::ThreadPool& pool, DType from, const uint8_t* src, DType to, uint8_t* dst,
                           int64_t n_rows, int64_t n_per_row, const float* qw) {
  for_each_float_row(pool, from, src, to, dst, n_rows, n_per_row, [&](const float* x, uint8_t* out) {
    core::quant::quantize_row_weighted(to, x, out, n_per_row, qw);
  });
}

Result<QuantizeReport> quantize_model(const QuantizeOptions& o, core::ComputePool& pool) {
  ONDO_ASSIGN_OR_RETURN(std::unique_ptr<gguf::GgufFile> f, gguf::GgufFile::open(o.input));
  ONDO_ASSIGN_OR_RETURN(std::vector<Planned> planned, plan(*f, *o.preset, o.imatrix));

  gguf::Writer w;
  // llama-quantize copies every key, then re-sets these two (which moves them to the end).
  w.copy_metadata(*f, [](std::string_view k) { return k != gguf::keys::kFileType && k != kQuantVersionKey; });
  w.set_u32(kQuantVersionKey, kQuantizationVersion);
  w.set_u32(gguf::keys::kFileType, uint32_t(o.preset->file_type));
  if (o.imatrix != nullptr) {  // the keys llama-quantize adds with --imatrix
    w.set_string("quantize.imatrix.file", o.imatrix_file);
    if (!o.imatrix->datasets.empty()) w.set_string("quantize.imatrix.dataset", o.imatrix->datasets.front());
    w.set_i32("quantize.imatrix.entries_count", int32_t(o.imatrix->entries.size()));
    w.set_i32("quantize.imatrix.chunks_count", int32_t(o.imatrix->chunk_count));
  }

  QuantizeReport rep;
  rep.n_tensors = planned.size();
  for (size_t k = 0; k < planned.size(); ++k) {
    const Planned& p = planned[k];
    rep.tensor_bytes_in += p.src->nbytes;
    rep.tensor_bytes_out += p.bytes_out;
    rep.n_fallback += p.choice.fallback ? 1 : 0;
    rep.n_weighted += p.importance.empty() ? 0 : 1;
    auto fill = [&p, k, &o, &pool, n = planned.size()](std::span<uint8_t> dst) -> Status {
      const gguf::TensorInfo& t = *p.src;
      if (p.choice.type == t.type) {
        std::memcpy(dst.data(), t.data, size_t(t.nbytes));
      } else {
        const core::ComputePool::Lease lease = pool.acquire(core::Priority::Background);
        const int64_t rows = t.n_elements() / t.shape[0];
        if (p.importance.empty()) {
          convert_rows(lease.pool(), t.type, t.data, p.choice.type, dst.data(), rows, t.shape[0]);
        } else {
          convert_rows_weighted(lease.pool(), t.type, t.data, p.choice.type, dst.data(), rows, t.shape[0],
                                p.importance.data());
        }
      }
      if (o.on_tensor) {
        o.on_tensor({k, n, std::string(t.name), t.shape, t.type, p.choice.type, p.choice.fallback,
                     !p.importance.empty(), t.nbytes, p.bytes_out});
      }
      return ok_status();
    };
    ONDO_TRY(w.add_tensor_fill(p.src->name, p.choice.type, p.src->shape, fill));
  }
  ONDO_TRY(w.write(o.output));
  std::error_code ec;
  rep.file_bytes_out = std::filesystem::file_size(o.output, ec);
  return rep;
}

}  // namespace ondo::model::quantize
