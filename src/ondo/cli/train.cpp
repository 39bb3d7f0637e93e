// `ondo train --data FILE --tokenizer tok.gguf --out model.gguf [shape and schedule options]`
// (train_spec(), shown by --help): trains a llama model from scratch on the CPU and writes it
// as GGUF. SIGINT writes a checkpoint and exits.
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

const CommandSpec& train_spec() {
  static const CommandSpec kSpec = {
      "train",
      "train --data FILE --tokenizer TOK.gguf --out MODEL.gguf --layers L --dim D --heads H --ffn F\n"
      "                  --ctx C --batch B --steps N [options]",
      "Trains a llama model from scratch on the CPU (AdamW, cosine schedule after a linear warm-up)\n"
      "and writes it as GGUF. Data: .txt (one token stream) or .jsonl lines {\"text\": ...} or\n"
      "{\"prompt\": ..., \"completion\": ...} (rendered through the chat template; only the\n"
      "completion counts in the loss). SIGINT writes a checkpoint and exits; --resume continues.",
      {
          {"--data", "FILE", "", "training examples, JSONL (required)"},
          {"--val-data", "FILE", "", "validation examples (default: split off --val-split of --data)"},
          {"--val-split", "F", "0.05", "share of --data held out for validation, in [0, 1)"},
          {"--tokenizer", "FILE", "", "a GGUF holding the tokenizer (e.g. from `ondo tokenizer train`; required)"},
          {"--layers", "L", "", "transformer blocks (required)"},
          {"--dim", "D", "", "model width (required)"},
          {"--heads", "H", "", "attention heads (required)"},
          {"--kv-heads", "K", "0", "key/value heads (0: as many as --heads)"},
          {"--ffn", "F", "", "feed-forward width (required)"},
          {"--ctx", "C", "", "context length in tokens (required)"},
          {"--batch", "B", "", "examples per step (required)"},
          {"--steps", "N", "", "optimizer steps (required)"},
          {"--lr", "X", "1e-3", "peak learning rate"},
          {"--warmup", "N", "100", "linear warm-up steps (should be fewer than --steps)"},
          {"--weight-decay", "X", "0.1", "AdamW weight decay"},
          {"--clip", "X", "1.0", "gradient norm clip (0: off)"},
          {"--eval-every", "K", "0", "validation loss every K steps (0: only at the end)"},
          {"--ckpt-dir", "DIR", "OUT.ckpt", "checkpoint directory"},
          {"--ckpt-every", "K", "0", "checkpoint every K steps (0: never)"},
          {"--seed", "S", "1", "random seed (initialization, shuffling, split)"},
          threads_option_spec(),
          {"--chat-template", "NAME|FILE", "the tokenizer's, else chatml", "the chat template stored in the model"},
          {"--out", "FILE", "", "the model to write (required)"},
          {"--resume", "CKPT", "", "continue from a checkpoint"},
      },
      "ondo train --data train.jsonl --tokenizer tok.gguf --layers 4 --dim 256 --heads 4 --kv-heads 2 \\\n"
      "  --ffn 704 --ctx 256 --batch 8 --steps 800 --lr 2e-3 --warmup 50 --out model.gguf",
  };
  return kSpec;
}

struct IntOpt {
  const char* name;
  bool required;  // else the table's default applies
  int64_t lo, hi;
  int64_t* dst;
};

Status read_ints(const Args& args, std::initializer_list<IntOpt> opts) {
  for (const IntOpt& o : opts) {
    if (o.required && !args.has(o.name)) {
      return make_error(ErrorCode::InvalidArgument, std::string(o.name) + " is required");
    }
    ONDO_ASSIGN_OR_RETURN(*o.dst, o.required ? args.get_int(o.name, 0) : args.get_int(o.name));
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
  ONDO_TRY(read_ints(args, {{"--layers", true, 1, 256, &layers}, {"--dim", true, 2, 16384, &dim},
                            {"--heads", true, 1, 256, &heads}, {"--kv-heads", false, 0, 256, &kv},
                            {"--ffn", true, 1, 65536, &ffn}, {"--ctx", true, 2, 65536, &ctx},
                            {"--batch", true, 1, 4096, &batch}, {"--steps", true, 1, 1000000000, &steps},
                            {"--warmup", false, 0, 1000000000, &warmup}, {"--eval-every", false, 0, 1000000000, &eval_every},
                            {"--ckpt-every", false, 0, 1000000000, &ckpt_every}, {"--seed", false, 0, INT64_MAX, &seed}}));
  train::TrainOptions o;
  o.model = {n_vocab, int32_t(dim), int32_t(layers), int32_t(heads), int32_t(kv ? kv : heads), int32_t(ffn),
             int32_t(ctx)};
  ONDO_TRY(train::validate_config(o.model));
  ONDO_ASSIGN_OR_RETURN(double lr, args.get_double("--lr"));
  ONDO_ASSIGN_OR_RETURN(double wd, args.get_double("--weight-decay"));
  ONDO_ASSIGN_OR_RETURN(double clip, args.get_double("--clip"));
  if (!(lr > 0 && lr < 10) || !(wd >= 0 && wd < 10) || !(clip >= 0)) {
    return make_error(ErrorCode::InvalidArgument, "--lr, --weight-decay or --clip is out of range");
  }
  if (warmup > steps) {
    std::fprintf(stderr, "ondo train: warning: --steps %lld ends before the warm-up of %lld steps does: the learning "
                 "rate never reaches --lr (give --warmup below --steps)\n", (long long)steps, (long long)warmup);
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
    ONDO_ASSIGN_OR_RETURN(double split, args.get_double("--val-split"));
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
  Args args;
  if (auto done = parse_command(train_spec(), argc, argv, &args)) return *done;
  auto st = train_main(args);
  if (!st.ok()) return st.error().code == ErrorCode::Cancelled ? 130 : report("train", st.error());
  return 0;
}

}  // namespace ondo::cli
