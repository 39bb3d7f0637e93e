// `ondo serve` with the TinyStories model (stories260K.gguf from ONDO_TESTDATA): the access log
// on the real process's stderr names each request by its x-request-id and is written after
// the response body, with the token counts the client received in usage.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>
#include <thread>

#include "serve/serve_process.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

using nlohmann::json;

// The access-log line of request `id`, waiting (bounded) until the server has written it.
std::string log_line(const ServeProcess& server, const std::string& id) {
  for (int i = 0; i < 300; ++i) {
    const std::string log = server.log();
    const size_t at = log.find(" id=" + id + " ");
    if (at != std::string::npos) {
      const size_t begin = log.rfind('\n', at) == std::string::npos ? 0 : log.rfind('\n', at) + 1;
      return log.substr(begin, log.find('\n', at) - begin);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return "";
}

int field(const std::string& line, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(line, m, std::regex(" " + name + "=(-?[0-9]+)"))) return -1;
  return std::stoi(m[1]);
}

using AccessLogTiny = TinyServeTest;

TEST_F(AccessLogTiny, StreamIsLoggedWithItsIdAndRealCounts) {
  httplib::Client c("127.0.0.1", server_.port());
  c.set_read_timeout(60, 0);
  const json body = {{"model", "tiny"}, {"prompt", "Once upon a time"}, {"max_tokens", 20}, {"ignore_eos", true},
                     {"stream", true}, {"stream_options", {{"include_usage", true}}}};
  auto r = c.Post("/v1/completions", body.dump(), "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string id = r->get_header_value("x-request-id");
  ASSERT_TRUE(std::regex_match(id, std::regex("req_[0-9a-f]{32}"))) << id;
  const size_t usage_at = r->body.rfind("data: {");
  ASSERT_NE(usage_at, std::string::npos);
  const json usage = json::parse(r->body.substr(usage_at + 6, r->body.find("\n\n", usage_at) - usage_at - 6))["usage"];
  const std::string line = log_line(server_, id);
  ASSERT_FALSE(line.empty()) << server_.log();
  EXPECT_NE(line.find("POST /v1/completions 200 "), std::string::npos) << line;
  EXPECT_NE(line.find(" model=tiny stream=1 finish=length "), std::string::npos) << line;
  EXPECT_EQ(field(line, "completion_tokens"), 20) << line;
  EXPECT_EQ(field(line, "completion_tokens"), usage["completion_tokens"].get<int>()) << line;
  EXPECT_EQ(field(line, "prompt_tokens"), usage["prompt_tokens"].get<int>()) << line;
  EXPECT_NE(line.find(" caller=local "), std::string::npos) << line;
}

TEST_F(AccessLogTiny, ErrorsAndOtherRoutesAreLoggedByIdToo) {
  httplib::Client c("127.0.0.1", server_.port());
  auto bad = c.Post("/v1/chat/completions", R"({"model":"tiny","messages":[{"role":"user","content":3}]})", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body)["error"]["param"], "messages[0].content");
  const std::string bad_line = log_line(server_, bad->get_header_value("x-request-id"));
  EXPECT_NE(bad_line.find("POST /v1/chat/completions 400 "), std::string::npos) << server_.log();
  EXPECT_NE(bad_line.find(" finish=- "), std::string::npos) << bad_line;
  auto model = c.Get("/v1/models/tiny");
  ASSERT_TRUE(model);
  const std::string model_line = log_line(server_, model->get_header_value("x-request-id"));
  EXPECT_NE(model_line.find("GET /v1/models/{model} 200 "), std::string::npos) << server_.log();
}

}  // namespace
}  // namespace ondo::testing
