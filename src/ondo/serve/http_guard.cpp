// EdgeServer: admission (connections in all and per address), the waiting room (one epoll
// thread reading header blocks under HttpLimits and deadlines), and the workers that run one
// request each through httplib. Layer: serve (the HTTP edge; no routes, no scheduler).
//
// A connection is always in exactly one place: `incoming` (handed to the waiting room),
// the waiting room's `parked` set, a ready queue, or a worker (`busy`). Refusals are
// written by the edge itself; after one the connection lingers briefly, reading and
// discarding, so the client sees the answer rather than a reset.
#include "ondo/serve/http_guard.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ondo/serve/http_conn.h"

namespace ondo::serve {
namespace {

using std::chrono::milliseconds;

constexpr int kLingerMs = 1000;                  // reading and discarding after a refusal
constexpr size_t kLingerMaxBytes = size_t(1) << 20;
constexpr int kSweepMs = 50;                      // how often deadlines are checked

thread_local Conn* tl_conn = nullptr;  // the connection the current worker serves

void address_of(const sockaddr_storage& a, std::string& ip, int& port) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.ss_family == AF_INET6) {
    const auto* s6 = reinterpret_cast<const sockaddr_in6*>(&a);
    ::inet_ntop(AF_INET6, &s6->sin6_addr, buf, sizeof buf);
    port = ntohs(s6->sin6_port);
  } else {
    const auto* s4 = reinterpret_cast<const sockaddr_in*>(&a);
    ::inet_ntop(AF_INET, &s4->sin_addr, buf, sizeof buf);
    port = ntohs(s4->sin_port);
  }
  ip = buf;
}

void send_best_effort(int fd, const std::string& bytes) {
  ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

}  // namespace

struct EdgeServer::Impl {
  Impl(EdgeServer& s, EdgeOptions o) : server(s), opt(std::move(o)) {}

  EdgeServer& server;
  const EdgeOptions opt;
  int ep = -1;    // epoll of the waiting room
  int wake = -1;  // eventfd: incoming connections, drain, stop
  std::thread room;
  std::vector<std::thread> workers;
  std::atomic<bool> stopping{false};
  std::atomic<bool> draining{false};
  std::atomic<bool> joined{false};

  mutable std::mutex mu;  // guards everything below but `parked`
  std::condition_variable work_cv;   // general workers
  std::condition_variable light_cv;  // the reserved /health worker
  std::unordered_map<Conn*, std::unique_ptr<Conn>> conns;
  std::unordered_map<std::string, int> per_address;
  std::vector<Conn*> incoming;
  std::deque<Conn*> light_queue, queue;
  std::unordered_set<Conn*> busy;
  std::unordered_set<Conn*> parked;  // the waiting room thread only

  void start();
  void admit(int fd);
  void wake_room();
  void close_conn(Conn* c);
  void room_loop();
  void adopt();
  void on_readable(Conn* c);
  void advance(Conn* c);
  void refuse(Conn* c, EdgeRefusal why, const std::string& message);
  // The answer to a refusal, recorded through opt.on_refusal.
  std::string refusal_response(EdgeRefusal why, const std::string& message) const;
  void unpark(Conn* c);
  void sweep();
  void dispatch(Conn* c);
  void worker_loop(bool reserved);
  void serve(Conn* c);
};

void EdgeServer::Impl::start() {
  ep = ::epoll_create1(EPOLL_CLOEXEC);
  wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;  // the wake fd
  ::epoll_ctl(ep, EPOLL_CTL_ADD, wake, &ev);
  room = std::thread([this] { room_loop(); });
  for (int i = 0; i < std::max(1, opt.workers); ++i) workers.emplace_back([this] { worker_loop(false); });
  workers.emplace_back([this] { worker_loop(true); });
}

// Requires: mu held (so `wake` is not closed meanwhile by shutdown_connections()).
void EdgeServer::Impl::wake_room() {
  const uint64_t one = 1;
  if (wake >= 0) (void)!::write(wake, &one, sizeof one);
}

void EdgeServer::Impl::admit(int fd) {
  auto c = std::make_unique<Conn>();
  c->fd = fd;
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) address_of(a, c->peer_ip, c->peer_port);
  len = sizeof a;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) address_of(a, c->local_ip, c->local_port);
  std::optional<EdgeRefusal> refusal;
  std::string why;
  {
    std::lock_guard<std::mutex> lock(mu);
    const int cap = opt.limits.max_connections_per_address;
    if (stopping) {
      refusal = EdgeRefusal::TooManyConnections;
      why = "server: shutting down";
    } else if (int(conns.size()) >= opt.limits.max_connections) {
      refusal = EdgeRefusal::TooManyConnections;
      why = "server: " + std::to_string(opt.limits.max_connections) + " connections are open, the most it holds";
    } else if (cap > 0 && per_address[c->peer_ip] >= cap) {
      refusal = EdgeRefusal::TooManyFromAddress;
      why = "connection: " + std::to_string(cap) + " connections from " + c->peer_ip + " are open, the most per address";
    } else {
      ++per_address[c->peer_ip];
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
      c->deadline = EdgeClock::now() + milliseconds(opt.limits.first_byte_timeout_ms);
      incoming.push_back(c.get());
      conns.emplace(c.get(), std::move(c));
      wake_room();
    }
  }
  if (refusal) {
    send_best_effort(fd, refusal_response(*refusal, why));
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
  }
}

