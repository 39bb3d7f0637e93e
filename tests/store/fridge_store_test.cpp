// The fridge app's store methods (issue 20; store/fridge.h), run against both engines: SQLite
// in a temporary data directory and a throwaway PostgreSQL 15 (those cases skip, saying why,
// when the PostgreSQL binaries are missing).
#include <gtest/gtest.h>

#include "ondo/store/store.h"
#include "store/engine_test.h"

namespace ondo::store {
namespace {

class FridgeStoreTest : public testing_support::EngineTest {
 protected:
  static FridgeRecord record(const std::string& kind, const std::string& id, const std::string& household,
                             const std::string& ref, int64_t at) {
    return FridgeRecord{kind, id, household, ref, "{\"n\":\"" + id + "\"}", at, at};
  }
  static FridgeAlert alert(const std::string& key, int64_t next) {
    FridgeAlert a;
    a.key = key;
    a.household = "h1";
    a.url = "http://127.0.0.1:9/hook";
    a.body = "{\"key\":\"" + key + "\"}";
    a.created_ms = 1000;
    a.next_attempt_ms = next;
    return a;
  }
};

TEST_P(FridgeStoreTest, RecordsInsertFindListUpdateDelete) {
  ASSERT_TRUE(store_->insert_fridge_record(record("item", "i2", "h1", "f1", 20)).ok());
  ASSERT_TRUE(store_->insert_fridge_record(record("item", "i1", "h1", "f2", 10)).ok());
  ASSERT_TRUE(store_->insert_fridge_record(record("item", "i3", "h2", "f3", 5)).ok());
  ASSERT_TRUE(store_->insert_fridge_record(record("fridge", "i1", "h1", "", 1)).ok());  // same id, other kind

  auto dup = store_->insert_fridge_record(record("item", "i1", "h9", "", 1));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(dup.error().message.find("fridge item 'i1' exists"), std::string::npos) << dup.error().message;

  auto found = store_->find_fridge_record("item", "i1");
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, record("item", "i1", "h1", "f2", 10));
  auto none = store_->find_fridge_record("item", "nope");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  auto h1 = store_->list_fridge_records("item", "h1", "");
  ASSERT_TRUE(h1.ok()) << h1.error().message;
  ASSERT_EQ(h1->size(), 2u);
  EXPECT_EQ((*h1)[0].id, "i1");  // oldest first
  EXPECT_EQ((*h1)[1].id, "i2");
  auto all = store_->list_fridge_records("item", "", "");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);
  auto by_ref = store_->list_fridge_records("item", "", "f3");
  ASSERT_TRUE(by_ref.ok());
  ASSERT_EQ(by_ref->size(), 1u);
  EXPECT_EQ((*by_ref)[0].id, "i3");

  FridgeRecord moved = record("item", "i1", "h1", "f9", 99);
  moved.body = "{\"moved\":true}";
  ASSERT_TRUE(store_->update_fridge_record(moved).ok());
  reopen();  // acknowledged writes survive a restart
  found = store_->find_fridge_record("item", "i1");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->ref, "f9");
  EXPECT_EQ((*found)->body, "{\"moved\":true}");
  EXPECT_EQ((*found)->created_at, 10);  // kept
  EXPECT_EQ((*found)->updated_at, 99);
  auto missing = store_->update_fridge_record(record("item", "zz", "h1", "", 1));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);

  ASSERT_TRUE(store_->delete_fridge_record("item", "i1").ok());
  auto again = store_->delete_fridge_record("item", "i1");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::NotFound);
  found = store_->find_fridge_record("fridge", "i1");  // the other kind stays
  ASSERT_TRUE(found.ok() && found->has_value());
}

TEST_P(FridgeStoreTest, AlertOutboxIsIdempotentAndDurable) {
  auto added = store_->enqueue_fridge_alert(alert("a1", 500));
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_TRUE(*added);
  FridgeAlert changed = alert("a1", 1);
  changed.body = "{\"other\":1}";
  added = store_->enqueue_fridge_alert(changed);  // the same key again: nothing changes
  ASSERT_TRUE(added.ok());
  EXPECT_FALSE(*added);
  ASSERT_TRUE(store_->enqueue_fridge_alert(alert("a2", 100)).ok());
  ASSERT_TRUE(store_->enqueue_fridge_alert(alert("a3", 900)).ok());

  auto due = store_->due_fridge_alerts(600, 10);
  ASSERT_TRUE(due.ok()) << due.error().message;
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].key, "a2");  // soonest first
  EXPECT_EQ((*due)[1], alert("a1", 500));
  due = store_->due_fridge_alerts(600, 1);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(due->size(), 1u);

  ASSERT_TRUE(store_->update_fridge_alert("a2", 1, 2000, std::nullopt, "connection refused").ok());
  ASSERT_TRUE(store_->update_fridge_alert("a1", 1, 500, int64_t(700), "").ok());
  reopen();
  due = store_->due_fridge_alerts(850, 10);
  ASSERT_TRUE(due.ok());
  EXPECT_TRUE(due->empty());  // a1 delivered, a2 backed off to 2000, a3 not due before 900
  due = store_->due_fridge_alerts(5000, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].key, "a3");
  EXPECT_EQ((*due)[1].key, "a2");
  EXPECT_EQ((*due)[1].attempts, 1);
  EXPECT_EQ((*due)[1].last_error, "connection refused");
  auto a1 = store_->find_fridge_alert("a1");
  ASSERT_TRUE(a1.ok() && a1->has_value());
  EXPECT_EQ((*a1)->delivered_ms, std::optional<int64_t>(700));
  added = store_->enqueue_fridge_alert(alert("a1", 1));  // delivered: never again
  ASSERT_TRUE(added.ok());
  EXPECT_FALSE(*added);

  auto missing = store_->update_fridge_alert("nope", 1, 1, std::nullopt, "");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

INSTANTIATE_TEST_SUITE_P(Engines, FridgeStoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ondo::store
