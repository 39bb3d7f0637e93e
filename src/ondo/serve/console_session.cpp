// Console sessions and their cookie. Layer: serve.
#include "ondo/serve/console_session.h"

#include <sys/random.h>

#include <algorithm>
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

int64_t session_expiry(int64_t created_at, int64_t now) {
  return std::min(now + kSessionIdleS, created_at + kSessionMaxS);
}

namespace {

ConsoleSession from_row(const store::ConsoleSessionRow& r) {
  return {r.key_id, r.key_hash, r.csrf, r.created_at, r.last_seen_at, r.expires_at};
}

}  // namespace

Result<ConsoleSessions::Opened> ConsoleSessions::open(std::string_view key, std::string key_id, int64_t now) {
  ONDO_ASSIGN_OR_RETURN(std::string token, random_hex(32));
  ONDO_ASSIGN_OR_RETURN(std::string csrf, random_hex(32));
  ConsoleSession s{std::move(key_id), token_hash(key), std::move(csrf), now, now, session_expiry(now, now)};
  if (store_) {
    if (auto purged = store_->purge_console_sessions(now, int64_t(kMaxSessions) - 1); !purged.ok()) return purged.error();
    ONDO_TRY(store_->insert_console_session(
        {token_hash(token), s.key_id, s.key_hash, s.csrf, s.created_at, s.last_seen_at, s.expires_at}));
    return Opened{std::move(token), std::move(s)};
  }
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

Result<std::optional<ConsoleSession>> ConsoleSessions::find(std::string_view token, int64_t now) {
  if (token.empty()) return std::optional<ConsoleSession>();
  const std::string h = token_hash(token);
  if (store_) {
    ONDO_ASSIGN_OR_RETURN(std::optional<store::ConsoleSessionRow> row, store_->find_console_session(h, now));
    if (!row) return std::optional<ConsoleSession>();
    ConsoleSession s = from_row(*row);
    if (now - s.last_seen_at >= kSessionTouchS) {
      const int64_t expires = session_expiry(s.created_at, now);
      ONDO_ASSIGN_OR_RETURN(bool moved, store_->touch_console_session(h, now, expires));
      if (!moved) return std::optional<ConsoleSession>();  // signed out meanwhile
      s.last_seen_at = now;
      s.expires_at = expires;
    }
    return std::optional<ConsoleSession>(std::move(s));
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(h);
  if (it == sessions_.end()) return std::optional<ConsoleSession>();
  if (it->second.expires_at <= now) {
    sessions_.erase(it);
    return std::optional<ConsoleSession>();
  }
  if (now - it->second.last_seen_at >= kSessionTouchS) {
    it->second.last_seen_at = now;
    it->second.expires_at = session_expiry(it->second.created_at, now);
  }
  return std::optional<ConsoleSession>(it->second);
}

Result<bool> ConsoleSessions::close(std::string_view token) {
  const std::string h = token_hash(token);
  if (store_) return store_->delete_console_session(h);
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.erase(h) > 0;
}

Result<int64_t> ConsoleSessions::close_all_of(std::string_view key_id) {
  if (store_) return store_->delete_console_sessions_of(key_id);
  std::lock_guard<std::mutex> lock(mu_);
  int64_t n = 0;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second.key_id == key_id) {
      it = sessions_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
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
                  "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(kSessionMaxS);
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
