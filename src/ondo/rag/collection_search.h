// Search over a vector store's chunks (issue 16.3/16.4): dense (the store's vectors in a
// DenseIndex per vector store, filtered through the planner), lexical (the store's full-text
// search, BM25 / ts_rank_cd) and hybrid (reciprocal rank fusion of both, weighted). Metadata
// filters are evaluated against each chunk's attributes. Every response says which plan ran
// and why. Layer: rag.
//
// Persistence (issue 16.6): a vector store's index lives in memory and, when the owner gives
// a folder, in `<dir>/<vector store id>.hnsw`; on first use it is loaded from that file when
// the file is intact and matches the stored vectors, else rebuilt from them (the reason is
// kept for the plan). The store is the truth: the file is only a cache.
// Thread contract: every method is safe from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/rag/dense_index.h"
#include "ondo/rag/filter.h"
#include "ondo/store/store.h"

namespace ondo::rag {

enum class SearchMode { Dense, Lexical, Hybrid };
const char* search_mode_name(SearchMode m);  // "dense", "lexical", "hybrid"

struct CollectionQuery {
  std::string text;                   // for lexical search
  std::vector<float> vector;          // for dense search (the store's width); empty for lexical
  size_t k = 10;
  std::optional<Filter> filter;
  SearchMode mode = SearchMode::Hybrid;
  double dense_weight = 1.0;          // hybrid only
  double lexical_weight = 1.0;
  double score_threshold = 0;         // hits scoring below it are dropped
};

struct CollectionHit {
  store::ChunkRecord chunk;  // without its vector
  double score = 0;          // in [0, 1]: cosine (dense), bm25 / best (lexical), RRF / best possible (hybrid)
};

struct CollectionResult {
  std::vector<CollectionHit> hits;  // best first, at most k; k whenever k matching chunks exist
  std::string mode;                 // search_mode_name
  std::string dense_plan;           // planner's plan name ("" when no dense search ran)
  std::string dense_reason;
  std::string lexical_reason;       // "" when no lexical search ran
  std::string index_note;           // how the index was loaded ("loaded from ...", "rebuilt: ...")
  size_t matching = 0;              // chunks the filter lets through (all without a filter)
  size_t total = 0;                 // chunks in the vector store
};

class CollectionIndexes {
 public:
  // `dir` empty: indexes are kept in memory only (rebuilt from the store at each start).
  // `hnsw_threshold`: vectors from which an index builds its HNSW graph (DenseIndexOptions).
  CollectionIndexes(store::Store& store, std::filesystem::path dir, size_t hnsw_threshold = DenseIndexOptions{}.hnsw_threshold);

  // Searches vector store `vs`. Errors: InvalidArgument (a query vector of the wrong width),
  // the store's errors.
  Result<CollectionResult> search(const store::VectorStoreRecord& vs, const CollectionQuery& q);
  // A file's chunks were committed: adds them to a loaded index and saves its file.
  void add(const std::string& vector_store_id, const std::vector<store::ChunkRecord>& chunks);
  // Chunks were deleted (a file detached or deleted): forgets the index (memory and file),
  // to be rebuilt from the store on next use.
  void invalidate(const std::string& vector_store_id);
  // Forgets every index (a file deleted may be in any store).
  void invalidate_all();

 private:
  struct Entry;
  Result<std::shared_ptr<Entry>> entry(const store::VectorStoreRecord& vs);
  std::filesystem::path file_of(const std::string& id) const;

  store::Store& store_;
  const std::filesystem::path dir_;
  const size_t hnsw_threshold_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Entry>> entries_;  // guarded by mu_
  // Per vector store, bumped by add() and invalidate(): an index built from a snapshot taken
  // before a bump is used once but not kept (it may lack chunks committed meanwhile).
  std::map<std::string, uint64_t> generation_;  // guarded by mu_
};

}  // namespace ondo::rag
