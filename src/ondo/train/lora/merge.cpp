// Merging LoRA adapters into a base GGUF (merge.h). Layer: train.
#include "ondo/train/lora/merge.h"

#include <cmath>
#include <cstring>
#include <map>

#include "ondo/model/quantize/quantize.h"

namespace ondo::train::lora {

Result<std::pair<std::filesystem::path, float>> parse_adapter_arg(const std::string& arg) {
  const size_t colon = arg.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::pair<std::filesystem::path, float>{arg, 1.0f};
  const std::string s = arg.substr(colon + 1);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v)) {
    return make_error(ErrorCode::InvalidArgument, "adapter '" + arg + "': scale '" + s + "' is not a number");
  }
  return std::pair<std::filesystem::path, float>{arg.substr(0, colon), float(v)};
}

Result<MergeReport> merge_into_writer(const gguf::GgufFile& base, const std::vector<ScaledAdapter>& adapters,
                                      gguf::Writer& w, core::ComputePool& pool) {
  ONDO_ASSIGN_OR_RETURN(std::string_view arch, base.get_string("general.architecture"));
  // weight name -> (pair, effective scale) of every adapter touching it
  std::map<std::string, std::vector<std::pair<const AdapterPair*, float>>> deltas;
  for (const ScaledAdapter& sa : adapters) {
    if (sa.adapter.architecture != arch) {
      return make_error(ErrorCode::InvalidArgument, "adapter for architecture '" + sa.adapter.architecture +
                                                        "' does not fit a '" + std::string(arch) + "' base");
    }
    for (const AdapterPair& p : sa.adapter.pairs) {
      const gguf::TensorInfo* t = base.find_tensor(p.weight);
      if (!t) return make_error(ErrorCode::InvalidArgument, base.name() + ": no weight '" + p.weight + "' to adapt");
      if (t->shape.size() != 2 || t->shape[0] != p.n_in || t->shape[1] != p.n_out) {
        return make_error(ErrorCode::InvalidArgument, base.name() + ": weight '" + p.weight +
                                                          "' does not have the adapter's shape");
      }
      const float s = sa.adapter.alpha > 0 ? sa.scale * sa.adapter.alpha / float(p.rank) : sa.scale;
      if (s != 0.0f) deltas[p.weight].emplace_back(&p, s);
    }
  }
  w.copy_metadata(base);
  MergeReport rep;
  for (const gguf::TensorInfo& t : base.tensors()) {
    auto it = deltas.find(std::string(t.name));
    if (it == deltas.end()) {
      ONDO_TRY(w.add_tensor(t.name, t.type, t.shape, {t.data, size_t(t.nbytes)}));
      continue;
    }
    const core::DTypeInfo& info = core::dtype_info(t.type);
    if (!info.scalar.to_float || !info.scalar.from_float) {
      return make_error(ErrorCode::Unsupported, base.name() + ": weight '" + std::string(t.name) + "' has type " +
                                                    std::string(info.name) + ", which ondo cannot re-quantize");
    }
    const int64_t K = t.shape[0], N = t.shape[1];
    const size_t row_bytes = size_t(t.nbytes) / size_t(N);
    std::vector<float> wf(size_t(N * K));
    const core::ComputePool::Lease lease = pool.acquire(core::Priority::Background);
    core::ThreadPool& tp = lease.pool();
    tp.run([&](int ith, int nth) {
      int64_t n0, n1;
      core::split_range(N, ith, nth, &n0, &n1);
      for (int64_t n = n0; n < n1; ++n) {
        float* row = wf.data() + n * K;
        info.scalar.to_float(t.data + size_t(n) * row_bytes, row, K);
        for (const auto& [p, s] : it->second) {
          for (int64_t r = 0; r < p->rank; ++r) {
            const float c = s * p->b[size_t(n * p->rank + r)];
            const float* a = p->a.data() + r * K;
            for (int64_t k = 0; k < K; ++k) row[k] += c * a[k];
          }
        }
      }
    });
    std::vector<uint8_t> out(size_t(t.nbytes));
    if (t.type == core::DType::F32) {
      std::memcpy(out.data(), wf.data(), out.size());
    } else {
      model::quantize::convert_rows(tp, core::DType::F32, reinterpret_cast<const uint8_t*>(wf.data()), t.type,
                                    out.data(), N, K);
      if (t.type != core::DType::F16 && t.type != core::DType::BF16) ++rep.requantized_tensors;
    }
    ONDO_TRY(w.add_tensor_owned(t.name, t.type, t.shape, std::move(out)));
    ++rep.merged_tensors;
  }
  return rep;
}

Result<MergeReport> merge_lora(const std::filesystem::path& base, const std::vector<ScaledAdapter>& adapters,
                               const std::filesystem::path& out, core::ComputePool& pool) {
  ONDO_ASSIGN_OR_RETURN(auto f, gguf::GgufFile::open(base));
  gguf::Writer w;
  ONDO_ASSIGN_OR_RETURN(MergeReport rep, merge_into_writer(*f, adapters, w, pool));
  ONDO_TRY(w.write(out));
  return rep;
}

}  // namespace ondo::train::lora
