// Prices per model and request costs (serve/prices.h).
#include <gtest/gtest.h>

#include "ondo/serve/prices.h"

namespace ondo::serve {
namespace {

TEST(Prices, ParsesModelsAndFallback) {
  auto t = parse_prices(R"({"qwen": {"input": 0.15, "cached_input": 0.075, "output": 0.6}, "*": {"output": 2}})", "p.json");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->of("qwen"), (ModelPrice{0.15, 0.075, 0.6}));
  EXPECT_EQ(t->of("other"), (ModelPrice{0, 0, 2}));
}

TEST(Prices, ErrorsNameTheFileAndField) {
  struct Case {
    const char* text;
    const char* says;
  } cases[] = {
      {"[1]", "p.json: must be an object"},
      {"{", "p.json: not valid JSON"},
      {R"({"m": 3})", "p.json: m: must be an object"},
      {R"({"m": {"input": -1}})", "p.json: m.input: must be a number >= 0"},
      {R"({"m": {"input": "1"}})", "p.json: m.input: must be a number >= 0"},
      {R"({"m": {"inptu": 1}})", "p.json: m.inptu: unknown field"},
  };
  for (const Case& c : cases) {
    auto t = parse_prices(c.text, "p.json");
    ASSERT_FALSE(t.ok()) << c.text;
    EXPECT_EQ(t.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(t.error().message.find(c.says), std::string::npos) << t.error().message;
  }
  auto missing = load_prices("/nonexistent/prices.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

TEST(Prices, CostSplitsCachedPromptTokens) {
  const ModelPrice p{0.15, 0.075, 0.6};
  // 1000 prompt tokens of which 400 cached, 500 completion:
  // 600 * 0.15 + 400 * 0.075 + 500 * 0.6 = 90 + 30 + 300 = 420 micro-USD.
  EXPECT_EQ(cost_nano_usd(p, 1000, 400, 500), 420000);
  EXPECT_EQ(cost_nano_usd(p, 0, 0, 0), 0);
  EXPECT_EQ(cost_nano_usd(p, 10, 50, -3), 750);  // cached capped at prompt, negative completion is 0
  // One token at 0.15 USD/1M is 150 nano-USD: nothing rounds away.
  EXPECT_EQ(cost_nano_usd(p, 1, 0, 0), 150);
}

TEST(Prices, FormatsUsd) {
  EXPECT_EQ(format_usd(420000), "0.000420");
  EXPECT_EQ(format_usd(150), "0.00000015");
  EXPECT_EQ(format_usd(12345678901), "12.345678901");
  EXPECT_EQ(format_usd(0), "0.000000");
  EXPECT_EQ(format_usd(-5000), "-0.000005");
}

}  // namespace
}  // namespace ondo::serve
