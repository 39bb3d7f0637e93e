// CORS over HTTP against an in-process server (--cors-origin): preflights without
// credentials, Access-Control-* headers on plain, error and streaming responses, nothing when
// off; and --host localhost listening on [::1] as well as 127.0.0.1.
#include <gtest/gtest.h>

#include "ondo/serve/cors.h"
#include "serve/http_fixture.h"

namespace ondo::serve {
namespace {

using nlohmann::json;
using testing::chat_body;
using testing::Fixture;

constexpr const char* kApp = "https://app.example.com";

auto with_cors(std::vector<std::string> origins) {
  return [origins](ServerOptions& o) { o.cors_origins = origins; };
}

httplib::Result preflight(const Fixture& f, const std::string& path, const std::string& origin, const std::string& method,
                          const std::string& headers = "") {
  httplib::Headers h = {{"Origin", origin}, {"Access-Control-Request-Method", method}};
  if (!headers.empty()) h.emplace("Access-Control-Request-Headers", headers);
  return f.client().Options(path.c_str(), h);
}

TEST(CorsHttp, PreflightNeedsNoKey) {
  Fixture f("x", "k3y", true, with_cors({kApp}));
  auto r = preflight(f, "/v1/chat/completions", kApp, "POST", "authorization, content-type, x-stainless-retry-count");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204) << r->body;
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), kApp);
  EXPECT_EQ(r->get_header_value("Vary"), "Origin");
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Methods"), "POST, OPTIONS");
  const std::string allow_headers = r->get_header_value("Access-Control-Allow-Headers");
  for (const char* h : {"Authorization", "Content-Type", "x-api-key", "x-stainless-retry-count"}) {
    EXPECT_NE(allow_headers.find(h), std::string::npos) << h << " in " << allow_headers;
  }
  EXPECT_EQ(r->get_header_value("Access-Control-Max-Age"), std::to_string(kCorsMaxAgeS));
  EXPECT_FALSE(r->get_header_value("x-request-id").empty());
  EXPECT_EQ(r->get_header_value_count("Access-Control-Allow-Origin"), 1u);

  // Methods come from the route table for that path.
  r = preflight(f, "/v1/responses/resp_1", kApp, "DELETE");
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Methods"), "GET, DELETE, HEAD, OPTIONS");
  r = preflight(f, "/props", kApp, "GET");
  EXPECT_EQ(r->status, 204);
}

TEST(CorsHttp, PreflightRefusals) {
  Fixture f("x", "k3y", true, with_cors({kApp}));
  auto r = preflight(f, "/v1/chat/completions", "https://evil.example", "POST");
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_FALSE(r->has_header("Access-Control-Allow-Origin"));
  EXPECT_NE(r->body.find("https://evil.example"), std::string::npos);
  r = preflight(f, "/v1/chat/completions", kApp, "GET");
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "POST");
  EXPECT_FALSE(r->has_header("Access-Control-Allow-Origin"));
  r = preflight(f, "/nope", kApp, "GET");
  EXPECT_EQ(r->status, 404);
  r = preflight(f, "/v1/models", kApp, "GET", "bad header");
  EXPECT_EQ(r->status, 400);
}

TEST(CorsHttp, HeadersOnResponses) {
  Fixture f("hello", "k3y", true, with_cors({kApp}));
  httplib::Headers auth = {{"Authorization", "Bearer k3y"}, {"Origin", kApp}};
  auto r = f.client().Get("/v1/models", auth);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), kApp);
  EXPECT_EQ(r->get_header_value("Vary"), "Origin");
  EXPECT_NE(r->get_header_value("Access-Control-Expose-Headers").find("x-request-id"), std::string::npos);

  // An error the browser must be able to read (wrong key) carries them too.
  r = f.client().Get("/v1/models", httplib::Headers{{"Origin", kApp}});
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), kApp);

  // A stream.
  r = f.post("/v1/chat/completions", chat_body({{"stream", true}}), auth);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type").rfind("text/event-stream", 0), 0u);
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), kApp);
  EXPECT_EQ(r->get_header_value_count("Access-Control-Allow-Origin"), 1u);

  // Another origin gets no Allow-Origin (the key still works: CORS is the browser's check).
  r = f.client().Get("/v1/models", httplib::Headers{{"Authorization", "Bearer k3y"}, {"Origin", "https://evil.example"}});
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(r->has_header("Access-Control-Allow-Origin"));
  EXPECT_EQ(r->get_header_value("Vary"), "Origin");
}

