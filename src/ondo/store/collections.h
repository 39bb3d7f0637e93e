// The rows of collections (issue 16.3/16.6): uploaded files, vector stores, the files attached
// to a vector store, and their chunks (text, vector, the attached file's attributes).
// Layer: store. Plain data; the Store methods that read and write them are the "Collections"
// block of store.h. Attributes and metadata travel as JSON text: the store keeps them, the
// rag layer reads them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ondo::store {

// An uploaded file (OpenAI's file object). Its bytes are kept apart from the row: under
// `<data_dir>/files/<id>` (SQLite engine) or in a bytea column (PostgreSQL).
struct FileRecord {
  std::string id;        // "file-" + hex
  std::string filename;  // as uploaded (no path)
  std::string purpose;   // "assistants", "user_data", "fine-tune", "batch", ...
  int64_t bytes = 0;
  int64_t created_at = 0;  // Unix seconds

  bool operator==(const FileRecord&) const = default;
};

// A vector store: a named collection searched as one.
struct VectorStoreRecord {
  std::string id;    // "vs_" + hex
  std::string name;
  int64_t created_at = 0;
  std::string embedding_model;  // the served model alias its vectors come from
  int32_t dimensions = 0;       // floats per vector; 0 until the first file is indexed
  std::string chunking_type = "auto";  // "auto" or "static" (both carry the sizes below)
  int32_t max_chunk_size_tokens = 800;
  int32_t chunk_overlap_tokens = 400;
  std::string metadata = "{}";  // JSON object of strings

  bool operator==(const VectorStoreRecord&) const = default;
};

// The states of a file in a vector store (OpenAI's names).
inline constexpr const char* kFileInProgress = "in_progress";
inline constexpr const char* kFileCompleted = "completed";
inline constexpr const char* kFileFailed = "failed";

// A file attached to a vector store. `status` goes in_progress -> completed (its chunks
// written in the same transaction) or failed (last_error_*; no chunks).
struct VectorStoreFileRecord {
  std::string vector_store_id;
  std::string file_id;
  int64_t created_at = 0;
  std::string status = kFileInProgress;
  std::string last_error_code;     // "server_error", "unsupported_file", "invalid_file"; "" when none
  std::string last_error_message;
  std::string attributes = "{}";   // JSON object: string, number or boolean values
  int32_t max_chunk_size_tokens = 800;  // the strategy it was chunked with
  int32_t chunk_overlap_tokens = 400;
  std::string chunking_type = "auto";
  int64_t usage_bytes = 0;  // bytes of chunk text and vectors it holds (0 until completed)
  int64_t chunk_count = 0;

  bool operator==(const VectorStoreFileRecord&) const = default;
};

// One chunk of an indexed file. `id` is assigned by the store (unique across all vector
// stores, > 0; the dense index labels vectors with it).
struct ChunkRecord {
  int64_t id = 0;
  std::string vector_store_id;
  std::string file_id;
  int32_t seq = 0;            // position in its file, from 0
  std::string text;
  std::vector<float> vector;  // the store's dimensions
  std::string attributes = "{}";  // the file's attributes when it was indexed

  bool operator==(const ChunkRecord&) const = default;
};

// A chunk's lexical score (higher is better; comparable within one result list only).
struct LexicalHit {
  int64_t chunk_id = 0;
  double score = 0;
};

// What a file holds in a vector store's counts.
struct FileCounts {
  int64_t in_progress = 0;
  int64_t completed = 0;
  int64_t failed = 0;
  int64_t cancelled = 0;
  int64_t total = 0;
  int64_t usage_bytes = 0;  // sum over its completed files
};

}  // namespace ondo::store
