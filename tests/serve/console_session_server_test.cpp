// Web console sessions in the store (issue 19.3), end to end on the real binary: a browser's
// cookie survives a restart of `ondo serve` on the same data directory (admin key and store
// key), revoking a key ends its sessions, signing out deletes the session for good, and the
// database never holds the cookie's token or the key.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "serve/serve_process.h"
#include "support/run_command.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string cookie_pair(const std::string& set_cookie) { return set_cookie.substr(0, set_cookie.find(';')); }

std::string file_bytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class ConsoleSessionServe : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto dir = testdata_dir(&why);
    if (!dir || !fs::exists(*dir / "models" / "stories260K.gguf")) {
      if (testdata_required()) FAIL() << "stories260K.gguf missing: " << why;
      GTEST_SKIP() << "reference models not found (" << why << ")";
    }
    model_ = (*dir / "models" / "stories260K.gguf").string();
    data_ = fs::temp_directory_path() / ("ondo-console-sessions-" + std::to_string(::getpid()));
    fs::remove_all(data_);
  }
  void TearDown() override {
    if (server_.pid() > 0) EXPECT_EQ(server_.stop(), 0) << server_.log();
    fs::remove_all(data_);
  }

  void start(const std::string& admin_key = "adm-secret") {
    ASSERT_TRUE(server_.start({"-m", model_ + "=tiny", "-t", "1", "--data-dir", data_.string(), "--admin-key", admin_key}))
        << server_.log();
  }
  void restart(const std::string& admin_key = "adm-secret") {
    ASSERT_EQ(server_.stop(), 0) << server_.log();
    start(admin_key);
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", server_.port());
    c.set_read_timeout(30, 0);
    return c;
  }
  // Signs in with `key`: the cookie header and the CSRF token.
  std::pair<httplib::Headers, std::string> sign_in(const std::string& key) {
    auto r = client().Post("/v1/console/session", json{{"key", key}}.dump(), "application/json");
    EXPECT_TRUE(r && r->status == 201) << (r ? r->body : "no answer");
    if (!r || r->status != 201) return {};
    return {{{"Cookie", cookie_pair(r->get_header_value("Set-Cookie"))}}, json::parse(r->body)["csrf_token"]};
  }
  json session(const httplib::Headers& cookie) {
    auto r = client().Get("/v1/console/session", cookie);
    EXPECT_TRUE(r && r->status == 200);
    return r ? json::parse(r->body) : json();
  }
  int status(const char* method, const std::string& path, httplib::Headers h) {
    auto c = client();
    auto r = std::string(method) == "GET" ? c.Get(path, h) : c.Delete(path, h);
    return r ? r->status : -1;
  }

  std::string model_;
  fs::path data_;
  ServeProcess server_;
};

TEST_F(ConsoleSessionServe, CookieSurvivesRestartUntilSignOutOrRevoke) {
  CommandResult made = run_ondo("admin keys create --name console --data-dir " + data_.string());
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const json key = json::parse(made.out);
  const std::string secret = key["key"], id = key["id"];
  start();
  auto [admin, admin_csrf] = sign_in("adm-secret");
  auto [user, user_csrf] = sign_in(secret);
  ASSERT_FALSE(admin.empty() || user.empty());
  const std::string admin_token = admin.begin()->second.substr(std::string("ondo_session=").size());
  EXPECT_EQ(status("GET", "/v1/admin/keys", admin), 200);
  EXPECT_EQ(status("GET", "/v1/models", user), 200);

  restart();
  // The same cookies still work after the restart, with the same CSRF tokens.
  const json a = session(admin);
  EXPECT_EQ(a["signed_in"], true) << a.dump();
  EXPECT_EQ(a["caller"], "admin");
  EXPECT_EQ(a["csrf_token"], admin_csrf);
  EXPECT_EQ(status("GET", "/v1/admin/keys", admin), 200);
  EXPECT_EQ(session(user)["caller"], "key:" + id);
  EXPECT_EQ(status("GET", "/v1/models", user), 200);
  EXPECT_EQ(status("DELETE", "/v1/admin/keys/" + id, admin), 403);  // a change still needs the CSRF header

  // The database holds neither the cookie's token nor a key (only their hashes).
  const std::string db = file_bytes(data_ / "ondo.db") + file_bytes(data_ / "ondo.db-wal");
  ASSERT_FALSE(db.empty());
  EXPECT_EQ(db.find(admin_token), std::string::npos);
  EXPECT_EQ(db.find("adm-secret"), std::string::npos);
  EXPECT_EQ(db.find(secret), std::string::npos);

  // Revoking the store key (by the admin's session, with its CSRF header) ends its session.
  httplib::Headers admin_write = admin;
  admin_write.emplace("X-Ondo-CSRF", admin_csrf);
  EXPECT_EQ(status("DELETE", "/v1/admin/keys/" + id, admin_write), 200);
  EXPECT_EQ(status("GET", "/v1/models", user), 401);
  EXPECT_EQ(session(user)["signed_in"], false);

  // Signing out deletes the session: a restart does not bring it back.
  EXPECT_EQ(status("DELETE", "/v1/console/session", admin_write), 200);
  EXPECT_EQ(status("GET", "/v1/models", admin), 401);
  restart();
  EXPECT_EQ(status("GET", "/v1/models", admin), 401);
  EXPECT_EQ(session(admin)["signed_in"], false);

  // A session signed in with an admin key the server no longer has ends with it.
  auto [again, again_csrf] = sign_in("adm-secret");
  EXPECT_EQ(status("GET", "/v1/admin/keys", again), 200);
  restart("new-admin-secret");
  EXPECT_EQ(status("GET", "/v1/admin/keys", again), 401);
  const json gone = session(again);
  EXPECT_EQ(gone["signed_in"], false);
  EXPECT_NE(gone["reason"].get<std::string>().find("admin key changed"), std::string::npos) << gone.dump();
}

}  // namespace
}  // namespace ondo::testing
