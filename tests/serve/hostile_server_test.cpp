// Hostile clients against a real `ondo serve` (stories260K from ONDO_TESTDATA): deep and wide
// JSON in every part of a request, numbers out of range, chunked and form-labelled bodies,
// oversized request lines and header blocks, hundreds of idle and slow-header connections,
// the per-address connection cap. Every attack must get a 4xx in OpenAI's error shape while
// the server stays up and /health keeps answering (its latency is printed; only generous
// sanity bounds are asserted). All attack bodies are generated here.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "serve/serve_process.h"

namespace ondo::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends everything (false when the peer stopped taking bytes).
bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(size_t(n));
  }
  return true;
}

struct RawResponse {
  int status = 0;  // 0: no response
  std::string head;
  std::string body;
};

// Reads one response (headers, then Content-Length bytes) within `timeout_ms`.
RawResponse read_response(int fd, int timeout_ms = 10000) {
  std::string raw;
  const auto until = Clock::now() + std::chrono::milliseconds(timeout_ms);
  RawResponse r;
  for (;;) {
    const size_t end = raw.find("\r\n\r\n");
    if (end != std::string::npos) {
      const size_t cl = raw.find("Content-Length: ");
      const size_t want = cl == std::string::npos || cl > end ? 0 : std::stoul(raw.substr(cl + 16));
      if (raw.size() >= end + 4 + want) {
        r.head = raw.substr(0, end);
        r.body = raw.substr(end + 4, want);
        r.status = std::atoi(raw.c_str() + 9);
        return r;
      }
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) return r;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, int(left)) <= 0) return r;
    char buf[65536];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return r;
    raw.append(buf, size_t(n));
  }
}

// One request on a fresh connection.
RawResponse exchange(int port, const std::string& request) {
  const int fd = connect_to(port);
  if (fd < 0) return {};
  send_all(fd, request);
  RawResponse r = read_response(fd);
  ::close(fd);
  return r;
}

