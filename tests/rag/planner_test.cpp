// The planner's guarantee: a filtered query returns k hits whenever k matching vectors exist,
// under every plan, for filters matching 0.1 %, 1 % and 50 % of 20 000 vectors, including
// adversarial filters that keep only the vectors farthest from the query. Layer: rag tests.
#include "ondo/rag/planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <unordered_set>

#include "rag/rag_test_util.h"

namespace ondo::rag {
namespace {

constexpr int kDim = 16;
constexpr size_t kN = 20000;

class Planner : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    vecs_ = new std::vector<std::vector<float>>(random_unit_vectors(kN, kDim, 1234));
    index_ = make_index(kDim, 5000, 64).release();
    for (size_t i = 0; i < kN; ++i) {
      ASSERT_TRUE(index_->add(static_cast<int64_t>(i), (*vecs_)[i]).ok());
    }
  }
  static void TearDownTestSuite() {
    delete index_;
    delete vecs_;
  }

  // The ids of a filter matching `count` vectors: random ones, or the `count` least similar
  // to `q` (what a post-filter over the query's neighbourhood finds last).
  static std::vector<int64_t> pick(size_t count, const std::vector<float>& q, bool farthest, uint32_t seed) {
    std::vector<int64_t> ids(kN);
    std::iota(ids.begin(), ids.end(), 0);
    if (farthest) {
      auto far = brute_force(*vecs_, q, kN, [](size_t i) { return static_cast<int64_t>(i); }, nullptr);
      return std::vector<int64_t>(far.end() - static_cast<std::ptrdiff_t>(count), far.end());
    }
    std::mt19937 rng(seed);
    std::shuffle(ids.begin(), ids.end(), rng);
    ids.resize(count);
    return ids;
  }

  static void check(const PlannedSearch& r, const std::vector<int64_t>& matching, size_t k,
                    const std::vector<float>& q, bool exact_expected, const std::string& what) {
    const size_t want = std::min(k, matching.size());
    ASSERT_EQ(r.hits.size(), want) << what << ": " << r.plan.reason;
    std::unordered_set<int64_t> allowed(matching.begin(), matching.end());
    for (size_t i = 0; i < r.hits.size(); ++i) {
      EXPECT_TRUE(allowed.count(r.hits[i].id)) << what << ": hit " << r.hits[i].id << " fails the filter";
      if (i > 0) {
        EXPECT_GE(r.hits[i - 1].score, r.hits[i].score) << what;
      }
    }
    if (exact_expected) {
      std::function<bool(size_t)> keep = [&](size_t i) { return allowed.count(static_cast<int64_t>(i)) != 0; };
      auto truth = brute_force(*vecs_, q, k, [](size_t i) { return static_cast<int64_t>(i); }, &keep);
      std::vector<int64_t> got;
      for (const Hit& h : r.hits) got.push_back(h.id);
      EXPECT_EQ(got, truth) << what << ": " << r.plan.reason;
    }
  }

  static std::vector<std::vector<float>>* vecs_;
  static DenseIndex* index_;
};
std::vector<std::vector<float>>* Planner::vecs_ = nullptr;
DenseIndex* Planner::index_ = nullptr;

TEST_F(Planner, FilteredQueriesReturnKWheneverKMatchUnderEveryPlan) {
  ASSERT_TRUE(index_->has_graph());
  const auto queries = random_unit_vectors(4, kDim, 99);
  PlannerOptions defaults;
  PlannerOptions force_pre;
  force_pre.prefilter_max_selectivity = 1.0;
  PlannerOptions force_post;
  force_post.prefilter_max_selectivity = 0.0;
  force_post.prefilter_max_ids = 0;
  const struct {
    const char* name;
    const PlannerOptions* opt;
  } plans[] = {{"default", &defaults}, {"pre", &force_pre}, {"post", &force_post}};
  for (size_t count : {size_t{20}, size_t{200}, size_t{10000}}) {  // 0.1 %, 1 %, 50 %
    for (bool farthest : {false, true}) {
      for (size_t qi = 0; qi < queries.size(); ++qi) {
        const auto& q = queries[qi];
        const auto matching = pick(count, q, farthest, static_cast<uint32_t>(qi + count));
        for (size_t k : {size_t{1}, size_t{10}, size_t{50}}) {
          for (const auto& p : plans) {
            const std::string what = std::string(p.name) + " count=" + std::to_string(count) +
                                     (farthest ? " farthest" : " random") + " q=" + std::to_string(qi) +
                                     " k=" + std::to_string(k);
            auto r = planned_search(*index_, q, k, &matching, *p.opt);
            ASSERT_TRUE(r.ok()) << what;
            EXPECT_EQ(r->plan.matching, count) << what;
            EXPECT_EQ(r->plan.total, kN) << what;
            const bool exact = r->plan.kind == PlanKind::PreFilter ||
                               r->plan.kind == PlanKind::PostFilterFallback;
            check(*r, matching, k, q, exact, what);
            if (p.opt == &force_pre) {
              EXPECT_EQ(r->plan.kind, PlanKind::PreFilter) << what;
            }
            if (p.opt == &force_post) {
              EXPECT_TRUE(r->plan.kind == PlanKind::PostFilter || r->plan.kind == PlanKind::PostFilterFallback) << what;
              EXPECT_GT(r->plan.ef_used, 0u) << what;
            }
            if (p.opt == &defaults) {
              EXPECT_EQ(r->plan.kind == PlanKind::PreFilter, count <= 200) << what << ": " << r->plan.reason;
            }
          }
        }
      }
    }
  }
}