TEST(CorsHttp, ListedOriginPassesTheNoKeyOriginCheck) {
  Fixture f("hello", "", true, with_cors({kApp}));
  auto r = f.client().Get("/v1/models", httplib::Headers{{"Origin", kApp}});
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), kApp);
  r = f.client().Get("/v1/models", httplib::Headers{{"Origin", "https://evil.example"}});
  EXPECT_EQ(r->status, 403);
  r = preflight(f, "/v1/models", kApp, "GET");
  EXPECT_EQ(r->status, 204);
}

TEST(CorsHttp, OffByDefault) {
  Fixture f("hello");
  auto r = f.client().Get("/v1/models", httplib::Headers{{"Origin", "http://localhost:3000"}});
  EXPECT_EQ(r->status, 200);
  for (const auto& [name, value] : r->headers) {
    EXPECT_EQ(name.rfind("Access-Control-", 0), std::string::npos) << name;
    EXPECT_NE(name, "Vary");
  }
  // A preflight from a non-loopback origin is refused as before CORS existed.
  r = preflight(f, "/v1/chat/completions", kApp, "POST");
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_FALSE(r->has_header("Access-Control-Allow-Origin"));
}

TEST(CorsHttp, StarNeedsAKey) {
  ServerOptions o;
  o.port = 0;
  o.cors_origins = {"*"};
  auto s = Server::create(o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("--cors-origin *"), std::string::npos) << s.error().message;
  o.cors_origins = {"https://app.example.com/path"};
  o.api_key = "k";
  EXPECT_FALSE(Server::create(o).ok());
  o.cors_origins = {"*"};
  EXPECT_TRUE(Server::create(o).ok());

  Fixture f("x", "k3y", true, with_cors({"*"}));
  auto r = preflight(f, "/v1/models", "https://any.example", "GET");
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), "https://any.example");
}

// A GET /health over IPv6 loopback: the status line, or "" when the connection fails.
std::string health_over_ipv6(int port) {
  const int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  a.sin6_port = htons(uint16_t(port));
  std::string got;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    const std::string req = "GET /health HTTP/1.1\r\nHost: [::1]:" + std::to_string(port) + "\r\nConnection: close\r\n\r\n";
    if (::send(fd, req.data(), req.size(), 0) == ssize_t(req.size())) {
      char buf[1024];
      ssize_t n = 0;
      while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) got.append(buf, size_t(n));
    }
  }
  ::close(fd);
  return got.substr(0, got.find("\r\n"));
}

bool machine_has_ipv6_loopback() {
  const int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

TEST(ListenLocalhost, AnswersOnIpv4AndIpv6Loopback) {
  if (!machine_has_ipv6_loopback()) GTEST_SKIP() << "this machine has no IPv6 loopback (::1)";
  Fixture f("hello", "", true, [](ServerOptions& o) { o.host = "localhost"; });
  EXPECT_EQ(health_over_ipv6(f.server->port()), "HTTP/1.1 200 OK");
  EXPECT_EQ(f.client().Get("/health")->status, 200);  // 127.0.0.1, same port
  // The routes are the same on both.
  httplib::Client c6("::1", f.server->port());
  auto r = c6.Get("/v1/models", httplib::Headers{{"Host", "[::1]"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  f.server->drain(1000);
  EXPECT_EQ(health_over_ipv6(f.server->port()), "");  // closed with the IPv4 listener
}

TEST(ListenLocalhost, OtherHostsListenOnOneAddress) {
  if (!machine_has_ipv6_loopback()) GTEST_SKIP() << "this machine has no IPv6 loopback (::1)";
  Fixture f("hello");  // 127.0.0.1
  EXPECT_EQ(health_over_ipv6(f.server->port()), "");
}

}  // namespace
}  // namespace ondo::serve
