// The subcommands on the built-in model (models/ondo-recipe.gguf, found beside build/), run as
// a user runs them: chat answers, run explains the chat form, the tokenizer commands default
// to it, serve says "listening" only with every model loaded, and the argument checks and
// warnings (-n, --ctx, the sampling seed line, error positions, train's warm-up). Layer: cli
// tests (needs the `ondo` target built in the same build dir).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "support/run_command.h"

namespace ondo::cli {
namespace {

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string builtin() { return (std::filesystem::path(ONDO_SOURCE_DIR) / "models" / "ondo-recipe.gguf").string(); }

std::string temp_file(const std::string& name, const std::string& content) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

const char* kRecipeRequest = R"({"ingredients": ["egg", "tomato"], "except_recipe": []})";

TEST(ChatCli, TheBuiltInModelAnswersWithTheDefaultReplyBudget) {
  const std::string in = temp_file("ondo_chat_in.txt", std::string(kRecipeRequest) + "\n");
  const auto r = testing::run_ondo("chat --temp 0 -t 1", in);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "\"recipe_name\"")) << "stdout:\n" << r.out << "\nstderr:\n" << r.err;
  EXPECT_FALSE(has(r.err, "does not fit")) << r.err;
  EXPECT_FALSE(has(r.err, "no room")) << r.err;
}

TEST(ChatCli, AnExplicitReplyBudgetThatFitsAnswersAndOneThatCannotIsExplained) {
  const std::string in = temp_file("ondo_chat_in2.txt", std::string(kRecipeRequest) + "\n");
  const auto ok = testing::run_ondo("chat --temp 0 -t 1 -n 120", in);
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(has(ok.out, "\"recipe_name\"")) << ok.out << ok.err;
  const auto full = testing::run_ondo("chat --temp 0 -t 1 -n 256", in);  // the whole context of 256
  EXPECT_TRUE(has(full.err, "leaves no room for a reply of 256 tokens")) << full.err;
}

TEST(ChatCli, NonPositiveReplyLengthIsRefused) {
  for (const char* n : {"-1", "0"}) {
    const auto r = testing::run_ondo(std::string("chat -n ") + n);
    EXPECT_EQ(r.exit_code, 2) << n;
    EXPECT_TRUE(has(r.err, "ondo chat: -n must be at least 1")) << r.err;
  }
}

TEST(RunCli, BuiltInModelWithoutChatSaysItAnswersInChatForm) {
  const auto plain = testing::run_ondo("run -p hello -n 1 --temp 0 -t 1");
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_TRUE(has(plain.err, "the built-in model answers the recipe task in chat form; add --chat")) << plain.err;
  const auto chat = testing::run_ondo(std::string("run --chat -p '") + kRecipeRequest + "' -n 8 --temp 0 -t 1");
  ASSERT_EQ(chat.exit_code, 0) << chat.err;
  EXPECT_FALSE(has(chat.err, "chat form")) << chat.err;
  EXPECT_TRUE(has(chat.out, "{\"recipe_name\"")) << chat.out;
}

TEST(RunCli, NegativeTokenCountIsRefused) {
  const auto r = testing::run_ondo("run -p hello -n -5");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, "ondo run: -n must be 0 or more (seen -5)")) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(RunCli, ContextAboveTheTrainedOneWarns) {
  const auto above = testing::run_ondo("run -p hello -n 1 --temp 0 -t 1 -c 1000");
  ASSERT_EQ(above.exit_code, 0) << above.err;
  EXPECT_TRUE(has(above.err, "warning: -c 1000 is above the context the model was trained for (256 tokens)"))
      << above.err;
  const auto within = testing::run_ondo("run -p hello -n 1 --temp 0 -t 1 -c 200");
  ASSERT_EQ(within.exit_code, 0) << within.err;
  EXPECT_FALSE(has(within.err, "warning")) << within.err;
}

TEST(RunCli, SamplingSeedLineOnlyWhenSampling) {
  const std::string base = "run -p hello -t 1 ";
  const auto sampled = testing::run_ondo(base + "-n 2 --temp 0.7");
  ASSERT_EQ(sampled.exit_code, 0) << sampled.err;
  EXPECT_TRUE(has(sampled.err, "ondo run: sampling seed ")) << sampled.err;
  for (const char* quiet : {"-n 2 --temp 0", "-n 2 --temp 0.7 --top-k 1", "-n 2 --temp 0.7 --seed 4", "-n 0 --temp 0.7"}) {
    const auto r = testing::run_ondo(base + quiet);
    ASSERT_EQ(r.exit_code, 0) << quiet << ": " << r.err;
    EXPECT_FALSE(has(r.err, "sampling seed")) << quiet << ": " << r.err;
  }
  // a command that fails before generating prints no seed either
  const auto failed = testing::run_ondo(base + "-n 2 --temp 0.7 -m /nonexistent.gguf");
  EXPECT_NE(failed.exit_code, 0);
  EXPECT_FALSE(has(failed.err, "sampling seed")) << failed.err;
}

