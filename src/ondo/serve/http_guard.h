// The HTTP edge of `ondo serve`: an httplib::Server whose connections wait in one epoll
// thread (an idle or slow client holds no HTTP thread) until a request's header block, and a
// small body, is in; then a worker serves that one request through httplib's
// process_request and the connection goes back to wait. GET /health has a reserved worker.
// Enforces HttpLimits and answers its refusals itself (400/408/413/414/429/431/503, OpenAI
// error bodies). Layer: serve. Must not touch routes or the scheduler.
// Thread contract: begin_drain() and shutdown_connections() may be called from any thread;
// client_gone() and current_body_refusal() describe the request of the calling worker thread.
#pragma once

#include <httplib.h>

#include <functional>
#include <memory>

#include "ondo/serve/http_limits.h"

namespace ondo::serve {

struct EdgeOptions {
  HttpLimits limits;
  size_t max_body_bytes = size_t(8) << 20;
  int keep_alive_timeout_s = 75;  // idle time between requests on one connection
  int workers = 64;               // requests served at once (plus one reserved for /health)
  // Called on the edge's thread for each refusal it answers itself (status 408, 413, 414,
  // 429, 431, 503, 400), before the answer is written; returns the request id the answer
  // carries (empty: none). Must not block.
  std::function<std::string(int status)> on_refusal;
};

class EdgeServer final : public httplib::Server {
 public:
  explicit EdgeServer(EdgeOptions options);
  ~EdgeServer() override;
  EdgeServer(const EdgeServer&) = delete;
  EdgeServer& operator=(const EdgeServer&) = delete;

  // From now on idle connections are closed and every response closes its connection.
  void begin_drain();
  // Closes every connection (cutting requests still running) and joins the edge's threads.
  // Call after httplib's stop(); idempotent. The destructor calls it.
  void shutdown_connections();
  // Connections open now (waiting, queued or being served).
  int open_connections() const;

  struct Impl;

 private:
  bool process_and_close_socket(socket_t sock) override;
  std::unique_ptr<Impl> impl_;
};

// On an edge worker thread: whether the client of the request being handled has closed or
// reset its connection (a client that half-closes after sending counts as gone). False on
// any other thread.
bool client_gone();

// On an edge worker thread: why the edge stopped reading the current request's body.
BodyRefusal current_body_refusal();

}  // namespace ondo::serve
