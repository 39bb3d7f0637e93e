// The guardrails' store methods (policies, attachments, decisions), one suite run against
// both engines: SQLite in a temporary data directory and a throwaway PostgreSQL 15 of its own
// (tests/support/postgres_server.h; those cases skip, saying why, without the binaries).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>

#include "ondo/store/store.h"
#include "store/engine_test.h"

namespace ondo::store {
namespace {

namespace fs = std::filesystem;

class GuardrailStoreTest : public testing_support::EngineTest {
 protected:

  void put(const std::string& name, const std::string& body, int64_t at) {
    ASSERT_TRUE(store_->put_guardrail_policy({name, body, at, at}).ok());
  }

  std::vector<std::string> names_for(const std::string& key, const std::string& prompt) {
    auto r = store_->guardrail_policies_for(key, prompt);
    EXPECT_TRUE(r.ok()) << r.error().message;
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& p : *r) out.push_back(p.name);
    }
    return out;
  }
};

using V = std::vector<std::string>;

TEST_P(GuardrailStoreTest, PoliciesAreCreatedReplacedListedAndDeleted) {
  put("pii", R"({"rules":[]})", 100);
  put("abc", R"({"rules":["x"]})", 101);
  ASSERT_TRUE(store_->put_guardrail_policy({"pii", R"({"rules":["new"]})", 200, 200}).ok());  // replace
  auto found = store_->find_guardrail_policy("pii");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ(**found, (GuardrailPolicy{"pii", R"({"rules":["new"]})", 100, 200}));  // created_at kept
  auto none = store_->find_guardrail_policy("nope");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto all = store_->list_guardrail_policies();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "abc");
  ASSERT_TRUE(store_->delete_guardrail_policy("abc").ok());
  auto again = store_->delete_guardrail_policy("abc");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::NotFound);
}

TEST_P(GuardrailStoreTest, AttachmentsSelectThePoliciesOfARequest) {
  put("global-pii", "{}", 1);
  put("team-blue", "{}", 1);
  put("support-bot", "{}", 1);
  ASSERT_TRUE(store_->attach_guardrail_policy({"global", "", "global-pii", 5}).ok());
  ASSERT_TRUE(store_->attach_guardrail_policy({"global", "", "global-pii", 6}).ok());  // again: no change
  ASSERT_TRUE(store_->attach_guardrail_policy({"key", "kblue", "team-blue", 5}).ok());
  ASSERT_TRUE(store_->attach_guardrail_policy({"prompt", "support", "support-bot", 5}).ok());
  EXPECT_EQ(names_for("", ""), V{"global-pii"});
  EXPECT_EQ(names_for("kblue", ""), (V{"global-pii", "team-blue"}));
  EXPECT_EQ(names_for("kred", "support"), (V{"global-pii", "support-bot"}));
  EXPECT_EQ(names_for("kblue", "support"), (V{"global-pii", "support-bot", "team-blue"}));
  auto list = store_->list_guardrail_attachments();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0], (GuardrailAttachment{"global", "", "global-pii", 5}));

  auto missing = store_->attach_guardrail_policy({"key", "k1", "no-such-policy", 5});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
  EXPECT_EQ(store_->attach_guardrail_policy({"team", "x", "team-blue", 5}).error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(store_->attach_guardrail_policy({"global", "x", "team-blue", 5}).error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(store_->attach_guardrail_policy({"key", "", "team-blue", 5}).error().code, ErrorCode::InvalidArgument);

  ASSERT_TRUE(store_->detach_guardrail_policy("key", "kblue", "team-blue").ok());
  EXPECT_EQ(names_for("kblue", ""), V{"global-pii"});
  EXPECT_EQ(store_->detach_guardrail_policy("key", "kblue", "team-blue").error().code, ErrorCode::NotFound);
  // Deleting a policy removes its attachments.
  ASSERT_TRUE(store_->delete_guardrail_policy("global-pii").ok());
  EXPECT_EQ(names_for("kblue", "support"), V{"support-bot"});
}

TEST_P(GuardrailStoreTest, DecisionsAreKeptAndQueried) {
  std::vector<GuardrailDecision> ds = {
      {0, 1000, "req_a", "kblue", "pii", "mail", "guardrail.pii.email", "input", "redact", 3, 18},
      {0, 1000, "req_a", "kblue", "pii", "rrn", "guardrail.pii.kr_rrn", "output", "block", 40, 54},
      {0, 2000, "req_b", "", "pii", "ip", "guardrail.pii.ipv4", "input", "flag", 0, 9},
  };
  ASSERT_TRUE(store_->insert_guardrail_decisions(ds).ok());
  ASSERT_TRUE(store_->insert_guardrail_decisions({}).ok());
  GuardrailDecisionQuery by_request;
  by_request.request_id = "req_a";
  auto a = store_->list_guardrail_decisions(by_request);
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_EQ(a->size(), 2u);
  EXPECT_GT((*a)[0].id, 0);
  EXPECT_LT((*a)[0].id, (*a)[1].id);
  GuardrailDecision first = (*a)[0];
  first.id = 0;
  EXPECT_EQ(first, ds[0]);
  GuardrailDecisionQuery window;
  window.from = 1500;
  window.to = 2500;
  auto b = store_->list_guardrail_decisions(window);
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->size(), 1u);
  EXPECT_EQ((*b)[0].reason, "guardrail.pii.ipv4");
  window.from = 1000;
  window.to = 2000;  // `to` is exclusive
  auto c = store_->list_guardrail_decisions(window);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->size(), 2u);
  GuardrailDecisionQuery limited;
  limited.limit = 1;
  auto d = store_->list_guardrail_decisions(limited);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->size(), 1u);
}

TEST_P(GuardrailStoreTest, DecisionsSurviveReopening) {
  ASSERT_TRUE(store_->insert_guardrail_decisions({{0, 7, "req_z", "", "p", "r", "guardrail.x", "input", "flag", 0, 1}}).ok());
  reopen();
  GuardrailDecisionQuery q;
  q.request_id = "req_z";
  auto r = store_->list_guardrail_decisions(q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Engines, GuardrailStoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

}  // namespace
}  // namespace ondo::store
