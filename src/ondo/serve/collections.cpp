// The collections service (see collections.h). Layer: serve.
#include "ondo/serve/collections.h"

#include <cstdio>

#include "ondo/serve/routes/embeddings.h"
#include "ondo/serve/server_state.h"

namespace ondo::serve {
namespace {

Result<const ServedModel*> find_embedder(const ServerState& state, const std::string& alias) {
  auto models = state.models();
  if (models) {
    for (const ServedModel& m : *models) {
      if (m.alias != alias) continue;
      if (m.kind != ModelKind::Encoder || m.reranker) {
        return field_error(ErrorCode::InvalidArgument, "embedding_model",
                           "'" + alias + "' is not an embedding model (it is a " +
                               (m.reranker ? "reranker" : "text generation model") + ")");
      }
      if (!m.tokenizer || !m.scheduler) return make_error(ErrorCode::Unavailable, "model '" + alias + "' is not running");
      return &m;
    }
  }
  return field_error(ErrorCode::NotFound, "embedding_model", "the server has no model '" + alias + "'");
}

}  // namespace

Collections::Collections(ServerState& state, store::Store& store, std::filesystem::path index_dir, size_t queue_capacity)
    : state_(state), store_(store), indexes_(store, std::move(index_dir)) {
  rag::IngestHooks hooks;
  hooks.embedder = [this](const std::string& model) -> Result<rag::EmbedderInfo> {
    ONDO_ASSIGN_OR_RETURN(const ServedModel* m, find_embedder(state_, model));
    const text::Tokenizer* tok = m->tokenizer;  // borrowed; outlives the server
    auto count = [tok](std::string_view s) {
      text::EncodeOptions plain;
      plain.add_special = false;
      auto ids = tok->encode(s, plain);
      return ids.ok() ? int32_t(ids->size()) : int32_t(s.size());
    };
    return rag::EmbedderInfo{count, m->max_input_tokens};
  };
  hooks.embed = [this](const std::string& model, const std::vector<std::string>& texts) -> Result<std::vector<std::vector<float>>> {
    EmbeddingJob job;
    job.model = model;
    job.truncate = true;  // a chunk is sized for the model; its special tokens may add one or two
    for (const std::string& t : texts) job.inputs.push_back(EmbeddingInput{false, t, {}});
    ONDO_ASSIGN_OR_RETURN(EmbeddingOutcome out, run_embedding_job(state_, std::move(job)));
    return std::move(out.vectors);
  };
  hooks.on_indexed = [this](const std::string& vs, const std::vector<store::ChunkRecord>& chunks) { indexes_.add(vs, chunks); };
  ingestor_ = std::make_unique<rag::Ingestor>(store_, std::move(hooks), queue_capacity);
}

Collections::~Collections() { stop(); }

void Collections::start() {
  if (started_.exchange(true)) return;
  auto n = ingestor_->recover();
  if (!n.ok()) std::fprintf(stderr, "ondo serve: collections: %s\n", n.error().message.c_str());
  else if (*n > 0) std::fprintf(stderr, "ondo serve: collections: %zu interrupted file(s) queued for indexing again\n", *n);
  ingestor_->start();
}

void Collections::stop() { ingestor_->stop(); }

Result<std::string> Collections::default_embedding_model() const {
  if (auto models = state_.models()) {
    for (const ServedModel& m : *models) {
      if (m.kind == ModelKind::Encoder && !m.reranker) return m.alias;
    }
  }
  return field_error(ErrorCode::InvalidArgument, "embedding_model",
                     "the server serves no embedding model (start it with a BERT-family model to use vector stores)");
}

Status Collections::check_embedding_model(const std::string& alias) const {
  ONDO_TRY(find_embedder(state_, alias));
  return ok_status();
}

Result<std::vector<float>> Collections::embed_query(const std::string& model, const std::string& text) {
  EmbeddingJob job;
  job.model = model;
  job.truncate = true;
  job.input_field = "query";
  job.single = true;
  job.inputs.push_back(EmbeddingInput{false, text, {}});
  ONDO_ASSIGN_OR_RETURN(EmbeddingOutcome out, run_embedding_job(state_, std::move(job)));
  if (out.vectors.size() != 1) return make_error(ErrorCode::Internal, "query: no vector came back");
  return std::move(out.vectors[0]);
}

}  // namespace ondo::serve