std::string post(const std::string& path, const std::string& body, const std::string& type = "application/json") {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// The response is `status` with an OpenAI error body whose message contains `text`.
void expect_error(const RawResponse& r, int status, const std::string& text, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(r.status, status) << r.head << "\n" << r.body.substr(0, 300);
  const json j = json::parse(r.body, nullptr, false);
  ASSERT_TRUE(j.is_object() && j.contains("error")) << r.body.substr(0, 300);
  const json& e = j["error"];
  EXPECT_TRUE(e.contains("message") && e.contains("type") && e.contains("param") && e.contains("code")) << e.dump();
  EXPECT_NE(e.value("message", "").find(text), std::string::npos) << e.dump();
}

std::string nested(int depth, const std::string& open, const std::string& close, const std::string& core = "") {
  std::string s;
  s.reserve(size_t(depth) * (open.size() + close.size()) + core.size());
  for (int i = 0; i < depth; ++i) s += open;
  s += core;
  for (int i = 0; i < depth; ++i) s += close;
  return s;
}

const std::string kMessages = R"("messages":[{"role":"user","content":"Hi"}])";

class Hostile : public ::testing::Test {
 protected:
  void start(std::vector<std::string> extra = {}) {
    std::string why;
    auto dir = testdata_dir(&why);
    if (!dir || !std::filesystem::exists(*dir / "models" / "stories260K.gguf")) {
      if (testdata_required()) FAIL() << "stories260K.gguf missing: " << why;
      GTEST_SKIP() << "stories260K.gguf not found in the test data (" << why << ")";
    }
    std::vector<std::string> args = {"-m", (*dir / "models" / "stories260K.gguf").string() + "=tiny", "-t", "1",
                                     "--parallel", "4", "--ctx", "256"};
    args.insert(args.end(), extra.begin(), extra.end());
    ASSERT_TRUE(server_.start(args)) << server_.log();
  }
  void TearDown() override {
    if (server_.pid() > 0) EXPECT_EQ(server_.stop(), 0) << server_.log().substr(0, 4000);
  }
  // /health's latency in ms (-1 when it did not answer 200).
  double health_ms() const {
    httplib::Client c("127.0.0.1", server_.port());
    c.set_connection_timeout(10, 0);
    c.set_read_timeout(10, 0);
    const auto t0 = Clock::now();
    auto r = c.Get("/health");
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    return r && r->status == 200 ? ms : -1.0;
  }
  void expect_healthy(const std::string& after) {
    const double ms = health_ms();
    std::printf("[ hostile ] /health after %s: %.1f ms\n", after.c_str(), ms);
    EXPECT_GE(ms, 0.0) << "/health did not answer 200 after " << after << "\n" << server_.log().substr(0, 4000);
    EXPECT_LT(ms, 5000.0) << "sanity bound";
  }
  ServeProcess server_;
};

TEST_F(Hostile, DeepNestingAnywhereIs400) {
  start();
  const int d = 100000;  // ~200-600 KB bodies; stack overflows were seen at 60-80 k levels
  const std::string deep_obj = nested(d, R"({"a":)", "}", "1");
  const std::string deep_arr = nested(d, "[", "]");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"schema", "{\"model\":\"tiny\"," + kMessages +
                     R"(,"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":)" + deep_obj + "}}}"},
      {"tool parameters", "{\"model\":\"tiny\"," + kMessages +
                              R"(,"tools":[{"type":"function","function":{"name":"f","parameters":)" + deep_obj + "}}]}"},
      {"extra key on a message", R"({"model":"tiny","messages":[{"role":"user","content":"Hi","extra":)" + deep_arr + "}]}"},
      {"tool-call arguments as an object",
       R"({"model":"tiny","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":)" +
           deep_obj + "}}]}]}"},
      {"tool-call arguments as a string",
       R"({"model":"tiny","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":")" +
           deep_arr + "\"}}]}]}"},
      {"top-level array", deep_arr},
  };
  for (const auto& [what, body] : cases) {
    expect_error(exchange(server_.port(), post("/v1/chat/completions", body)), 400, "nested deeper than 64 levels", what);
    expect_healthy(what);
  }
  expect_error(exchange(server_.port(), post("/v1/completions", R"({"model":"tiny","prompt":"a","x":)" + deep_arr + "}")),
               400, "nested deeper than 64 levels", "completions extra key");
  expect_healthy("completions extra key");
  // Just inside the limit is an ordinary request: the body is depth 1, so 63 more levels.
  const std::string ok = R"({"model":"tiny","max_tokens":2,"prompt":"a","x":)" + nested(63, "[", "]") + "}";
  EXPECT_EQ(exchange(server_.port(), post("/v1/completions", ok)).status, 200);
}

TEST_F(Hostile, WideJsonIsRefusedInLinearTime) {
  start();
  auto timed = [&](const std::string& what, const std::string& body, const std::string& text) {
    const auto t0 = Clock::now();
    expect_error(exchange(server_.port(), post("/v1/chat/completions", body)), 400, text, what);
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("[ hostile ] %s (%zu KB): answered in %.2f s\n", what.c_str(), body.size() >> 10, s);
    EXPECT_LT(s, 30.0) << "sanity bound";
    expect_healthy(what);
  };
  std::string keys = "{";
  for (int i = 0; i < 200000; ++i) keys += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
  timed("200k keys", "{\"model\":\"tiny\"," + kMessages + ",\"x\":" + keys + "}}", "more than 100000 object keys");
  std::string values = "[0";
  for (int i = 0; i < 2100000; ++i) values += ",0";
  timed("2.1M values", "{\"model\":\"tiny\"," + kMessages + ",\"x\":" + values + "]}", "more than 2000000 JSON values");
  // Within the limits: keys after a deep child (quadratic copies before); refused for the model.
  std::string after = "{\"deep\":" + nested(60, "{\"a\":", "}", "1");
  for (int i = 0; i < 90000; ++i) after += ",\"k" + std::to_string(i) + "\":{}";
  timed("90k keys after a deep child", "{" + kMessages + ",\"x\":" + after + "}}", "model: missing");
}

