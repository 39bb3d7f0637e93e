// The collections tables (files, vector stores, their files and chunks, full-text search),
// run against both engines: SQLite in a temporary data directory and a throwaway PostgreSQL 15
// (tests/support/postgres_server.h; those cases skip, saying why, when it cannot start).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "ondo/store/store.h"
#include "store/engine_test.h"

namespace ondo::store {
namespace {

namespace fs = std::filesystem;

class CollectionsStoreTest : public testing_support::EngineTest {
 protected:

  // A store "vs_1" with file "file-a" attached (in progress).
  void make_store_with_file(const std::string& attributes = "{\"lang\":\"en\"}") {
    ASSERT_TRUE(store_->insert_file(file("file-a", "a.txt", 5), "hello").ok());
    ASSERT_TRUE(store_->insert_vector_store(vector_store("vs_1")).ok());
    VectorStoreFileRecord f;
    f.vector_store_id = "vs_1";
    f.file_id = "file-a";
    f.created_at = 10;
    f.attributes = attributes;
    ASSERT_TRUE(store_->insert_vector_store_file(f).ok());
  }

  static FileRecord file(const std::string& id, const std::string& name, int64_t bytes, int64_t at = 100) {
    return FileRecord{id, name, "assistants", bytes, at};
  }
  static VectorStoreRecord vector_store(const std::string& id) {
    VectorStoreRecord v;
    v.id = id;
    v.name = "docs \"all\" ✓";
    v.created_at = 50;
    v.embedding_model = "bert";
    v.chunking_type = "static";
    v.max_chunk_size_tokens = 200;
    v.chunk_overlap_tokens = 50;
    v.metadata = "{\"team\":\"blue\"}";
    return v;
  }
  static ChunkRecord chunk(int32_t seq, const std::string& text, std::vector<float> v) {
    ChunkRecord c;
    c.seq = seq;
    c.text = text;
    c.vector = std::move(v);
    c.attributes = "{\"lang\":\"en\"}";
    return c;
  }

};

TEST_P(CollectionsStoreTest, FileRowAndBytesReadBack) {
  std::string bytes = "line one\n";
  bytes += std::string("\0\x01\xff binary", 10);
  ASSERT_TRUE(store_->insert_file(file("file-1", "notes.md", int64_t(bytes.size())), bytes).ok());
  ASSERT_TRUE(store_->insert_file(FileRecord{"file-2", "x.pdf", "fine-tune", 0, 101}, "").ok());
  auto f = store_->find_file("file-1");
  ASSERT_TRUE(f.ok() && f->has_value()) << (f.ok() ? "" : f.error().message);
  EXPECT_EQ(**f, file("file-1", "notes.md", int64_t(bytes.size())));
  auto content = store_->read_file_content("file-1");
  ASSERT_TRUE(content.ok()) << content.error().message;
  EXPECT_EQ(*content, bytes);
  auto empty = store_->read_file_content("file-2");
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_EQ(*empty, "");
  auto all = store_->list_files("");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "file-1");
  auto tuning = store_->list_files("fine-tune");
  ASSERT_TRUE(tuning.ok());
  ASSERT_EQ(tuning->size(), 1u);
  EXPECT_EQ((*tuning)[0].id, "file-2");
  Status dup = store_->insert_file(file("file-1", "again", 1), "z");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::InvalidArgument);
  auto still = store_->read_file_content("file-1");
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(*still, bytes);  // a refused duplicate leaves the first file's bytes alone
  reopen();
  auto again = store_->read_file_content("file-1");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(*again, bytes);
}

TEST_P(CollectionsStoreTest, DeletingAFileDeletesItsChunks) {
  make_store_with_file();
  auto done = store_->complete_vector_store_file("vs_1", "file-a", {chunk(0, "alpha beta", {1, 0}), chunk(1, "gamma", {0, 1})});
  ASSERT_TRUE(done.ok()) << done.error().message;
  ASSERT_EQ(store_->list_chunks("vs_1")->size(), 2u);
  ASSERT_EQ(store_->lexical_search("vs_1", "alpha", 10)->size(), 1u);
  ASSERT_TRUE(store_->delete_file("file-a").ok());
  auto none = store_->find_file("file-a");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(store_->read_file_content("file-a").error().code, ErrorCode::NotFound);
  EXPECT_TRUE(store_->list_chunks("vs_1")->empty());
  EXPECT_TRUE(store_->lexical_search("vs_1", "alpha", 10)->empty());
  EXPECT_FALSE(store_->find_vector_store_file("vs_1", "file-a")->has_value());
  EXPECT_EQ(store_->delete_file("file-a").error().code, ErrorCode::NotFound);
}

