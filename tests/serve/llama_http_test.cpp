// llama-server's utility routes (/tokenize, /detokenize, /apply-template, /props, /slots) and
// the unversioned aliases (/chat/completions, /completions, /models) over HTTP against an
// in-process server on the byte tokenizer and a scripted scheduler.
#include <gtest/gtest.h>

#include "ondo/infer/chat/chat_prompt.h"
#include "serve/http_fixture.h"

namespace ondo::serve {
namespace {

using nlohmann::json;
using testing::chat_body;
using testing::Fixture;

json body_of(const httplib::Result& r) { return json::parse(r->body); }

TEST(LlamaRoutes, TokenizeIdsAndPieces) {
  Fixture f("x");
  // llama-server's defaults: add_special false, parse_special true.
  auto r = f.post("/tokenize", {{"content", "hi"}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  text::EncodeOptions plain;
  plain.add_special = false;
  plain.parse_special = true;
  const auto want = f.tok->encode("hi", plain).value();
  EXPECT_EQ(body_of(r)["tokens"], json(want));
  EXPECT_EQ(body_of(r)["tokens"], json(testing::byte_ids("hi")));

  r = f.post("/tokenize", {{"content", "hi"}, {"add_special", true}});
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body_of(r)["tokens"][0], f.tok->bos_id());

  // parse_special (default true): "<s>" in the text is the control token; false keeps it text.
  r = f.post("/tokenize", {{"content", "<s>"}});
  EXPECT_EQ(body_of(r)["tokens"], json::array({1}));
  r = f.post("/tokenize", {{"content", "<s>"}, {"parse_special", false}});
  EXPECT_EQ(body_of(r)["tokens"], json(testing::byte_ids("<s>")));

  r = f.post("/tokenize", {{"content", "h\xC3\xA1"}, {"with_pieces", true}});
  ASSERT_EQ(r->status, 200) << r->body;
  // Each byte is its own token here: "h" is a string piece, the halves of "á" are byte arrays.
  const json want_pieces = json::array({{{"id", 3 + 'h'}, {"piece", "h"}},
                                        {{"id", 3 + 0xC3}, {"piece", json::array({0xC3})}},
                                        {{"id", 3 + 0xA1}, {"piece", json::array({0xA1})}}});
  EXPECT_EQ(body_of(r)["tokens"], want_pieces);
}

TEST(LlamaRoutes, TokenizeRefusesBadBodies) {
  Fixture f("x");
  struct Case {
    json body;
    const char* param;
  } cases[] = {{json::object(), "content"},
               {{{"content", 5}}, "content"},
               {{{"content", "a"}, {"add_special", "yes"}}, "add_special"},
               {{{"content", "a"}, {"with_pieces", 1}}, "with_pieces"},
               {{{"content", "a"}, {"model", 3}}, "model"}};
  for (const Case& c : cases) {
    auto r = f.post("/tokenize", c.body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << c.body.dump();
    EXPECT_EQ(body_of(r)["error"]["param"], c.param) << r->body;
  }
  auto r = f.client().Post("/tokenize", "[1,2]", "application/json");
  EXPECT_EQ(r->status, 400);
  r = f.client().Post("/tokenize", "{", "application/json");
  EXPECT_EQ(r->status, 400);
}

TEST(LlamaRoutes, UnknownModelIs404NamingIt) {
  Fixture f("x");
  for (const char* path : {"/tokenize", "/detokenize", "/apply-template"}) {
    json body = {{"model", "nope"}, {"content", "a"}, {"tokens", {1}}, {"messages", {{{"role", "user"}, {"content", "a"}}}}};
    auto r = f.post(path, body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_NE(body_of(r)["error"]["message"].get<std::string>().find("'nope'"), std::string::npos) << r->body;
    EXPECT_EQ(body_of(r)["error"]["param"], "model");
  }
  for (const char* path : {"/props?model=nope", "/slots?model=nope"}) {
    auto r = f.client().Get(path);
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_NE(r->body.find("'nope'"), std::string::npos) << r->body;
  }
  // The served model by name works like the default.
  auto r = f.post("/tokenize", {{"model", "fake"}, {"content", "a"}});
  EXPECT_EQ(r->status, 200);
}

TEST(LlamaRoutes, Detokenize) {
  Fixture f("x");
  auto ids = testing::byte_ids("h\xC3\xA1 there");
  auto r = f.post("/detokenize", {{"tokens", ids}});
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body_of(r), json({{"content", "h\xC3\xA1 there"}}));
  r = f.post("/detokenize", json::object());
  EXPECT_EQ(body_of(r), json({{"content", ""}}));
  r = f.post("/detokenize", {{"tokens", {5, 100000}}});
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(body_of(r)["error"]["param"], "tokens[1]") << r->body;
  r = f.post("/detokenize", {{"tokens", "abc"}});
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(body_of(r)["error"]["param"], "tokens");
}

TEST(LlamaRoutes, ApplyTemplateRendersTheChatTemplate) {
  Fixture f("x");
  const json messages = json::array({{{"role", "system"}, {"content", "be brief"}}, {{"role", "user"}, {"content", "hi"}}});
  auto r = f.post("/apply-template", {{"messages", messages}});
  ASSERT_EQ(r->status, 200) << r->body;
  const auto want = infer::build_chat_prompt(*f.model.chat_template, *f.tok, nlohmann::ordered_json(messages),
                                             nlohmann::ordered_json(), true);
  ASSERT_TRUE(want.ok());
  EXPECT_EQ(body_of(r)["prompt"], want->text);
  EXPECT_EQ(body_of(r)["prompt"], "<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
  r = f.post("/apply-template", json::object());
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(body_of(r)["error"]["param"], "messages") << r->body;
  r = f.post("/apply-template", {{"messages", {{{"role", "wizard"}, {"content", "x"}}}}});
  EXPECT_EQ(r->status, 400) << r->body;
}

TEST(LlamaRoutes, PropsAndSlots) {
  Fixture f("x");
  auto r = f.client().Get("/props");
  ASSERT_EQ(r->status, 200) << r->body;
  const json p = body_of(r);
  EXPECT_EQ(p["model_alias"], "fake");
  EXPECT_EQ(p["total_slots"], f.sched.options().n_parallel);
  EXPECT_EQ(p["default_generation_settings"]["n_ctx"], f.sched.options().n_ctx);
  EXPECT_EQ(p["default_generation_settings"]["params"]["temperature"], 1.0);  // the OpenAI routes' default
  EXPECT_EQ(p["chat_template"], std::string(*text::builtin_chat_template("chatml")));
  EXPECT_TRUE(p["build_info"].is_string());
  EXPECT_TRUE(p.contains("model_path"));

  r = f.client().Get("/slots");
  ASSERT_EQ(r->status, 200) << r->body;
  const json s = body_of(r);
  ASSERT_TRUE(s.is_array());
  ASSERT_EQ(int(s.size()), f.sched.options().n_parallel);
  for (size_t i = 0; i < s.size(); ++i) {
    EXPECT_EQ(s[i]["id"], int(i));
    EXPECT_EQ(s[i]["n_ctx"], f.sched.options().n_ctx);
    // The fake scheduler reports 1 running and 2 waiting: the first slot shows busy.
    EXPECT_EQ(s[i]["is_processing"], i == 0) << i;
    EXPECT_EQ(s[i]["model_running"], 1);
    EXPECT_EQ(s[i]["model_waiting"], 2);
    EXPECT_EQ(s[i]["model"], "fake");
    EXPECT_FALSE(s[i].contains("prompt"));
  }
  EXPECT_EQ(f.client().Get("/slots?fail_on_no_slot=1")->status, 200);
}

TEST(LlamaRoutes, NotReadyIs503) {
  Fixture f("x", "", /*publish=*/false);
  EXPECT_EQ(f.post("/tokenize", {{"content", "a"}})->status, 503);
  EXPECT_EQ(f.client().Get("/props")->status, 503);
  EXPECT_EQ(f.client().Get("/slots")->status, 503);
}

TEST(LlamaRoutes, NeedTheKeyWhenOneIsSet) {
  Fixture f("x", "k3y");
  EXPECT_EQ(f.post("/tokenize", {{"content", "a"}})->status, 401);
  EXPECT_EQ(f.client().Get("/props")->status, 401);
  EXPECT_EQ(f.client().Get("/slots")->status, 401);
  EXPECT_EQ(f.post("/tokenize", {{"content", "a"}}, {{"Authorization", "Bearer k3y"}})->status, 200);
}

TEST(LlamaRoutes, UnversionedAliases) {
  Fixture f("hello");
  auto a = f.client().Get("/models");
  auto b = f.client().Get("/v1/models");
  ASSERT_EQ(a->status, 200);
  EXPECT_EQ(body_of(a), body_of(b));

  auto chat = f.post("/chat/completions", chat_body({{"seed", 1}}));
  ASSERT_EQ(chat->status, 200) << chat->body;
  EXPECT_EQ(body_of(chat)["choices"][0]["message"]["content"], "hello");
  EXPECT_EQ(body_of(chat)["object"], "chat.completion");

  auto text = f.post("/completions", {{"model", "fake"}, {"prompt", "a"}});
  ASSERT_EQ(text->status, 200) << text->body;
  EXPECT_EQ(body_of(text)["choices"][0]["text"], "hello");
  EXPECT_EQ(body_of(text)["object"], "text_completion");
  // Same handlers: the same errors.
  EXPECT_EQ(f.post("/chat/completions", {{"model", "fake"}})->status, 400);
  EXPECT_EQ(f.client().Get("/chat/completions")->status, 405);
}

}  // namespace
}  // namespace ondo::serve
