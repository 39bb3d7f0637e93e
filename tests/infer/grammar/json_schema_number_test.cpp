// Bounds on JSON Schema numbers (minimum, maximum, exclusiveMinimum, exclusiveMaximum):
// every plain decimal on a grid around the bounds is accepted exactly when it lies within
// them; refusals for bounds the grammar cannot compare exactly. Layer: tests of infer/grammar.
#include <gtest/gtest.h>

#include <cstdio>

#include "grammar_test_util.h"
#include "ondo/infer/grammar/json_schema.h"

namespace ondo::infer::grammar {
namespace {

using testing::accepts;

// Text of value/1000 with exactly `frac` fraction digits (0..3, trailing zeros kept).
std::string milli_text(int64_t milli, int frac) {
  const bool neg = milli < 0;
  const int64_t a = neg ? -milli : milli;
  std::string s = (neg ? "-" : "") + std::to_string(a / 1000);
  if (frac > 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%03lld", (long long)(a % 1000));
    s += "." + std::string(buf, size_t(frac));
  }
  return s;
}

struct Bounds {
  const char* schema;
  std::optional<int64_t> lo, hi;  // in thousandths
  bool lo_strict = false, hi_strict = false;
};

// Every multiple of 1/1000 in [from, to] written with 3 digits, and those that fit with
// fewer digits written shorter too.
void check_grid(const Bounds& b, int64_t from, int64_t to) {
  auto g = compile_json_schema_text(b.schema);
  ASSERT_TRUE(g.ok()) << b.schema << ": " << g.error().message;
  for (int64_t m = from; m <= to; ++m) {
    bool in = true;
    if (b.lo) in = in && (b.lo_strict ? m > *b.lo : m >= *b.lo);
    if (b.hi) in = in && (b.hi_strict ? m < *b.hi : m <= *b.hi);
    for (int frac = 0; frac <= 3; ++frac) {
      int64_t unit = 1;
      for (int k = frac; k < 3; ++k) unit *= 10;
      if (m % unit != 0) continue;
      const std::string text = milli_text(m, frac);
      EXPECT_EQ(accepts(*g, text), in) << b.schema << " " << text;
    }
  }
}

TEST(JsonSchemaNumber, InclusiveAndExclusiveBoundsAreExact) {
  check_grid({R"({"type":"number","minimum":-1.25,"maximum":2.5})", -1250, 2500}, -3000, 3500);
  check_grid({R"({"type":"number","exclusiveMinimum":-1.25,"exclusiveMaximum":2.5})", -1250, 2500, true, true}, -3000, 3500);
  check_grid({R"({"type":"number","minimum":0,"maximum":1})", 0, 1000}, -1500, 2500);
  check_grid({R"({"type":"number","exclusiveMinimum":0,"maximum":1})", 0, 1000, true}, -1500, 2500);
  check_grid({R"({"type":"number","minimum":0.105})", 105, std::nullopt}, -1000, 3000);
  check_grid({R"({"type":"number","exclusiveMaximum":-0.5})", std::nullopt, -500, false, true}, -3000, 1000);
  check_grid({R"({"type":"number","minimum":-3,"maximum":-2.001})", -3000, -2001}, -4000, 500);
  check_grid({R"({"type":"number","minimum":1.5,"maximum":1.5})", 1500, 1500}, 0, 3000);
  check_grid({R"({"type":"number","minimum":0.25,"exclusiveMinimum":0.25,"maximum":9,"exclusiveMaximum":12})", 250, 9000,
              true, false},
             0, 12500);
  check_grid({R"({"type":"number","minimum":1e-2,"maximum":10})", 10, 10000}, -100, 10500);
}

TEST(JsonSchemaNumber, PlainDecimalsOnly) {
  auto g = compile_json_schema_text(R"({"type":"number","minimum":-5,"maximum":5})");
  ASSERT_TRUE(g.ok()) << g.error().message;
  for (auto bad : {"1e0", "1E-1", "-0", "-0.0", "01", "1.", ".5", "+1", "5.0000000000000001"}) {
    EXPECT_FALSE(accepts(*g, bad)) << bad;
  }
  for (auto ok : {"0", "0.0", "-4.99999999999999", "5.000", "-5"}) EXPECT_TRUE(accepts(*g, ok)) << ok;
  EXPECT_FALSE(accepts(*g, "4.999999999999999"));  // 16 significant digits: a double might round it
  // far beyond the bounds' digits: any fraction up to the limit
  auto big = compile_json_schema_text(R"({"type":"number","minimum":10})");
  ASSERT_TRUE(big.ok());
  EXPECT_TRUE(accepts(*big, "123456789012345678.5"));
  EXPECT_TRUE(accepts(*big, "10.0000000000001"));
  EXPECT_FALSE(accepts(*big, "9.9999999999999"));
}

TEST(JsonSchemaNumber, AnyTypeAndIntegersStillWork) {
  auto g = compile_json_schema_text(R"({"minimum":1,"maximum":2})");  // bounds apply to numbers only
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_TRUE(accepts(*g, "1.5"));
  EXPECT_TRUE(accepts(*g, "\"text\""));
  EXPECT_FALSE(accepts(*g, "2.5"));
  auto both = compile_json_schema_text(R"({"type":["integer","number"],"exclusiveMaximum":3})");
  ASSERT_TRUE(both.ok());
  EXPECT_TRUE(accepts(*both, "2.75"));
  EXPECT_FALSE(accepts(*both, "3"));
}

TEST(JsonSchemaNumber, Refusals) {
  auto refused = [](const char* schema) {
    auto g = compile_json_schema_text(schema);
    EXPECT_FALSE(g.ok()) << schema;
    return g.ok() ? Error{} : g.error();
  };
  Error e = refused(R"({"type":"number","minimum":0.12345678901234567})");
  EXPECT_EQ(e.code, ErrorCode::Unsupported);
  EXPECT_NE(e.message.find("'minimum' at /"), std::string::npos) << e.message;
  EXPECT_EQ(refused(R"({"type":"number","maximum":1e16})").code, ErrorCode::Unsupported);
  EXPECT_EQ(refused(R"({"type":"number","minimum":2,"maximum":1.5})").code, ErrorCode::InvalidArgument);
  EXPECT_EQ(refused(R"({"type":"number","exclusiveMinimum":1.5,"maximum":1.5})").code, ErrorCode::InvalidArgument);
  EXPECT_EQ(refused(R"({"type":"number","minimum":"1"})").code, ErrorCode::InvalidArgument);
}

}  // namespace
}  // namespace ondo::infer::grammar
