// The collections service of one Server (issue 16.3/16.6): the store's files and vector stores,
// the background ingestion worker (rag/ingest.h) and the vector stores' indexes
// (rag/collection_search.h), wired to the server's embedding models. Owned by ServerState when
// the server has a store; the routes in routes/files.cpp and routes/vector_stores.cpp use it.
// Layer: serve (internal to it).
// Restart: start() re-queues files a crash or a stop left in_progress (they are indexed again
// from their stored bytes: a file is never half searchable, so starting over is safe).
// Thread contract: every method is safe from any thread.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/rag/collection_search.h"
#include "ondo/rag/ingest.h"
#include "ondo/store/store.h"

namespace ondo::serve {

class ServerState;

class Collections {
 public:
  // `state` and `store` outlive it. `index_dir` empty: indexes in memory only.
  Collections(ServerState& state, store::Store& store, std::filesystem::path index_dir, size_t queue_capacity);
  ~Collections();  // stop()

  // Re-queues interrupted files and starts the worker; once, after the models are published.
  void start();
  // Stops the worker (a file being embedded stays in_progress for the next start).
  void stop();

  store::Store& store() { return store_; }
  rag::Ingestor& ingestor() { return *ingestor_; }
  rag::CollectionIndexes& indexes() { return indexes_; }

  // The first served embedding model (an encoder that is not a reranker).
  // Errors: InvalidArgument (field embedding_model) when the server has none.
  Result<std::string> default_embedding_model() const;
  // Whether `alias` is a served embedding model. Errors name the field "embedding_model".
  Status check_embedding_model(const std::string& alias) const;
  // The normalised vector of `text` from `model` (inputs longer than the model are cut).
  Result<std::vector<float>> embed_query(const std::string& model, const std::string& text);

 private:
  ServerState& state_;
  store::Store& store_;
  rag::CollectionIndexes indexes_;
  std::unique_ptr<rag::Ingestor> ingestor_;
  std::atomic<bool> started_{false};
};

}  // namespace ondo::serve
