// DenseIndex persistence: save + load_or_rebuild, and rebuilds for a missing, damaged, stale
// or mismatched file (issue 16.6). Layer: rag tests.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "ondo/rag/dense_index.h"
#include "rag/rag_test_util.h"

namespace ondo::rag {
namespace {

namespace fs = std::filesystem;

class DenseIndexFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ondo_rag_file_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto vecs = random_unit_vectors(1500, kDim, 9);
    for (size_t i = 0; i < vecs.size(); ++i) stored_.push_back({static_cast<int64_t>(i) + 100, vecs[i]});
    queries_ = random_unit_vectors(20, kDim, 10);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<DenseIndex> built() {
    auto index = make_index(kDim, 1000);
    for (const auto& v : stored_) EXPECT_TRUE(index->add(v.id, v.values).ok());
    EXPECT_TRUE(index->has_graph());
    return index;
  }
  // The graph's answers (ef 50) for every query.
  std::vector<std::vector<int64_t>> answers(const DenseIndex& index) {
    std::vector<std::vector<int64_t>> out;
    for (const auto& q : queries_) {
      std::vector<int64_t> ids;
      for (const Hit& h : index.search_graph(q, 50)) ids.push_back(h.id);
      out.push_back(ids);
    }
    return out;
  }

  static constexpr int kDim = 16;
  fs::path dir_;
  std::vector<StoredVector> stored_;
  std::vector<std::vector<float>> queries_;
};

TEST_F(DenseIndexFile, SavedGraphLoadsAndAnswersTheSame) {
  auto index = built();
  const fs::path path = dir_ / "index.hnsw";
  ASSERT_TRUE(index->save(path).ok());
  auto loaded = make_index(kDim, 1000);
  auto report = loaded->load_or_rebuild(path, stored_);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_FALSE(report->rebuilt) << report->reason;
  EXPECT_EQ(loaded->size(), stored_.size());
  EXPECT_TRUE(loaded->has_graph());
  EXPECT_EQ(answers(*loaded), answers(*index));
  // The loaded index keeps working: add, remove, search.
  ASSERT_TRUE(loaded->remove(100).ok());
  ASSERT_TRUE(loaded->add(5, stored_[0].values).ok());
  EXPECT_EQ(loaded->search(stored_[0].values, 1)->at(0).id, 5);
  // No stray temporary files are left beside the index.
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir_)) files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 1u);
}

TEST_F(DenseIndexFile, MissingFileRebuilds) {
  auto index = make_index(kDim, 1000);
  auto report = index->load_or_rebuild(dir_ / "absent.hnsw", stored_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->rebuilt);
  EXPECT_NE(report->reason.find("absent.hnsw: missing"), std::string::npos) << report->reason;
  EXPECT_EQ(index->size(), stored_.size());
  EXPECT_TRUE(index->has_graph());
  EXPECT_EQ(answers(*index), answers(*built()));  // same seed, same order: same graph
}

TEST_F(DenseIndexFile, DamagedFilesRebuild) {
  auto index = built();
  const fs::path path = dir_ / "index.hnsw";
  ASSERT_TRUE(index->save(path).ok());
  const auto size = fs::file_size(path);
  struct Damage {
    const char* what;
    std::function<void(const fs::path&)> apply;
    const char* reason;
  };
  const std::vector<Damage> damages = {
      {"flipped payload byte",
       [&](const fs::path& p) {
         std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
         f.seekp(static_cast<std::streamoff>(size / 2));
         char c;
         f.read(&c, 1);
         c = static_cast<char>(c ^ 0x40);
         f.seekp(static_cast<std::streamoff>(size / 2));
         f.write(&c, 1);
       },
       "checksum mismatch"},
      {"truncated", [&](const fs::path& p) { fs::resize_file(p, size - 100); }, "does not match the file"},
      {"header only", [&](const fs::path& p) { fs::resize_file(p, 20); }, "shorter than its header"},
      {"garbage", [&](const fs::path& p) { std::ofstream(p, std::ios::binary) << std::string(200, 'x'); },
       "not a dense index file"},
  };
  for (const auto& d : damages) {
    ASSERT_TRUE(index->save(path).ok());
    d.apply(path);
    auto fresh = make_index(kDim, 1000);
    auto report = fresh->load_or_rebuild(path, stored_);
    ASSERT_TRUE(report.ok()) << d.what;
    EXPECT_TRUE(report->rebuilt) << d.what;
    EXPECT_NE(report->reason.find(d.reason), std::string::npos) << d.what << ": " << report->reason;
    EXPECT_EQ(fresh->size(), stored_.size()) << d.what;
    EXPECT_EQ(fresh->search(stored_[3].values, 1)->at(0).id, stored_[3].id) << d.what;
  }
}

