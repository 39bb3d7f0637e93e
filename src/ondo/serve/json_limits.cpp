// Bounded request JSON: a SAX handler that builds the ordered_json value itself, counting
// depth, keys and values and refusing as soon as one is over its limit; the checked integer
// conversion. Layer: serve.
//
// Why not ordered_json::parse: its object insert scans the whole object for the key
// (quadratic in the key count), and growing the member vector copies every earlier value
// (pair<const string, json> cannot be moved), so keys after a deep child copy that child
// again and again. Here members collect in a vector of movable pairs with a hash index for
// repeated keys, and the ordered_map is built once, reserved, when the object closes.
#include "ondo/serve/json_limits.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ondo::serve {
namespace {

using json = nlohmann::ordered_json;

// One open container.
struct Frame {
  bool is_object = false;
  std::string key;  // this container's key in its parent object
  json array;       // arrays: built in place
  std::vector<std::pair<std::string, json>> members;  // objects: members in order
  std::unordered_map<std::string, size_t> index;     // objects: key -> position in members
};

class Builder {
 public:
  Builder(std::string_view what, JsonBudget& budget, int base_depth, const JsonLimits& limits)
      : what_(what.empty() ? std::string_view("request body") : what), budget_(budget), base_depth_(base_depth), limits_(limits) {}

  bool null() { return add(json(nullptr)); }
  bool boolean(bool b) { return add(json(b)); }
  bool number_integer(json::number_integer_t v) { return add(json(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return add(json(v)); }
  bool number_float(json::number_float_t v, const json::string_t&) { return add(json(v)); }
  bool string(json::string_t& s) { return add(json(std::move(s))); }
  bool binary(json::binary_t&) { return fail("binary values are not JSON"); }
  bool start_object(std::size_t) { return open(true); }
  bool start_array(std::size_t) { return open(false); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t& k) {
    if (++budget_.keys > limits_.max_keys) {
      return fail("more than " + std::to_string(limits_.max_keys) + " object keys in one request");
    }
    pending_key_ = std::move(k);
    return true;
  }
  bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception&) {
    if (error_.empty()) error_ = std::string(what_) + ": malformed JSON (at byte " + std::to_string(pos) + ")";
    return false;
  }

  const std::string& error() const { return error_; }
  json take() { return std::move(root_); }

 private:
  bool fail(const std::string& why) {
    error_ = std::string(what_) + ": " + why;
    return false;
  }
  bool count_value() {
    if (++budget_.values > limits_.max_values) {
      return fail("more than " + std::to_string(limits_.max_values) + " JSON values in one request");
    }
    return true;
  }
  bool open(bool is_object) {
    if (!count_value()) return false;
    if (base_depth_ + int(stack_.size()) + 1 > limits_.max_depth) {
      return fail("nested deeper than " + std::to_string(limits_.max_depth) + " levels");
    }
    Frame f;
    f.is_object = is_object;
    if (!is_object) f.array = json::array();
    if (!stack_.empty() && stack_.back().is_object) f.key = std::move(pending_key_);
    stack_.push_back(std::move(f));
    return true;
  }
  bool close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    json v = std::move(f.array);
    if (f.is_object) {
      v = json::object();
      auto& members = static_cast<json::object_t::Container&>(v.get_ref<json::object_t&>());
      members.reserve(f.members.size());
      for (auto& [k, m] : f.members) members.emplace_back(std::move(k), std::move(m));
    }
    return insert(std::move(f.key), std::move(v));
  }
  bool add(json v) {
    if (!count_value()) return false;
    std::string key = stack_.empty() || !stack_.back().is_object ? std::string() : std::move(pending_key_);
    return insert(std::move(key), std::move(v));
  }
  bool insert(std::string key, json v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return true;
    }
    Frame& top = stack_.back();
    if (!top.is_object) {
      top.array.push_back(std::move(v));
      return true;
    }
    auto [it, fresh] = top.index.try_emplace(key, top.members.size());
    if (!fresh) {
      top.members[it->second].second = std::move(v);  // a repeated key keeps its last value
      return true;
    }
    top.members.emplace_back(std::move(key), std::move(v));
    return true;
  }

  std::string_view what_;
  JsonBudget& budget_;
  int base_depth_;
  const JsonLimits& limits_;
  std::vector<Frame> stack_;
  std::string pending_key_;
  json root_;
  std::string error_;
};

std::string fmt_double(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

std::string kind_of(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean";
  if (v.is_string()) return "string";
  if (v.is_array()) return "array";
  if (v.is_object()) return "object";
  return "number";
}

}  // namespace

Result<json> parse_request_json(std::string_view text, std::string_view field, JsonBudget& budget, int base_depth,
                                const JsonLimits& limits) {
  Builder b(field, budget, base_depth, limits);
  const bool ok = json::sax_parse(text.begin(), text.end(), &b, nlohmann::json::input_format_t::json, true, false);
  if (!ok) {
    Error e = make_error(ErrorCode::InvalidArgument,
                         b.error().empty() ? std::string(field.empty() ? "request body" : field) + ": malformed JSON" : b.error());
    e.field = std::string(field);  // empty for the body
    return e;
  }
  return b.take();
}

Result<int64_t> json_to_int(const json& v, int64_t lo, int64_t hi, std::string_view path) {
  const std::string p(path);
  const std::string range = ", expected " + std::to_string(lo) + " to " + std::to_string(hi) + ")";
  if (!v.is_number()) return field_error(ErrorCode::InvalidArgument, p, "expected an integer (seen " + kind_of(v) + ")");
  int64_t x = 0;
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (hi < 0 || u > uint64_t(hi)) {
      return field_error(ErrorCode::InvalidArgument, p, "out of range (seen " + std::to_string(u) + range);
    }
    x = int64_t(u);
  } else if (v.is_number_integer()) {
    x = v.get<int64_t>();
  } else {
    const double d = v.get<double>();
    if (!std::isfinite(d) || std::floor(d) != d) {
      return field_error(ErrorCode::InvalidArgument, p, "expected an integer (seen " + fmt_double(d) + ")");
    }
    // int64_t holds [-2^63, 2^63): both bounds are exact doubles; only then may d be converted.
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) {
      return field_error(ErrorCode::InvalidArgument, p, "out of range (seen " + fmt_double(d) + range);
    }
    x = int64_t(d);
  }
  if (x < lo || x > hi) return field_error(ErrorCode::InvalidArgument, p, "out of range (seen " + std::to_string(x) + range);
  return x;
}

}  // namespace ondo::serve
