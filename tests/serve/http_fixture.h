// An in-process `ondo serve` Server over a scripted FakeScheduler on a free loopback port,
// and the client helpers the HTTP tests share (bodies, SSE payloads, a client that hangs up
// mid-stream). Test support only.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ondo/serve/server.h"
#include "serve/fake_scheduler.h"

namespace ondo::testing {

struct Fixture {
  // `tweak` may change the options before the server is created.
  explicit Fixture(std::string script_text, std::string key = "", bool publish = true,
                   const std::function<void(serve::ServerOptions&)>& tweak = {})
      : tok(byte_tokenizer()), sched(byte_ids(script_text)) {
    std::signal(SIGPIPE, SIG_IGN);
    serve::ServerOptions o;
    o.port = 0;
    o.api_key = std::move(key);
    o.max_body_bytes = 4096;
    o.access_log = false;
    if (tweak) tweak(o);
    server = serve::Server::create(o).value();
    EXPECT_TRUE(server->start().ok());
    auto t = text::ChatTemplate::parse(*text::builtin_chat_template("chatml"), "chatml");
    EXPECT_TRUE(t.ok());
    serve::ServedModel m;
    m.alias = "fake";
    m.tokenizer = tok.get();
    m.chat_template = std::make_shared<const text::ChatTemplate>(*t);
    m.scheduler = &sched;
    if (publish) server->set_models({m});
    model = m;
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", server->port());
    c.set_read_timeout(30, 0);
    return c;
  }
  httplib::Result post(const std::string& path, const nlohmann::json& body, httplib::Headers h = {}) const {
    return client().Post(path.c_str(), h, body.dump(), "application/json");
  }
  std::unique_ptr<text::Tokenizer> tok;
  FakeScheduler sched;
  std::unique_ptr<serve::Server> server;
  serve::ServedModel model;
};

inline nlohmann::json chat_body(nlohmann::json extra = nlohmann::json::object()) {
  nlohmann::json b = {{"model", "fake"}, {"messages", nlohmann::json::array({{{"role", "user"}, {"content", "hi"}}})}};
  for (auto& [k, v] : extra.items()) b[k] = v;
  return b;
}

// The data: payloads of an SSE body, in order.
inline std::vector<std::string> sse_payloads(const std::string& body) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find("\n\n", pos);
    EXPECT_NE(end, std::string::npos) << "unterminated event";
    if (end == std::string::npos) break;
    const std::string ev = body.substr(pos, end - pos);
    if (ev.rfind("data: ", 0) == 0) out.push_back(ev.substr(6));
    else EXPECT_EQ(ev[0], ':') << ev;
    pos = end + 2;
  }
  return out;
}

// Connects, sends a streaming chat request, reads until the response holds `until` (the
// first bytes when empty), then hangs up.
inline void stream_then_hang_up(int port, const std::string& body, const std::string& until = "") {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string req = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                          "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  ASSERT_EQ(::send(fd, req.data(), req.size(), 0), ssize_t(req.size()));
  std::string got;
  char buf[512];
  do {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    ASSERT_GT(n, 0) << "the server closed before sending " << until;  // headers and the role chunk first
    got.append(buf, size_t(n));
  } while (got.find(until) == std::string::npos);
  ::close(fd);
}

}  // namespace ondo::testing
