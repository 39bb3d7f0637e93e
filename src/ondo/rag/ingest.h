// Background ingestion of files into vector stores: one worker thread owned by whoever owns the
// Ingestor (the server), a bounded queue, progress per file. A job reads the file's bytes from
// the store, parses them (document.h), chunks them with the embedding model's tokenizer
// (chunker.h), embeds the chunks in batches through a hook (the server's encoder scheduler),
// then writes every chunk and flips the file to completed in ONE store transaction; any
// failure flips it to failed with a reason instead. A file is never half searchable.
// Restart: files left in_progress (a crash or a stop mid-file) are re-queued by recover().
// Layer: rag. Thread contract: every method is safe from any thread; hooks run on the worker.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/rag/chunker.h"
#include "ondo/store/store.h"

namespace ondo::rag {

// What ingestion needs to know of an embedding model.
struct EmbedderInfo {
  TokenCounter count_tokens;     // the model's tokenizer, without special tokens
  int32_t max_input_tokens = 0;  // the longest input, special tokens included
};

struct IngestHooks {
  // The served embedding model `model`. Errors: the model is not served (NotFound / ...).
  std::function<Result<EmbedderInfo>(const std::string& model)> embedder;
  // Normalised vectors of `texts`, in order.
  std::function<Result<std::vector<std::vector<float>>>(const std::string& model, const std::vector<std::string>& texts)> embed;
  // Called after a file's chunks were committed (their ids set), e.g. to add them to an index.
  std::function<void(const std::string& vector_store_id, const std::vector<store::ChunkRecord>& chunks)> on_indexed;
};

struct IngestProgress {
  int64_t chunks_done = 0;   // embedded so far
  int64_t chunks_total = 0;  // 0 while parsing
};

// OpenAI's last_error codes for an error of ingestion: unsupported_file, invalid_file or
// server_error.
std::string ingest_error_code(const Error& e);

// The chunking of a file: the file's strategy, with max_tokens lowered to what the model
// takes (its context less 2 for CLS/SEP or BOS/EOS) and the overlap to at most half of that.
struct ChunkingPlan {
  int32_t max_tokens = 0;
  int32_t overlap_tokens = 0;
};
ChunkingPlan plan_chunking(int32_t max_tokens, int32_t overlap_tokens, int32_t model_max_input_tokens);

class Ingestor {
 public:
  // `store` outlives the Ingestor. `capacity`: files waiting at most.
  Ingestor(store::Store& store, IngestHooks hooks, size_t capacity);
  ~Ingestor();  // stop()
  Ingestor(const Ingestor&) = delete;
  Ingestor& operator=(const Ingestor&) = delete;

  // Starts the worker (idempotent).
  void start();
  // Stops the worker after its current embedding batch; a file cut short stays in_progress
  // (recover() re-queues it at the next start). Idempotent.
  void stop();

  // Queues a file attached in_progress. Errors: Overloaded when `capacity` files wait;
  // Unavailable after stop().
  Status enqueue(const std::string& vector_store_id, const std::string& file_id);
  // Re-queues every file the store holds in_progress (oldest first); returns how many.
  Result<size_t> recover();
  // The progress of a queued or running file; nullopt when it is neither.
  std::optional<IngestProgress> progress(const std::string& vector_store_id, const std::string& file_id) const;
  // Files queued or running.
  size_t pending() const;

 private:
  using Key = std::pair<std::string, std::string>;
  void run();
  void ingest(const Key& job);
  Status ingest_or_error(const Key& job);

  store::Store& store_;
  const IngestHooks hooks_;
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Key> queue_;                       // guarded by mu_
  std::map<Key, IngestProgress> progress_;      // queued and running files; guarded by mu_
  bool stopping_ = false;                       // guarded by mu_
  bool started_ = false;                        // guarded by mu_
  std::thread worker_;
};

}  // namespace ondo::rag
