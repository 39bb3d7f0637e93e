// One client connection at the HTTP edge: its bytes read ahead of cpp-httplib, the scan of a
// request's header block against HttpLimits, and the httplib::Stream that a worker hands to
// httplib (buffered bytes first, then the socket, with deadlines and the body byte cap).
// Layer: serve (internal to the HTTP edge). Not thread-safe: one thread owns a Conn at a time.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "ondo/serve/error_map.h"
#include "ondo/serve/http_limits.h"

namespace ondo::serve {

using EdgeClock = std::chrono::steady_clock;

// Incremental scan of the request at the start of a buffer. Lines end at '\n' (as httplib
// reads them); the header block ends at the first line that is exactly "\r\n".
struct HeaderScan {
  enum class State { Incomplete, Complete, Refused };
  State state = State::Incomplete;
  size_t scanned = 0;        // bytes examined so far
  size_t line_start = 0;
  size_t request_line_end = 0;  // 0 until the request line is complete
  size_t header_lines = 0;
  // Complete:
  size_t header_end = 0;        // bytes of request line + headers + blank line
  int64_t content_length = -1;  // -1: none
  bool chunked = false;
  bool expect_continue = false;
  bool light = false;           // GET /health: served on the reserved lane
  // Refused:
  EdgeRefusal refusal = EdgeRefusal::Malformed;
  std::string message;
};

// Advances `scan` over `buf` (the same buffer, possibly grown since the last call).
void scan_request_head(std::string_view buf, HeaderScan& scan, const HttpLimits& limits);

struct Conn {
  int fd = -1;
  std::string peer_ip;
  int peer_port = 0;
  std::string local_ip;
  int local_port = 0;
  std::string buf;   // bytes read from the socket and not yet consumed by httplib
  size_t pos = 0;    // buf[0, pos) is consumed
  size_t dropped = 0;  // bytes of the current request consumed and dropped from buf before pos
  HeaderScan scan;   // over buf[0, ...) of the current request
  enum class Phase { Idle, Header, Linger } phase = Phase::Idle;
  EdgeClock::time_point deadline;
  bool served_one = false;     // a request has been answered on this connection
  size_t linger_bytes = 0;     // discarded while lingering
  BodyRefusal refusal = BodyRefusal::None;

  // Drops the consumed bytes and resets the scan for the next request.
  void next_request();
  // A complete head with neither Content-Length nor Transfer-Encoding frames a request with no
  // body (RFC 9112 6.3); httplib would read a POST's body until the connection closes, so
  // "Content-Length: 0" is added to the head it reads.
  void frame_bodyless_request();
};

// The stream httplib reads one request from and writes its response to.
class ConnStream final : public httplib::Stream {
 public:
  // Reads stop at `read_deadline` (BodyRefusal::Timeout); body bytes (after the header block)
  // beyond `max_body` stop with BodyRefusal::TooLarge. Writes give up after `write_timeout`
  // without progress.
  ConnStream(Conn& conn, EdgeClock::time_point read_deadline, std::chrono::milliseconds write_timeout, size_t max_body);

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override;

  // Bytes of this request consumed so far (header block included).
  size_t consumed() const { return conn_.pos; }

 private:
  bool fill();  // reads more bytes into conn_.buf; false on EOF, error or deadline
  Conn& conn_;
  EdgeClock::time_point read_deadline_;
  std::chrono::milliseconds write_timeout_;
  size_t max_body_;
};

// A complete HTTP/1.1 response carrying an OpenAI-shaped error body, with Connection: close.
std::string edge_response(EdgeRefusal why, const std::string& message, const std::string& request_id = {});

}  // namespace ondo::serve
