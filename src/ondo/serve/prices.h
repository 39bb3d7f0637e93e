// Prices per model (`ondo serve --prices FILE`) and the cost of one request, for usage rows and
// budgets. Costs are integers in nano-US-dollars (1e-9 USD), so sums over millions of requests and
// budget checks across replicas are exact. Layer: serve. Pure functions; no HTTP types.
// Thread contract: a PriceTable is immutable after load; safe from any thread.
//
// The file is JSON: an object from model alias to prices in USD per 1 M tokens; "*" is the
// default for models not named. Every field is optional (missing: 0):
//   {"qwen": {"input": 0.15, "cached_input": 0.075, "output": 0.60}, "*": {"input": 0.1, "output": 0.4}}
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "ondo/core/result.h"

namespace ondo::serve {

struct ModelPrice {
  double input = 0;         // USD per 1 M prompt tokens not served from the prefix cache
  double cached_input = 0;  // USD per 1 M prompt tokens served from the prefix cache
  double output = 0;        // USD per 1 M completion tokens
  bool operator==(const ModelPrice&) const = default;
};

struct PriceTable {
  std::map<std::string, ModelPrice, std::less<>> models;
  ModelPrice fallback;  // "*"; zero when the file has none
  // The prices of `model` (its own, else the fallback).
  const ModelPrice& of(std::string_view model) const;
};

// Errors: InvalidArgument naming the file and the field ("prices.json: qwen.output: must be a
// number >= 0"), unknown fields included; NotFound when the file cannot be read.
Result<PriceTable> parse_prices(std::string_view json_text, std::string_view file_name);
Result<PriceTable> load_prices(const std::string& path);

// The cost in nano-USD of one request; `cached` of the `prompt` tokens came from the cache.
// Rounded to the nearest nano-USD. Counts below 0 are taken as 0; cached is capped at prompt.
int64_t cost_nano_usd(const ModelPrice& price, int64_t prompt, int64_t cached, int64_t completion);

// "0.000123" style USD text of a nano-USD amount (9 decimals, trailing zeros kept to 6 at least).
std::string format_usd(int64_t nano_usd);

}  // namespace ondo::serve
