// The prompt registry's store methods (issue 15.5), run against both engines: SQLite in a
// temporary data directory and a throwaway PostgreSQL 15 (tests/support/postgres_server.h;
// those cases skip, saying why, when the PostgreSQL binaries are missing).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include "ondo/store/store.h"
#include "store/engine_test.h"

namespace ondo::store {
namespace {

namespace fs = std::filesystem;

class PromptStoreTest : public testing_support::EngineTest {
 protected:

};

PromptVersion full_version(const std::string& prompt, const std::string& tag) {
  PromptVersion v;
  v.prompt = prompt;
  v.system = "You are {{ persona }} ✓ " + tag;
  v.messages = {{"user", "Translate to {{ lang }}: {{ text }}"}};
  v.variables = {{"persona", "string", std::string("\"a translator\"")}, {"lang", "string", std::nullopt},
                 {"text", "string", std::nullopt}, {"n", "integer", std::string("3")}};
  v.examples = {{"user", "Translate to French: hello"}, {"assistant", "bonjour"}};
  v.params_json = R"({"temperature":0.2,"max_tokens":64})";
  v.response_schema_json = R"({"type":"object","properties":{"t":{"type":"string"}}})";
  v.tools_json = "";
  v.guardrail = "pii-strict";
  v.note = "first \"cut\"";
  v.created_at = 1700000000;
  return v;
}

TEST_P(PromptStoreTest, PromptReadsBackAndNamesAreUnique) {
  ASSERT_TRUE(store_->insert_prompt({"translate", "translates text", 1700000000, 0}).ok());
  auto again = store_->insert_prompt({"translate", "", 1700000001, 0});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(again.error().message.find("'translate' exists"), std::string::npos) << again.error().message;
  auto p = store_->find_prompt("translate");
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_TRUE(p->has_value());
  EXPECT_EQ(**p, (Prompt{"translate", "translates text", 1700000000, 0}));
  auto none = store_->find_prompt("nope");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_P(PromptStoreTest, VersionsAreNumberedInOrderAndReadBackFieldForField) {
  ASSERT_TRUE(store_->insert_prompt({"translate", "", 1, 0}).ok());
  ASSERT_TRUE(store_->insert_prompt({"other", "", 2, 0}).ok());
  for (int i = 1; i <= 3; ++i) {
    auto v = store_->add_prompt_version(full_version("translate", std::to_string(i)));
    ASSERT_TRUE(v.ok()) << v.error().message;
    EXPECT_EQ(*v, i);
  }
  auto o = store_->add_prompt_version(full_version("other", "o"));
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(*o, 1);  // numbered per prompt
  auto got = store_->find_prompt_version("translate", 2);
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_TRUE(got->has_value());
  PromptVersion want = full_version("translate", "2");
  want.version = 2;
  EXPECT_EQ(**got, want);
  auto list = store_->list_prompt_versions("translate");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].version, 1);
  EXPECT_EQ((*list)[2].system, "You are {{ persona }} ✓ 3");
  auto p = store_->find_prompt("translate");
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ((*p)->latest_version, 3);
  auto missing = store_->find_prompt_version("translate", 9);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(PromptStoreTest, VersionOfAnUnknownPromptIsNotFound) {
  auto v = store_->add_prompt_version(full_version("ghost", "x"));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, ErrorCode::NotFound);
  EXPECT_NE(v.error().message.find("'ghost'"), std::string::npos) << v.error().message;
}

TEST_P(PromptStoreTest, LabelsMoveAndSplit) {
  ASSERT_TRUE(store_->insert_prompt({"t", "", 1, 0}).ok());
  ASSERT_TRUE(store_->add_prompt_version(full_version("t", "1")).ok());
  ASSERT_TRUE(store_->add_prompt_version(full_version("t", "2")).ok());
  ASSERT_TRUE(store_->set_prompt_label({"t", "production", {{1, 1}}, 10}).ok());
  ASSERT_TRUE(store_->set_prompt_label({"t", "staging", {{1, 90}, {2, 10}}, 11}).ok());
  auto prod = store_->find_prompt_label("t", "production");
  ASSERT_TRUE(prod.ok() && prod->has_value());
  EXPECT_EQ(**prod, (PromptLabel{"t", "production", {{1, 1}}, 10}));
  ASSERT_TRUE(store_->set_prompt_label({"t", "production", {{2, 1}}, 12}).ok());  // moved
  prod = store_->find_prompt_label("t", "production");
  ASSERT_TRUE(prod.ok() && prod->has_value());
  EXPECT_EQ(**prod, (PromptLabel{"t", "production", {{2, 1}}, 12}));
  auto all = store_->list_prompt_labels("t");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1], (PromptLabel{"t", "staging", {{1, 90}, {2, 10}}, 11}));
  auto none = store_->find_prompt_label("t", "canary");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_P(PromptStoreTest, BadLabelsAreRefusedAndLeaveTheOldTargets) {
  ASSERT_TRUE(store_->insert_prompt({"t", "", 1, 0}).ok());
  ASSERT_TRUE(store_->add_prompt_version(full_version("t", "1")).ok());
  ASSERT_TRUE(store_->set_prompt_label({"t", "production", {{1, 1}}, 10}).ok());
  auto missing = store_->set_prompt_label({"t", "production", {{1, 1}, {7, 1}}, 11});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
  EXPECT_NE(missing.error().message.find("no version 7"), std::string::npos) << missing.error().message;
  auto ghost = store_->set_prompt_label({"ghost", "production", {{1, 1}}, 11});
  ASSERT_FALSE(ghost.ok());
  EXPECT_EQ(ghost.error().code, ErrorCode::NotFound);
  for (const PromptLabel& bad : {PromptLabel{"t", "x", {}, 1}, PromptLabel{"t", "x", {{1, 0}}, 1},
                                 PromptLabel{"t", "x", {{1, 1}, {1, 2}}, 1}}) {
    auto st = store_->set_prompt_label(bad);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, ErrorCode::InvalidArgument) << st.error().message;
  }
  auto prod = store_->find_prompt_label("t", "production");
  ASSERT_TRUE(prod.ok() && prod->has_value());
  EXPECT_EQ((*prod)->targets, (std::vector<LabelTarget>{{1, 1}}));
}