TEST_P(CollectionsStoreTest, VectorStoreRowsAndCounts) {
  make_store_with_file();
  auto v = store_->find_vector_store("vs_1");
  ASSERT_TRUE(v.ok() && v->has_value());
  EXPECT_EQ(**v, vector_store("vs_1"));
  EXPECT_EQ(store_->insert_vector_store(vector_store("vs_1")).error().code, ErrorCode::InvalidArgument);
  ASSERT_TRUE(store_->insert_vector_store(vector_store("vs_2")).ok());
  ASSERT_EQ(store_->list_vector_stores()->size(), 2u);
  auto counts = store_->vector_store_file_counts("vs_1");
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->in_progress, 1);
  EXPECT_EQ(counts->total, 1);
  // Attaching twice, or a missing file / store.
  VectorStoreFileRecord f;
  f.vector_store_id = "vs_1";
  f.file_id = "file-a";
  EXPECT_EQ(store_->insert_vector_store_file(f).error().code, ErrorCode::InvalidArgument);
  f.file_id = "file-none";
  EXPECT_EQ(store_->insert_vector_store_file(f).error().code, ErrorCode::NotFound);
  f.vector_store_id = "vs_none";
  f.file_id = "file-a";
  EXPECT_EQ(store_->insert_vector_store_file(f).error().code, ErrorCode::NotFound);
  // Failing it.
  ASSERT_TRUE(store_->fail_vector_store_file("vs_1", "file-a", "unsupported_file", "a.xyz: unknown type").ok());
  auto failed = store_->find_vector_store_file("vs_1", "file-a");
  ASSERT_TRUE(failed.ok() && failed->has_value());
  EXPECT_EQ((*failed)->status, kFileFailed);
  EXPECT_EQ((*failed)->last_error_code, "unsupported_file");
  EXPECT_EQ((*failed)->last_error_message, "a.xyz: unknown type");
  EXPECT_EQ(store_->vector_store_file_counts("vs_1")->failed, 1);
  // A failed file is no longer in progress: neither completes nor fails again.
  EXPECT_EQ(store_->complete_vector_store_file("vs_1", "file-a", {chunk(0, "x", {1})}).error().code, ErrorCode::NotFound);
  EXPECT_EQ(store_->fail_vector_store_file("vs_1", "file-a", "x", "y").error().code, ErrorCode::NotFound);
  // Deleting the store removes its files' rows, not the uploaded file.
  ASSERT_TRUE(store_->delete_vector_store("vs_1").ok());
  EXPECT_FALSE(store_->find_vector_store("vs_1")->has_value());
  EXPECT_TRUE(store_->list_vector_store_files("vs_1", "")->empty());
  EXPECT_TRUE(store_->find_file("file-a")->has_value());
  EXPECT_EQ(store_->delete_vector_store("vs_1").error().code, ErrorCode::NotFound);
}