void EdgeServer::Impl::close_conn(Conn* c) {
  std::lock_guard<std::mutex> lock(mu);
  auto it = per_address.find(c->peer_ip);
  if (it != per_address.end() && --it->second <= 0) per_address.erase(it);
  ::close(c->fd);
  conns.erase(c);
}

void EdgeServer::Impl::room_loop() {
  epoll_event events[128];
  auto last_sweep = EdgeClock::now();
  while (!stopping) {
    const int n = ::epoll_wait(ep, events, 128, kSweepMs);
    for (int i = 0; i < n; ++i) {
      Conn* c = static_cast<Conn*>(events[i].data.ptr);
      if (c == nullptr) {
        uint64_t count = 0;
        (void)!::read(wake, &count, sizeof count);
        adopt();
      } else if (parked.count(c)) {
        on_readable(c);
      }
    }
    if (EdgeClock::now() - last_sweep >= milliseconds(kSweepMs)) {
      sweep();
      last_sweep = EdgeClock::now();
    }
  }
  adopt();
  for (Conn* c : std::vector<Conn*>(parked.begin(), parked.end())) {
    unpark(c);
    close_conn(c);
  }
}

void EdgeServer::Impl::adopt() {
  std::vector<Conn*> fresh;
  {
    std::lock_guard<std::mutex> lock(mu);
    fresh.swap(incoming);
  }
  for (Conn* c : fresh) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = c;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    parked.insert(c);
    if (!c->buf.empty()) advance(c);  // a pipelined request may be complete already
  }
}

void EdgeServer::Impl::unpark(Conn* c) {
  ::epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, nullptr);
  parked.erase(c);
}

void EdgeServer::Impl::on_readable(Conn* c) {
  char tmp[16384];
  if (c->phase == Conn::Phase::Linger) {
    const ssize_t n = ::recv(c->fd, tmp, sizeof tmp, MSG_DONTWAIT);
    if (n > 0) c->linger_bytes += size_t(n);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) || c->linger_bytes > kLingerMaxBytes) {
      unpark(c);
      close_conn(c);
    }
    return;
  }
  const HttpLimits& lim = opt.limits;
  const size_t cap = lim.max_request_line + lim.max_header_bytes + lim.prebuffer_body_bytes + 4096;
  const size_t room_left = cap > c->buf.size() ? cap - c->buf.size() : 0;
  const ssize_t n = room_left == 0 ? -1 : ::recv(c->fd, tmp, std::min(sizeof tmp, room_left), MSG_DONTWAIT);
  if (n < 0 && room_left > 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {  // the client left (or sent more than a request head can hold)
    unpark(c);
    close_conn(c);
    return;
  }
  c->buf.append(tmp, size_t(n));
  advance(c);
}

void EdgeServer::Impl::advance(Conn* c) {
  if (c->phase == Conn::Phase::Idle) {
    c->phase = Conn::Phase::Header;
    c->deadline = EdgeClock::now() + milliseconds(opt.limits.header_timeout_ms);
  }
  HeaderScan& s = c->scan;
  scan_request_head(c->buf, s, opt.limits);
  if (s.state == HeaderScan::State::Incomplete) return;
  if (s.state == HeaderScan::State::Refused) return refuse(c, s.refusal, s.message);
  if (s.content_length > int64_t(opt.max_body_bytes)) {
    return refuse(c, EdgeRefusal::BodyTooLarge,
                  "request body: " + std::to_string(s.content_length) + " bytes, larger than the server's limit of " +
                      std::to_string(opt.max_body_bytes) + " (--max-body)");
  }
  c->frame_bodyless_request();
  size_t need = 0;  // body bytes to have before a worker takes the request
  if (!s.chunked && !s.expect_continue && s.content_length > 0) {
    need = std::min(size_t(s.content_length), opt.limits.prebuffer_body_bytes);
  }
  if (c->buf.size() - s.header_end < need) return;
  unpark(c);
  dispatch(c);
}

std::string EdgeServer::Impl::refusal_response(EdgeRefusal why, const std::string& message) const {
  const std::string id = opt.on_refusal ? opt.on_refusal(edge_error(why, message).status) : std::string();
  return edge_response(why, message, id);
}

void EdgeServer::Impl::refuse(Conn* c, EdgeRefusal why, const std::string& message) {
  send_best_effort(c->fd, refusal_response(why, message));
  ::shutdown(c->fd, SHUT_WR);
  c->phase = Conn::Phase::Linger;
  c->deadline = EdgeClock::now() + milliseconds(kLingerMs);
  c->buf.clear();
  c->buf.shrink_to_fit();
}

