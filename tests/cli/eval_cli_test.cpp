// `ondo eval` on the built-in recipe model, run as a user runs it: the recipe dataset's rows
// give exactly what `ondo run --chat` gives with the same seed, the summary and row files are
// written, two runs compare row by row, a registry prompt renders rows' variables, and a bad
// dataset line is an error naming the line. Layer: cli tests (needs the `ondo` target).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "support/run_command.h"
#include "support/temp_dir.h"

namespace ondo::cli {
namespace {

using ojson = nlohmann::ordered_json;

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string recipe_dataset() { return (std::filesystem::path(ONDO_SOURCE_DIR) / "evals" / "recipe" / "eval.jsonl").string(); }

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

class EvalCli : public testing::TempDirTest {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(path(name), std::ios::binary) << text;
    return path(name);
  }
  static ojson read_json(const std::string& p) {
    std::ifstream in(p);
    return ojson::parse(in, nullptr, false);
  }
};

TEST_F(EvalCli, RecipeRowsEqualOndoRunWithTheSameSeedAndAreScored) {
  // no --seed: eval's default seed 1 (row 4 is one the model is unsure of: its answer moves with the seed)
  const auto r = testing::run_ondo("eval -d " + recipe_dataset() + " --limit 4 --temp 0.7 -n 400 -t 1 --out " +
                                   path("run") + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const ojson j = ojson::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  ASSERT_EQ(j["targets"].size(), 1u);
  const ojson& t = j["targets"][0];
  ASSERT_EQ(t["rows"].size(), 4u);
  for (const char* m : {"schema", "expr.json_ok", "expr.uses_all_ingredients", "expr.avoids_excluded"}) {
    EXPECT_TRUE(t["metrics"].contains(m)) << m << " in " << t["metrics"].dump();
  }
  // eval.py's mechanics: row i is `ondo run --chat -p PROMPT --temp 0.7 --seed i+1 -n 400`
  std::ifstream data(recipe_dataset());
  std::string line;
  for (int i = 0; i < 4 && std::getline(data, line); ++i) {
    const ojson row = ojson::parse(line);
    const auto run = testing::run_ondo("run --chat -p " + quote(row["prompt"].get<std::string>()) +
                                       " --temp 0.7 -n 400 -t 1 --seed " + std::to_string(i + 1));
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const ojson& got = t["rows"][size_t(i)];
    EXPECT_EQ(got["id"], row["id"]);
    EXPECT_EQ(got["output"].get<std::string>(), run.out) << "row " << i;
    EXPECT_GT(got["n_generated"].get<int>(), 0);
    EXPECT_GT(got["latency_ms"].get<double>(), 0.0);
    // the model answers the format reliably (models/README.md: 1.00)
    EXPECT_EQ(got["metrics"]["expr.json_ok"], 1.0) << got["output"];
    EXPECT_EQ(got["metrics"]["schema"], 1.0) << got["output"];
  }
  // a second run repeats the first exactly
  const auto again = testing::run_ondo("eval -d " + recipe_dataset() + " --limit 4 --temp 0.7 -n 400 -t 1 --json");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const ojson j2 = ojson::parse(again.out, nullptr, false);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(j2["targets"][0]["rows"][i]["output"], t["rows"][i]["output"]) << i;
  const ojson summary = read_json(path("run") + "/summary.json");
  ASSERT_TRUE(summary.is_object());
  EXPECT_EQ(summary["targets"][0]["rows"].size(), 4u);
  std::ifstream rows(path("run") + "/rows-1.jsonl");
  int n = 0;
  while (std::getline(rows, line)) n += ojson::parse(line, nullptr, false).is_object();
  EXPECT_EQ(n, 4);
}

TEST_F(EvalCli, TwoModelsTableAndCompare) {
  const std::string ds = write("d.jsonl",
      "{\"id\":\"egg\",\"prompt\":\"{\\\"ingredients\\\": [\\\"egg\\\"], \\\"except_recipe\\\": []}\","
      "\"checks\":{\"json\":true,\"contains\":\"recipe_name\",\"regex\":\"^\\\\{\\\"recipe_name\\\"\"}}\n"
      "{\"id\":\"tofu\",\"prompt\":\"{\\\"ingredients\\\": [\\\"tofu\\\"], \\\"except_recipe\\\": []}\","
      "\"checks\":{\"json\":true}}\n");
  const auto a = testing::run_ondo("eval -d " + ds + " --temp 0 -n 200 -t 1 --out " + path("a"));
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_TRUE(has(a.out, "dataset " + ds + ": 2 rows")) << a.out;
  EXPECT_TRUE(has(a.out, "json")) << a.out;
  EXPECT_TRUE(has(a.out, "regex")) << a.out;
  EXPECT_TRUE(has(a.out, "tok/s")) << a.out;
  // the same run compared with itself: nothing changed
  const auto same = testing::run_ondo("eval compare " + path("a/summary.json") + " " + path("a/summary.json"));
  ASSERT_EQ(same.exit_code, 0) << same.err;
  EXPECT_TRUE(has(same.out, "2 rows in both; 0 changed")) << same.out;
  // a run cut short (4 tokens): outputs change, JSON validity drops, rows are named
  const auto b = testing::run_ondo("eval -d " + ds + " --temp 0 -n 4 -t 1 --out " + path("b"));
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const auto c = testing::run_ondo("eval compare " + path("a/summary.json") + " " + path("b/summary.json") + " --json");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const ojson cj = ojson::parse(c.out, nullptr, false);
  ASSERT_TRUE(cj.is_object()) << c.out;
  EXPECT_EQ(cj["n_common"], 2);
  EXPECT_EQ(cj["changed"].size(), 2u) << c.out;
  EXPECT_EQ(cj["metrics"]["json"]["a"], 1.0) << c.out;
  EXPECT_EQ(cj["metrics"]["json"]["b"], 0.0) << c.out;
  EXPECT_EQ(cj["metrics"]["json"]["regressed"], 2) << c.out;
  // two targets in one run: the summary has both; compare picks one with --b-target
  const std::string model = (std::filesystem::path(ONDO_SOURCE_DIR) / "models" / "ondo-recipe.gguf").string();
  const auto two = testing::run_ondo("eval -d " + ds + " -m " + model + " -m " + model + " --temp 0 -n 200 -t 1 --out " + path("two"));
  ASSERT_EQ(two.exit_code, 0) << two.err;
  const auto pick = testing::run_ondo("eval compare " + path("a/summary.json") + " " + path("two/summary.json") + " --b-target 2");
  ASSERT_EQ(pick.exit_code, 0) << pick.err;
  EXPECT_TRUE(has(pick.out, "0 changed")) << pick.out;  // same model, greedy: same outputs
  const auto range = testing::run_ondo("eval compare " + path("a/summary.json") + " " + path("two/summary.json") + " --b-target 3");
  EXPECT_EQ(range.exit_code, 2);
  EXPECT_TRUE(has(range.err, "has 2 target(s); --b-target 3 is out of range")) << range.err;
}

TEST_F(EvalCli, ABadDatasetLineIsAnErrorNamingIt) {
  const std::string ds = write("bad.jsonl", "{\"prompt\":\"a\"}\n{\"prompt\":\"b\",\"checks\":{\"regex\":\"[\"}}\n");
  const auto r = testing::run_ondo("eval -d " + ds + " -t 1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, ds + ": line 2: checks.regex: regex '['")) << r.err;
  const auto none = testing::run_ondo("eval -t 1");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_TRUE(has(none.err, "no dataset given (use -d DATASET.jsonl)")) << none.err;
  const std::string vars = write("vars.jsonl", "{\"prompt\":\"a\"}\n{\"input\":{\"x\":1}}\n");
  const auto v = testing::run_ondo("eval -d " + vars + " -t 1 -n 4");
  EXPECT_EQ(v.exit_code, 2);
  EXPECT_TRUE(has(v.err, vars + ": line 2: the row gives `input` variables, but target")) << v.err;
  EXPECT_TRUE(has(v.err, "has no registry prompt")) << v.err;
}

TEST_F(EvalCli, ARegistryPromptRendersRowVariables) {
  const std::string store = "--data-dir " + path("store");
  ASSERT_EQ(testing::run_ondo("prompt create recipe " + store).exit_code, 0);
  const std::string body = write("v1.json", R"({"messages":[{"role":"user","content":)"
                                            R"("{\"ingredients\": [\"{{ item }}\"], \"except_recipe\": []}"}],)"
                                            R"("variables":{"item":"string"},"params":{"temperature":0,"max_tokens":200}})");
  const auto v = testing::run_ondo("prompt version recipe --file " + body + " " + store);
  ASSERT_EQ(v.exit_code, 0) << v.err;
  const std::string ds = write("vars.jsonl", "{\"id\":\"e\",\"input\":{\"item\":\"egg\"},\"checks\":{\"json\":true}}\n"
                                             "{\"id\":\"t\",\"input\":{\"item\":\"tomato\"},\"checks\":{\"json\":true}}\n");
  const auto r = testing::run_ondo("eval -d " + ds + " --prompt recipe@1 -t 1 --json " + store);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const ojson j = ojson::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  const ojson& t = j["targets"][0];
  EXPECT_EQ(t["prompt"], "recipe@1");
  EXPECT_EQ(t["params"]["temperature"], 0.0);  // the version's params fill what flags leave unset
  EXPECT_EQ(t["params"]["max_tokens"], 200);
  EXPECT_EQ(t["n_errors"], 0) << r.out;
  EXPECT_EQ(t["metrics"]["json"]["mean"], 1.0) << r.out;
  // greedy and rendered the same way as ondo run --chat with the filled-in request
  const auto run = testing::run_ondo(R"(run --chat -p '{"ingredients": ["egg"], "except_recipe": []}' --temp 0 -n 200 -t 1)");
  EXPECT_EQ(t["rows"][0]["output"].get<std::string>(), run.out);
  const auto missing = testing::run_ondo("eval -d " + ds + " --prompt nope@1 -t 1 " + store);
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_TRUE(has(missing.err, "nope")) << missing.err;
}

}  // namespace
}  // namespace ondo::cli
