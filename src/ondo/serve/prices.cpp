// Prices per model and the cost of a request (see prices.h). Layer: serve.
#include "ondo/serve/prices.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace ondo::serve {
namespace {

Result<ModelPrice> parse_price(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) return make_error(ErrorCode::InvalidArgument, where + ": must be an object of prices");
  ModelPrice p;
  for (const auto& [field, value] : j.items()) {
    double* slot = field == "input" ? &p.input : field == "cached_input" ? &p.cached_input : field == "output" ? &p.output : nullptr;
    if (!slot) {
      return make_error(ErrorCode::InvalidArgument,
                        where + "." + field + ": unknown field (input, cached_input and output are known)");
    }
    if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < 0) {
      return make_error(ErrorCode::InvalidArgument, where + "." + field + ": must be a number >= 0 (USD per 1M tokens)");
    }
    *slot = value.get<double>();
  }
  return p;
}

}  // namespace

const ModelPrice& PriceTable::of(std::string_view model) const {
  auto it = models.find(model);
  return it == models.end() ? fallback : it->second;
}

Result<PriceTable> parse_prices(std::string_view json_text, std::string_view file_name) {
  const std::string name(file_name);
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error(ErrorCode::InvalidArgument, name + ": not valid JSON");
  if (!j.is_object()) return make_error(ErrorCode::InvalidArgument, name + ": must be an object from model alias to prices");
  PriceTable t;
  for (const auto& [model, prices] : j.items()) {
    ONDO_ASSIGN_OR_RETURN(ModelPrice p, parse_price(prices, name + ": " + model));
    if (model == "*") {
      t.fallback = p;
    } else {
      t.models.emplace(model, p);
    }
  }
  return t;
}

Result<PriceTable> load_prices(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::NotFound, path + ": cannot open the prices file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_prices(ss.str(), path);
}

int64_t cost_nano_usd(const ModelPrice& price, int64_t prompt, int64_t cached, int64_t completion) {
  prompt = std::max<int64_t>(prompt, 0);
  cached = std::clamp<int64_t>(cached, 0, prompt);
  completion = std::max<int64_t>(completion, 0);
  // USD per 1M tokens x tokens = micro-USD; x 1000 = nano-USD.
  const long double nano = ((long double)(prompt - cached) * price.input + (long double)cached * price.cached_input +
                            (long double)completion * price.output) *
                           1000.0L;
  return int64_t(std::llround(nano));
}

std::string format_usd(int64_t nano_usd) {
  const bool negative = nano_usd < 0;
  const uint64_t v = negative ? uint64_t(0) - uint64_t(nano_usd) : uint64_t(nano_usd);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%llu.%09llu", negative ? "-" : "", (unsigned long long)(v / 1000000000ULL),
                (unsigned long long)(v % 1000000000ULL));
  std::string s = buf;
  const size_t dot = s.find('.');
  while (s.size() > dot + 7 && s.back() == '0') s.pop_back();
  return s;
}

}  // namespace ondo::serve