void EdgeServer::Impl::sweep() {
  const auto now = EdgeClock::now();
  std::vector<Conn*> due;
  for (Conn* c : parked) {
    if (now >= c->deadline || (draining && c->phase == Conn::Phase::Idle)) due.push_back(c);
  }
  for (Conn* c : due) {
    if (c->phase == Conn::Phase::Header) {
      refuse(c, EdgeRefusal::Timeout,
             "request headers: not complete within " + std::to_string(opt.limits.header_timeout_ms) + " ms");
      continue;
    }
    if (c->phase == Conn::Phase::Idle && !c->served_one && !draining) {
      send_best_effort(c->fd, refusal_response(EdgeRefusal::Timeout,
                                            "connection: no request within " +
                                                std::to_string(opt.limits.first_byte_timeout_ms) + " ms"));
    }
    unpark(c);  // lingered long enough, idle keep-alive over, or draining
    close_conn(c);
  }
}

void EdgeServer::Impl::dispatch(Conn* c) {
  {
    std::lock_guard<std::mutex> lock(mu);
    (c->scan.light ? light_queue : queue).push_back(c);
    busy.insert(c);
  }
  if (c->scan.light) light_cv.notify_one();
  work_cv.notify_one();
}

void EdgeServer::Impl::worker_loop(bool reserved) {
  for (;;) {
    Conn* c = nullptr;
    {
      std::unique_lock<std::mutex> lock(mu);
      auto ready = [&] { return stopping || !light_queue.empty() || (!reserved && !queue.empty()); };
      (reserved ? light_cv : work_cv).wait(lock, ready);
      if (stopping) return;
      std::deque<Conn*>& q = !light_queue.empty() ? light_queue : queue;
      c = q.front();
      q.pop_front();
    }
    serve(c);
  }
}

void EdgeServer::Impl::serve(Conn* c) {
  const HttpLimits& lim = opt.limits;
  const bool close_after = draining || stopping || c->scan.chunked;
  bool closed = false;
  bool ok = false;
  tl_conn = c;
  {
    ConnStream strm(*c, EdgeClock::now() + milliseconds(lim.body_timeout_ms), milliseconds(lim.write_timeout_ms),
                    opt.max_body_bytes);
    ok = server.process_request(strm, close_after, closed, nullptr);
  }
  tl_conn = nullptr;
  const size_t read = c->dropped + c->pos;
  const bool body_left = c->scan.content_length > 0 && read < c->scan.header_end + size_t(c->scan.content_length);
  const bool keep = ok && !closed && !close_after && !body_left && c->refusal == BodyRefusal::None && !draining;
  {
    std::lock_guard<std::mutex> lock(mu);
    busy.erase(c);
  }
  if (!keep || stopping) return close_conn(c);
  c->next_request();
  c->served_one = true;
  c->phase = Conn::Phase::Idle;
  c->deadline = EdgeClock::now() + std::chrono::seconds(opt.keep_alive_timeout_s);
  std::lock_guard<std::mutex> lock(mu);
  incoming.push_back(c);
  wake_room();
}

EdgeServer::EdgeServer(EdgeOptions options) : impl_(std::make_unique<Impl>(*this, std::move(options))) {
  // httplib's own pool only admits accepted sockets (admit() returns at once).
  new_task_queue = [] { return new httplib::ThreadPool(2); };
  impl_->start();
}

EdgeServer::~EdgeServer() {
  stop();
  shutdown_connections();
}

bool EdgeServer::process_and_close_socket(socket_t sock) {
  impl_->admit(sock);
  return true;
}

void EdgeServer::begin_drain() {
  impl_->draining = true;
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->wake_room();
}

void EdgeServer::shutdown_connections() {
  Impl& m = *impl_;
  if (m.joined.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(m.mu);
    m.stopping = true;
    m.wake_room();
  }
  if (m.room.joinable()) m.room.join();
  {
    std::lock_guard<std::mutex> lock(m.mu);
    for (Conn* c : m.busy) ::shutdown(c->fd, SHUT_RDWR);  // unblocks reads and writes in progress
  }
  m.work_cv.notify_all();
  m.light_cv.notify_all();
  for (auto& t : m.workers) t.join();
  std::vector<Conn*> left;
  {
    std::lock_guard<std::mutex> lock(m.mu);
    for (auto& [p, c] : m.conns) left.push_back(p);
  }
  for (Conn* c : left) m.close_conn(c);
  std::lock_guard<std::mutex> lock(m.mu);
  ::close(m.ep);
  ::close(m.wake);
  m.ep = m.wake = -1;
}

int EdgeServer::open_connections() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return int(impl_->conns.size());
}

bool client_gone() {
  const Conn* c = tl_conn;
  if (c == nullptr) return false;
  pollfd p{c->fd, POLLIN | POLLRDHUP, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  if (p.revents & (POLLERR | POLLHUP | POLLRDHUP | POLLNVAL)) return true;
  char byte;
  return ::recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

BodyRefusal current_body_refusal() { return tl_conn ? tl_conn->refusal : BodyRefusal::None; }

}  // namespace ondo::serve
