// Header-block scan, the per-connection stream handed to cpp-httplib, and the raw error
// responses of the HTTP edge. Layer: serve (internal to the HTTP edge).
#include "ondo/serve/http_conn.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace ondo::serve {
namespace {

void refuse(HeaderScan& s, EdgeRefusal why, std::string message) {
  s.state = HeaderScan::State::Refused;
  s.refusal = why;
  s.message = std::move(message);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower((unsigned char)a[i]) != std::tolower((unsigned char)b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) v.remove_suffix(1);
  return v;
}

// One header line: the framing headers the edge must understand before httplib does.
void note_header(std::string_view line, HeaderScan& s) {
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return;  // httplib skips it too
  const std::string_view name = trim(line.substr(0, colon));
  const std::string_view value = trim(line.substr(colon + 1));
  if (iequals(name, "Content-Length")) {
    const bool digits = !value.empty() && value.size() <= 18 &&
                        std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) return refuse(s, EdgeRefusal::Malformed, "Content-Length: not a decimal length");
    const int64_t n = std::stoll(std::string(value));
    if (s.content_length >= 0 && s.content_length != n) {
      return refuse(s, EdgeRefusal::Malformed, "Content-Length: given twice with different values");
    }
    s.content_length = n;
  } else if (iequals(name, "Transfer-Encoding")) {
    s.chunked = true;  // any transfer coding: the body has no length known in advance
  } else if (iequals(name, "Expect")) {
    s.expect_continue = true;
  }
}

// The header block is complete: check its size and read its framing headers.
void finish_head(std::string_view buf, HeaderScan& s, const HttpLimits& lim) {
  s.state = HeaderScan::State::Complete;
  if (s.header_end - s.request_line_end > lim.max_header_bytes + 2) {
    return refuse(s, EdgeRefusal::HeadersTooLarge,
                  "request headers: more than " + std::to_string(lim.max_header_bytes) + " bytes");
  }
  size_t start = s.request_line_end;
  while (start + 2 < s.header_end && s.state == HeaderScan::State::Complete) {
    const size_t end = buf.find('\n', start);
    note_header(buf.substr(start, end - start), s);
    start = end + 1;
  }
  if (s.state != HeaderScan::State::Complete) return;
  if (s.chunked && s.content_length >= 0) {
    return refuse(s, EdgeRefusal::Malformed, "request headers: both Transfer-Encoding and Content-Length");
  }
  const std::string_view line = buf.substr(0, s.request_line_end);
  s.light = line.rfind("GET /health ", 0) == 0 || line.rfind("GET /health?", 0) == 0;
}

}  // namespace

void scan_request_head(std::string_view buf, HeaderScan& s, const HttpLimits& lim) {
  if (s.state != HeaderScan::State::Incomplete) return;
  for (size_t i = s.scanned; i < buf.size(); ++i) {
    if (buf[i] != '\n') continue;
    const size_t len = i + 1 - s.line_start;
    if (s.request_line_end == 0) {
      if (len > lim.max_request_line) {
        return refuse(s, EdgeRefusal::RequestLineTooLong,
                      "request line: longer than " + std::to_string(lim.max_request_line) + " bytes");
      }
      s.request_line_end = i + 1;
    } else if (len == 2 && buf[i - 1] == '\r') {
      s.header_end = i + 1;
      s.scanned = i + 1;
      return finish_head(buf, s, lim);
    } else if (++s.header_lines > lim.max_header_count) {
      return refuse(s, EdgeRefusal::HeadersTooLarge,
                    "request headers: more than " + std::to_string(lim.max_header_count) + " header lines");
    }
    s.line_start = i + 1;
  }
  s.scanned = buf.size();
  if (s.request_line_end == 0 && buf.size() > lim.max_request_line) {
    return refuse(s, EdgeRefusal::RequestLineTooLong,
                  "request line: longer than " + std::to_string(lim.max_request_line) + " bytes");
  }
  if (s.request_line_end != 0 && buf.size() - s.request_line_end > lim.max_header_bytes + 2) {
    return refuse(s, EdgeRefusal::HeadersTooLarge,
                  "request headers: more than " + std::to_string(lim.max_header_bytes) + " bytes");
  }
}

void Conn::next_request() {
  buf.erase(0, pos);
  pos = 0;
  dropped = 0;
  scan = HeaderScan{};
  refusal = BodyRefusal::None;
}

