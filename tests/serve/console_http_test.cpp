// The web console over HTTP on an in-process server: its embedded files (cache headers, SPA
// fallback, unknown assets), and its session: sign-in, the cookie standing in for the key,
// the CSRF header on changing requests, Origin checks, sign-out; a server without keys.
#include <gtest/gtest.h>

#include <regex>

#include "serve/http_fixture.h"

namespace ondo::serve {
namespace {

using nlohmann::json;
using testing::chat_body;
using testing::Fixture;

// "ondo_session=TOKEN" from a Set-Cookie value.
std::string cookie_pair(const std::string& set_cookie) { return set_cookie.substr(0, set_cookie.find(';')); }

TEST(ConsoleHttp, FilesCacheHeadersAndFallback) {
  Fixture f("hi", "s3cret");
  auto c = f.client();
  auto index = c.Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(index->get_header_value("Cache-Control"), "no-cache");
  EXPECT_NE(index->get_header_value("Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(c.Get("/console")->body, index->body);
  EXPECT_EQ(c.Get("/console/keys")->body, index->body);  // a client route of the page
  EXPECT_EQ(c.Get("/console/prompts/greet")->body, index->body);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(index->body, m, std::regex("/console/assets/[^\"]+\\.js")));
  auto js = c.Get(m.str());
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
  auto missing = c.Get("/console/assets/index-00000000.js");
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("console: no file"), std::string::npos) << missing->body;
  EXPECT_EQ(c.Get("/v1/models")->status, 401);  // the files are public, the API is not
}

TEST(ConsoleHttp, SessionCookieStandsInForTheKey) {
  Fixture f("hi", "s3cret");
  auto c = f.client();
  auto before = c.Get("/v1/console/session");
  EXPECT_EQ(before->status, 200);
  EXPECT_EQ(json::parse(before->body)["signed_in"], false);

  auto wrong = f.post("/v1/console/session", {{"key", "nope"}});
  EXPECT_EQ(wrong->status, 401);
  EXPECT_FALSE(wrong->has_header("Set-Cookie"));
  EXPECT_EQ(f.post("/v1/console/session", {{"key", "s3cret"}, {"extra", 1}})->status, 400);
  EXPECT_EQ(f.post("/v1/console/session", json::object())->status, 400);
  auto cross = f.post("/v1/console/session", {{"key", "s3cret"}}, {{"Origin", "http://evil.example"}});
  EXPECT_EQ(cross->status, 403);

  auto in = f.post("/v1/console/session", {{"key", "s3cret"}});
  ASSERT_EQ(in->status, 201) << in->body;
  const std::string set = in->get_header_value("Set-Cookie");
  EXPECT_NE(set.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(set.find("Secure"), std::string::npos);
  const json session = json::parse(in->body);
  EXPECT_EQ(session["caller"], "api-key");
  EXPECT_EQ(session.dump().find("s3cret"), std::string::npos);  // the key never comes back
  const std::string csrf = session["csrf_token"];
  const httplib::Headers cookie = {{"Cookie", cookie_pair(set)}};

  EXPECT_EQ(c.Get("/v1/models", cookie)->status, 200);
  auto who = c.Get("/v1/console/session", cookie);
  EXPECT_EQ(json::parse(who->body)["signed_in"], true);
  EXPECT_EQ(json::parse(who->body)["csrf_token"], csrf);

  auto no_csrf = f.post("/v1/chat/completions", chat_body(), cookie);
  EXPECT_EQ(no_csrf->status, 403);
  EXPECT_NE(no_csrf->body.find("X-Ondo-CSRF"), std::string::npos) << no_csrf->body;
  httplib::Headers bad = cookie;
  bad.emplace("X-Ondo-CSRF", std::string(64, '0'));
  EXPECT_EQ(f.post("/v1/chat/completions", chat_body(), bad)->status, 403);
  httplib::Headers good = cookie;
  good.emplace("X-Ondo-CSRF", csrf);
  EXPECT_EQ(f.post("/v1/chat/completions", chat_body(), good)->status, 200);
  // A key sent with the request decides; the cookie is then not looked at.
  httplib::Headers keyed = cookie;
  keyed.emplace("Authorization", "Bearer wrong");
  EXPECT_EQ(c.Get("/v1/models", keyed)->status, 401);
  EXPECT_EQ(f.post("/v1/chat/completions", chat_body(), {{"Authorization", "Bearer s3cret"}})->status, 200);

  EXPECT_EQ(c.Delete("/v1/console/session", cookie)->status, 403);  // signing out needs the header too
  auto out = c.Delete("/v1/console/session", good);
  EXPECT_EQ(out->status, 200);
  EXPECT_NE(out->get_header_value("Set-Cookie").find("Max-Age=0"), std::string::npos);
  auto gone = c.Get("/v1/models", cookie);
  EXPECT_EQ(gone->status, 401);
  EXPECT_NE(gone->body.find("console session: expired or signed out"), std::string::npos) << gone->body;
}

TEST(ConsoleHttp, SecureCookieBehindHttps) {
  Fixture f("hi", "s3cret");
  auto in = f.post("/v1/console/session", {{"key", "s3cret"}}, {{"X-Forwarded-Proto", "https"}});
  ASSERT_EQ(in->status, 201);
  EXPECT_NE(in->get_header_value("Set-Cookie").find("; Secure"), std::string::npos);
}

TEST(ConsoleHttp, KeylessServerNeedsNoSession) {
  Fixture f("hi");
  auto c = f.client();
  const json who = json::parse(c.Get("/v1/console/session")->body);
  EXPECT_EQ(who["auth_required"], false);
  EXPECT_EQ(who["signed_in"], true);
  auto in = f.post("/v1/console/session", {{"key", "anything"}});
  EXPECT_EQ(in->status, 200);
  EXPECT_FALSE(in->has_header("Set-Cookie"));
  EXPECT_EQ(c.Get("/v1/models", {{"Cookie", "ondo_session=stale"}})->status, 200);  // the cookie means nothing here
}

}  // namespace
}  // namespace ondo::serve
