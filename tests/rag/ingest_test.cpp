// Background ingestion over a real SQLite store with fake embedding hooks: a file goes
// in_progress -> completed with its chunks (attributes copied, seq in order), unreadable files
// fail with OpenAI's codes, an embedding failure writes no chunk, a full queue is Overloaded,
// recover() re-queues what a crash left in progress; and search over the indexed chunks (dense,
// lexical, hybrid, filtered) with the index file rebuilt when damaged.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "ondo/rag/collection_search.h"
#include "ondo/rag/ingest.h"

namespace ondo::rag {
namespace {

namespace fs = std::filesystem;

int32_t words(std::string_view s) {
  std::istringstream in{std::string(s)};
  std::string w;
  int32_t n = 0;
  while (in >> w) ++n;
  return n;
}

// A 4-d "embedding": counts of four marker words, plus a small constant (never all zero).
std::vector<float> fake_vector(const std::string& text) {
  std::vector<float> v(4, 0.01f);
  const char* markers[] = {"milk", "bread", "tomato", "freezer"};
  for (int i = 0; i < 4; ++i) {
    for (size_t p = text.find(markers[i]); p != std::string::npos; p = text.find(markers[i], p + 1)) v[size_t(i)] += 1;
  }
  return v;
}

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    dir_ = fs::temp_directory_path() / ("ondo-ingest-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::remove_all(dir_);
    auto s = store::open_store({dir_});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    store::VectorStoreRecord v;
    v.id = "vs_1";
    v.embedding_model = "emb";
    v.created_at = 1;
    ASSERT_TRUE(store_->insert_vector_store(v).ok());
  }
  void TearDown() override {
    ingestor_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  IngestHooks hooks() {
    IngestHooks h;
    h.embedder = [](const std::string& model) -> Result<EmbedderInfo> {
      if (model != "emb") return make_error(ErrorCode::NotFound, "no model '" + model + "'");
      return EmbedderInfo{words, 130};
    };
    h.embed = [this](const std::string&, const std::vector<std::string>& texts) -> Result<std::vector<std::vector<float>>> {
      if (fail_embedding_) return make_error(ErrorCode::Unavailable, "the model is not running");
      std::vector<std::vector<float>> out;
      for (const auto& t : texts) out.push_back(fake_vector(t));
      return out;
    };
    h.on_indexed = [this](const std::string&, const std::vector<store::ChunkRecord>& c) { indexed_ += int(c.size()); };
    return h;
  }

  void add_file(const std::string& id, const std::string& name, const std::string& bytes, const std::string& attrs) {
    ASSERT_TRUE(store_->insert_file({id, name, "assistants", int64_t(bytes.size()), 1}, bytes).ok());
    store::VectorStoreFileRecord f;
    f.vector_store_id = "vs_1";
    f.file_id = id;
    f.attributes = attrs;
    f.max_chunk_size_tokens = 800;  // lowered to the model's 130 - 2
    f.chunk_overlap_tokens = 400;
    ASSERT_TRUE(store_->insert_vector_store_file(f).ok());
  }

  store::VectorStoreFileRecord wait_done(const std::string& id) {
    for (int i = 0; i < 12000; ++i) {  // bounded wait (60 s, for a loaded machine), not a timing assertion
      auto f = store_->find_vector_store_file("vs_1", id);
      // Done: the store says so and the ingestor has let go of the file (its chunks are in the
      // dense index only after the store's commit, just before the ingestor forgets it).
      const bool held = ingestor_ && ingestor_->progress("vs_1", id).has_value();
      if (f.ok() && *f && (*f)->status != store::kFileInProgress && !held) return **f;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << id << " still in progress";
    return {};
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Ingestor> ingestor_;
  std::atomic<bool> fail_embedding_{false};
  std::atomic<int> indexed_{0};
};

std::string long_markdown() {
  std::string md = "# Milk\n\n";
  for (int i = 0; i < 40; ++i) md += "milk sentence number " + std::to_string(i) + " is here. ";
  md += "\n\n# Bread\n\n";
  for (int i = 0; i < 40; ++i) md += "bread sentence number " + std::to_string(i) + " is here. ";
  return md;
}

TEST_F(IngestTest, FileIsChunkedEmbeddedAndCompletedWithItsAttributes) {
  add_file("file-a", "a.md", long_markdown(), "{\"kind\":\"food\"}");
  ingestor_ = std::make_unique<Ingestor>(*store_, hooks(), 8);
  ingestor_->start();
  ASSERT_TRUE(ingestor_->enqueue("vs_1", "file-a").ok());
  const auto f = wait_done("file-a");
  EXPECT_EQ(f.status, store::kFileCompleted) << f.last_error_message;
  auto chunks = store_->list_chunks("vs_1");
  ASSERT_TRUE(chunks.ok());
  ASSERT_GE(chunks->size(), 4u);  // 500+ words at 128 per chunk
  EXPECT_EQ(f.chunk_count, int64_t(chunks->size()));
  for (size_t i = 0; i < chunks->size(); ++i) {
    EXPECT_EQ((*chunks)[i].seq, int32_t(i));
    EXPECT_EQ((*chunks)[i].attributes, "{\"kind\":\"food\"}");
    EXPECT_LE(words((*chunks)[i].text), 128);
    EXPECT_EQ((*chunks)[i].vector, fake_vector((*chunks)[i].text));
  }
  EXPECT_EQ(indexed_.load(), int(chunks->size()));
  EXPECT_EQ((*chunks)[0].text.rfind("Milk\n\nmilk sentence number 0", 0), 0u);
  EXPECT_FALSE(ingestor_->progress("vs_1", "file-a").has_value());
}

TEST_F(IngestTest, BadFilesAndFailedEmbeddingsFailWithReasonsAndNoChunks) {
  add_file("file-png", "x.png", "\x89PNG", "{}");
  add_file("file-latin", "l.txt", "caf\xe9", "{}");
  add_file("file-ok", "ok.txt", "milk and bread", "{}");
  ingestor_ = std::make_unique<Ingestor>(*store_, hooks(), 8);
  fail_embedding_ = true;
  ingestor_->start();
  for (const char* id : {"file-png", "file-latin", "file-ok"}) ASSERT_TRUE(ingestor_->enqueue("vs_1", id).ok());
  const auto png = wait_done("file-png");
  EXPECT_EQ(png.status, store::kFileFailed);
  EXPECT_EQ(png.last_error_code, "unsupported_file");
  EXPECT_EQ(png.last_error_message, "x.png: unsupported file type '.png' (expected .txt, .md, .html or .pdf)");
  const auto latin = wait_done("file-latin");
  EXPECT_EQ(latin.last_error_code, "invalid_file");
  EXPECT_EQ(latin.last_error_message, "l.txt: the file is not UTF-8 text");
  const auto ok = wait_done("file-ok");
  EXPECT_EQ(ok.status, store::kFileFailed);
  EXPECT_EQ(ok.last_error_code, "server_error");
  EXPECT_EQ(ok.last_error_message, "the model is not running");
  EXPECT_TRUE(store_->list_chunks("vs_1")->empty());
}

TEST_F(IngestTest, FullQueueIsOverloadedAndRecoverRequeuesInProgressFiles) {
  add_file("file-1", "1.txt", "milk", "{}");
  add_file("file-2", "2.txt", "bread", "{}");
  ingestor_ = std::make_unique<Ingestor>(*store_, hooks(), 1);  // not started: nothing leaves the queue
  ASSERT_TRUE(ingestor_->enqueue("vs_1", "file-1").ok());
  ASSERT_TRUE(ingestor_->enqueue("vs_1", "file-1").ok());  // already queued: once
  Status full = ingestor_->enqueue("vs_1", "file-2");
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, ErrorCode::Overloaded);
  ingestor_.reset();  // "the crash": both files are still in_progress in the store
  ingestor_ = std::make_unique<Ingestor>(*store_, hooks(), 8);
  auto n = ingestor_->recover();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2u);
  ingestor_->start();
  EXPECT_EQ(wait_done("file-1").status, store::kFileCompleted);
  EXPECT_EQ(wait_done("file-2").status, store::kFileCompleted);
}

TEST_F(IngestTest, SearchModesFiltersAndIndexRebuild) {
  add_file("file-m", "m.txt", "milk milk milk is cold.\n\nmilk goes in the fridge.", "{\"kind\":\"dairy\",\"year\":2020}");
  add_file("file-b", "b.txt", "bread is baked.\n\nfreezer keeps bread.", "{\"kind\":\"bakery\",\"year\":2024}");
  ingestor_ = std::make_unique<Ingestor>(*store_, hooks(), 8);
  ingestor_->start();
  ASSERT_TRUE(ingestor_->enqueue("vs_1", "file-m").ok());
  ASSERT_TRUE(ingestor_->enqueue("vs_1", "file-b").ok());
  ASSERT_EQ(wait_done("file-m").status, store::kFileCompleted);
  ASSERT_EQ(wait_done("file-b").status, store::kFileCompleted);
  auto vs = **store_->find_vector_store("vs_1");
  EXPECT_EQ(vs.dimensions, 4);
  CollectionIndexes indexes(*store_, dir_ / "indexes");
  CollectionQuery q;
  q.text = "milk";
  q.vector = fake_vector("milk");
  q.k = 5;
  q.mode = SearchMode::Dense;
  auto dense = indexes.search(vs, q);
  ASSERT_TRUE(dense.ok()) << dense.error().message;
  ASSERT_EQ(dense->hits.size(), 2u);  // each small file is one chunk
  EXPECT_EQ(dense->hits[0].chunk.file_id, "file-m");
  EXPECT_EQ(dense->dense_plan, "exact");
  EXPECT_NE(dense->index_note.find("rebuilt"), std::string::npos) << dense->index_note;  // no file yet
  // Filtered: only the bakery file, though milk is the query.
  auto filter = parse_filter(nlohmann::json::parse(R"({"type":"gte","key":"year","value":2021})"));
  ASSERT_TRUE(filter.ok());
  q.filter = *filter;
  auto filtered = indexes.search(vs, q);
  ASSERT_TRUE(filtered.ok());
  ASSERT_EQ(filtered->hits.size(), 1u);
  EXPECT_EQ(filtered->hits[0].chunk.file_id, "file-b");
  EXPECT_EQ(filtered->matching, 1u);
  // Lexical and hybrid.
  q.filter.reset();
  q.mode = SearchMode::Lexical;
  q.text = "freezer";
  auto lexical = indexes.search(vs, q);
  ASSERT_TRUE(lexical.ok());
  ASSERT_EQ(lexical->hits.size(), 1u);
  EXPECT_EQ(lexical->hits[0].chunk.file_id, "file-b");
  EXPECT_DOUBLE_EQ(lexical->hits[0].score, 1.0);
  q.mode = SearchMode::Hybrid;
  q.vector = fake_vector("milk");
  auto hybrid = indexes.search(vs, q);
  ASSERT_TRUE(hybrid.ok());
  ASSERT_EQ(hybrid->hits.size(), 2u);
  EXPECT_EQ(hybrid->mode, "hybrid");
  // Below the HNSW threshold the saved file holds no graph: a restart scans exactly again.
  CollectionIndexes small(*store_, dir_ / "indexes");
  q.mode = SearchMode::Dense;
  auto exact = small.search(vs, q);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->hits[0].chunk.id, dense->hits[0].chunk.id);
  // With a graph (threshold 1): saved, loaded by the next instance, rebuilt when damaged.
  fs::remove(dir_ / "indexes" / "vs_1.hnsw");
  CollectionIndexes graph(*store_, dir_ / "indexes", 1);
  auto built = graph.search(vs, q);
  ASSERT_TRUE(built.ok()) << built.error().message;
  EXPECT_NE(built->index_note.find("missing"), std::string::npos) << built->index_note;
  EXPECT_EQ(built->dense_plan, "hnsw");
  CollectionIndexes again(*store_, dir_ / "indexes", 1);
  auto loaded = again.search(vs, q);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->index_note, "loaded from vs_1.hnsw");
  EXPECT_EQ(loaded->hits[0].chunk.id, dense->hits[0].chunk.id);
  std::ofstream(dir_ / "indexes" / "vs_1.hnsw") << "damaged";
  CollectionIndexes third(*store_, dir_ / "indexes", 1);
  auto rebuilt = third.search(vs, q);
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_NE(rebuilt->index_note.find("rebuilt from 2 stored vectors"), std::string::npos) << rebuilt->index_note;
  EXPECT_EQ(rebuilt->index_note.find("missing"), std::string::npos) << rebuilt->index_note;
  EXPECT_EQ(rebuilt->hits[0].chunk.id, dense->hits[0].chunk.id);
  // A wrong query width is an error, not a crash.
  q.vector = {1, 2};
  EXPECT_EQ(third.search(vs, q).error().code, ErrorCode::InvalidArgument);
}

}  // namespace
}  // namespace ondo::rag
