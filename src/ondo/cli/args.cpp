// Argument parsing and error reporting for the subcommands. Layer: cli.
#include "ondo/cli/args.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>

#include "ondo/core/cpu_features.h"

namespace ondo::cli {
namespace {

std::vector<std::string> split_aliases(const std::string& spec) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t bar = spec.find('|', start);
    out.push_back(spec.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return out;
}

}  // namespace

Args::Args(std::vector<std::string> with_value, std::vector<std::string> flags) {
  for (const auto& s : with_value) value_opts_.push_back(split_aliases(s));
  for (const auto& s : flags) flag_opts_.push_back(split_aliases(s));
}

std::string Args::canonical(std::string_view name, bool* takes_value, bool* known) const {
  for (const auto& group : value_opts_) {
    for (const auto& alias : group) {
      if (alias == name) { *takes_value = true; *known = true; return group[0]; }
    }
  }
  for (const auto& group : flag_opts_) {
    for (const auto& alias : group) {
      if (alias == name) { *takes_value = false; *known = true; return group[0]; }
    }
  }
  *known = false;
  return std::string(name);
}

Status Args::parse(int argc, char** argv) {
  bool options_done = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (options_done || a.size() < 2 || a[0] != '-' ||
        (a.size() > 1 && (a[1] >= '0' && a[1] <= '9'))) {
      positional_.emplace_back(a);
      continue;
    }
    if (a == "--") { options_done = true; continue; }
    std::string_view name = a;
    std::optional<std::string> inline_value;
    if (size_t eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string_view::npos) {
      name = a.substr(0, eq);
      inline_value = std::string(a.substr(eq + 1));
    }
    bool takes_value = false, known = false;
    std::string key = canonical(name, &takes_value, &known);
    if (!known) return make_error(ErrorCode::InvalidArgument, "unknown option '" + std::string(name) + "'");
    if (!takes_value) {
      if (inline_value) return make_error(ErrorCode::InvalidArgument, "option '" + key + "' takes no value");
      values_.emplace_back(key, "");
      continue;
    }
    if (inline_value) { values_.emplace_back(key, *inline_value); continue; }
    if (i + 1 >= argc) return make_error(ErrorCode::InvalidArgument, "option '" + key + "' needs a value");
    values_.emplace_back(key, argv[++i]);
  }
  return ok_status();
}

bool Args::has(std::string_view key) const {
  for (const auto& kv : values_) if (kv.first == key) return true;
  return false;
}

std::optional<std::string> Args::get(std::string_view key) const {
  std::optional<std::string> out;
  for (const auto& kv : values_) if (kv.first == key) out = kv.second;
  return out;
}

std::vector<std::string> Args::get_all(std::string_view key) const {
  std::vector<std::string> out;
  for (const auto& kv : values_) if (kv.first == key) out.push_back(kv.second);
  return out;
}

Result<int64_t> Args::get_int(std::string_view key, int64_t fallback) const {
  auto v = get(key);
  if (!v) return fallback;
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size()) {
    return make_error(ErrorCode::InvalidArgument, "option '" + std::string(key) + "': '" + *v + "' is not an integer");
  }
  return out;
}

Result<double> Args::get_double(std::string_view key, double fallback) const {
  auto v = get(key);
  if (!v) return fallback;
  char* end = nullptr;
  double out = std::strtod(v->c_str(), &end);
  if (v->empty() || end != v->c_str() + v->size()) {
    return make_error(ErrorCode::InvalidArgument, "option '" + std::string(key) + "': '" + *v + "' is not a number");
  }
  return out;
}

Result<std::vector<int32_t>> parse_id_list(std::string_view text) {
  std::vector<int32_t> ids;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) {
      if (comma == std::string_view::npos && ids.empty() && text.find_first_not_of(' ') == std::string_view::npos) break;
      return make_error(ErrorCode::InvalidArgument, "token list: empty item at position " + std::to_string(ids.size()));
    }
    int64_t v = 0;
    auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (ec != std::errc() || p != item.data() + item.size() || v < 0 || v > INT32_MAX) {
      return make_error(ErrorCode::InvalidArgument, "token list: '" + std::string(item) + "' is not a token id");
    }
    ids.push_back(int32_t(v));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return ids;
}

int report(std::string_view cmd, const Error& error) {
  std::fprintf(stderr, "ondo %.*s: %s\n", int(cmd.size()), cmd.data(), error.message.c_str());
  return error.code == ErrorCode::InvalidArgument ? 2 : 1;
}

void apply_environment() {
  if (const char* simd = std::getenv("ONDO_SIMD"); simd && simd[0]) {
    if (!core::force_simd_level(simd)) {
      std::fprintf(stderr, "ondo: ONDO_SIMD='%s' is not one of scalar, avx2, avx512; ignored\n", simd);
    }
  }
}

int default_threads() {
  // Physical cores: count distinct (physical id, core id) pairs in /proc/cpuinfo.
  std::ifstream in("/proc/cpuinfo");
  std::set<std::pair<int, int>> cores;
  std::string line;
  int phys = 0;
  while (std::getline(in, line)) {
    if (line.rfind("physical id", 0) == 0) phys = std::atoi(line.c_str() + line.find(':') + 1);
    if (line.rfind("core id", 0) == 0) cores.insert({phys, std::atoi(line.c_str() + line.find(':') + 1)});
  }
  int n = int(cores.size());
  if (n <= 0) n = int(std::thread::hardware_concurrency());
  return n > 0 ? n : 1;
}

}  // namespace ondo::cli