TEST_P(CollectionsStoreTest, CompletingWritesChunksAndFlipsStatusTogether) {
  make_store_with_file();
  auto in_progress = store_->list_files_in_status(kFileInProgress);
  ASSERT_TRUE(in_progress.ok());
  ASSERT_EQ(in_progress->size(), 1u);
  // Widths that differ are refused and nothing is written.
  auto bad = store_->complete_vector_store_file("vs_1", "file-a", {chunk(0, "a", {1, 2}), chunk(1, "b", {1, 2, 3})});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument);
  EXPECT_TRUE(store_->list_chunks("vs_1")->empty());
  EXPECT_EQ((*store_->find_vector_store_file("vs_1", "file-a"))->status, kFileInProgress);

  auto done = store_->complete_vector_store_file(
      "vs_1", "file-a", {chunk(0, "The fridge keeps milk cold.", {0.5f, -1.25f, 3}), chunk(1, "Tomatoes ripen on the counter.", {1, 2, 3})});
  ASSERT_TRUE(done.ok()) << done.error().message;
  ASSERT_EQ(done->size(), 2u);
  EXPECT_GT((*done)[0].id, 0);
  EXPECT_NE((*done)[0].id, (*done)[1].id);
  auto f = store_->find_vector_store_file("vs_1", "file-a");
  ASSERT_TRUE(f.ok() && f->has_value());
  EXPECT_EQ((*f)->status, kFileCompleted);
  EXPECT_EQ((*f)->chunk_count, 2);
  EXPECT_GT((*f)->usage_bytes, 0);
  EXPECT_EQ((*store_->find_vector_store("vs_1"))->dimensions, 3);
  EXPECT_TRUE(store_->list_files_in_status(kFileInProgress)->empty());
  reopen();
  auto chunks = store_->list_chunks("vs_1");
  ASSERT_TRUE(chunks.ok()) << chunks.error().message;
  ASSERT_EQ(chunks->size(), 2u);
  EXPECT_EQ((*chunks)[0], (*done)[0]);  // text, vector bits, attributes, ids
  EXPECT_EQ((*chunks)[1], (*done)[1]);
  auto some = store_->get_chunks("vs_1", {(*done)[1].id, 999999, (*done)[0].id}, false);
  ASSERT_TRUE(some.ok()) << some.error().message;
  ASSERT_EQ(some->size(), 2u);
  EXPECT_EQ((*some)[0].id, (*done)[1].id);
  EXPECT_TRUE((*some)[0].vector.empty());
  EXPECT_EQ((*some)[1].text, "The fridge keeps milk cold.");
  EXPECT_TRUE(store_->get_chunks("vs_other", {(*done)[0].id}, true)->empty());
  // Detaching deletes the chunks.
  ASSERT_TRUE(store_->delete_vector_store_file("vs_1", "file-a").ok());
  EXPECT_TRUE(store_->list_chunks("vs_1")->empty());
  EXPECT_EQ(store_->delete_vector_store_file("vs_1", "file-a").error().code, ErrorCode::NotFound);
}

TEST_P(CollectionsStoreTest, LexicalSearchRanksMatchingChunksOnly) {
  make_store_with_file();
  ASSERT_TRUE(store_->insert_vector_store(vector_store("vs_2")).ok());
  ASSERT_TRUE(store_->insert_file(file("file-b", "b.txt", 1), "b").ok());
  VectorStoreFileRecord other;
  other.vector_store_id = "vs_2";
  other.file_id = "file-b";
  ASSERT_TRUE(store_->insert_vector_store_file(other).ok());
  ASSERT_TRUE(store_->complete_vector_store_file("vs_2", "file-b", {chunk(0, "compressor compressor compressor", {1})}).ok());
  auto done = store_->complete_vector_store_file(
      "vs_1", "file-a",
      {chunk(0, "The compressor pumps refrigerant through the coils of the fridge.", {1}),
       chunk(1, "Bread goes stale faster in the cold.", {1}),
       chunk(2, "A noisy compressor often means the compressor fan is dusty.", {1})});
  ASSERT_TRUE(done.ok()) << done.error().message;
  auto hits = store_->lexical_search("vs_1", "compressor noise?", 10);
  ASSERT_TRUE(hits.ok()) << hits.error().message;
  ASSERT_EQ(hits->size(), 2u);  // only vs_1's chunks, only those with a query word
  EXPECT_EQ((*hits)[0].chunk_id, (*done)[2].id);  // two mentions rank above one
  EXPECT_EQ((*hits)[1].chunk_id, (*done)[0].id);
  EXPECT_GT((*hits)[0].score, (*hits)[1].score);
  EXPECT_EQ(store_->lexical_search("vs_1", "compressor", 1)->size(), 1u);
  // Query syntax of either engine is only words here.
  for (const char* q : {"\"unbalanced", "a OR b NOT c*", "x & | ! ( ) :*", "", "  ?? "}) {
    auto r = store_->lexical_search("vs_1", q, 5);
    EXPECT_TRUE(r.ok()) << q << ": " << r.error().message;
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, CollectionsStoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ondo::store
