// Argument parsing and error reporting for the subcommands. Layer: cli.
#include "ondo/cli/args.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>

#include "ondo/core/check.h"
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

// "-m|--model" -> "-m, --model"
std::string spelled(std::string_view names) {
  std::string out(names);
  for (size_t bar; (bar = out.find('|')) != std::string::npos;) out.replace(bar, 1, ", ");
  return out;
}

}  // namespace

std::string help_text(const CommandSpec& spec) {
  std::string out = "usage: ondo " + std::string(spec.usage) + "\n\n" + std::string(spec.description) + "\n\noptions:\n";
  std::vector<std::pair<std::string, std::string>> rows;
  for (const OptionSpec& o : spec.options) {
    std::string left = spelled(o.names);
    if (!o.value.empty()) left += " " + std::string(o.value);
    std::string right(o.help);
    if (!o.fallback.empty()) right += " (default: " + std::string(o.fallback) + ")";
    rows.emplace_back(std::move(left), std::move(right));
  }
  rows.emplace_back("-h, --help", "print this help and exit");
  size_t width = 0;
  for (const auto& r : rows) width = std::max(width, r.first.size());
  width = std::min<size_t>(width, 28);
  for (const auto& [left, right] : rows) {
    out += "  " + left;
    if (left.size() > width) {
      out += "\n  " + std::string(width, ' ');
    } else {
      out += std::string(width - left.size(), ' ');
    }
    out += "  " + right + "\n";
  }
  out += "\nexample:\n";
  std::string_view ex = spec.example;
  while (!ex.empty()) {
    const size_t nl = ex.find('\n');
    out += "  " + std::string(ex.substr(0, nl)) + "\n";
    if (nl == std::string_view::npos) break;
    ex.remove_prefix(nl + 1);
  }
  return out;
}

Args::Args(std::vector<std::string> with_value, std::vector<std::string> flags) {
  for (const auto& s : with_value) value_opts_.push_back(split_aliases(s));
  for (const auto& s : flags) flag_opts_.push_back(split_aliases(s));
}

Args::Args(const CommandSpec& spec) {
  for (const OptionSpec& o : spec.options) {
    std::vector<std::string> names = split_aliases(std::string(o.names));
    if (!o.fallback.empty()) defaults_.emplace_back(names[0], std::string(o.fallback));
    (o.value.empty() ? flag_opts_ : value_opts_).push_back(std::move(names));
  }
  flag_opts_.push_back({"-h", "--help"});
}

std::optional<int> parse_command(const CommandSpec& spec, int argc, char** argv, Args* args) {
  *args = Args(spec);
  if (Status st = args->parse(argc, argv); !st.ok()) {
    std::fprintf(stderr, "ondo %.*s: %s (see `ondo %.*s --help`)\n", int(spec.name.size()), spec.name.data(),
                 st.error().message.c_str(), int(spec.name.size()), spec.name.data());
    return 2;
  }
  if (args->has("-h")) {
    const std::string text = help_text(spec);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  return std::nullopt;
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
      if (key == "-h") return ok_status();  // help: the rest is not read
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

Result<int64_t> Args::get_int(std::string_view key) const {
  for (const auto& [k, v] : defaults_) {
    if (k != key) continue;
    int64_t out = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    ONDO_CHECK(ec == std::errc() && p == v.data() + v.size());  // the table's default is a number
    return get_int(key, out);
  }
  ONDO_CHECK(false);  // no default in the table for this key
  return int64_t(0);
}

Result<double> Args::get_double(std::string_view key) const {
  for (const auto& [k, v] : defaults_) {
    if (k != key) continue;
    char* end = nullptr;
    const double out = std::strtod(v.c_str(), &end);
    ONDO_CHECK(end == v.c_str() + v.size());  // the table's default is a number
    return get_double(key, out);
  }
  ONDO_CHECK(false);  // no default in the table for this key
  return 0.0;
}

std::string Args::get_string(std::string_view key) const {
  if (auto v = get(key)) return *v;
  for (const auto& [k, v] : defaults_) {
    if (k == key) return v;
  }
  ONDO_CHECK(false);  // no default in the table for this key
  return {};
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
      return make_error(ErrorCode::InvalidArgument,
                        "token list: item #" + std::to_string(ids.size() + 1) + " (counting from 1) is empty");
    }
    int64_t v = 0;
    auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (ec != std::errc() || p != item.data() + item.size() || v < 0 || v > INT32_MAX) {
      return make_error(ErrorCode::InvalidArgument, "token list: item #" + std::to_string(ids.size() + 1) +
                                                        " (counting from 1), '" + std::string(item) +
                                                        "', is not a token id (a whole number from 0)");
    }
    ids.push_back(int32_t(v));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return ids;
}

Status check_ids_in_range(const std::vector<int32_t>& ids, int32_t n_vocab) {
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] >= n_vocab) {
      return make_error(ErrorCode::InvalidArgument, "token list: item #" + std::to_string(i + 1) +
                                                        " (counting from 1) is id " + std::to_string(ids[i]) +
                                                        ", out of range (the vocabulary's ids are 0 to " +
                                                        std::to_string(n_vocab - 1) + ")");
    }
  }
  return ok_status();
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
