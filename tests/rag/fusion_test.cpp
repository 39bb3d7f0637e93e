// Reciprocal rank fusion: scores, weights, ties, duplicates. Layer: rag tests.
#include "ondo/rag/fusion.h"

#include <gtest/gtest.h>

namespace ondo::rag {
namespace {

TEST(Fusion, ScoresAreWeightedReciprocalRanks) {
  const std::vector<RankedList> lists = {{{10, 20, 30}, 1.0}, {{30, 40}, 1.0}};
  auto fused = reciprocal_rank_fusion(lists);
  ASSERT_EQ(fused.size(), 4u);
  // 30: 1/63 + 1/61 beats 10: 1/61 alone.
  EXPECT_EQ(fused[0].id, 30);
  EXPECT_DOUBLE_EQ(fused[0].score, 1.0 / 63 + 1.0 / 61);
  EXPECT_EQ(fused[0].ranks, (std::vector<int>{3, 1}));
  EXPECT_EQ(fused[1].id, 10);
  EXPECT_DOUBLE_EQ(fused[1].score, 1.0 / 61);
  // 20 (rank 2 in list 0) and 40 (rank 2 in list 1) tie at 1/62: smaller id first.
  EXPECT_EQ(fused[2].id, 20);
  EXPECT_EQ(fused[3].id, 40);
  EXPECT_EQ(fused[3].ranks, (std::vector<int>{0, 2}));
}

TEST(Fusion, WeightsShiftTheOrder) {
  const std::vector<RankedList> dense_heavy = {{{1, 2}, 3.0}, {{2, 1}, 1.0}};
  EXPECT_EQ(reciprocal_rank_fusion(dense_heavy)[0].id, 1);
  const std::vector<RankedList> text_heavy = {{{1, 2}, 1.0}, {{2, 1}, 3.0}};
  EXPECT_EQ(reciprocal_rank_fusion(text_heavy)[0].id, 2);
  // A zero weight contributes nothing but still reports ranks.
  const std::vector<RankedList> off = {{{1, 2}, 0.0}, {{2, 1}, 1.0}};
  auto fused = reciprocal_rank_fusion(off);
  EXPECT_EQ(fused[0].id, 2);
  EXPECT_EQ(fused[0].ranks, (std::vector<int>{2, 1}));
}

TEST(Fusion, LimitKConstantAndDuplicates) {
  const std::vector<RankedList> lists = {{{5, 5, 6, 7}, 1.0}};
  auto fused = reciprocal_rank_fusion(lists, 2, 1.0);
  ASSERT_EQ(fused.size(), 2u);
  EXPECT_EQ(fused[0].id, 5);
  EXPECT_DOUBLE_EQ(fused[0].score, 1.0 / 2);  // counted once, at its first rank
  EXPECT_EQ(fused[1].id, 6);
  EXPECT_DOUBLE_EQ(fused[1].score, 1.0 / 4);  // rank 3: positions count duplicates
  EXPECT_TRUE(reciprocal_rank_fusion({}).empty());
}

TEST(Fusion, LexicalListsSortByScoreThenId) {
  const std::vector<LexicalHit> hits = {{7, 1.5}, {3, 2.0}, {9, 1.5}, {1, 0.1}};
  RankedList r = ranked_lexical(hits, 0.5);
  EXPECT_EQ(r.ids, (std::vector<int64_t>{3, 7, 9, 1}));
  EXPECT_EQ(r.weight, 0.5);
  const std::vector<Hit> dense = {{4, 0.9f}, {2, 0.8f}};
  EXPECT_EQ(ranked_dense(dense).ids, (std::vector<int64_t>{4, 2}));
}

}  // namespace
}  // namespace ondo::rag
