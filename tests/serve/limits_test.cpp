// serve/limits.h without a server: OpenAI's reset format and a key's rules.
#include "ondo/serve/limits.h"

#include <gtest/gtest.h>

namespace ondo::serve {
namespace {

TEST(Limits, ResetsAreWrittenAsOpenAiDoes) {
  EXPECT_EQ(format_reset(0), "0ms");
  EXPECT_EQ(format_reset(250), "250ms");
  EXPECT_EQ(format_reset(1000), "1s");
  EXPECT_EQ(format_reset(1001), "2s");  // rounded up: never "retry now" before the reset
  EXPECT_EQ(format_reset(59000), "59s");
  EXPECT_EQ(format_reset(60000), "1m0s");
  EXPECT_EQ(format_reset(360000), "6m0s");
  EXPECT_EQ(format_reset(-5), "0ms");
}

TEST(Limits, RulesComeFromTheKey) {
  store::ApiKey k;
  EXPECT_FALSE(limit_rules(k).any());
  k.rpm = 5;
  k.budget_nano_usd = 7;
  const store::LimitRules r = limit_rules(k);
  EXPECT_TRUE(r.any());
  EXPECT_EQ(r.rpm, 5);
  EXPECT_TRUE(r.budgeted());
  EXPECT_EQ(r.budget_period, "total");  // a budget without a period never resets
}

}  // namespace
}  // namespace ondo::serve
