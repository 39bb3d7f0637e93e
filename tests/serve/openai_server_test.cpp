// `ondo serve` with the TinyStories model (stories260K.gguf from ONDO_TESTDATA), driven by
// real clients: the official openai npm package, curl for raw SSE framing, and 16
// concurrent streams that must equal the same requests run alone, with flat memory.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <thread>

#include "serve/serve_process.h"
#include "support/run_command.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

using nlohmann::json;

std::string run_capture(const std::string& cmd, int* exit_code) {
  ShellResult r = run_shell(cmd);
  *exit_code = r.status;
  return std::move(r.out);
}

class ServeTiny : public TinyServeTest {
 protected:
  std::vector<std::string> extra_args() const override { return {"--parallel", "16"}; }
};

TEST_F(ServeTiny, OfficialOpenAiClient) {
  const auto node_dir = std::filesystem::path(ONDO_SOURCE_DIR) / "tests" / "serve" / "node";
  int rc = 0;
  run_capture("node --version >/dev/null 2>&1", &rc);
  if (rc != 0) GTEST_SKIP() << "node is not installed (scripts/setup installs it)";
  if (!std::filesystem::exists(node_dir / "node_modules" / "openai")) {
    GTEST_SKIP() << "the openai npm package is not installed (run scripts/setup: npm ci --prefix tests/serve/node)";
  }
  const std::string out =
      run_capture("node " + (node_dir / "openai_client.mjs").string() + " " + server_.base_url() + "/v1 tiny 2>&1", &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("all checks passed"), std::string::npos) << out;
}

// n > 1 and prompt batches (node/choices_client.mjs): indices, reproducible seeds, the
// prompt evaluated once, streaming by index, usage sums, the cap on n.
TEST_F(ServeTiny, SeveralChoicesWithOfficialClient) {
  const auto node_dir = std::filesystem::path(ONDO_SOURCE_DIR) / "tests" / "serve" / "node";
  int rc = 0;
  run_capture("node --version >/dev/null 2>&1", &rc);
  if (rc != 0) GTEST_SKIP() << "node is not installed (scripts/setup installs it)";
  if (!std::filesystem::exists(node_dir / "node_modules" / "openai")) GTEST_SKIP() << "the openai npm package is not installed";
  const std::string out = run_node("choices_client.mjs", server_.base_url() + "/v1 tiny", &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("all checks passed"), std::string::npos) << out;
}

TEST_F(ServeTiny, CurlSseFraming) {
  int rc = 0;
  const std::string body = R"({"model":"tiny","messages":[{"role":"user","content":"Hi"}],"max_tokens":10,"stream":true,"stream_options":{"include_usage":true}})";
  const std::string out = run_capture("curl -sN " + server_.base_url() + "/v1/chat/completions -H 'Content-Type: application/json' -d '" + body + "'", &rc);
  ASSERT_EQ(rc, 0);
  // Every event is "data: <json>\n\n"; the last is [DONE]; the one before has usage only.
  std::vector<std::string> data;
  size_t pos = 0;
  while (pos < out.size()) {
    const size_t end = out.find("\n\n", pos);
    ASSERT_NE(end, std::string::npos) << out.substr(pos);
    const std::string ev = out.substr(pos, end - pos);
    ASSERT_EQ(ev.rfind("data: ", 0), 0u) << ev;
    data.push_back(ev.substr(6));
    pos = end + 2;
  }
  ASSERT_GE(data.size(), 4u);
  EXPECT_EQ(data.back(), "[DONE]");
  const json usage = json::parse(data[data.size() - 2]);
  EXPECT_TRUE(usage["choices"].empty());
  EXPECT_GT(usage["usage"]["prompt_tokens"].get<int>(), 0);
  for (size_t i = 0; i + 2 < data.size(); ++i) {
    const json c = json::parse(data[i]);
    EXPECT_EQ(c["object"], "chat.completion.chunk");
    EXPECT_EQ(c["choices"].size(), 1u);
  }
  EXPECT_FALSE(json::parse(data[data.size() - 3])["choices"][0]["finish_reason"].is_null());
  const std::string err = run_capture("curl -s -o /dev/null -w '%{http_code}' " + server_.base_url() + "/v1/completions -d '{bad'", &rc);
  EXPECT_EQ(err, "400");
}

// A second server on a port in use fails with a clear error instead of sharing the port.
TEST_F(ServeTiny, SecondServerOnTheSamePortFails) {
  std::string why;
  const auto dir = testdata_dir(&why);
  ASSERT_TRUE(dir) << why;
  const CommandResult r = run_ondo("serve -m " + (*dir / "models" / "stories260K.gguf").string() + "=tiny --port " +
                                   std::to_string(server_.port()));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("127.0.0.1:" + std::to_string(server_.port()) + ": cannot listen"), std::string::npos) << r.err;
}

// One streamed request's tokens and logprobs, as the client saw them; on failure empty, and
// *why (when given) says what happened.
std::vector<std::pair<std::string, double>> stream_tokens(int port, int seed, std::string* why = nullptr) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(300, 0);
  const json body = {{"model", "tiny"}, {"prompt", "Once upon a time, there was"}, {"max_tokens", 24}, {"temperature", 0.8},
                     {"seed", seed}, {"stream", true}, {"logprobs", 2}, {"ignore_eos", true}};
  std::vector<std::pair<std::string, double>> out;
  auto r = c.Post("/v1/completions", body.dump(), "application/json");
  if (!r || r->status != 200) {
    if (why) *why = r ? "HTTP " + std::to_string(r->status) + ": " + r->body : "client error " + httplib::to_string(r.error());
    return out;
  }
  size_t pos = 0;
  while ((pos = r->body.find("data: ", pos)) != std::string::npos) {
    const size_t end = r->body.find("\n\n", pos);
    const std::string d = r->body.substr(pos + 6, end - pos - 6);
    pos = end;
    if (d == "[DONE]") break;
    const json c = json::parse(d);
    const json& lp = c["choices"][0]["logprobs"];
    if (lp.is_null()) continue;
    for (size_t i = 0; i < lp["tokens"].size(); ++i) out.emplace_back(lp["tokens"][i], lp["token_logprobs"][i]);
  }
  return out;
}

TEST_F(ServeTiny, SixteenConcurrentStreamsEqualAloneAndMemoryIsFlat) {
  constexpr int kStreams = 16;
  std::vector<std::vector<std::pair<std::string, double>>> alone(kStreams);
  for (int i = 0; i < kStreams; ++i) {
    alone[i] = stream_tokens(server_.port(), 100 + i);
    ASSERT_EQ(alone[i].size(), 24u) << "request " << i << " alone";
  }
  std::vector<long> rss;
  for (int round = 0; round < 4; ++round) {
    std::vector<std::vector<std::pair<std::string, double>>> together(kStreams);
    std::vector<std::string> why(kStreams);
    std::vector<std::thread> threads;
    for (int i = 0; i < kStreams; ++i) {
      threads.emplace_back([&, i] { together[i] = stream_tokens(server_.port(), 100 + i, &why[i]); });
    }
    for (auto& t : threads) t.join();
    for (int i = 0; i < kStreams; ++i) {
      EXPECT_EQ(together[i], alone[i]) << "round " << round << ", stream " << i << ": " << why[i];
    }
    rss.push_back(server_.rss_kib());
  }
  // After the first round has warmed every slot, memory stays flat (within 4 MiB).
  EXPECT_LE(rss.back(), rss[1] + 4096) << "RSS KiB per round: " << rss[0] << " " << rss[1] << " " << rss[2] << " " << rss[3];
}

}  // namespace
}  // namespace ondo::testing
