// Web console sessions: the session table (open, find, expiry, sign-out), the cookie it sets and
// reads, and the same-origin, https and CSRF-method rules; the embedded files' lookup.
#include <gtest/gtest.h>

#include <set>

#include "ondo/core/sha256.h"
#include "ondo/serve/console_files.h"
#include "ondo/serve/console_session.h"

namespace ondo::serve {
namespace {

std::optional<ConsoleSession> found(ConsoleSessions& sessions, std::string_view token, int64_t now) {
  auto r = sessions.find(token, now);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : std::nullopt;
}

TEST(ConsoleSession, OpenFindClose) {
  ConsoleSessions sessions;
  auto a = sessions.open("adm", "admin", 1000);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->token.size(), 64u);
  EXPECT_EQ(a->session.csrf.size(), 64u);
  EXPECT_NE(a->token, a->session.csrf);
  EXPECT_EQ(a->session.key_hash, core::to_hex(core::sha256("adm")));  // the key itself is not kept
  auto f = found(sessions, a->token, 1001);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->key_id, "admin");
  EXPECT_EQ(f->csrf, a->session.csrf);
  EXPECT_FALSE(found(sessions, a->token + "0", 1001).has_value());
  EXPECT_FALSE(found(sessions, "", 1001).has_value());
  EXPECT_TRUE(*sessions.close(a->token));
  EXPECT_FALSE(*sessions.close(a->token));
  EXPECT_FALSE(found(sessions, a->token, 1001).has_value());
}

TEST(ConsoleSession, TokensAreFreshAndExpirySlides) {
  ConsoleSessions sessions;
  std::set<std::string> tokens;
  for (int i = 0; i < 50; ++i) tokens.insert(sessions.open("k", "admin", 0)->token);
  EXPECT_EQ(tokens.size(), 50u);
  auto s = sessions.open("k", "admin", 100);
  EXPECT_EQ(s->session.expires_at, 100 + kSessionIdleS);
  // Used before it expired: the expiry moves to idle time from that use.
  const int64_t used = 100 + kSessionIdleS - 1;
  auto f = found(sessions, s->token, used);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->expires_at, used + kSessionIdleS);
  EXPECT_TRUE(found(sessions, s->token, used + kSessionIdleS - 1).has_value());
  EXPECT_FALSE(found(sessions, s->token, 100 + 3 * kSessionIdleS).has_value());  // idle too long
  EXPECT_FALSE(found(sessions, s->token, 100).has_value());  // dropped when found expired
  // However often used, no session outlives kSessionMaxS from sign-in.
  auto busy = sessions.open("k", "admin", 0);
  int64_t t = 0;
  for (; t < kSessionMaxS; t += kSessionIdleS / 2) ASSERT_TRUE(found(sessions, busy->token, t).has_value()) << t;
  EXPECT_FALSE(found(sessions, busy->token, kSessionMaxS).has_value());
  EXPECT_EQ(session_expiry(0, kSessionMaxS - 10), kSessionMaxS);
}

TEST(ConsoleSession, CloseAllOfAKey) {
  ConsoleSessions sessions;
  auto a = sessions.open("s1", "key:ka", 0);
  auto b = sessions.open("s1", "key:ka", 0);
  auto c = sessions.open("s2", "key:kb", 0);
  EXPECT_EQ(*sessions.close_all_of("key:ka"), 2);
  EXPECT_FALSE(found(sessions, a->token, 1).has_value());
  EXPECT_FALSE(found(sessions, b->token, 1).has_value());
  EXPECT_TRUE(found(sessions, c->token, 1).has_value());
}

TEST(ConsoleSession, CookieHeader) {
  EXPECT_EQ(cookie_value("ondo_session=abc", kSessionCookie).value(), "abc");
  EXPECT_EQ(cookie_value("a=1; ondo_session=abc; b=2", kSessionCookie).value(), "abc");
  EXPECT_EQ(cookie_value("a=1;ondo_session=\"q\"", kSessionCookie).value(), "q");
  EXPECT_FALSE(cookie_value("xondo_session=abc; ondo_sessionx=1", kSessionCookie).has_value());
  EXPECT_FALSE(cookie_value("", kSessionCookie).has_value());
  EXPECT_FALSE(cookie_value("ondo_session", kSessionCookie).has_value());
  EXPECT_EQ(cookie_value("ondo_session=", kSessionCookie).value(), "");
}

TEST(ConsoleSession, SetCookieAttributes) {
  const std::string c = session_cookie("tok", false);
  EXPECT_EQ(c.rfind("ondo_session=tok; ", 0), 0u);
  EXPECT_NE(c.find("HttpOnly"), std::string::npos);
  EXPECT_NE(c.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(c.find("Path=/"), std::string::npos);
  EXPECT_EQ(c.find("Secure"), std::string::npos);
  EXPECT_NE(session_cookie("tok", true).find("; Secure"), std::string::npos);
  EXPECT_NE(cleared_session_cookie(false).find("Max-Age=0"), std::string::npos);
}

TEST(ConsoleSession, HttpsSameOriginAndCsrfMethods) {
  EXPECT_TRUE(request_is_https("https", ""));
  EXPECT_TRUE(request_is_https("HTTPS, http", ""));
  EXPECT_TRUE(request_is_https("", "https://console.example"));
  EXPECT_FALSE(request_is_https("http", "http://127.0.0.1:8080"));
  EXPECT_FALSE(request_is_https("", ""));
  EXPECT_TRUE(same_origin("http://127.0.0.1:8080", "127.0.0.1:8080"));
  EXPECT_TRUE(same_origin("https://Console.Example", "console.example"));
  EXPECT_FALSE(same_origin("http://evil.example", "127.0.0.1:8080"));
  EXPECT_FALSE(same_origin("http://127.0.0.1:8081", "127.0.0.1:8080"));
  EXPECT_FALSE(same_origin("null", "127.0.0.1:8080"));
  EXPECT_FALSE(same_origin("http://127.0.0.1:8080", ""));
  for (const char* m : {"POST", "PUT", "DELETE", "PATCH"}) EXPECT_TRUE(method_needs_csrf(m)) << m;
  for (const char* m : {"GET", "HEAD", "OPTIONS"}) EXPECT_FALSE(method_needs_csrf(m)) << m;
}

TEST(ConsoleFiles, EmbeddedBuildHasIndexAndHashedAssets) {
  const ConsoleFile* index = find_console_file("index.html");
  ASSERT_NE(index, nullptr) << "web/dist/index.html was not embedded";
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  const std::string html(reinterpret_cast<const char*>(index->data), index->size);
  EXPECT_NE(html.find("/console/assets/"), std::string::npos);
  bool script = false;
  std::string_view prev;
  for (const ConsoleFile& f : console_files()) {
    EXPECT_LT(prev, f.path) << "the table must be sorted for find_console_file()";
    prev = f.path;
    if (f.path.starts_with("assets/") && f.path.ends_with(".js")) {
      script = true;
      EXPECT_EQ(f.content_type, "text/javascript; charset=utf-8");
      EXPECT_NE(html.find(std::string(f.path)), std::string::npos) << f.path << " is not named by index.html";
      EXPECT_EQ(find_console_file(f.path), &f);
    }
  }
  EXPECT_TRUE(script);
  EXPECT_EQ(find_console_file("missing.js"), nullptr);
  EXPECT_EQ(find_console_file(""), nullptr);
}

}  // namespace
}  // namespace ondo::serve
