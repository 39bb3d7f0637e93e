// Background ingestion (see ingest.h). Layer: rag.
#include "ondo/rag/ingest.h"

#include <algorithm>
#include <cstdio>

#include "ondo/rag/chunker.h"
#include "ondo/rag/document.h"

namespace ondo::rag {
namespace {

constexpr size_t kEmbedBatch = 16;  // chunks per embedding request (progress moves per batch)

}  // namespace

std::string ingest_error_code(const Error& e) {
  if (e.code == ErrorCode::Unsupported) return "unsupported_file";
  if (e.code == ErrorCode::InvalidFile) return "invalid_file";
  return "server_error";
}

ChunkingPlan plan_chunking(int32_t max_tokens, int32_t overlap_tokens, int32_t model_max_input_tokens) {
  ChunkingPlan p;
  p.max_tokens = std::max<int32_t>(1, std::min(max_tokens, model_max_input_tokens - 2));
  p.overlap_tokens = std::clamp<int32_t>(overlap_tokens, 0, p.max_tokens / 2);
  return p;
}

Ingestor::Ingestor(store::Store& store, IngestHooks hooks, size_t capacity)
    : store_(store), hooks_(std::move(hooks)), capacity_(capacity) {}

Ingestor::~Ingestor() { stop(); }

void Ingestor::start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_ || stopping_) return;
  started_ = true;
  worker_ = std::thread([this] { run(); });
}

void Ingestor::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

Status Ingestor::enqueue(const std::string& vs, const std::string& file_id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return make_error(ErrorCode::Unavailable, "ingestion: the server is stopping");
    Key key{vs, file_id};
    if (progress_.count(key)) return ok_status();  // already queued or running
    if (queue_.size() >= capacity_) {
      return make_error(ErrorCode::Overloaded, "ingestion: " + std::to_string(queue_.size()) +
                                                   " files are waiting to be indexed (the queue's limit); try again later");
    }
    queue_.push_back(key);
    progress_[key] = IngestProgress{};
  }
  cv_.notify_one();
  return ok_status();
}

Result<size_t> Ingestor::recover() {
  ONDO_ASSIGN_OR_RETURN(auto files, store_.list_files_in_status(store::kFileInProgress));
  size_t n = 0;
  for (const auto& f : files) {
    Status st = enqueue(f.vector_store_id, f.file_id);
    if (!st.ok()) {
      // Over the queue's limit: the file fails now rather than waiting for a restart.
      (void)store_.fail_vector_store_file(f.vector_store_id, f.file_id, "server_error",
                                          "ingestion was interrupted and could not be re-queued: " + st.error().message);
      continue;
    }
    ++n;
  }
  return n;
}

std::optional<IngestProgress> Ingestor::progress(const std::string& vs, const std::string& file_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = progress_.find(Key{vs, file_id});
  if (it == progress_.end()) return std::nullopt;
  return it->second;
}

size_t Ingestor::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return progress_.size();
}

void Ingestor::run() {
  for (;;) {
    Key job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = queue_.front();
      queue_.pop_front();
    }
    try {
      ingest(job);
    } catch (const std::exception& e) {  // a bug or out of memory: the file fails, the worker lives
      (void)store_.fail_vector_store_file(job.first, job.second, "server_error", std::string("internal error: ") + e.what());
    }
    std::lock_guard<std::mutex> lock(mu_);
    progress_.erase(job);
  }
}

void Ingestor::ingest(const Key& job) {
  Status st = ingest_or_error(job);
  if (st.ok()) return;
  if (st.error().code == ErrorCode::Cancelled) return;  // stopping: stays in_progress for recover()
  Status failed = store_.fail_vector_store_file(job.first, job.second, ingest_error_code(st.error()), st.error().message);
  if (!failed.ok() && failed.error().code != ErrorCode::NotFound) {  // NotFound: detached meanwhile
    std::fprintf(stderr, "ondo: ingestion of %s into %s: %s (and marking it failed: %s)\n", job.second.c_str(),
                 job.first.c_str(), st.error().message.c_str(), failed.error().message.c_str());
  }
}

Status Ingestor::ingest_or_error(const Key& job) {
  const auto& [vs_id, file_id] = job;
  ONDO_ASSIGN_OR_RETURN(auto row, store_.find_vector_store_file(vs_id, file_id));
  if (!row || row->status != store::kFileInProgress) return ok_status();  // detached or done meanwhile
  ONDO_ASSIGN_OR_RETURN(auto vs, store_.find_vector_store(vs_id));
  ONDO_ASSIGN_OR_RETURN(auto file, store_.find_file(file_id));
  if (!vs || !file) return ok_status();  // deleted meanwhile (the row went with them)
  ONDO_ASSIGN_OR_RETURN(EmbedderInfo model, hooks_.embedder(vs->embedding_model));
  ONDO_ASSIGN_OR_RETURN(std::string bytes, store_.read_file_content(file_id));
  ONDO_ASSIGN_OR_RETURN(Document doc, parse_document(file->filename, bytes));
  const ChunkingPlan plan = plan_chunking(row->max_chunk_size_tokens, row->chunk_overlap_tokens, model.max_input_tokens);
  const std::vector<Chunk> chunks = chunk_document(doc, {plan.max_tokens, plan.overlap_tokens}, model.count_tokens);
  {
    std::lock_guard<std::mutex> lock(mu_);
    progress_[job].chunks_total = int64_t(chunks.size());
  }
  std::vector<store::ChunkRecord> records;
  records.reserve(chunks.size());
  for (size_t i = 0; i < chunks.size(); i += kEmbedBatch) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return make_error(ErrorCode::Cancelled, "ingestion stopped");
    }
    std::vector<std::string> texts;
    for (size_t k = i; k < std::min(chunks.size(), i + kEmbedBatch); ++k) texts.push_back(chunks[k].text);
    ONDO_ASSIGN_OR_RETURN(auto vectors, hooks_.embed(vs->embedding_model, texts));
    if (vectors.size() != texts.size()) return make_error(ErrorCode::Internal, "embedding returned a wrong number of vectors");
    for (size_t k = 0; k < texts.size(); ++k) {
      store::ChunkRecord c;
      c.seq = int32_t(i + k);
      c.text = std::move(texts[k]);
      c.vector = std::move(vectors[k]);
      c.attributes = row->attributes;
      records.push_back(std::move(c));
    }
    std::lock_guard<std::mutex> lock(mu_);
    progress_[job].chunks_done = int64_t(records.size());
  }
  auto written = store_.complete_vector_store_file(vs_id, file_id, std::move(records));
  if (!written.ok()) {
    if (written.error().code == ErrorCode::NotFound) return ok_status();  // detached meanwhile: nothing to mark
    return written.error();
  }
  if (hooks_.on_indexed) hooks_.on_indexed(vs_id, *written);
  return ok_status();
}

}  // namespace ondo::rag
