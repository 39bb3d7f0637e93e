// Web console sessions: the session table (open, find, expiry, sign-out), the cookie it sets and
// reads, and the same-origin, https and CSRF-method rules; the embedded files' lookup.
#include <gtest/gtest.h>

#include <set>

#include "ondo/serve/console_files.h"
#include "ondo/serve/console_session.h"

namespace ondo::serve {
namespace {

TEST(ConsoleSession, OpenFindClose) {
  ConsoleSessions sessions;
  auto a = sessions.open("adm", "admin", 1000);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->token.size(), 64u);
  EXPECT_EQ(a->session.csrf.size(), 64u);
  EXPECT_NE(a->token, a->session.csrf);
  auto found = sessions.find(a->token, 1001);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->key, "adm");
  EXPECT_EQ(found->caller, "admin");
  EXPECT_EQ(found->csrf, a->session.csrf);
  EXPECT_FALSE(sessions.find(a->token + "0", 1001).has_value());
  EXPECT_FALSE(sessions.find("", 1001).has_value());
  EXPECT_TRUE(sessions.close(a->token));
  EXPECT_FALSE(sessions.close(a->token));
  EXPECT_FALSE(sessions.find(a->token, 1001).has_value());
}

TEST(ConsoleSession, TokensAreFreshAndSessionsExpire) {
  ConsoleSessions sessions;
  std::set<std::string> tokens;
  for (int i = 0; i < 50; ++i) tokens.insert(sessions.open("k", "admin", 0)->token);
  EXPECT_EQ(tokens.size(), 50u);
  auto s = sessions.open("k", "admin", 100);
  EXPECT_TRUE(sessions.find(s->token, 100 + kSessionLifetimeS - 1).has_value());
  EXPECT_FALSE(sessions.find(s->token, 100 + kSessionLifetimeS).has_value());
  EXPECT_FALSE(sessions.find(s->token, 100).has_value());  // dropped when found expired
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
