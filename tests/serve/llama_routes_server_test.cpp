// `ondo serve` on stories260K with --host localhost and --cors-origin: llama-server's utility
// routes and the unversioned aliases through the official openai npm client and fetch
// (node/llama_utility_client.mjs), llama.cpp's documented /tokenize example, CORS preflight and
// headers on a streamed chat completion, [::1] next to 127.0.0.1, and the refusal of
// --cors-origin '*' without an API key.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "serve/serve_process.h"
#include "support/run_command.h"

namespace ondo::testing {
namespace {

using nlohmann::json;

constexpr const char* kApp = "http://app.example.com:5173";

class LlamaRoutesServe : public TinyServeTest {
 protected:
  std::vector<std::string> extra_args() const override { return {"--host", "localhost", "--cors-origin", kApp}; }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", server_.port());
    c.set_read_timeout(60, 0);
    return c;
  }
};

TEST_F(LlamaRoutesServe, OfficialClientAndFetch) {
  const auto modules = std::filesystem::path(ONDO_SOURCE_DIR) / "tests" / "serve" / "node" / "node_modules";
  if (std::system("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed (scripts/setup)";
  if (!std::filesystem::exists(modules / "openai")) GTEST_SKIP() << "openai missing (npm ci --prefix tests/serve/node)";
  int rc = 0;
  const std::string out = run_node("llama_utility_client.mjs", server_.base_url() + " tiny", &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("all checks passed"), std::string::npos) << out;
}

TEST_F(LlamaRoutesServe, TokenizeMatchesLlamaServersDocumentedExample) {
  // tools/server/README.md of llama.cpp: 'á' (C3 A1) on stories260k gives the byte tokens 198
  // and 164, each piece a byte array since neither byte alone is UTF-8. The README's example
  // shows no space prefix; the SPM tokenizer (ondo's, as llama.cpp's llm_tokenizer_spm with
  // add_space_prefix) puts the "▁" token 410 first for text at the start.
  auto r = client().Post("/tokenize", json({{"content", "\xC3\xA1"}, {"with_pieces", true}}).dump(), "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json want = json::parse(R"({"tokens":[{"id":410,"piece":" "},{"id":198,"piece":[195]},{"id":164,"piece":[161]}]})");
  EXPECT_EQ(json::parse(r->body), want) << r->body;

  r = client().Get("/props");
  ASSERT_EQ(r->status, 200);
  const json props = json::parse(r->body);
  EXPECT_NE(props["model_path"].get<std::string>().find("stories260K.gguf"), std::string::npos) << r->body;
  EXPECT_EQ(props["default_generation_settings"]["n_ctx"], 256);
  EXPECT_EQ(props["total_slots"], 4);  // --parallel's default
}

TEST_F(LlamaRoutesServe, CorsPreflightAndStreamedResponse) {
  auto r = client().Options("/chat/completions", httplib::Headers{{"Origin", kApp},
                                                                   {"Access-Control-Request-Method", "POST"},
                                                                   {"Access-Control-Request-Headers", "content-type"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), kApp);
  EXPECT_NE(r->get_header_value("Access-Control-Allow-Headers").find("Content-Type"), std::string::npos);

  const json body = {{"model", "tiny"}, {"messages", {{{"role", "user"}, {"content", "Once"}}}}, {"max_tokens", 4}, {"stream", true}};
  r = client().Post("/v1/chat/completions", httplib::Headers{{"Origin", kApp}}, body.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), kApp);
  EXPECT_NE(r->get_header_value("Access-Control-Expose-Headers").find("x-request-id"), std::string::npos);
  EXPECT_NE(r->body.find("data: [DONE]"), std::string::npos);

  // An origin not listed: refused without a key (as before), and no CORS grant.
  r = client().Get("/v1/models", httplib::Headers{{"Origin", "https://evil.example"}});
  EXPECT_EQ(r->status, 403);
  EXPECT_FALSE(r->has_header("Access-Control-Allow-Origin"));
}

TEST_F(LlamaRoutesServe, LocalhostListensOnIpv6Too) {
  const int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  const bool has_v6 = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  if (fd >= 0) ::close(fd);
  if (!has_v6) GTEST_SKIP() << "this machine has no IPv6 loopback (::1)";
  httplib::Client c6("::1", server_.port());
  c6.set_read_timeout(30, 0);
  auto r = c6.Get("/health", httplib::Headers{{"Host", "[::1]:" + std::to_string(server_.port())}});
  ASSERT_TRUE(r) << "no answer on http://[::1]:" << server_.port() << "/health\n" << server_.log();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(client().Get("/health")->status, 200);
}

TEST(LlamaRoutesServeStart, CorsStarWithoutKeyIsRefused) {
  const auto ondo = (binary_dir() / "ondo").string();
  ShellResult r = run_shell("ONDO_API_KEY= timeout 60 " + ondo + " serve -m /nonexistent/model.gguf --port 0 --cors-origin '*' 2>&1");
  EXPECT_NE(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("--cors-origin *"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("API key"), std::string::npos) << r.out;
  r = run_shell("ONDO_API_KEY= timeout 60 " + ondo + " serve -m /nonexistent/model.gguf --port 0 --cors-origin https://app.example.com/ 2>&1");
  EXPECT_NE(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("not an origin"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace ondo::testing
