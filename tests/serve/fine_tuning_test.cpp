// OpenAI's fine-tuning request (fine_tuning_params: defaults, "auto", ondo's lora object,
// errors with their field paths) and the job shapes built from stored jobs. Layer: tests/serve.
#include "ondo/serve/fine_tuning.h"

#include <gtest/gtest.h>

namespace ondo::serve {
namespace {

nlohmann::ordered_json body(const std::string& extra = "") {
  return nlohmann::ordered_json::parse(R"({"model": "tiny", "training_file": "file-1")" + extra + "}");
}

Error error_of(const std::string& extra) {
  auto r = fine_tuning_params(body(extra));
  EXPECT_FALSE(r.ok()) << extra;
  return r.ok() ? Error{} : r.error();
}

TEST(FineTuningParams, FillsDefaults) {
  auto p = fine_tuning_params(body());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ((*p)["hyperparameters"], (nlohmann::json{{"n_epochs", "auto"}, {"batch_size", "auto"}, {"learning_rate_multiplier", "auto"}}));
  EXPECT_EQ((*p)["seed"], 42);
  EXPECT_EQ((*p)["validation_file"], nullptr);
  EXPECT_EQ((*p)["method"]["type"], "supervised");
  EXPECT_EQ((*p)["lora"]["attention"], (nlohmann::json{{"enabled", true}, {"rank", 8}, {"alpha", 16.0}, {"modules", {"q", "v"}}}));
  EXPECT_EQ((*p)["lora"]["mlp"]["enabled"], false);
  EXPECT_EQ((*p)["lora"]["lr_schedule"], (nlohmann::json{{"type", "cosine"}, {"warmup_steps", 100}}));
  EXPECT_EQ((*p)["lora"]["gradient_accumulation"], 1);
}

TEST(FineTuningParams, TakesGivenValuesAndMethodHyperparameters) {
  auto p = fine_tuning_params(body(R"(, "method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 3,
      "learning_rate_multiplier": 0.5}}}, "suffix": "my-model_1", "seed": 9,
      "lora": {"attention": {"rank": 4, "modules": ["q", "k", "v", "o"]}, "mlp": {"enabled": true, "rank": 16, "alpha": 8},
               "dropout": 0.1, "lr_schedule": {"type": "linear", "warmup_steps": 5}, "gradient_accumulation": 4,
               "max_steps": 200})"));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ((*p)["hyperparameters"]["n_epochs"], 3);
  EXPECT_EQ((*p)["hyperparameters"]["learning_rate_multiplier"], 0.5);
  EXPECT_EQ((*p)["suffix"], "my-model_1");
  EXPECT_EQ((*p)["lora"]["attention"]["alpha"], 8.0);  // 2 x rank
  EXPECT_EQ((*p)["lora"]["mlp"], (nlohmann::json{{"enabled", true}, {"rank", 16}, {"alpha", 8.0}, {"modules", {"gate", "up", "down"}}}));
  EXPECT_EQ((*p)["lora"]["max_steps"], 200);
}

TEST(FineTuningParams, ErrorsNameTheField) {
  const std::pair<std::string, std::string> cases[] = {
      {R"(, "hyperparameters": {"n_epochs": 0})", "hyperparameters.n_epochs"},
      {R"(, "hyperparameters": {"batch_size": "big"})", "hyperparameters.batch_size"},
      {R"(, "hyperparameters": {"learning_rate_multiplier": -1})", "hyperparameters.learning_rate_multiplier"},
      {R"(, "hyperparameters": {"epochs": 2})", "hyperparameters.epochs"},
      {R"(, "method": {"type": "dpo"})", "method.type"},
      {R"(, "suffix": "a b")", "suffix"},
      {R"(, "seed": -1)", "seed"},
      {R"(, "lora": {"attention": {"modules": ["q", "x"]}})", "lora.attention.modules[1]"},
      {R"(, "lora": {"attention": {"modules": ["q", "q"]}})", "lora.attention.modules[1]"},
      {R"(, "lora": {"mlp": {"enabled": true, "rank": 0}})", "lora.mlp.rank"},
      {R"(, "lora": {"attention": {"enabled": false}})", "lora"},
      {R"(, "lora": {"lr_schedule": {"type": "step"}})", "lora.lr_schedule.type"},
      {R"(, "lora": {"targets": []})", "lora.targets"},
      {R"(, "validation_file": 3)", "validation_file"},
      {R"(, "extra": 1)", "extra"},
  };
  for (const auto& [extra, field] : cases) EXPECT_EQ(error_of(extra).field, field) << extra;
  auto no_file = fine_tuning_params(nlohmann::ordered_json::parse(R"({"model": "tiny"})"));
  ASSERT_FALSE(no_file.ok());
  EXPECT_EQ(no_file.error().field, "training_file");
  auto no_model = fine_tuning_params(nlohmann::ordered_json::parse(R"({"training_file": "f"})"));
  ASSERT_FALSE(no_model.ok());
  EXPECT_EQ(no_model.error().field, "model");
  EXPECT_EQ(error_of(R"(, "method": {"type": "dpo"})").code, ErrorCode::Unsupported);
}

TEST(FineTuningJson, JobShapeFollowsTheStoredJob) {
  store::JobRecord j;
  j.id = "ftjob-0123";
  j.kind = "fine_tune";
  j.state = "failed";
  j.params = fine_tuning_params(body()).value().dump();
  j.created_ms = 1700000000123;
  j.finished_ms = 1700000005000;
  j.error_code = "no_runner";
  j.error = "no runner for kind fine_tune";
  const nlohmann::json out = fine_tuning_job_json(j);
  EXPECT_EQ(out["object"], "fine_tuning.job");
  EXPECT_EQ(out["status"], "failed");
  EXPECT_EQ(out["model"], "tiny");
  EXPECT_EQ(out["training_file"], "file-1");
  EXPECT_EQ(out["created_at"], 1700000000);
  EXPECT_EQ(out["finished_at"], 1700000005);
  EXPECT_EQ(out["fine_tuned_model"], nullptr);
  EXPECT_EQ(out["error"], (nlohmann::json{{"code", "no_runner"}, {"message", "no runner for kind fine_tune"}, {"param", nullptr}}));
  j.state = "succeeded";
  j.result = R"({"fine_tuned_model": "ft:tiny:x", "trained_tokens": 1234})";
  const nlohmann::json ok = fine_tuning_job_json(j);
  EXPECT_EQ(ok["fine_tuned_model"], "ft:tiny:x");
  EXPECT_EQ(ok["trained_tokens"], 1234);
  EXPECT_EQ(ok["error"], nullptr);
  const nlohmann::json ev = fine_tuning_event_json({"ftjob-0123", 4, 1700000001000, "info", "step 10", R"({"step": 10, "loss": 2.5})"});
  EXPECT_EQ(ev["object"], "fine_tuning.job.event");
  EXPECT_EQ(ev["type"], "metrics");
  EXPECT_EQ(ev["id"], "ftevent-ftjob-0123-4");
  const nlohmann::json ck = fine_tuning_checkpoint_json({"ftjob-0123", 2, 20, "/ck/20.gguf", R"({"loss": 2.1})", 1700000002000});
  EXPECT_EQ(ck["step_number"], 20);
  EXPECT_EQ(ck["metrics"]["step"], 20);
  EXPECT_EQ(ck["fine_tuned_model_checkpoint"], "/ck/20.gguf");
}

}  // namespace
}  // namespace ondo::serve
