// The built-in job kinds: train (train/trainer.h) and quantize (model/quantize); registration of
// every kind. Layer: jobs.
#include "ondo/jobs/kinds.h"

#include "ondo/jobs/eval_kind.h"
#include "ondo/jobs/fine_tune.h"
#include "ondo/jobs/imatrix_kind.h"
#include "ondo/jobs/params.h"

#include <cmath>
#include <cstdint>
#include <fstream>

#include "ondo/gguf/reader.h"
#include "ondo/model/quantize/quantize.h"
#include "ondo/text/chat_template/chat_template.h"
#include "ondo/text/tokenizer.h"
#include "ondo/train/export.h"
#include "ondo/train/trainer.h"

namespace ondo::jobs {
namespace {

struct TrainParams {
  std::string data, tokenizer, val_data, chat_template, out;
  train::TrainOptions o;
  int64_t kv_heads = 0;
  double val_split = 0.05;
};

// Everything but n_vocab (known once the tokenizer is read).
Result<TrainParams> train_params(const nlohmann::json& p, const std::filesystem::path& work_dir) {
  TrainParams t;
  ONDO_ASSIGN_OR_RETURN(t.data, get_string(p, "data", true));
  ONDO_ASSIGN_OR_RETURN(t.tokenizer, get_string(p, "tokenizer", true));
  ONDO_ASSIGN_OR_RETURN(t.val_data, get_string(p, "val_data", false));
  ONDO_ASSIGN_OR_RETURN(t.chat_template, get_string(p, "chat_template", false));
  ONDO_ASSIGN_OR_RETURN(t.out, get_string(p, "out", false, (work_dir / "model.gguf").string()));
  int64_t layers, dim, heads, ffn, ctx, seed;
  ONDO_ASSIGN_OR_RETURN(layers, get_int(p, "layers", true, 0, 1, 256));
  ONDO_ASSIGN_OR_RETURN(dim, get_int(p, "dim", true, 0, 2, 16384));
  ONDO_ASSIGN_OR_RETURN(heads, get_int(p, "heads", true, 0, 1, 256));
  ONDO_ASSIGN_OR_RETURN(t.kv_heads, get_int(p, "kv_heads", false, 0, 0, 256));
  ONDO_ASSIGN_OR_RETURN(ffn, get_int(p, "ffn", true, 0, 1, 65536));
  ONDO_ASSIGN_OR_RETURN(ctx, get_int(p, "ctx", true, 0, 2, 65536));
  ONDO_ASSIGN_OR_RETURN(t.o.batch, get_int(p, "batch", true, 0, 1, 4096));
  ONDO_ASSIGN_OR_RETURN(t.o.opt.total_steps, get_int(p, "steps", true, 0, 1, 1000000000));
  ONDO_ASSIGN_OR_RETURN(t.o.opt.warmup, get_int(p, "warmup", false, std::min<int64_t>(100, t.o.opt.total_steps / 10), 0, 1000000000));
  ONDO_ASSIGN_OR_RETURN(t.o.eval_every, get_int(p, "eval_every", false, 0, 0, 1000000000));
  ONDO_ASSIGN_OR_RETURN(t.o.ckpt_every, get_int(p, "ckpt_every", false, std::max<int64_t>(1, t.o.opt.total_steps / 10), 1, 1000000000));
  ONDO_ASSIGN_OR_RETURN(seed, get_int(p, "seed", false, 1, 0, INT64_MAX));
  ONDO_ASSIGN_OR_RETURN(double lr, get_double(p, "lr", 1e-3, 1e-12, 10));
  ONDO_ASSIGN_OR_RETURN(double wd, get_double(p, "weight_decay", 0.1, 0, 10));
  ONDO_ASSIGN_OR_RETURN(double clip, get_double(p, "clip", 1.0, 0, 1e9));
  ONDO_ASSIGN_OR_RETURN(t.val_split, get_double(p, "val_split", 0.05, 0, 0.999));
  t.o.model = {0, int32_t(dim), int32_t(layers), int32_t(heads), int32_t(t.kv_heads ? t.kv_heads : heads), int32_t(ffn),
               int32_t(ctx)};
  t.o.opt.lr = float(lr), t.o.opt.weight_decay = float(wd), t.o.opt.clip = float(clip);
  t.o.seed = uint64_t(seed);
  t.o.ckpt_dir = work_dir / "ckpt";
  if (!t.chat_template.empty() && !text::builtin_chat_template(t.chat_template)) {
    return param_error("chat_template", "'" + t.chat_template + "' is not a built-in template name");
  }
  return t;
}

std::string template_source(const TrainParams& t, const gguf::GgufFile& tok_file) {
  if (!t.chat_template.empty()) return std::string(*text::builtin_chat_template(t.chat_template));
  if (const gguf::Value* v = tok_file.find("tokenizer.chat_template")) {
    if (auto s = v->as_string()) return std::string(*s);
  }
  return std::string(*text::builtin_chat_template("chatml"));
}

}  // namespace

Result<nlohmann::json> run_train(JobContext& ctx) {
  ONDO_ASSIGN_OR_RETURN(TrainParams t, train_params(ctx.params(), ctx.work_dir()));
  ONDO_TRY(check_file("data", t.data));
  ONDO_TRY(check_model_file("tokenizer", t.tokenizer));
  if (!t.val_data.empty()) ONDO_TRY(check_file("val_data", t.val_data));
  ONDO_ASSIGN_OR_RETURN(auto tok_file, gguf::GgufFile::open(t.tokenizer));
  ONDO_ASSIGN_OR_RETURN(auto tok, text::Tokenizer::from_gguf(*tok_file));
  t.o.model.n_vocab = tok->n_vocab();
  ONDO_TRY(train::validate_config(t.o.model));
  const std::string tmpl_src = template_source(t, *tok_file);
  ONDO_ASSIGN_OR_RETURN(text::ChatTemplate tmpl, text::ChatTemplate::parse(tmpl_src, "train"));
  ONDO_ASSIGN_OR_RETURN(auto examples, train::load_examples(t.data, *tok, &tmpl, t.o.model.n_ctx));
  std::vector<train::Example> val;
  if (!t.val_data.empty()) {
    ONDO_ASSIGN_OR_RETURN(val, train::load_examples(t.val_data, *tok, &tmpl, t.o.model.n_ctx));
  } else {
    val = train::split_validation(examples, t.val_split, t.o.seed);
  }
  if (examples.empty()) return param_error("data", t.data + ": no training examples");
  train::Trainer trainer(t.o, ctx.pool(), std::move(examples), std::move(val), tok->eos_id() >= 0 ? tok->eos_id() : 0);
  if (!ctx.resume_from().empty()) {
    ONDO_TRY(trainer.load_checkpoint(ctx.resume_from()));
    (void)ctx.event("info", "resumed from " + ctx.resume_from() + " at step " + std::to_string(trainer.step()),
                    {{"step", trainer.step()}});
  }
  const int64_t total = t.o.opt.total_steps;
  double last_loss = 0, last_eval = -1;
  Status checkpoint_error = ok_status();
  auto st = trainer.run(
      [&](const train::StepReport& r) {
        last_loss = r.loss;
        Progress p{r.step, total, r.loss, std::nullopt, r.tokens_per_s, r.eta_s};
        if (r.val_loss >= 0) p.eval_loss = last_eval = r.val_loss;
        if (!r.checkpoint.empty()) {
          auto c = ctx.checkpoint(r.step, r.checkpoint, {{"loss", r.loss}});
          if (!c.ok() && checkpoint_error.ok()) checkpoint_error = c;
        }
        (void)ctx.metrics(p);
        (void)ctx.progress(p);  // a cancel raises stop_flag(), which run() sees before its next step
      },
      &ctx.stop_flag());
  if (!st.ok()) return st.error();
  ONDO_TRY(checkpoint_error);
  train::ExportInfo info;
  info.name = std::filesystem::path(t.out).stem().string();
  info.chat_template = tmpl_src;
  ONDO_TRY(train::export_model(t.o.model, trainer.model().layout(), trainer.params().data(), *tok_file, info, t.out));
  nlohmann::json result = {{"model", t.out}, {"steps", trainer.step()}, {"loss", last_loss}};
  if (last_eval >= 0) result["eval_loss"] = last_eval;
  return result;
}

Result<nlohmann::json> run_quantize(JobContext& ctx) {
  namespace mq = model::quantize;
  const nlohmann::json& p = ctx.params();
  ONDO_ASSIGN_OR_RETURN(std::string input, get_string(p, "input", true));
  ONDO_ASSIGN_OR_RETURN(std::string output, get_string(p, "output", false, (ctx.work_dir() / "model.gguf").string()));
  ONDO_ASSIGN_OR_RETURN(std::string type, get_string(p, "type", true));
  const mq::Preset* preset = mq::find_preset(type);
  if (preset == nullptr) return param_error("type", "unknown type '" + type + "' (expected one of " + mq::presets_list() + ")");
  ONDO_TRY(check_model_file("input", input));
  mq::QuantizeOptions o;
  o.input = input;
  o.output = output;
  o.preset = preset;
  ONDO_ASSIGN_OR_RETURN(std::string imatrix, get_string(p, "imatrix", false));
  mq::Imatrix im;
  if (!imatrix.empty()) {
    ONDO_ASSIGN_OR_RETURN(o.imatrix_file, resolve_imatrix_param(ctx.store(), imatrix));
    auto read = mq::read_imatrix(o.imatrix_file);
    if (!read.ok()) return param_error("imatrix", read.error().message);
    im = std::move(read).value();
    o.imatrix = &im;
  }
  o.on_tensor = [&](const mq::TensorReport& r) {
    Progress p;
    p.step = int64_t(r.index + 1);
    p.total = int64_t(r.count);
    (void)ctx.progress(p);
  };
  ONDO_ASSIGN_OR_RETURN(mq::QuantizeReport rep, mq::quantize_model(o, ctx.pool()));
  if (ctx.cancelled()) {
    std::error_code ec;
    std::filesystem::remove(output, ec);
    return make_error(ErrorCode::Cancelled, "quantize job '" + ctx.job().id + "' was cancelled");
  }
  nlohmann::json result = {{"model", output}, {"tensors", rep.n_tensors}, {"bytes_in", rep.tensor_bytes_in},
                           {"bytes_out", rep.tensor_bytes_out}};
  if (o.imatrix != nullptr) {
    result["imatrix"] = o.imatrix_file;
    result["weighted_tensors"] = rep.n_weighted;
  }
  return result;
}

Status register_builtin_kinds(KindRegistry& registry, KindHooks hooks) {
  ONDO_TRY(registry.add("train", run_train));
  ONDO_TRY(registry.add("fine_tune", run_fine_tune));
  ONDO_TRY(registry.add("imatrix", run_imatrix));
  ONDO_TRY(registry.add("eval", make_eval_runner(std::move(hooks.prompts))));
  return registry.add("quantize", run_quantize);
}

Status validate_params(const std::string& kind, const nlohmann::json& params, store::Store* store) {
  if (!params.is_object()) return make_error(ErrorCode::InvalidArgument, "params: expected a JSON object");
  if (kind == "train") {
    ONDO_ASSIGN_OR_RETURN(TrainParams t, train_params(params, "."));
    ONDO_TRY(check_file("data", t.data));
    ONDO_TRY(check_file("tokenizer", t.tokenizer));
    if (!t.val_data.empty()) ONDO_TRY(check_file("val_data", t.val_data));
  } else if (kind == "quantize") {
    ONDO_ASSIGN_OR_RETURN(std::string input, get_string(params, "input", true));
    ONDO_TRY(check_file("input", input));
    ONDO_ASSIGN_OR_RETURN(std::string type, get_string(params, "type", true));
    if (model::quantize::find_preset(type) == nullptr) {
      return param_error("type", "unknown type '" + type + "' (expected one of " + model::quantize::presets_list() + ")");
    }
    ONDO_ASSIGN_OR_RETURN(std::string imatrix, get_string(params, "imatrix", false));
    if (!imatrix.empty() && store != nullptr) {
      ONDO_TRY(resolve_imatrix_param(*store, imatrix));
    } else if (!imatrix.empty()) {
      ONDO_TRY(check_file("imatrix", imatrix));
    }
  } else if (kind == "imatrix") {
    ONDO_TRY(validate_imatrix_params(params, store));
  } else if (kind == "eval") {
    ONDO_TRY(validate_eval_params(params, store));
  }
  return ok_status();
}

}  // namespace ondo::jobs