void Conn::frame_bodyless_request() {
  if (scan.state != HeaderScan::State::Complete || scan.chunked || scan.content_length >= 0) return;
  constexpr std::string_view kEmpty = "Content-Length: 0\r\n";
  buf.insert(scan.header_end - 2, kEmpty);  // before the blank line that ends the head
  scan.header_end += kEmpty.size();
  scan.scanned += kEmpty.size();
  scan.content_length = 0;
}

ConnStream::ConnStream(Conn& conn, EdgeClock::time_point read_deadline, std::chrono::milliseconds write_timeout,
                       size_t max_body)
    : conn_(conn), read_deadline_(read_deadline), write_timeout_(write_timeout), max_body_(max_body) {}

bool ConnStream::is_readable() const {
  if (conn_.pos < conn_.buf.size()) return true;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(read_deadline_ - EdgeClock::now()).count();
  if (left <= 0) return false;
  pollfd p{conn_.fd, POLLIN, 0};
  return ::poll(&p, 1, int(std::min<int64_t>(left, 1 << 30))) > 0;
}

bool ConnStream::is_writable() const {
  pollfd p{conn_.fd, POLLOUT, 0};
  const int r = ::poll(&p, 1, int(write_timeout_.count()));
  return r > 0 && (p.revents & (POLLERR | POLLHUP)) == 0;
}

bool ConnStream::fill() {
  if (conn_.pos == conn_.buf.size()) {  // keep the buffer small while a body streams through
    conn_.dropped += conn_.pos;
    conn_.buf.clear();
    conn_.pos = 0;
  }
  char tmp[16384];
  for (;;) {
    const ssize_t n = ::recv(conn_.fd, tmp, sizeof tmp, MSG_DONTWAIT);
    if (n > 0) {
      conn_.buf.append(tmp, size_t(n));
      return true;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(read_deadline_ - EdgeClock::now()).count();
    if (left <= 0) {
      conn_.refusal = BodyRefusal::Timeout;
      return false;
    }
    pollfd p{conn_.fd, POLLIN, 0};
    ::poll(&p, 1, int(std::min<int64_t>(left, 1000)));
  }
}

ssize_t ConnStream::read(char* ptr, size_t size) {
  if (conn_.pos >= conn_.buf.size() && !fill()) return conn_.refusal == BodyRefusal::None ? 0 : -1;
  size_t n = std::min(size, conn_.buf.size() - conn_.pos);
  const size_t limit = conn_.scan.header_end + max_body_;  // request bytes httplib may read
  const size_t at = conn_.dropped + conn_.pos;
  if (at + n > limit) {
    if (at >= limit) {
      conn_.refusal = BodyRefusal::TooLarge;
      return -1;
    }
    n = limit - at;
  }
  std::memcpy(ptr, conn_.buf.data() + conn_.pos, n);
  conn_.pos += n;
  return ssize_t(n);
}

ssize_t ConnStream::write(const char* ptr, size_t size) {
  size_t off = 0;
  while (off < size) {
    const ssize_t n = ::send(conn_.fd, ptr + off, size - off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      off += size_t(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return -1;
    pollfd p{conn_.fd, POLLOUT, 0};
    if (::poll(&p, 1, int(write_timeout_.count())) <= 0 || (p.revents & (POLLERR | POLLHUP))) return -1;
  }
  return ssize_t(size);
}

void ConnStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  ip = conn_.peer_ip;
  port = conn_.peer_port;
}

void ConnStream::get_local_ip_and_port(std::string& ip, int& port) const {
  ip = conn_.local_ip;
  port = conn_.local_port;
}

socket_t ConnStream::socket() const { return conn_.fd; }

std::string edge_response(EdgeRefusal why, const std::string& message, const std::string& request_id) {
  const ApiError e = edge_error(why, message);
  const std::string body = error_body(e);
  const char* reason = "Bad Request";
  switch (e.status) {
    case 408: reason = "Request Timeout"; break;
    case 413: reason = "Payload Too Large"; break;
    case 414: reason = "URI Too Long"; break;
    case 429: reason = "Too Many Requests"; break;
    case 431: reason = "Request Header Fields Too Large"; break;
    case 503: reason = "Service Unavailable"; break;
    default: break;
  }
  std::string out = "HTTP/1.1 " + std::to_string(e.status) + " " + reason +
                    "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n";
  if (e.retry_after_s > 0) out += "Retry-After: " + std::to_string(e.retry_after_s) + "\r\n";
  if (!request_id.empty()) out += "x-request-id: " + request_id + "\r\n";
  return out + "\r\n" + body;
}

}  // namespace ondo::serve
