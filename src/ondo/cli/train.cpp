// `ondo train --data FILE [--val-data FILE | --val-split F] --tokenizer tok.gguf --layers L
// --dim D --heads H [--kv-heads K] --ffn F --ctx C --batch B --steps N [--lr X] [--warmup N]
// [--weight-decay X] [--clip X] [--eval-every K] [--ckpt-dir DIR] [--ckpt-every K] [--seed S]
// [-t N] [--chat-template NAME|FILE] --out model.gguf [--resume CKPT]`: trains a llama model
// from scratch on the CPU and writes it as GGUF. SIGINT writes a checkpoint and exits.
// Layer: cli.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "ondo/cli/args.h"
#include "ondo/cli/commands.h"
#include "ondo/cli/model_options.h"
#include "ondo/train/export.h"
#include "ondo/train/trainer.h"

namespace ondo::cli {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_sigint(int) { g_stop.store(true); }

// The template's source: a built-in name, a file, else the tokenizer's own, else chatml.
Result<std::string> template_source(const Args& args, const gguf::GgufFile& tok_file) {
  if (auto choice = args.get("--chat-template")) {
    if (auto b = text::builtin_chat_template(*choice)) return std::string(*b);
    std::ifstream in(*choice, std::ios::binary);
    if (!in) return make_error(ErrorCode::NotFound, *choice + ": not a built-in template name nor a readable file");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  if (const gguf::Value* v = tok_file.find("tokenizer.chat_template")) {
    if (auto s = v->as_string()) return std::string(*s);
  }
  return std::string(*text::builtin_chat_template("chatml"));
}

struct IntOpt {
  const char* name;
  int64_t fallback;
  int64_t lo, hi;
  int64_t* dst;
};

Status read_ints(const Args& args, std::initializer_list<IntOpt> opts) {
  for (const IntOpt& o : opts) {
    if (o.fallback < 0 && !args.has(o.name)) {
      return make_error(ErrorCode::InvalidArgument, std::string(o.name) + " is required");
    }
    ONDO_ASSIGN_OR_RETURN(*o.dst, args.get_int(o.name, o.fallback));
    if (*o.dst < o.lo || *o.dst > o.hi) {
      return make_error(ErrorCode::InvalidArgument, std::string(o.name) + " = " + std::to_string(*o.dst) +
                                                        " is out of range (" + std::to_string(o.lo) + ".." +
                                                        std::to_string(o.hi) + ")");
    }
  }
  return ok_status();
}

Result<train::TrainOptions> train_options(const Args& args, int32_t n_vocab) {
  int64_t layers, dim, heads, kv, ffn, ctx, batch, steps, warmup, eval_every, ckpt_every, seed;
  ONDO_TRY(read_ints(args, {{"--layers", -1, 1, 256, &layers}, {"--dim", -1, 2, 16384, &dim},
                            {"--heads", -1, 1, 256, &heads}, {"--kv-heads", 0, 0, 256, &kv},
                            {"--ffn", -1, 1, 65536, &ffn}, {"--ctx", -1, 2, 65536, &ctx},
                            {"--batch", -1, 1, 4096, &batch}, {"--steps", -1, 1, 1000000000, &steps},
                            {"--warmup", 100, 0, 1000000000, &warmup}, {"--eval-every", 0, 0, 1000000000, &eval_every},
                            {"--ckpt-every", 0, 0, 1000000000, &ckpt_every}, {"--seed", 1, 0, INT64_MAX, &seed}}));
  train::TrainOptions o;
  o.model = {n_vocab, int32_t(dim), int32_t(layers), int32_t(heads), int32_t(kv ? kv : heads), int32_t(ffn),
             int32_t(ctx)};
  ONDO_TRY(train::validate_config(o.model));
  ONDO_ASSIGN_OR_RETURN(double lr, args.get_double("--lr", 1e-3));
  ONDO_ASSIGN_OR_RETURN(double wd, args.get_double("--weight-decay", 0.1));
  ONDO_ASSIGN_OR_RETURN(double clip, args.get_double("--clip", 1.0));
  if (!(lr > 0 && lr < 10) || !(wd >= 0 && wd < 10) || !(clip >= 0)) {
    return make_error(ErrorCode::InvalidArgument, "--lr, --weight-decay or --clip is out of range");
  }
  o.opt.lr = float(lr), o.opt.weight_decay = float(wd), o.opt.clip = float(clip);
  o.opt.warmup = warmup, o.opt.total_steps = steps;
  o.batch = batch, o.eval_every = eval_every, o.ckpt_every = ckpt_every, o.seed = uint64_t(seed);
  o.ckpt_dir = args.get("--ckpt-dir").value_or(args.get("--out").value_or("model.gguf") + ".ckpt");
  return o;
}

void print_progress(const train::StepReport& r, int64_t total) {
  const int eta = int(r.eta_s);
  std::fprintf(stderr, "step %lld/%lld | loss %.4f", (long long)r.step, (long long)total, r.loss);
  if (r.val_loss >= 0) std::fprintf(stderr, " | val %.4f", r.val_loss);
  std::fprintf(stderr, " | lr %.2e | gnorm %.2f | %.0f tok/s | left %dm%02ds\n", double(r.lr), r.grad_norm,
               r.tokens_per_s, eta / 60, eta % 60);
  if (!r.checkpoint.empty()) std::fprintf(stderr, "checkpoint %s\n", r.checkpoint.c_str());
}

Status train_main(const Args& args) {
  const auto data = args.get("--data"), tok_path = args.get("--tokenizer"), out = args.get("--out");
  if (!data || !tok_path || !out) {
    return make_error(ErrorCode::InvalidArgument, "need --data FILE, --tokenizer tok.gguf and --out model.gguf");
  }
  ONDO_ASSIGN_OR_RETURN(auto tok_file, gguf::GgufFile::open(*tok_path));
  ONDO_ASSIGN_OR_RETURN(auto tok, text::Tokenizer::from_gguf(*tok_file));
  ONDO_ASSIGN_OR_RETURN(train::TrainOptions o, train_options(args, tok->n_vocab()));
  ONDO_ASSIGN_OR_RETURN(std::string tmpl_src, template_source(args, *tok_file));
  ONDO_ASSIGN_OR_RETURN(text::ChatTemplate tmpl, text::ChatTemplate::parse(tmpl_src, "train"));
  ONDO_ASSIGN_OR_RETURN(auto examples, train::load_examples(*data, *tok, &tmpl, o.model.n_ctx));
  std::vector<train::Example> val;
  if (auto vd = args.get("--val-data")) {
    ONDO_ASSIGN_OR_RETURN(val, train::load_examples(*vd, *tok, &tmpl, o.model.n_ctx));
  } else {
    ONDO_ASSIGN_OR_RETURN(double split, args.get_double("--val-split", 0.05));
    if (!(split >= 0 && split < 1)) return make_error(ErrorCode::InvalidArgument, "--val-split must be in [0, 1)");
    val = train::split_validation(examples, split, o.seed);
  }
  ONDO_ASSIGN_OR_RETURN(int threads, threads_option(args));
  std::fprintf(stderr, "ondo train: %zu training and %zu validation examples, %lld parameters, %d threads\n",
               examples.size(), val.size(), (long long)train::make_layout(o.model).n_params, threads);
  core::ComputePool pool(threads);
  train::Trainer trainer(o, pool, std::move(examples), std::move(val), tok->eos_id() >= 0 ? tok->eos_id() : 0);
  if (auto r = args.get("--resume")) {
    ONDO_TRY(trainer.load_checkpoint(*r));
    std::fprintf(stderr, "ondo train: resumed from %s at step %lld\n", r->c_str(), (long long)trainer.step());
  }
  std::signal(SIGINT, on_sigint);
  const int64_t total = o.opt.total_steps;
  auto st = trainer.run([&](const train::StepReport& r) { print_progress(r, total); }, &g_stop);
  std::signal(SIGINT, SIG_DFL);
  if (!st.ok()) {
    if (st.error().code == ErrorCode::Cancelled) {
      std::fprintf(stderr, "ondo train: interrupted; checkpoint written to %s (continue with --resume)\n",
                   (o.ckpt_dir / "ckpt-interrupted.gguf").c_str());
    }
    return st;
  }
  train::ExportInfo info;
  info.name = std::filesystem::path(*out).stem().string();
  info.chat_template = tmpl_src;
  ONDO_TRY(train::export_model(o.model, trainer.model().layout(), trainer.params().data(), *tok_file, info, *out));
  std::fprintf(stderr, "ondo train: wrote %s\n", out->c_str());
  return ok_status();
}

}  // namespace

int cmd_train(int argc, char** argv) {
  Args args({"--data", "--val-data", "--val-split", "--tokenizer", "--layers", "--dim", "--heads", "--kv-heads",
             "--ffn", "--ctx", "--batch", "--steps", "--lr", "--warmup", "--weight-decay", "--clip", "--eval-every",
             "--ckpt-dir", "--ckpt-every", "--seed", "-t|--threads", "--chat-template", "--out", "--resume"},
            {});
  if (auto st = args.parse(argc, argv); !st.ok()) return report("train", st.error());
  auto st = train_main(args);
  if (!st.ok()) return st.error().code == ErrorCode::Cancelled ? 130 : report("train", st.error());
  return 0;
}

}  // namespace ondo::cli
