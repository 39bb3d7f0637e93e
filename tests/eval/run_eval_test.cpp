// run_eval() as the job queue will call it: on the built-in recipe model, rows are generated
// and scored, the same options give the same outputs, the progress callback sees every row
// and cancels, the cancel flag cancels, and adapters and bad targets are refused clearly.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "ondo/eval/run_eval.h"

namespace ondo::eval {
namespace {

std::string builtin() { return (std::filesystem::path(ONDO_SOURCE_DIR) / "models" / "ondo-recipe.gguf").string(); }

std::shared_ptr<const Dataset> recipe_rows() {
  auto d = parse_dataset(
      R"({"id":"egg","prompt":"{\"ingredients\": [\"egg\"], \"except_recipe\": []}","checks":{"json":true,"expr":{"named":"output.recipe_name is string"}}})"
      "\n"
      R"({"id":"tofu","prompt":"{\"ingredients\": [\"tofu\"], \"except_recipe\": []}","checks":{"json":true}})"
      "\n"
      R"({"id":"kimchi","messages":[{"role":"user","content":"{\"ingredients\": [\"kimchi\"], \"except_recipe\": []}"}],"checks":{"json":true}})"
      "\n",
      "rows.jsonl");
  EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().message);
  return std::make_shared<const Dataset>(std::move(d).value());
}

EvalOptions options(core::ComputePool& pool) {
  EvalOptions o;
  o.dataset = recipe_rows();
  EvalTarget t;
  t.model_path = builtin();
  t.params.sampling.temperature = 0.7f;
  t.params.sampling.seed = 5;
  t.params.max_tokens = 200;
  o.targets.push_back(t);
  o.pool = &pool;
  return o;
}

TEST(RunEval, RowsAreGeneratedScoredAndRepeatable) {
  core::ComputePool pool(1);
  std::vector<size_t> seen;
  auto a = run_eval(options(pool), [&](const EvalProgress& p) {
    seen.push_back(p.rows_done);
    EXPECT_EQ(p.n_rows, 3u);
    EXPECT_EQ(p.last == nullptr, p.rows_done == 0);
    return true;
  });
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(seen, (std::vector<size_t>{0, 1, 2, 3}));
  ASSERT_EQ(a->targets.size(), 1u);
  const TargetResult& t = a->targets[0];
  EXPECT_EQ(t.label, "ondo-recipe.gguf");
  ASSERT_EQ(t.rows.size(), 3u);
  for (const RowResult& r : t.rows) {
    EXPECT_TRUE(r.error.empty()) << r.error;
    EXPECT_GT(r.n_generated, 0);
    EXPECT_GT(r.n_prompt, 0);
    EXPECT_EQ(r.stop, "eos") << r.output;
  }
  ASSERT_FALSE(t.metrics.empty());
  EXPECT_EQ(t.metrics[0].name, "json");
  EXPECT_EQ(t.metrics[0].n, 3u);
  EXPECT_EQ(t.metrics[0].mean, 1.0);  // the built-in model answers in JSON
  EXPECT_GT(t.tokens_per_s, 0.0);
  auto b = run_eval(options(pool));
  ASSERT_TRUE(b.ok());
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(b->targets[0].rows[i].output, t.rows[i].output) << i;
}

TEST(RunEval, ProgressAndTheCancelFlagCancel) {
  core::ComputePool pool(1);
  auto a = run_eval(options(pool), [](const EvalProgress& p) { return p.rows_done < 1; });
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, ErrorCode::Cancelled);
  std::atomic<bool> cancel{true};
  EvalOptions o = options(pool);
  o.cancel = &cancel;
  auto b = run_eval(o);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, ErrorCode::Cancelled);
}

TEST(RunEval, BadTargetsAreRefusedBeforeAnyRow) {
  core::ComputePool pool(1);
  EvalOptions o = options(pool);
  o.targets[0].adapter_path = "tuned.gguf";
  auto a = run_eval(o);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, ErrorCode::Unsupported);
  o = options(pool);
  o.targets[0].model_path = "/nonexistent/model.gguf";
  EXPECT_FALSE(run_eval(o).ok());
  o = options(pool);
  o.targets[0].raw = true;  // row 3 gives messages
  auto c = run_eval(o);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("rows.jsonl: line 3: a raw target takes rows with `prompt` only"), std::string::npos)
      << c.error().message;
  o = options(pool);
  o.targets[0].params.response_schema = nlohmann::ordered_json::parse(R"({"type":"object","patternProperties":{}})");
  auto d = run_eval(o);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("response schema"), std::string::npos) << d.error().message;
  o = options(pool);
  o.targets.clear();
  EXPECT_FALSE(run_eval(o).ok());
}

TEST(RunEval, AJsonSchemaConstraintMakesEveryOutputValid) {
  core::ComputePool pool(1);
  EvalOptions o = options(pool);
  o.targets[0].params.response_schema = nlohmann::ordered_json::parse(
      R"({"type":"object","properties":{"recipe_name":{"type":"string","maxLength":30}},"required":["recipe_name"]})");
  auto a = run_eval(o);
  ASSERT_TRUE(a.ok()) << a.error().message;
  for (const RowResult& r : a->targets[0].rows) {
    EXPECT_EQ(r.stop, "grammar") << r.output;
    EXPECT_EQ(r.metrics[0].value, 1.0) << r.output;  // json
  }
  EXPECT_EQ(a->targets[0].params["response_schema"]["required"][0], "recipe_name");
}

}  // namespace
}  // namespace ondo::eval
