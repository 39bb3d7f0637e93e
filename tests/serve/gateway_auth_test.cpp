// authorize(): the gateway's access rules over a real SQLite store (static key, admin key,
// store keys; admin routes), without a server.
#include <gtest/gtest.h>
#include <unistd.h>

#include "ondo/core/sha256.h"
#include "ondo/serve/auth.h"
#include "ondo/store/api_keys.h"

namespace ondo::serve {
namespace {

namespace fs = std::filesystem;

class GatewayAuth : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ondo-gwauth-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    auto s = store::open_sqlite_store(dir_, core::Env::posix());
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    store::ApiKey fields;
    fields.models = {"qwen"};
    auto made = store::create_api_key(*store_, fields, 1000);
    ASSERT_TRUE(made.ok()) << made.error().message;
    created_ = *made;
    policy_ = GatewayPolicy{{"static-key"}, "admin-key", store_.get()};
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  Result<Caller> call(bool admin, const std::string& bearer, int64_t now = 2000) {
    return authorize(policy_, admin, bearer.empty() ? "" : "Bearer " + bearer, "", "example.com", std::nullopt, now);
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  store::CreatedKey created_;
  GatewayPolicy policy_;
};

TEST_F(GatewayAuth, EachKindOfKeyOnItsRoutes) {
  auto a = call(false, created_.secret);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->name, "key:" + created_.key.id);
  ASSERT_TRUE(a->models.has_value());
  EXPECT_EQ(*a->models, std::vector<std::string>{"qwen"});
  auto s = call(false, "static-key");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->name, "api-key");
  EXPECT_FALSE(s->models.has_value());
  auto adm = call(true, "admin-key");
  ASSERT_TRUE(adm.ok());
  EXPECT_EQ(adm->name, "admin");
  EXPECT_TRUE(call(false, "admin-key").ok());  // the admin key opens the API too
}

TEST_F(GatewayAuth, RefusalsSayWhy) {
  auto none = call(false, "");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::Unauthenticated);
  EXPECT_NE(none.error().message.find("missing API key"), std::string::npos);
  auto store_on_admin = call(true, created_.secret);
  ASSERT_FALSE(store_on_admin.ok());
  EXPECT_EQ(store_on_admin.error().code, ErrorCode::PermissionDenied);
  auto wrong = call(false, "nope");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().message, "authorization: incorrect API key");
  ASSERT_TRUE(store_->revoke_api_key(created_.key.id, 1500).ok());
  auto revoked = call(false, created_.secret);
  ASSERT_FALSE(revoked.ok());
  EXPECT_EQ(revoked.error().code, ErrorCode::Unauthenticated);
  EXPECT_NE(revoked.error().message.find("was revoked at"), std::string::npos) << revoked.error().message;
  policy_.admin_key.clear();
  auto off = call(true, "admin-key");
  ASSERT_FALSE(off.ok());
  EXPECT_EQ(off.error().code, ErrorCode::PermissionDenied);
  EXPECT_NE(off.error().message.find("--admin-key"), std::string::npos);
}

TEST_F(GatewayAuth, EitherPresentedKeyMayMatch) {
  // As without a store: a key in x-api-key works beside a wrong Bearer, and the other way round.
  auto header = authorize(policy_, false, "Bearer nope", created_.secret, "example.com", std::nullopt, 2000);
  ASSERT_TRUE(header.ok()) << header.error().message;
  EXPECT_EQ(header->name, "key:" + created_.key.id);
  EXPECT_TRUE(authorize(policy_, false, "Bearer static-key", "nope", "example.com", std::nullopt, 2000).ok());
  EXPECT_TRUE(authorize(policy_, true, "Basic x", "admin-key", "example.com", std::nullopt, 2000).ok());
  auto basic = authorize(policy_, false, "Basic x", "", "example.com", std::nullopt, 2000);
  ASSERT_FALSE(basic.ok());
  EXPECT_EQ(basic.error().message, "authorization: incorrect API key");  // sent, but not a key
}

TEST_F(GatewayAuth, WithoutAStoreTheOldRulesHold) {
  GatewayPolicy plain{{""}, "", nullptr};
  auto local = authorize(plain, false, "", "", "127.0.0.1:8080", std::nullopt, 0);
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->name, "local");
  EXPECT_FALSE(authorize(plain, false, "", "", "example.com", std::nullopt, 0).ok());
  // The admin routes stay shut without an admin key, whatever else lets a caller in.
  auto admin = authorize(plain, true, "", "", "127.0.0.1:8080", std::nullopt, 0);
  ASSERT_FALSE(admin.ok());
  EXPECT_EQ(admin.error().code, ErrorCode::PermissionDenied);
  GatewayPolicy keyed{{"k"}, "", nullptr};
  EXPECT_FALSE(authorize(keyed, true, "Bearer k", "", "127.0.0.1", std::nullopt, 0).ok());
}

// A console session keeps only who signed in and the hash of the key: authorize_session checks
// that hash against the server's keys and the store's key row on every use.
TEST_F(GatewayAuth, SessionsAreCheckedAgainByKeyHash) {
  auto hash = [](const std::string& k) { return core::to_hex(core::sha256(k)); };
  auto sess = [&](bool admin, const std::string& id, const std::string& key_hash) {
    return authorize_session(policy_, admin, id, key_hash, 2000);
  };
  const std::string store_id = "key:" + created_.key.id;
  auto a = sess(false, store_id, hash(created_.secret));
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->name, store_id);
  ASSERT_TRUE(a->key.has_value());
  EXPECT_EQ(*a->models, std::vector<std::string>{"qwen"});
  EXPECT_EQ(sess(true, "admin", hash("admin-key"))->name, "admin");
  EXPECT_EQ(sess(false, "api-key", hash("static-key"))->name, "api-key");
  // A changed admin key, a hash of another key, an admin route for a non-admin: refused.
  EXPECT_EQ(sess(false, "admin", hash("old-admin")).error().code, ErrorCode::Unauthenticated);
  EXPECT_EQ(sess(false, store_id, hash("static-key")).error().code, ErrorCode::Unauthenticated);
  EXPECT_EQ(sess(true, store_id, hash(created_.secret)).error().code, ErrorCode::PermissionDenied);
  EXPECT_EQ(sess(false, "local", hash("x")).error().code, ErrorCode::Unauthenticated);
  ASSERT_TRUE(store_->revoke_api_key(created_.key.id, 1500).ok());
  auto revoked = sess(false, store_id, hash(created_.secret));
  ASSERT_FALSE(revoked.ok());
  EXPECT_NE(revoked.error().message.find("was revoked at"), std::string::npos) << revoked.error().message;
}

}  // namespace
}  // namespace ondo::serve
