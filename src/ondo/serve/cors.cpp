// CORS policy, preflight answers and response headers. Layer: serve.
#include "ondo/serve/cors.h"

#include <algorithm>
#include <cctype>

namespace ondo::serve {
namespace {

constexpr size_t kMaxRequestedHeaders = 64;
constexpr const char* kBaseAllowedHeaders = "Authorization, Content-Type, x-api-key";
constexpr const char* kExposedHeaders = "x-request-id, Retry-After";

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_host_char(char c) { return std::isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_'; }

// An HTTP token (RFC 9110 tchar), as header names are.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isalnum((unsigned char)c) && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// "host[:port]" of an origin: a DNS name or IPv4 address, or an IPv6 literal in brackets.
bool valid_authority(std::string_view a, std::string_view& host, std::string_view& port) {
  if (a.empty()) return false;
  size_t host_end = 0;
  if (a.front() == '[') {
    host_end = a.find(']');
    if (host_end == std::string_view::npos || host_end < 2) return false;
    for (char c : a.substr(1, host_end - 1)) {
      if (!std::isxdigit((unsigned char)c) && c != ':' && c != '.') return false;
    }
    ++host_end;
  } else {
    while (host_end < a.size() && is_host_char(a[host_end])) ++host_end;
    if (host_end == 0) return false;
  }
  host = a.substr(0, host_end);
  port = {};
  const std::string_view rest = a.substr(host_end);
  if (rest.empty()) return true;
  if (rest.front() != ':' || rest.size() < 2 || rest.size() > 6) return false;
  port = rest.substr(1);
  int v = 0;
  for (char c : port) {
    if (!std::isdigit((unsigned char)c)) return false;
    v = v * 10 + (c - '0');
  }
  return v >= 1 && v <= 65535;
}

bool method_allowed(std::string_view allowed, std::string_view method) {
  size_t pos = 0;
  while (pos <= allowed.size()) {
    size_t comma = allowed.find(',', pos);
    if (comma == std::string_view::npos) comma = allowed.size();
    const std::string_view m = trim(allowed.substr(pos, comma - pos));
    if (m == method || (m == "GET" && method == "HEAD")) return true;
    pos = comma + 1;
  }
  return false;
}

// The allowed methods as answered: the table's, with HEAD after GET.
std::string answer_methods(std::string_view allowed) {
  std::string out(allowed);
  if (method_allowed(allowed, "GET") && allowed.find("HEAD") == std::string_view::npos) out += ", HEAD";
  return out + ", OPTIONS";
}

}  // namespace

std::optional<std::string> normalize_origin(std::string_view origin) {
  const std::string o = lower(origin);
  const size_t sep = o.find("://");
  if (sep == std::string::npos) return std::nullopt;
  const std::string scheme = o.substr(0, sep);
  if (scheme != "http" && scheme != "https") return std::nullopt;
  std::string_view host, port;
  if (!valid_authority(std::string_view(o).substr(sep + 3), host, port)) return std::nullopt;
  std::string out = scheme + "://" + std::string(host);
  const bool default_port = (scheme == "http" && port == "80") || (scheme == "https" && port == "443");
  if (!port.empty() && !default_port) out += ":" + std::string(port);
  return out;
}

Result<CorsPolicy> make_cors_policy(const std::vector<std::string>& origins, bool has_api_key) {
  CorsPolicy p;
  for (const std::string& o : origins) {
    if (o == "*") {
      if (!has_api_key) {
        return make_error(ErrorCode::InvalidArgument,
                          "--cors-origin *: refused without an API key (any web page could then use the server; give "
                          "--api-key or --api-key-file, or list the origins: --cors-origin https://app.example.com)");
      }
      p.any = true;
      continue;
    }
    auto n = normalize_origin(o);
    if (!n) {
      return make_error(ErrorCode::InvalidArgument,
                        "--cors-origin " + o.substr(0, 200) +
                            ": not an origin (expected http://host[:port] or https://host[:port], no path or "
                            "trailing slash, or * with an API key)");
    }
    if (std::find(p.origins.begin(), p.origins.end(), *n) == p.origins.end()) p.origins.push_back(std::move(*n));
  }
  return p;
}

bool origin_allowed(const CorsPolicy& policy, std::string_view origin) {
  if (!policy.enabled()) return false;
  const auto n = normalize_origin(origin);
  if (!n) return false;
  if (policy.any) return true;
  return std::find(policy.origins.begin(), policy.origins.end(), *n) != policy.origins.end();
}

PreflightAnswer answer_preflight(const CorsPolicy& policy, const PreflightRequest& r) {
  PreflightAnswer a;
  if (!origin_allowed(policy, r.origin)) {
    a.refusal = make_error(ErrorCode::PermissionDenied,
                           "origin: '" + std::string(r.origin.substr(0, 200)) + "' is not allowed (--cors-origin)");
    return a;
  }
  if (r.allowed_methods.empty()) {
    a.refusal = make_error(ErrorCode::NotFound, "preflight: no route at this path");
    return a;
  }
  if (!method_allowed(r.allowed_methods, r.method)) {
    a.wrong_method = true;
    return a;
  }
  std::string headers = kBaseAllowedHeaders;
  std::vector<std::string> seen = {"authorization", "content-type", "x-api-key"};
  size_t pos = 0, n = 0;
  const std::string_view list = r.request_headers;
  while (pos < list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    const std::string_view name = trim(list.substr(pos, comma - pos));
    pos = comma + 1;
    if (name.empty()) continue;
    if (!is_token(name) || ++n > kMaxRequestedHeaders) {
      a.refusal = make_error(ErrorCode::InvalidArgument, is_token(name) ? "access-control-request-headers: more than " + std::to_string(kMaxRequestedHeaders) + " names"
                               : "access-control-request-headers: '" + std::string(name.substr(0, 100)) +
                                     "' is not a header name");
      return a;
    }
    std::string l = lower(name);
    if (std::find(seen.begin(), seen.end(), l) != seen.end()) continue;
    headers += ", " + l;
    seen.push_back(std::move(l));
  }
  a.ok = true;
  a.headers = {{"Access-Control-Allow-Origin", std::string(r.origin)},
               {"Vary", "Origin"},
               {"Access-Control-Allow-Methods", answer_methods(r.allowed_methods)},
               {"Access-Control-Allow-Headers", headers},
               {"Access-Control-Max-Age", std::to_string(kCorsMaxAgeS)}};
  return a;
}

HeaderList cors_response_headers(const CorsPolicy& policy, std::string_view origin) {
  if (!policy.enabled()) return {};
  if (!origin_allowed(policy, origin)) return {{"Vary", "Origin"}};
  return {{"Access-Control-Allow-Origin", std::string(origin)},
          {"Vary", "Origin"},
          {"Access-Control-Expose-Headers", kExposedHeaders}};
}

}  // namespace ondo::serve
