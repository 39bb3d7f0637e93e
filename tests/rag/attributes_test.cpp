// Attribute parsing with OpenAI's limits, and JSON output. Layer: rag tests.
#include "ondo/rag/attributes.h"

#include <gtest/gtest.h>

namespace ondo::rag {
namespace {

using nlohmann::json;

TEST(Attributes, ParsesAndPrints) {
  auto a = parse_attributes(json::parse(R"({"author": "ann", "year": 2021, "w": 0.5, "ok": true})"));
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(std::get<std::string>(a->at("author")), "ann");
  EXPECT_EQ(std::get<double>(a->at("year")), 2021.0);
  EXPECT_EQ(std::get<bool>(a->at("ok")), true);
  EXPECT_EQ(attributes_to_json(*a).dump(), R"({"author":"ann","ok":true,"w":0.5,"year":2021})");
  EXPECT_TRUE(parse_attributes(json(nullptr))->empty());
}

TEST(Attributes, Limits) {
  json many = json::object();
  for (int i = 0; i < 17; ++i) many["k" + std::to_string(i)] = i;
  auto a = parse_attributes(many);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().message, "attributes: too many keys (seen 17, at most 16)");
  auto b = parse_attributes(json{{"x", json::array()}});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().field, "attributes.x");
  EXPECT_EQ(b.error().message, "attributes.x: must be a string, number or boolean (seen array)");
  auto c = parse_attributes(json{{"x", std::string(513, 'a')}});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().field, "attributes.x");
  auto d = parse_attributes(json{{std::string(65, 'k'), 1}});
  ASSERT_FALSE(d.ok());
  auto e = parse_attributes(json::array());
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message, "attributes: must be an object (seen array)");
}

}  // namespace
}  // namespace ondo::rag
