// Console sessions and their cookie. Layer: serve.
#include "ondo/serve/console_session.h"

#include <sys/random.h>

#include <cctype>

#include "ondo/core/sha256.h"

namespace ondo::serve {
namespace {

Result<std::string> random_hex(size_t bytes) {
  std::string raw(bytes, '\0');
  size_t got = 0;
  while (got < bytes) {
    const ssize_t n = ::getrandom(raw.data() + got, bytes - got, 0);
    if (n <= 0) return make_error(ErrorCode::Internal, "console session: the system's random source failed");
    got += size_t(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string token_hash(std::string_view token) { return core::to_hex(core::sha256(token)); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower((unsigned char)a[i]) != std::tolower((unsigned char)b[i])) return false;
  }
  return true;
}

}  // namespace

Result<ConsoleSessions::Opened> ConsoleSessions::open(std::string key, std::string caller, int64_t now) {
  ONDO_ASSIGN_OR_RETURN(std::string token, random_hex(32));
  ONDO_ASSIGN_OR_RETURN(std::string csrf, random_hex(32));
  ConsoleSession s{std::move(key), std::move(caller), std::move(csrf), now, now + kSessionLifetimeS};
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {  // expired ones go
    it = it->second.expires_at <= now ? sessions_.erase(it) : std::next(it);
  }
  while (sessions_.size() >= kMaxSessions) {
    auto oldest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second.created_at < oldest->second.created_at) oldest = it;
    }
    sessions_.erase(oldest);
  }
  sessions_[token_hash(token)] = s;
  return Opened{std::move(token), std::move(s)};
}

std::optional<ConsoleSession> ConsoleSessions::find(std::string_view token, int64_t now) {
  if (token.empty()) return std::nullopt;
  const std::string h = token_hash(token);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(h);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.expires_at <= now) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

bool ConsoleSessions::close(std::string_view token) {
  const std::string h = token_hash(token);
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.erase(h) > 0;
}

size_t ConsoleSessions::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t semi = header.find(';');
    const std::string_view pair = trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (trim(pair.substr(0, eq)) != name) continue;
    std::string_view v = trim(pair.substr(eq + 1));
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return v;
  }
  return std::nullopt;
}

std::string session_cookie(std::string_view token, bool secure) {
  std::string c = std::string(kSessionCookie) + "=" + std::string(token) +
                  "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(kSessionLifetimeS);
  if (secure) c += "; Secure";
  return c;
}

std::string cleared_session_cookie(bool secure) {
  std::string c = std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
  if (secure) c += "; Secure";
  return c;
}

bool request_is_https(std::string_view forwarded_proto, std::string_view origin) {
  const size_t comma = forwarded_proto.find(',');  // a proxy chain: the first hop is the client's
  if (iequals(trim(forwarded_proto.substr(0, comma)), "https")) return true;
  return origin.size() >= 8 && iequals(origin.substr(0, 8), "https://");
}

bool method_needs_csrf(std::string_view method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

bool same_origin(std::string_view origin, std::string_view host) {
  const size_t sep = origin.find("://");
  if (sep == std::string_view::npos || host.empty()) return false;
  std::string_view rest = origin.substr(sep + 3);
  if (const size_t slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
  return iequals(rest, host);
}

}  // namespace ondo::serve