TEST(TokenizerCli, TokenizeDetokenizeAndTemplateDefaultToTheBuiltInModel) {
  const auto implicit = testing::run_ondo("tokenize 'Hello  world'");
  const auto explicit_m = testing::run_ondo("tokenize -m " + builtin() + " 'Hello  world'");
  ASSERT_EQ(implicit.exit_code, 0) << implicit.err;
  EXPECT_EQ(implicit.out, explicit_m.out);
  EXPECT_EQ(implicit.out.front(), '[');

  std::string ids = implicit.out.substr(1, implicit.out.find(']') - 1);
  const auto text = testing::run_ondo("detokenize --tokens " + ids);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_TRUE(has(text.out, "Hello  world")) << text.out;
  EXPECT_EQ(text.out, testing::run_ondo("detokenize -m " + builtin() + " --tokens " + ids).out);

  const std::string msgs = temp_file("ondo_tmpl_msgs.json", R"([{"role": "user", "content": "hi"}])");
  const auto rendered = testing::run_ondo("template --messages " + msgs + " --add-generation-prompt");
  ASSERT_EQ(rendered.exit_code, 0) << rendered.err;
  EXPECT_EQ(rendered.out, "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
  const auto two = testing::run_ondo("template -m " + builtin() + " --chat-template chatml --messages " + msgs);
  EXPECT_EQ(two.exit_code, 2);
  EXPECT_TRUE(has(two.err, "give at most one of")) << two.err;
}

TEST(TokenizerCli, ErrorPositionsAreNotConfusableWithTokenIds) {
  const auto range = testing::run_ondo("detokenize --tokens 5,6,99999");
  EXPECT_EQ(range.exit_code, 2);
  EXPECT_TRUE(has(range.err, "item #3 (counting from 1) is id 99999, out of range (the vocabulary's ids are 0 to 1023)"))
      << range.err;
  const auto logits = testing::run_ondo("logits -t 1 --tokens 1,5000");
  EXPECT_EQ(logits.exit_code, 2);
  EXPECT_TRUE(has(logits.err, "item #2 (counting from 1) is id 5000, out of range")) << logits.err;
  EXPECT_TRUE(logits.out.empty());
  const auto empty = testing::run_ondo("detokenize --tokens 5,,6");
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_TRUE(has(empty.err, "item #2 (counting from 1) is empty")) << empty.err;
  const auto word = testing::run_ondo("detokenize --tokens 5,x");
  EXPECT_EQ(word.exit_code, 2);
  EXPECT_TRUE(has(word.err, "item #2 (counting from 1), 'x', is not a token id")) << word.err;
}

TEST(ServeCli, ListeningOnlyOnceEveryModelLoaded) {
  const auto r = testing::run_ondo("serve --port 0 -t 1 -m " + builtin() + "=a -m /nonexistent/model.gguf=b");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(has(r.err, "b: /nonexistent/model.gguf: cannot open")) << r.err;
  EXPECT_FALSE(has(r.err, "listening")) << r.err;
}

TEST(ServeCli, ContextAboveTheTrainedOneWarns) {
  // the warning comes with the first model's load; the second (missing) one then stops the start
  const auto r = testing::run_ondo("serve --port 0 -t 1 --ctx 1000 -m " + builtin() + "=a -m /nonexistent.gguf=b");
  EXPECT_TRUE(has(r.err, "ondo serve: warning: --ctx 1000 is above the context the model was trained for (256 tokens)"))
      << r.err;
}

TEST(TrainCli, WarnsWhenTheStepsEndBeforeTheWarmUp) {
  const std::string common = "train --data /nonexistent/train.jsonl --tokenizer " + builtin() +
                             " --out " + ::testing::TempDir() + "ondo_never.gguf --layers 1 --dim 8 --heads 1 --ffn 8"
                             " --ctx 8 --batch 1 --steps 5 -t 1";
  const auto short_run = testing::run_ondo(common);  // --warmup defaults to 100
  EXPECT_TRUE(has(short_run.err, "warning: --steps 5 ends before the warm-up of 100 steps does")) << short_run.err;
  EXPECT_TRUE(has(short_run.err, "/nonexistent/train.jsonl")) << short_run.err;
  const auto fine = testing::run_ondo(common + " --warmup 2");
  EXPECT_FALSE(has(fine.err, "warm-up")) << fine.err;
}

// The schema grammar allows the layout the model was trained on (json.dumps: a space after ':'
// and ','), so under the recipe schema the greedy answer is the model's own free answer. With
// compact-only grammars it was forced off its tokens into nonsense of the right shape.
TEST(RunCli, ASchemaDoesNotPushTheBuiltInModelOffItsOwnAnswer) {
  const std::string schema = temp_file("recipe_layout.schema.json",
      R"({"type":"object","properties":{"recipe_name":{"type":"string"},)"
      R"("recipe_ingredients":{"type":"array","items":{"type":"string"}},)"
      R"("recipes":{"type":"array","items":{"type":"string"}}},)"
      R"("required":["recipe_name","recipe_ingredients","recipes"],"additionalProperties":false})");
  for (const char* req : {R"({"ingredients": ["egg", "tomato", "onion"], "except_recipe": []})",
                          R"({"ingredients": ["김치", "두부"], "except_recipe": ["김치찌개"]})"}) {
    const std::string base = std::string("run --chat -p '") + req + "' -n 160 --temp 0 -t 1";
    const auto free = testing::run_ondo(base);
    const auto constrained = testing::run_ondo(base + " --json-schema " + schema);
    ASSERT_EQ(free.exit_code, 0) << free.err;
    ASSERT_EQ(constrained.exit_code, 0) << constrained.err;
    ASSERT_TRUE(nlohmann::json::accept(free.out)) << "the free answer is a whole JSON value: " << free.out;
    EXPECT_EQ(constrained.out, free.out) << req;
  }
}

}  // namespace
}  // namespace ondo::cli
