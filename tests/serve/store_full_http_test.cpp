// A full disk under the SQLite store, through the HTTP server (in process, FaultEnv's
// disk-full mode): admin writes get 507 insufficient_storage in OpenAI's error shape naming
// the store, nothing is half-written, generation keeps working (the response cache just
// keeps nothing), and the store opens and holds every acknowledged write afterwards.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "ondo/store/store.h"
#include "serve/http_fixture.h"
#include "support/fault_env.h"

namespace ondo::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const httplib::Headers kAdmin = {{"Authorization", "Bearer adm"}};

TEST(StoreFullHttp, FullDiskIs507AndNothingHalfWritten) {
  const fs::path dir = fs::temp_directory_path() / ("ondo-store-full-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  FaultEnv env;
  auto store = store::open_sqlite_store(dir, env).value();
  {
    Fixture fx("Hello there", "", true, [&](serve::ServerOptions& o) {
      o.store = store.get();
      o.admin_key = "adm";
      o.cache.ttl_s = 60;
    });
    auto first = fx.post("/v1/admin/keys", {{"name", "before"}}, kAdmin);
    ASSERT_EQ(first->status, 201) << first->body;
    const std::string id = json::parse(first->body)["id"];

    env.set_disk_full(true);
    auto full = fx.post("/v1/admin/keys", {{"name", "during"}}, kAdmin);
    ASSERT_EQ(full->status, 507) << full->body;
    const json err = json::parse(full->body)["error"];
    EXPECT_EQ(err["type"], "server_error");
    EXPECT_EQ(err["code"], "insufficient_storage");
    const std::string msg = err["message"];
    EXPECT_NE(msg.find((dir / "ondo.db").string()), std::string::npos) << msg;
    EXPECT_NE(msg.find("full"), std::string::npos) << msg;
    auto revoke = fx.client().Delete(("/v1/admin/keys/" + id).c_str(), kAdmin);
    EXPECT_EQ(revoke->status, 507) << revoke->body;
    // Reads and generation still answer; the cache keeps nothing while the disk is full.
    auto chat = fx.post("/v1/chat/completions", chat_body({{"temperature", 0}}), kAdmin);
    ASSERT_EQ(chat->status, 200) << chat->body;
    EXPECT_EQ(chat->get_header_value("x-ondo-cache"), "miss");
    auto list = fx.client().Get("/v1/admin/keys", kAdmin);
    ASSERT_EQ(list->status, 200) << list->body;
    const json keys = json::parse(list->body)["data"];
    ASSERT_EQ(keys.size(), 1u);  // the refused key is not there
    EXPECT_EQ(keys[0]["id"], id);
    EXPECT_EQ(keys[0]["status"], "active");  // the refused revoke did not happen

    env.set_disk_full(false);
    auto after = fx.post("/v1/admin/keys", {{"name", "after"}}, kAdmin);
    EXPECT_EQ(after->status, 201) << after->body;
  }
  store.reset();
  auto reopened = store::open_sqlite_store(dir, core::Env::posix());
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  auto keys = (*reopened)->list_api_keys();
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  ASSERT_EQ(keys->size(), 2u);
  std::set<std::string> names;  // created in the same second: any order
  for (const auto& k : *keys) {
    names.insert(k.name);
    EXPECT_FALSE(k.revoked_at.has_value()) << k.name;
  }
  EXPECT_EQ(names, (std::set<std::string>{"before", "after"}));
  reopened->reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ondo::testing
