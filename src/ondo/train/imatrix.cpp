// compute_imatrix (imatrix.h): the model loaded with an ImatrixCollector as its activation
// tap, then every chunk evaluated once. Layer: train.
#include "ondo/train/imatrix.h"

#include <chrono>

#include "ondo/model/quantize/imatrix_collector.h"

namespace ondo::train {

namespace mq = model::quantize;

Result<mq::Imatrix> compute_imatrix(const ImatrixOptions& o, core::ComputePool& pool, const ImatrixProgressFn& progress) {
  ONDO_ASSIGN_OR_RETURN(std::unique_ptr<gguf::GgufFile> file, gguf::GgufFile::open(o.model));
  mq::ImatrixCollector collector(*file, o.process_output);
  model::LoadOptions load;
  load.tap = collector.tap();
  ONDO_ASSIGN_OR_RETURN(std::unique_ptr<model::Model> m, model::Model::from_file(std::move(file), load));
  ONDO_ASSIGN_OR_RETURN(std::unique_ptr<text::Tokenizer> tok, text::Tokenizer::from_gguf(m->file()));
  ONDO_ASSIGN_OR_RETURN(std::vector<std::vector<int32_t>> chunks, make_chunks(o.source, *tok));
  ONDO_ASSIGN_OR_RETURN(std::unique_ptr<ChunkRunner> runner, ChunkRunner::create(*m, pool, o.source.chunk));

  const auto t0 = std::chrono::steady_clock::now();
  ImatrixProgress p;
  p.n_chunks = int32_t(chunks.size());
  for (const std::vector<int32_t>& c : chunks) {
    // With process_output every token's logits are computed so output_norm has every row.
    ONDO_TRY(runner->eval(c, o.process_output));
    ++p.chunk;
    p.tokens += int64_t(c.size());
    p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (progress && !progress(p)) {
      return make_error(ErrorCode::Cancelled, "imatrix cancelled after " + std::to_string(p.chunk) + " of " +
                                                  std::to_string(p.n_chunks) + " chunks");
    }
  }
  mq::Imatrix out = collector.result();
  if (out.entries.empty()) {
    return make_error(ErrorCode::Unsupported, o.model.string() + ": no matmul weight was collected (architecture '" +
                                                  std::string(m->unit().name) + "' names no matmul inputs)");
  }
  out.chunk_count = uint32_t(chunks.size());
  out.chunk_size = uint32_t(o.source.chunk);
  if (!o.dataset.empty()) {
    out.datasets.push_back(o.dataset);
  } else if (!o.source.text_file.empty()) {
    out.datasets.push_back(o.source.text_file.string());
  } else {
    out.datasets.push_back("random tokens (seed " + std::to_string(o.source.seed) + ")");
  }
  return out;
}

}  // namespace ondo::train
