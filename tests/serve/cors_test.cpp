// CORS policy (--cors-origin), preflight answers and response headers (serve/cors.h).
#include <gtest/gtest.h>

#include <map>

#include "ondo/serve/cors.h"

namespace ondo::serve {
namespace {

std::map<std::string, std::string> as_map(const HeaderList& h) {
  std::map<std::string, std::string> m;
  for (const auto& [k, v] : h) {
    EXPECT_EQ(m.count(k), 0u) << "header given twice: " << k;
    m[k] = v;
  }
  return m;
}

CorsPolicy policy(std::vector<std::string> origins, bool key = false) { return make_cors_policy(origins, key).value(); }

TEST(Cors, OffByDefault) {
  const CorsPolicy p = policy({});
  EXPECT_FALSE(p.enabled());
  EXPECT_FALSE(origin_allowed(p, "http://localhost:3000"));
  EXPECT_TRUE(cors_response_headers(p, "https://app.example.com").empty());
  EXPECT_TRUE(cors_response_headers(p, "").empty());
}

TEST(Cors, NormalizesOrigins) {
  EXPECT_EQ(normalize_origin("HTTPS://App.Example.com"), "https://app.example.com");
  EXPECT_EQ(normalize_origin("https://app.example.com:443"), "https://app.example.com");
  EXPECT_EQ(normalize_origin("http://app.example.com:80"), "http://app.example.com");
  EXPECT_EQ(normalize_origin("http://app.example.com:8443"), "http://app.example.com:8443");
  EXPECT_EQ(normalize_origin("http://[::1]:3000"), "http://[::1]:3000");
  EXPECT_EQ(normalize_origin("http://127.0.0.1:5173"), "http://127.0.0.1:5173");
  for (const char* bad : {"", "null", "app.example.com", "ftp://a.com", "https://", "https://a.com/", "https://a.com/x",
                          "https://a.com:0", "https://a.com:65536", "https://a.com:12x", "https://a b.com",
                          "https://a.com\r\nX-Evil: 1", "https://[zz]:1", "https://a.com?q"}) {
    EXPECT_FALSE(normalize_origin(bad).has_value()) << bad;
  }
}

TEST(Cors, PolicyRefusesBadValuesAndStarWithoutKey) {
  auto star = make_cors_policy({"*"}, false);
  ASSERT_FALSE(star.ok());
  EXPECT_EQ(star.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(star.error().message.find("--cors-origin *"), std::string::npos) << star.error().message;
  EXPECT_NE(star.error().message.find("API key"), std::string::npos) << star.error().message;

  auto bad = make_cors_policy({"https://ok.example", "https://app.example.com/"}, true);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("--cors-origin https://app.example.com/"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(make_cors_policy({"null"}, true).ok());

  const CorsPolicy any = policy({"*"}, true);
  EXPECT_TRUE(any.any);
  EXPECT_TRUE(origin_allowed(any, "https://anything.example"));
  EXPECT_FALSE(origin_allowed(any, "null"));  // not an http(s) origin
}

TEST(Cors, ListedOriginsOnly) {
  const CorsPolicy p = policy({"https://app.example.com", "http://localhost:5173", "https://app.example.com"});
  EXPECT_EQ(p.origins.size(), 2u);  // the repeat is kept once
  EXPECT_TRUE(origin_allowed(p, "https://app.example.com"));
  EXPECT_TRUE(origin_allowed(p, "https://APP.example.com:443"));
  EXPECT_TRUE(origin_allowed(p, "http://localhost:5173"));
  EXPECT_FALSE(origin_allowed(p, "http://app.example.com"));       // other scheme
  EXPECT_FALSE(origin_allowed(p, "https://app.example.com:8443"));  // other port
  EXPECT_FALSE(origin_allowed(p, "https://evil.app.example.com"));
  EXPECT_FALSE(origin_allowed(p, "https://app.example.com.evil"));
  EXPECT_FALSE(origin_allowed(p, ""));
}

TEST(Cors, ResponseHeaders) {
  const CorsPolicy p = policy({"https://app.example.com"});
  auto h = as_map(cors_response_headers(p, "https://app.example.com"));
  EXPECT_EQ(h["Access-Control-Allow-Origin"], "https://app.example.com");
  EXPECT_EQ(h["Vary"], "Origin");
  EXPECT_NE(h["Access-Control-Expose-Headers"].find("x-request-id"), std::string::npos);
  EXPECT_EQ(h.size(), 3u);
  // Another origin, or none: only Vary (the answer depends on Origin), never Allow-Origin.
  EXPECT_EQ(as_map(cors_response_headers(p, "https://evil.example")), (std::map<std::string, std::string>{{"Vary", "Origin"}}));
  EXPECT_EQ(as_map(cors_response_headers(p, "")), (std::map<std::string, std::string>{{"Vary", "Origin"}}));
}

TEST(Cors, PreflightAllowed) {
  const CorsPolicy p = policy({"https://app.example.com"});
  const PreflightAnswer a = answer_preflight(
      p, {"https://app.example.com", "POST", "content-type, Authorization, X-Stainless-OS, x-api-key", "POST"});
  ASSERT_TRUE(a.ok);
  auto h = as_map(a.headers);
  EXPECT_EQ(h["Access-Control-Allow-Origin"], "https://app.example.com");
  EXPECT_EQ(h["Vary"], "Origin");
  EXPECT_EQ(h["Access-Control-Allow-Methods"], "POST, OPTIONS");
  EXPECT_EQ(h["Access-Control-Allow-Headers"], "Authorization, Content-Type, x-api-key, x-stainless-os");
  EXPECT_EQ(h["Access-Control-Max-Age"], std::to_string(kCorsMaxAgeS));

  // A GET route allows HEAD; the route table's methods are answered.
  const PreflightAnswer g = answer_preflight(p, {"https://app.example.com", "HEAD", "", "GET, DELETE"});
  ASSERT_TRUE(g.ok);
  EXPECT_EQ(as_map(g.headers)["Access-Control-Allow-Methods"], "GET, DELETE, HEAD, OPTIONS");
  EXPECT_EQ(as_map(g.headers)["Access-Control-Allow-Headers"], "Authorization, Content-Type, x-api-key");
}

TEST(Cors, PreflightRefusals) {
  const CorsPolicy p = policy({"https://app.example.com"});
  const PreflightAnswer origin = answer_preflight(p, {"https://evil.example", "POST", "", "POST"});
  EXPECT_FALSE(origin.ok);
  EXPECT_EQ(origin.refusal.code, ErrorCode::PermissionDenied);
  EXPECT_NE(origin.refusal.message.find("https://evil.example"), std::string::npos);
  EXPECT_TRUE(origin.headers.empty());

  const PreflightAnswer path = answer_preflight(p, {"https://app.example.com", "POST", "", ""});
  EXPECT_FALSE(path.ok);
  EXPECT_EQ(path.refusal.code, ErrorCode::NotFound);

  const PreflightAnswer method = answer_preflight(p, {"https://app.example.com", "DELETE", "", "POST"});
  EXPECT_FALSE(method.ok);
  EXPECT_TRUE(method.wrong_method);

  const PreflightAnswer header = answer_preflight(p, {"https://app.example.com", "POST", "x-ok, bad header", "POST"});
  EXPECT_FALSE(header.ok);
  EXPECT_EQ(header.refusal.code, ErrorCode::InvalidArgument);
  EXPECT_NE(header.refusal.message.find("'bad header'"), std::string::npos) << header.refusal.message;

  std::string many;
  for (int i = 0; i < 70; ++i) many += "x-h" + std::to_string(i) + ",";
  const PreflightAnswer lots = answer_preflight(p, {"https://app.example.com", "POST", many, "POST"});
  EXPECT_FALSE(lots.ok);
  EXPECT_EQ(lots.refusal.code, ErrorCode::InvalidArgument);
}

}  // namespace
}  // namespace ondo::serve