TEST_F(Planner, PostFilterGrowsEfAndFallsBackWhenNeeded) {
  const auto q = random_unit_vectors(1, kDim, 5)[0];
  PlannerOptions post;
  post.prefilter_max_selectivity = 0.0;
  post.prefilter_max_ids = 0;
  post.ef_start = 16;
  // 50 % random: the first ef (k / 0.5 * 2 = 40) already holds 10 matches.
  auto half = pick(10000, q, false, 1);
  auto r = planned_search(*index_, q, 10, &half, post);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->plan.kind, PlanKind::PostFilter);
  EXPECT_EQ(r->plan.ef_used, 40u);
  EXPECT_NE(r->plan.reason.find("filter matches 10000 of 20000 vectors (50.00%)"), std::string::npos) << r->plan.reason;
  // The 20 farthest: ef must grow well past the start, and the result is still exact-complete.
  auto far = pick(20, q, true, 0);
  auto f = planned_search(*index_, q, 10, &far, post);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->plan.kind, PlanKind::PostFilter) << f->plan.reason;
  EXPECT_GT(f->plan.ef_used, 16u * 4) << f->plan.reason;
  EXPECT_EQ(f->hits.size(), 10u);
  // With ef capped, the same query falls back to an exact scan over the matches.
  post.ef_max = 64;
  auto c = planned_search(*index_, q, 10, &far, post);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->plan.kind, PlanKind::PostFilterFallback) << c->plan.reason;
  EXPECT_EQ(c->plan.ef_used, 64u);
  EXPECT_NE(c->plan.reason.find("(the ef cap): exact scan over the matches"), std::string::npos) << c->plan.reason;
  check(*c, far, 10, q, true, "capped");
}

TEST_F(Planner, UnfilteredAndEdgeCases) {
  const auto q = random_unit_vectors(1, kDim, 6)[0];
  auto r = planned_search(*index_, q, 10, nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->plan.kind, PlanKind::Hnsw);
  EXPECT_EQ(r->hits.size(), 10u);
  EXPECT_STREQ(plan_kind_name(r->plan.kind), "hnsw");
  // No matches; unknown and duplicate ids are ignored.
  std::vector<int64_t> none = {-1, -2, 999999};
  auto e = planned_search(*index_, q, 10, &none);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->hits.empty());
  EXPECT_EQ(e->plan.matching, 0u);
  std::vector<int64_t> dups = {5, 5, 5, 7, -3};
  auto d = planned_search(*index_, q, 10, &dups);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->hits.size(), 2u);
  EXPECT_EQ(d->plan.matching, 2u);
  // Bad query.
  auto bad = planned_search(*index_, std::vector<float>(3, 1.f), 10, nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "query: wrong width (seen 3, expected 16)");
}

TEST_F(Planner, IndexSearchWithAPredicateAlsoReturnsK) {
  // DenseIndex::search's own allow path (ef doubling, then exact): 0.1 % and 1 % of ids.
  const auto q = random_unit_vectors(1, kDim, 8)[0];
  for (int64_t every : {1000, 100}) {
    const std::function<bool(int64_t)> allow = [every](int64_t id) { return id % every == 0; };
    auto hits = index_->search(q, 10, &allow);
    ASSERT_TRUE(hits.ok());
    ASSERT_EQ(hits->size(), 10u) << every;
    for (const Hit& h : *hits) EXPECT_EQ(h.id % every, 0) << every;
  }
  const std::function<bool(int64_t)> few = [](int64_t id) { return id < 3; };
  EXPECT_EQ(index_->search(q, 10, &few)->size(), 3u);
}

TEST(PlannerSmall, BelowTheThresholdEverythingIsExact) {
  auto vecs = random_unit_vectors(300, 8, 3);
  auto index = make_index(8, 1000);
  for (size_t i = 0; i < vecs.size(); ++i) ASSERT_TRUE(index->add(static_cast<int64_t>(i), vecs[i]).ok());
  std::vector<int64_t> some = {1, 2, 3, 100, 200};
  auto r = planned_search(*index, vecs[100], 3, &some);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->plan.kind, PlanKind::Exact);
  ASSERT_EQ(r->hits.size(), 3u);
  EXPECT_EQ(r->hits[0].id, 100);
  auto all = planned_search(*index, vecs[7], 1, nullptr);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->plan.kind, PlanKind::Exact);
  EXPECT_EQ(all->hits[0].id, 7);
  EXPECT_EQ(all->plan.candidates_scanned, 300u);
}

}  // namespace
}  // namespace ondo::rag
