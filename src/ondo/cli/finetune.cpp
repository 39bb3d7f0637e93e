// `ondo finetune -m BASE --data FILE --out ADAPTER.gguf [options]` (finetune_spec()): LoRA
// fine-tuning of a frozen GGUF base on the CPU (train/lora), with a progress line;
// `ondo finetune compare -m BASE --adapter FILE -p TEXT`: the base's and the tuned model's
// greedy outputs side by side (the tuned model is the base with the adapter merged in
// memory); `ondo lora merge BASE ADAPTER[:SCALE]... OUT.gguf`: a merged base on disk.
// Layer: cli.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ondo/cli/args.h"
#include "ondo/cli/commands.h"
#include "ondo/cli/model_options.h"
#include "ondo/infer/chat/chat_prompt.h"
#include "ondo/infer/generate.h"
#include "ondo/model/model.h"
#include "ondo/train/lora/lora_trainer.h"
#include "ondo/train/lora/merge.h"

namespace ondo::cli {
namespace {

namespace lora = train::lora;

std::atomic<bool> g_stop{false};
extern "C" void on_finetune_sigint(int) { g_stop.store(true); }

const CommandSpec& finetune_spec() {
  static const CommandSpec kSpec = {
      "finetune",
      "finetune -m BASE.gguf --data FILE --out ADAPTER.gguf [options]\n"
      "       ondo finetune compare -m BASE.gguf --adapter ADAPTER.gguf -p TEXT [-n N] [--chat]",
      "LoRA fine-tuning on the CPU over a frozen GGUF base (F32, F16, Q8_0, Q4_K_M, ...; the base\n"
      "is never dequantized whole). Writes the adapter in llama.cpp's LoRA GGUF format. Data:\n"
      "chat JSONL {\"messages\": [...]} (loss on assistant turns, rendered through the model's chat\n"
      "template), alpaca JSONL {\"instruction\", \"input\", \"output\"} (loss on the output) or text.\n"
      "Each target group has its own rank and alpha; llama.cpp files hold one alpha, so a group\n"
      "whose alpha differs has the ratio folded into its lora_b. Ctrl-C writes the checkpoint;\n"
      "--resume continues from it to the same adapter an uninterrupted run writes.",
      {
          {"-m|--model", "FILE", "", "the base model GGUF (llama or qwen2; required)"},
          {"--data", "FILE", "", "training data (required)"},
          {"--format", "chat|alpaca|text", "by extension: .txt text, else chat", "the data format"},
          {"--val-data", "FILE", "", "validation data in the same format (eval loss)"},
          {"--out", "FILE", "", "the adapter GGUF to write (required)"},
          {"--targets", "LIST", "q,v", "adapted weights: q,k,v,o,gate,up,down (or attn, mlp, all)"},
          {"--rank", "R", "8", "rank of every group (unless --attn-rank / --mlp-rank)"},
          {"--alpha", "A", "16", "alpha of every group (unless --attn-alpha / --mlp-alpha)"},
          {"--attn-rank", "R", "--rank", "rank of q, k, v, o"},
          {"--attn-alpha", "A", "--alpha", "alpha of q, k, v, o"},
          {"--mlp-rank", "R", "--rank", "rank of gate, up, down"},
          {"--mlp-alpha", "A", "--alpha", "alpha of gate, up, down"},
          {"--dropout", "P", "0.05", "dropout on the adapter input, in [0, 1)"},
          {"--lr", "X", "3e-4", "peak learning rate (AdamW)"},
          {"--schedule", "cosine|linear", "cosine", "decay after the warm-up"},
          {"--warmup", "N", "100", "linear warm-up steps (capped at the run's steps)"},
          {"--weight-decay", "X", "0", "AdamW weight decay on the adapter"},
          {"--epochs", "N", "3", "passes over the data"},
          {"--batch", "B", "4", "examples per micro-batch"},
          {"--grad-accum", "N", "1", "micro-batches per optimizer step"},
          {"--max-steps", "N", "0", "stop after N optimizer steps (0: --epochs decides)"},
          {"--ctx", "N", "256", "longest example in tokens (longer ones are cut)"},
          {"--eval-every", "K", "0", "validation loss every K steps (0: at the end)"},
          {"--seed", "S", "42", "random seed (initialization, order, dropout)"},
          {"--checkpoint", "FILE", "OUT.ckpt", "checkpoint file"},
          {"--checkpoint-every", "K", "10", "write the checkpoint every K steps"},
          {"--resume", "", "", "continue from --checkpoint when it exists"},
          {"--chat-template", "NAME|FILE", "the model's, else chatml", "the chat template the data is rendered with"},
          threads_option_spec(),
      },
      "ondo finetune -m base.gguf --data train.jsonl --format alpaca --out adapter.gguf \\\n"
      "  --rank 8 --alpha 16 --targets q,v --dropout 0.05 --lr 3e-4 --batch 4 --epochs 3 --warmup 100\n"
      "ondo finetune compare -m base.gguf --adapter adapter.gguf -p 'Hello' -n 32",
  };
  return kSpec;
}

const CommandSpec& compare_spec() {
  static const CommandSpec kSpec = {
      "finetune compare",
      "finetune compare -m BASE.gguf --adapter ADAPTER[:SCALE] -p TEXT [-n N] [--chat]",
      "Greedy outputs of the base and of the base with the adapter (merged in memory), side by side.",
      {
          {"-m|--model", "FILE", "", "the base model GGUF (required)"},
          {"--adapter", "FILE[:SCALE]", "", "the LoRA adapter (required; repeatable)"},
          {"-p|--prompt", "TEXT", "", "the input (required)"},
          {"-n", "N", "32", "tokens to generate"},
          {"--chat", "", "", "render the input as a user message through the model's chat template"},
          threads_option_spec(),
      },
      "ondo finetune compare -m base.gguf --adapter adapter.gguf -p 'Hello' -n 32",
  };
  return kSpec;
}

Status ints(const Args& a, const char* name, int64_t lo, int64_t hi, int64_t* dst, std::optional<int64_t> fb = {}) {
  ONDO_ASSIGN_OR_RETURN(*dst, fb ? a.get_int(name, *fb) : a.get_int(name));
  if (*dst < lo || *dst > hi) {
    return make_error(ErrorCode::InvalidArgument, std::string(name) + " = " + std::to_string(*dst) +
                                                      " is out of range (" + std::to_string(lo) + ".." +
                                                      std::to_string(hi) + ")");
  }
  return ok_status();
}

Result<std::string> template_source(const std::string& choice) {
  if (choice.empty()) return std::string();
  if (auto b = text::builtin_chat_template(choice)) return std::string(*b);
  std::ifstream in(choice, std::ios::binary);
  if (!in) return make_error(ErrorCode::NotFound, choice + ": not a built-in template name nor a readable file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<lora::LoraTrainOptions> finetune_options(const Args& a) {
  lora::LoraTrainOptions o;
  const auto model = a.get("-m"), data = a.get("--data"), out = a.get("--out");
  if (!model || !data || !out) return make_error(ErrorCode::InvalidArgument, "need -m BASE, --data FILE and --out FILE");
  o.base = *model, o.data = *data, o.out = *out;
  if (auto f = a.get("--format")) {
    ONDO_ASSIGN_OR_RETURN(o.format, lora::parse_data_format(*f));
  } else {
    o.format = o.data.extension() == ".txt" ? lora::DataFormat::Text : lora::DataFormat::Chat;
  }
  if (auto v = a.get("--val-data")) o.val_data = *v;
  ONDO_TRY(lora::parse_targets(a.get_string("--targets"), o.lora));
  int64_t rank, ar, mr, epochs, batch, accum, max_steps, ctx, warmup, eval_every, seed, ck_every;
  ONDO_TRY(ints(a, "--rank", 1, 4096, &rank));
  ar = mr = rank;
  ONDO_TRY(ints(a, "--attn-rank", 1, 4096, &ar, rank));
  ONDO_TRY(ints(a, "--mlp-rank", 1, 4096, &mr, rank));
  ONDO_ASSIGN_OR_RETURN(double alpha, a.get_double("--alpha"));
  ONDO_ASSIGN_OR_RETURN(double aa, a.get_double("--attn-alpha", alpha));
  ONDO_ASSIGN_OR_RETURN(double ma, a.get_double("--mlp-alpha", alpha));
  o.lora.attn = {int32_t(ar), float(aa)};
  o.lora.mlp = {int32_t(mr), float(ma)};
  ONDO_ASSIGN_OR_RETURN(double dropout, a.get_double("--dropout"));
  o.lora.dropout = float(dropout);
  ONDO_ASSIGN_OR_RETURN(double lr, a.get_double("--lr"));
  ONDO_ASSIGN_OR_RETURN(double wd, a.get_double("--weight-decay"));
  o.lr = float(lr), o.weight_decay = float(wd);
  const std::string sched = a.get_string("--schedule");
  if (sched == "cosine") {
    o.schedule = lora::LrSchedule::Cosine;
  } else if (sched == "linear") {
    o.schedule = lora::LrSchedule::Linear;
  } else {
    return make_error(ErrorCode::InvalidArgument, "--schedule '" + sched + "': expected cosine or linear");
  }
  ONDO_TRY(ints(a, "--epochs", 0, 1000000, &epochs));
  ONDO_TRY(ints(a, "--batch", 1, 4096, &batch));
  ONDO_TRY(ints(a, "--grad-accum", 1, 1 << 20, &accum));
  ONDO_TRY(ints(a, "--max-steps", 0, int64_t(1) << 40, &max_steps));
  ONDO_TRY(ints(a, "--ctx", 2, 65536, &ctx));
  ONDO_TRY(ints(a, "--warmup", 0, int64_t(1) << 40, &warmup));
  ONDO_TRY(ints(a, "--eval-every", 0, int64_t(1) << 40, &eval_every));
  ONDO_TRY(ints(a, "--seed", 0, INT64_MAX, &seed));
  ONDO_TRY(ints(a, "--checkpoint-every", 0, int64_t(1) << 40, &ck_every));
  o.epochs = epochs, o.batch = batch, o.grad_accum = accum, o.max_steps = max_steps, o.n_ctx = int32_t(ctx);
  o.warmup = warmup, o.eval_every = eval_every, o.seed = uint64_t(seed), o.checkpoint_every = ck_every;
  o.checkpoint = a.get("--checkpoint").value_or(*out + ".ckpt");
  o.resume = a.has("--resume");
  ONDO_ASSIGN_OR_RETURN(o.chat_template, template_source(a.get("--chat-template").value_or("")));
  ONDO_ASSIGN_OR_RETURN(o.threads, threads_option(a));
  ONDO_TRY(lora::validate_train_options(o));
  return o;
}

int finetune_main(int argc, char** argv) {
  Args args;
  if (auto done = parse_command(finetune_spec(), argc, argv, &args)) return *done;
  auto o = finetune_options(args);
  if (!o.ok()) return report("finetune", o.error());
  const bool tty = isatty(STDERR_FILENO);
  lora::LoraTrainHooks hooks;
  hooks.on_step = [&](const lora::LoraTrainProgress& p) {
    const int eta = int(p.eta_s);
    std::fprintf(stderr, "%sstep %lld/%lld | loss %.4f", tty ? "\r\033[K" : "", (long long)p.step,
                 (long long)p.total, p.loss);
    if (p.eval_loss >= 0) std::fprintf(stderr, " | eval %.4f", p.eval_loss);
    std::fprintf(stderr, " | lr %.2e | %.1f tok/s | ETA %dm%02ds%s", double(p.lr), p.tokens_per_s, eta / 60,
                 eta % 60, tty ? "" : "\n");
    std::fflush(stderr);
    return !g_stop.load();
  };
  std::signal(SIGINT, on_finetune_sigint);
  auto r = lora::train_lora(*o, hooks);
  std::signal(SIGINT, SIG_DFL);
  if (tty) std::fprintf(stderr, "\n");
  if (!r.ok()) {
    if (r.error().code == ErrorCode::Cancelled) {
      std::fprintf(stderr, "ondo finetune: %s; continue with --resume\n", r.error().message.c_str());
      return 130;
    }
    return report("finetune", r.error());
  }
  std::fprintf(stderr, "ondo finetune: %lld steps%s, %lld examples, loss %.4f -> %.4f",
               (long long)r->steps, r->resumed ? " (resumed)" : "", (long long)r->train_examples, r->first_loss,
               r->final_loss);
  if (r->eval_loss >= 0) std::fprintf(stderr, ", eval %.4f", r->eval_loss);
  std::fprintf(stderr, ", %.1f tok/s; wrote %s\n", r->tokens_per_s, o->out.c_str());
  return 0;
}

Result<std::string> greedy(const model::Model& m, core::ComputePool& pool, const std::vector<int32_t>& ids,
                           int32_t n) {
  ONDO_ASSIGN_OR_RETURN(auto tok, text::Tokenizer::from_gguf(m.file()));
  ONDO_ASSIGN_OR_RETURN(auto session, infer::Session::create(m, pool, {0, 512}));
  infer::GenerateOptions g;
  g.n_predict = n;
  g.sampling.temperature = 0.0f;
  std::string out;
  ONDO_TRY(infer::generate(*session, *tok, ids, g, [&](int32_t, std::string_view piece) {
             out.append(piece);
             return true;
           }));
  return out;
}

Status compare_main(const Args& a) {
  const auto model = a.get("-m"), prompt = a.get("-p");
  const auto adapters = a.get_all("--adapter");
  if (!model || !prompt || adapters.empty()) {
    return make_error(ErrorCode::InvalidArgument, "need -m BASE, --adapter FILE and -p TEXT");
  }
  int64_t n;
  ONDO_TRY(ints(a, "-n", 0, 1 << 20, &n));
  ONDO_ASSIGN_OR_RETURN(int threads, threads_option(a));
  core::ComputePool pool(threads);
  std::vector<lora::ScaledAdapter> list;
  for (const std::string& s : adapters) {
    ONDO_ASSIGN_OR_RETURN(auto ps, lora::parse_adapter_arg(s));
    ONDO_ASSIGN_OR_RETURN(lora::AdapterFile f, lora::read_adapter_file(ps.first));
    list.push_back({std::move(f), ps.second});
  }
  ONDO_ASSIGN_OR_RETURN(auto base_file, gguf::GgufFile::open(*model));
  gguf::Writer w;
  ONDO_TRY(lora::merge_into_writer(*base_file, list, w, pool));
  ONDO_ASSIGN_OR_RETURN(std::vector<uint8_t> merged_bytes, w.to_bytes());
  ONDO_ASSIGN_OR_RETURN(auto merged_file, gguf::GgufFile::from_memory(merged_bytes, *model + " + adapter"));
  ONDO_ASSIGN_OR_RETURN(auto base_model, model::Model::from_file(std::move(base_file)));
  ONDO_ASSIGN_OR_RETURN(auto tuned_model, model::Model::from_file(std::move(merged_file)));
  ONDO_ASSIGN_OR_RETURN(auto tok, text::Tokenizer::from_gguf(base_model->file()));
  std::vector<int32_t> ids;
  if (a.has("--chat")) {
    std::string src;
    if (const gguf::Value* v = base_model->file().find("tokenizer.chat_template")) {
      if (auto s = v->as_string()) src = std::string(*s);
    }
    if (src.empty()) src = std::string(*text::builtin_chat_template("chatml"));
    ONDO_ASSIGN_OR_RETURN(text::ChatTemplate t, text::ChatTemplate::parse(src, "chat template"));
    nlohmann::ordered_json msgs = nlohmann::ordered_json::array({{{"role", "user"}, {"content", *prompt}}});
    ONDO_ASSIGN_OR_RETURN(infer::ChatPrompt cp, infer::build_chat_prompt(t, *tok, msgs, nullptr, true));
    ids = cp.tokens;
  } else {
    ONDO_ASSIGN_OR_RETURN(ids, tok->encode(*prompt));
  }
  ONDO_ASSIGN_OR_RETURN(std::string out_base, greedy(*base_model, pool, ids, int32_t(n)));
  ONDO_ASSIGN_OR_RETURN(std::string out_tuned, greedy(*tuned_model, pool, ids, int32_t(n)));
  std::printf("prompt: %s\n\n--- base ---\n%s\n\n--- tuned ---\n%s\n", prompt->c_str(), out_base.c_str(),
              out_tuned.c_str());
  return ok_status();
}

const CommandSpec& merge_spec() {
  static const CommandSpec kSpec = {
      "lora",
      "lora merge BASE.gguf ADAPTER.gguf[:SCALE] [ADAPTER[:SCALE]...] OUT.gguf",
      "Adds LoRA adapters into a base model's weights (W + scale * alpha / rank * B A) and writes\n"
      "the merged model. F32, F16 and BF16 weights stay in their type; quantized weights are\n"
      "dequantized, updated and re-quantized to their own type with ondo's quantizer (one more\n"
      "rounding of that type).",
      {threads_option_spec()},
      "ondo lora merge base.gguf adapter.gguf:1.0 merged.gguf",
  };
  return kSpec;
}

}  // namespace

int cmd_finetune(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == "compare") {
    Args args;
    if (auto done = parse_command(compare_spec(), argc - 1, argv + 1, &args)) return *done;
    auto st = compare_main(args);
    return st.ok() ? 0 : report("finetune compare", st.error());
  }
  return finetune_main(argc, argv);
}

int cmd_lora(int argc, char** argv) {
  Args args;
  if (auto done = parse_command(merge_spec(), argc, argv, &args)) return *done;
  const auto& pos = args.positional();
  if (pos.size() < 4 || pos[0] != "merge") {
    return report("lora", make_error(ErrorCode::InvalidArgument,
                                     "usage: ondo lora merge BASE.gguf ADAPTER.gguf[:SCALE]... OUT.gguf"));
  }
  auto threads = threads_option(args);
  if (!threads.ok()) return report("lora", threads.error());
  core::ComputePool pool(*threads);
  std::vector<lora::ScaledAdapter> list;
  for (size_t i = 2; i + 1 < pos.size(); ++i) {
    auto ps = lora::parse_adapter_arg(pos[i]);
    if (!ps.ok()) return report("lora", ps.error());
    auto f = lora::read_adapter_file(ps->first);
    if (!f.ok()) return report("lora", f.error());
    list.push_back({std::move(f).value(), ps->second});
  }
  auto r = lora::merge_lora(pos[1], list, pos.back(), pool);
  if (!r.ok()) return report("lora", r.error());
  std::fprintf(stderr, "ondo lora: merged %lld weights (%lld re-quantized to their own type); wrote %s\n",
               (long long)r->merged_tensors, (long long)r->requantized_tensors, pos.back().c_str());
  return 0;
}

}  // namespace ondo::cli