TEST_F(DenseIndexFile, StaleOrMismatchedFilesRebuild) {
  auto index = built();
  const fs::path path = dir_ / "index.hnsw";
  ASSERT_TRUE(index->save(path).ok());
  // The store lost one vector and gained another (same count): stale by id.
  auto changed = stored_;
  changed.back().id = 999999;
  auto a = make_index(kDim, 1000);
  auto ra = a->load_or_rebuild(path, changed);
  ASSERT_TRUE(ra.ok());
  EXPECT_TRUE(ra->rebuilt);
  EXPECT_NE(ra->reason.find("stale (id"), std::string::npos) << ra->reason;
  EXPECT_TRUE(a->contains(999999));
  // Same ids, one vector changed: stale by content.
  auto moved = stored_;
  moved[10].values = stored_[11].values;
  auto b = make_index(kDim, 1000);
  auto rb = b->load_or_rebuild(path, moved);
  ASSERT_TRUE(rb.ok());
  EXPECT_TRUE(rb->rebuilt);
  EXPECT_NE(rb->reason.find("differs from the store"), std::string::npos) << rb->reason;
  // Fewer vectors: stale by count.
  auto fewer = stored_;
  fewer.pop_back();
  auto c = make_index(kDim, 1000);
  auto rc = c->load_or_rebuild(path, fewer);
  ASSERT_TRUE(rc.ok());
  EXPECT_TRUE(rc->rebuilt);
  EXPECT_NE(rc->reason.find("stale (holds 1500 vectors, the store 1499)"), std::string::npos) << rc->reason;
  // Other build options: not used.
  DenseIndexOptions o;
  o.dim = kDim;
  o.hnsw_threshold = 1000;
  o.hnsw_m = 8;
  auto d = std::move(DenseIndex::create(o)).value();
  auto rd = d->load_or_rebuild(path, stored_);
  ASSERT_TRUE(rd.ok());
  EXPECT_TRUE(rd->rebuilt);
  EXPECT_NE(rd->reason.find("built with other options"), std::string::npos) << rd->reason;
}

TEST_F(DenseIndexFile, SmallIndexSavesWithoutGraph) {
  auto index = make_index(kDim, 100000);
  for (size_t i = 0; i < 10; ++i) ASSERT_TRUE(index->add(stored_[i].id, stored_[i].values).ok());
  const fs::path path = dir_ / "small.hnsw";
  ASSERT_TRUE(index->save(path).ok());
  std::vector<StoredVector> ten(stored_.begin(), stored_.begin() + 10);
  auto loaded = make_index(kDim, 100000);
  auto report = loaded->load_or_rebuild(path, ten);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->rebuilt);  // nothing to load: the vectors are the index
  EXPECT_NE(report->reason.find("holds no graph"), std::string::npos);
  EXPECT_FALSE(loaded->has_graph());
  EXPECT_EQ(loaded->size(), 10u);
}

TEST_F(DenseIndexFile, BadStoredVectorsAreErrors) {
  auto bad = stored_;
  bad[2].values.pop_back();
  auto index = make_index(kDim, 1000);
  auto report = index->load_or_rebuild(dir_ / "x.hnsw", bad);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().message, "vector 102: wrong width (seen 15, expected 16)");
  // rebuild_from: the last duplicate wins.
  std::vector<StoredVector> dup = {{1, stored_[0].values}, {1, stored_[1].values}};
  ASSERT_TRUE(index->rebuild_from(dup).ok());
  EXPECT_EQ(index->size(), 1u);
  EXPECT_NEAR(index->search(stored_[1].values, 1)->at(0).score, 1.f, 1e-5);
}

}  // namespace
}  // namespace ondo::rag