TEST_F(Hostile, IntegersOutOfRangeAre400) {
  start();
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"seed", "9223372036854775808.0", "out of range"},
      {"seed", "-1e300", "out of range"},
      {"seed", "18446744073709551616", "out of range"},
      {"max_tokens", "1e19", "out of range"},
      {"top_k", "18446744073709551615", "out of range"},
      {"top_logprobs", "4294967297", "out of range"},
      {"max_tokens", "2.5", "expected an integer"},
  };
  for (const auto& [field, value, text] : cases) {
    const std::string body = "{\"model\":\"tiny\"," + kMessages + ",\"logprobs\":true,\"" + field + "\":" + value + "}";
    const RawResponse r = exchange(server_.port(), post("/v1/chat/completions", body));
    expect_error(r, 400, text, field + "=" + value);
    EXPECT_EQ(json::parse(r.body, nullptr, false)["error"]["param"], field);
  }
  expect_error(exchange(server_.port(), post("/v1/completions", R"({"model":"tiny","prompt":[4294967296]})")), 400,
               "out of range", "token id");
  expect_healthy("numbers");
}

TEST_F(Hostile, BodyLimitsHoldForChunkedAndFormBodies) {
  start({"--max-body", "1"});
  const long rss0 = server_.rss_kib();
  // A chunked body far over --max-body: refused after ~1 MiB, never buffered whole.
  const int fd = connect_to(server_.port());
  ASSERT_GE(fd, 0);
  std::atomic<size_t> sent{0};
  std::thread sender([&] {
    std::string head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n";
    if (!send_all(fd, head)) return;
    const std::string chunk = "10000\r\n" + std::string(0x10000, ' ') + "\r\n";
    for (int i = 0; i < 1024 && send_all(fd, chunk); ++i) sent += chunk.size();  // up to 64 MiB
  });
  const RawResponse r = read_response(fd, 30000);
  ::shutdown(fd, SHUT_RDWR);
  sender.join();
  ::close(fd);
  expect_error(r, 413, "--max-body", "chunked body");
  std::printf("[ hostile ] chunked: %zu KB sent, server RSS %ld -> %ld KiB\n", sent.load() >> 10, rss0, server_.rss_kib());
  EXPECT_LT(server_.rss_kib(), rss0 + 32 * 1024) << "sanity bound: the body was not buffered";
  // A declared length over the limit is refused before any body byte is read.
  expect_error(exchange(server_.port(), "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 524288000\r\n\r\n"),
               413, "--max-body", "Content-Length 500 MB");
  // JSON labelled as a form (curl -d) is not capped at httplib's 8 KB form limit.
  const std::string padded = "{\"model\":\"tiny\"," + kMessages + ",\"max_tokens\":2,\"pad\":\"" + std::string(20000, 'x') + "\"}";
  EXPECT_EQ(exchange(server_.port(), post("/v1/chat/completions", padded, "application/x-www-form-urlencoded")).status, 200);
  expect_healthy("body limits");
}

