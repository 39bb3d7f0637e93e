// `ondo run [options] (-p TEXT | -f FILE)`: writes only the continuation, as the raw bytes of
// its tokens, as they are generated. Options: run_spec() (shown by --help). Layer: cli.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "ondo/cli/commands.h"
#include "ondo/cli/model_options.h"
#include "ondo/cli/sampling_options.h"
#include "ondo/infer/chat/chat_prompt.h"
#include "ondo/infer/generate.h"
#include "ondo/infer/grammar/grammar.h"
#include "ondo/infer/grammar/json_schema.h"

namespace ondo::cli {
namespace {

Result<std::string> prompt_from_args(const Args& args) {
  if (auto p = args.get("-p")) return *p;
  if (auto f = args.get("-f")) {
    std::ifstream in(*f, std::ios::binary);
    if (!in) return make_error(ErrorCode::NotFound, *f + ": cannot open the prompt file");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  return make_error(ErrorCode::InvalidArgument, "no prompt given (use -p TEXT or -f FILE)");
}

// The prompt's tokens: the raw text, or with --chat the text as a user message (after an
// optional --system message) rendered through the chat template.
Result<std::vector<int32_t>> prompt_tokens(const Args& args, const model::Model& model, const text::Tokenizer& tok,
                                           const std::string& prompt) {
  if (!args.has("--chat")) {
    if (args.has("--system") || args.has("--chat-template")) {
      return make_error(ErrorCode::InvalidArgument, "--system and --chat-template need --chat");
    }
    return tok.encode(prompt);
  }
  ONDO_ASSIGN_OR_RETURN(auto tmpl, infer::select_chat_template(model.file(), args.get("--chat-template").value_or("")));
  if (!tmpl.warning.empty()) std::fprintf(stderr, "ondo run: warning: %s\n", tmpl.warning.c_str());
  nlohmann::ordered_json messages = nlohmann::ordered_json::array();
  if (auto sys = args.get("--system")) messages.push_back({{"role", "system"}, {"content", *sys}});
  messages.push_back({{"role", "user"}, {"content", prompt}});
  ONDO_ASSIGN_OR_RETURN(auto p, infer::build_chat_prompt(tmpl.tmpl, tok, messages, nullptr, true));
  return p.tokens;
}

Result<std::string> read_text_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::NotFound, path + ": cannot open the " + what + " file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// --json-schema FILE or --grammar FILE (GBNF): the constraint, or null.
Result<std::shared_ptr<const infer::grammar::Grammar>> grammar_from_args(const Args& args) {
  const auto schema = args.get("--json-schema"), gbnf = args.get("--grammar");
  if (schema && gbnf) return make_error(ErrorCode::InvalidArgument, "give --json-schema or --grammar, not both");
  if (schema) {
    ONDO_ASSIGN_OR_RETURN(std::string text, read_text_file(*schema, "JSON schema"));
    auto g = infer::grammar::compile_json_schema_text(text);
    if (!g.ok()) return g.error().with_context(*schema);
    return std::move(g).value();
  }
  if (gbnf) {
    ONDO_ASSIGN_OR_RETURN(std::string text, read_text_file(*gbnf, "grammar"));
    auto g = infer::grammar::parse_gbnf(text);
    if (!g.ok()) return g.error().with_context(*gbnf);
    return std::move(g).value();
  }
  return std::shared_ptr<const infer::grammar::Grammar>();
}

const CommandSpec& run_spec() {
  static const CommandSpec kSpec = {
      "run",
      "run [options] (-p TEXT | -f FILE)",
      "Generates a continuation of a prompt and writes it, as the raw bytes of its tokens, to stdout\n"
      "as it is generated; timings go to stderr. With --chat the prompt is sent as a user message\n"
      "through the model's chat template (the built-in model answers only in chat form).",
      with_sampling_options({
          model_option_spec(),
          {"-p|--prompt", "TEXT", "", "the prompt"},
          {"-f|--file", "FILE", "", "read the prompt from FILE"},
          {"-n|--n-predict", "N", "128", "generate at most N tokens (0 or more)"},
          {"-c|--ctx", "N", "the trained context, at most 4096", "context size in tokens"},
          threads_option_spec(),
          {"--chat", "", "", "send the prompt as a user message through the chat template"},
          {"--system", "TEXT", "", "a system message before the prompt (needs --chat)"},
          {"--chat-template", "NAME|FILE", "the model's own", "a built-in template name or a Jinja file (needs --chat)"},
          {"--json-schema", "FILE", "", "constrain the output to JSON matching the schema in FILE"},
          {"--grammar", "FILE", "", "constrain the output to the GBNF grammar in FILE"},
          {"--ignore-eos", "", "", "keep generating past the end-of-sequence token"},
      }),
      "ondo run -m model.gguf -p 'Once upon a time' -n 64 --seed 1\n"
      "ondo run --chat -p '{\"ingredients\": [\"egg\", \"tomato\"], \"except_recipe\": []}' --temp 0",
  };
  return kSpec;
}

int run(int argc, char** argv) {
  Args args;
  if (auto done = parse_command(run_spec(), argc, argv, &args)) return *done;
  auto prompt = prompt_from_args(args);
  if (!prompt.ok()) return report("run", prompt.error());
  auto sampling = sampling_from_args(args);
  if (!sampling.ok()) return report("run", sampling.error());
  auto n_predict = args.get_int("-n");
  if (!n_predict.ok()) return report("run", n_predict.error());
  if (*n_predict < 0) {
    return report("run", make_error(ErrorCode::InvalidArgument,
                                    "-n must be 0 or more (seen " + std::to_string(*n_predict) + ")"));
  }
  auto threads = threads_option(args);
  if (!threads.ok()) return report("run", threads.error());
  auto constraint = grammar_from_args(args);
  if (!constraint.ok()) return report("run", constraint.error());
  auto ctx = args.get_int("-c", 0);
  if (!ctx.ok()) return report("run", ctx.error());
  if (*ctx < 0 || *ctx > (1 << 22)) return report("run", make_error(ErrorCode::InvalidArgument, "-c is out of range"));

  core::ComputePool compute(*threads);
  auto model = load_model_option(args, compute);
  if (!model.ok()) return report("run", model.error());
  if (!args.has("--chat") && is_builtin_model((*model)->file())) {
    std::fprintf(stderr, "ondo run: note: the built-in model answers the recipe task in chat form; add --chat, e.g. "
                         "ondo run --chat -p '{\"ingredients\": [\"egg\"], \"except_recipe\": []}'\n");
  }
  warn_ctx_above_trained("run", "-c", *ctx, **model);
  auto tokenizer = text::Tokenizer::from_gguf((*model)->file());
  if (!tokenizer.ok()) return report("run", tokenizer.error());
  auto ids = prompt_tokens(args, **model, **tokenizer, *prompt);
  if (!ids.ok()) return report("run", ids.error());

  auto session = infer::Session::create(**model, compute, {int32_t(*ctx), 512});
  if (!session.ok()) return report("run", session.error());
  infer::GenerateOptions opts;
  opts.n_predict = int32_t(std::min<int64_t>(*n_predict, INT32_MAX));
  opts.ignore_eos = args.has("--ignore-eos");
  opts.sampling = *sampling;
  opts.grammar = *constraint;
  if (opts.n_predict > 0) report_seed("run", args, opts.sampling);
  auto stats = infer::generate(**session, **tokenizer, *ids, opts, [](int32_t, std::string_view piece) {
    std::fwrite(piece.data(), 1, piece.size(), stdout);
    std::fflush(stdout);
    return true;
  });
  if (!stats.ok()) return report("run", stats.error());
  std::fprintf(stderr, "\nondo run: prompt %d tokens in %.3f s, generated %d tokens in %.3f s (%.1f tok/s)\n",
               stats->n_prompt, stats->prompt_seconds, stats->n_generated, stats->generate_seconds,
               stats->generate_seconds > 0 ? stats->n_generated / stats->generate_seconds : 0.0);
  return 0;
}

}  // namespace

int cmd_run(int argc, char** argv) { return run(argc, argv); }

}  // namespace ondo::cli