TEST_P(PromptStoreTest, PromptsListByNameAndSurviveReopen) {
  ASSERT_TRUE(store_->insert_prompt({"b", "", 1, 0}).ok());
  ASSERT_TRUE(store_->insert_prompt({"a", "", 2, 0}).ok());
  ASSERT_TRUE(store_->add_prompt_version(full_version("b", "1")).ok());
  ASSERT_TRUE(store_->set_prompt_label({"b", "production", {{1, 1}}, 3}).ok());
  reopen();
  auto all = store_->list_prompts();
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0], (Prompt{"a", "", 2, 0}));
  EXPECT_EQ((*all)[1], (Prompt{"b", "", 1, 1}));
  auto l = store_->find_prompt_label("b", "production");
  ASSERT_TRUE(l.ok() && l->has_value());
}

// Writers on several threads (several connections on PostgreSQL) never get one number twice.
TEST_P(PromptStoreTest, ConcurrentVersionsGetDistinctNumbers) {
  ASSERT_TRUE(store_->insert_prompt({"t", "", 1, 0}).ok());
  constexpr int kThreads = 4, kPer = 5;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<int64_t> seen;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPer; ++i) {
        auto v = store_->add_prompt_version(full_version("t", std::to_string(t) + "." + std::to_string(i)));
        if (!v.ok()) {
          ++failures;
          continue;
        }
        std::lock_guard<std::mutex> lock(mu);
        if (!seen.insert(*v).second) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(seen.size(), size_t(kThreads * kPer));
  EXPECT_EQ(*seen.rbegin(), kThreads * kPer);
}

INSTANTIATE_TEST_SUITE_P(Engines, PromptStoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ondo::store