TEST_F(Hostile, PostWithoutLengthHasAnEmptyBody) {
  start();
  // No Content-Length and no Transfer-Encoding: an empty body (RFC 9112 6.3), answered at once,
  // not after the body timeout; the connection stays usable.
  const int fd = connect_to(server_.port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd, "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  const RawResponse first = read_response(fd, 5000);
  EXPECT_EQ(first.status, 400) << first.head << "\n" << first.body;
  ASSERT_TRUE(send_all(fd, "POST /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  const RawResponse second = read_response(fd, 5000);
  EXPECT_EQ(second.status, 405) << second.head;
  ASSERT_TRUE(send_all(fd, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  EXPECT_EQ(read_response(fd, 5000).status, 200);
  ::close(fd);
}

TEST_F(Hostile, OversizedRequestLineAndHeadersAreRefused) {
  start();
  expect_error(exchange(server_.port(), "GET /" + std::string(1 << 20, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n"), 414,
               "request line", "1 MiB request line");
  std::string many = "GET /health HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 150; ++i) many += "X-" + std::to_string(i) + ": y\r\n";
  expect_error(exchange(server_.port(), many + "\r\n"), 431, "header lines", "150 header lines");
  expect_error(exchange(server_.port(), "GET /health HTTP/1.1\r\nX-Big: " + std::string(100000, 'b') + "\r\n\r\n"), 431,
               "bytes", "one 100 KB header");
  // 64 MiB of headers, sent while the answer is read: refused after the first 32 KiB.
  const int fd = connect_to(server_.port());
  ASSERT_GE(fd, 0);
  std::thread sender([&] {
    std::string lines;
    for (int i = 0; i < 64; ++i) lines += "X-Junk: " + std::string(1000, 'j') + "\r\n";
    if (!send_all(fd, "GET /v1/models HTTP/1.1\r\nHost: x\r\n")) return;
    for (int i = 0; i < 1024 && send_all(fd, lines); ++i) {
    }
  });
  const RawResponse r = read_response(fd, 30000);
  ::shutdown(fd, SHUT_RDWR);
  sender.join();
  ::close(fd);
  expect_error(r, 431, "request headers", "64 MiB of headers");
  expect_healthy("header attacks");
}

// Streams one chat completion; returns whether it ended with [DONE].
bool stream_completes(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(60, 0);
  const std::string body = "{\"model\":\"tiny\"," + kMessages + ",\"max_tokens\":64,\"stream\":true}";
  auto r = c.Post("/v1/chat/completions", body, "application/json");
  return r && r->status == 200 && r->body.find("data: [DONE]") != std::string::npos;
}

TEST_F(Hostile, IdleAndSlowConnectionsDoNotStarveHealthOrStreams) {
  start({"--max-conns-per-ip", "2000", "--header-timeout", "5"});
  std::vector<int> idle;
  for (int i = 0; i < 500; ++i) {
    const int fd = connect_to(server_.port());
    ASSERT_GE(fd, 0) << "connection " << i;
    idle.push_back(fd);
  }
  std::vector<int> slow;
  for (int i = 0; i < 50; ++i) {
    const int fd = connect_to(server_.port());
    ASSERT_GE(fd, 0);
    send_all(fd, "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    slow.push_back(fd);
  }
  std::atomic<bool> stop{false};
  std::thread dripper([&] {  // one header line per second on every slow connection
    for (int k = 0; k < 20 && !stop; ++k) {
      for (int fd : slow) ::send(fd, "X-Slow: 1\r\n", 11, MSG_NOSIGNAL | MSG_DONTWAIT);
      for (int i = 0; i < 10 && !stop; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  bool streamed = false;
  std::thread streamer([&] { streamed = stream_completes(server_.port()); });
  std::vector<double> ms;
  for (int i = 0; i < 15; ++i) {
    ms.push_back(health_ms());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  streamer.join();
  stop = true;  // the slow connections now wait for their header timeout
  dripper.join();
  EXPECT_TRUE(streamed) << "a stream run while 550 connections were held did not complete";
  std::sort(ms.begin(), ms.end());
  std::printf("[ hostile ] /health with 500 idle + 50 slow-header connections held: min %.1f, median %.1f, max %.1f ms\n",
              ms.front(), ms[ms.size() / 2], ms.back());
  for (double m : ms) {
    EXPECT_GE(m, 0.0) << "/health did not answer 200";
    EXPECT_LT(m, 5000.0) << "sanity bound";
  }
  // Past the header timeout every held connection is answered 408 and closed.
  int answered = 0;
  for (int fd : idle) {
    const RawResponse r = read_response(fd, 15000);
    answered += r.status == 408 ? 1 : 0;
    ::close(fd);
  }
  EXPECT_EQ(answered, 500) << "idle connections answered 408";
  answered = 0;
  for (int fd : slow) {
    const RawResponse r = read_response(fd, 15000);
    if (r.status == 408) {
      ++answered;
      expect_error(r, 408, "not complete within", "slow headers");
    }
    ::close(fd);
  }
  EXPECT_EQ(answered, 50) << "slow-header connections answered 408";
  expect_healthy("idle and slow connections");
}

TEST_F(Hostile, ConnectionsPerAddressAreCapped) {
  start({"--max-conns-per-ip", "8"});
  std::vector<int> held;
  for (int i = 0; i < 8; ++i) held.push_back(connect_to(server_.port()));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the server admit them
  const int extra = connect_to(server_.port());
  ASSERT_GE(extra, 0);
  const RawResponse r = read_response(extra, 10000);
  ::close(extra);
  expect_error(r, 429, "connections from 127.0.0.1", "ninth connection");
  EXPECT_NE(r.head.find("Retry-After:"), std::string::npos);
  for (int fd : held) ::close(fd);
  for (int i = 0; i < 100 && health_ms() < 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  expect_healthy("the cap");
}

}  // namespace
}  // namespace ondo::testing
