// The response cache's pure parts: which fields make the key, the decision, the stored form.
#include "ondo/serve/response_cache.h"

#include <gtest/gtest.h>

#include <functional>

namespace ondo::serve {
namespace {

struct Prepared {
  Prepared() {
    model.alias = "tiny";
    model.path = "/models/tiny.gguf";
    p.model = &model;
    p.request.prompt = {1, 2, 3};
    p.request.max_tokens = 8;
    p.request.sampling.temperature = 0.0f;
    p.request.sampling.seed = 42;
  }
  ServedModel model;
  PreparedRequest p;
};

std::string key(const PreparedRequest& p) { return canonical_request(p, ""); }

TEST(ResponseCacheKey, OutputFieldsChangeItAndOthersDoNot) {
  Prepared a;
  const std::string base = key(a.p);
  Prepared seed;  // at temperature 0 the seed does not matter
  seed.p.request.sampling.seed = 7;
  EXPECT_EQ(key(seed.p), base);
  Prepared streamed;  // nor does streaming
  streamed.p.fields.stream = true;
  streamed.p.fields.include_usage = true;
  EXPECT_EQ(key(streamed.p), base);
  std::vector<std::function<void(PreparedRequest&)>> changes = {
      [](PreparedRequest& p) { p.request.prompt.push_back(4); },
      [](PreparedRequest& p) { p.request.max_tokens = 9; },
      [](PreparedRequest& p) { p.request.sampling.repeat_penalty = 1.1f; },
      [](PreparedRequest& p) { p.request.sampling.logit_bias = {{5, -1.0f}}; },
      [](PreparedRequest& p) { p.fields.stop = {"x"}; },
      [](PreparedRequest& p) { p.fields.n = 2; },
      [](PreparedRequest& p) { p.request.ignore_eos = true; },
      [](PreparedRequest& p) { p.fields.constraint.kind = OutputConstraint::Kind::JsonObject; },
      [](PreparedRequest& p) { p.tool_calling = true; },
      [](PreparedRequest& p) { p.tools_key = {{"choice", 2}}; },
      [](PreparedRequest& p) { p.more_prompts = {{1}}; },
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    Prepared c;
    changes[i](c.p);
    EXPECT_NE(key(c.p), base) << "change " << i;
  }
  EXPECT_NE(canonical_request(a.p, "lora1"), base);
  Prepared other_file;
  other_file.model.path = "/models/other.gguf";
  EXPECT_NE(key(other_file.p), base);
  Prepared warm;  // above temperature 0 the seed is part of it
  warm.p.request.sampling.temperature = 0.7f;
  Prepared warm2;
  warm2.p.request.sampling.temperature = 0.7f;
  warm2.p.request.sampling.seed = 43;
  EXPECT_NE(key(warm.p), key(warm2.p));
}

TEST(ResponseCacheKey, Decisions) {
  Prepared a;
  ServerOptions o;
  EXPECT_EQ(plan_response_cache(o, a.p, "").decision, CacheDecision::Off);  // no store
  o.store = reinterpret_cast<store::Store*>(&a);  // never used by the plan
  EXPECT_EQ(plan_response_cache(o, a.p, "").decision, CacheDecision::Off);  // ttl 0
  o.cache.ttl_s = 10;
  const CachePlan plan = plan_response_cache(o, a.p, "");
  EXPECT_EQ(plan.decision, CacheDecision::Lookup);
  EXPECT_EQ(plan.key.size(), 64u);
  a.p.request.sampling.temperature = 0.5f;
  EXPECT_EQ(plan_response_cache(o, a.p, "").decision, CacheDecision::Bypass);
  a.p.fields.seed_given = true;
  EXPECT_EQ(plan_response_cache(o, a.p, "").decision, CacheDecision::Lookup);
  a.p.fields.n_logprobs = 0;
  EXPECT_EQ(plan_response_cache(o, a.p, "").decision, CacheDecision::Bypass);
  a.p.fields.n_logprobs = -1;
  a.p.fields.cache = false;
  EXPECT_EQ(plan_response_cache(o, a.p, "").decision, CacheDecision::Bypass);
  EXPECT_EQ(cache_header(CacheDecision::Off, false), "");
  EXPECT_EQ(cache_header(CacheDecision::Lookup, true), "hit");
  EXPECT_EQ(cache_header(CacheDecision::Lookup, false), "miss");
  EXPECT_EQ(cache_header(CacheDecision::Bypass, false), "bypass");
}

TEST(ResponseCacheKey, StoredFormRoundTripsAndRefusesGarbage) {
  CachedGeneration g;
  g.choices = {{"héllo \"x\"\n", "stop", "END"}, {"", "length", ""}};
  g.prompt_tokens = 5;
  g.completion_tokens = 9;
  g.cached_tokens = 2;
  auto back = decode_generation(encode_generation(g), "e");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, g);
  for (const char* bad : {"", "[]", "{\"format\":1}", "{\"format\":99,\"choices\":[]}",
                          "{\"format\":1,\"choices\":[{\"text\":1}],\"prompt_tokens\":1}"}) {
    auto r = decode_generation(bad, "entry k");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::Internal);
    EXPECT_NE(r.error().message.find("entry k"), std::string::npos);
  }
}

}  // namespace
}  // namespace ondo::serve
