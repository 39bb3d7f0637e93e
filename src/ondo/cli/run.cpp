// `ondo run -m MODEL -p TEXT [-n N] [sampling options] [--ignore-eos] [-t N] [-c N]`:
// writes only the continuation, as the raw bytes of its tokens, as they are generated.
// Layer: cli.
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

int run(int argc, char** argv) {
  std::vector<std::string> with_value = {"-m|--model", "-p|--prompt", "-f|--file", "-n|--n-predict",
                                         "-t|--threads", "-c|--ctx", "--chat-template", "--system",
                                         "--json-schema", "--grammar"};
  for (auto& s : sampling_option_names()) with_value.push_back(s);
  Args args(with_value, {"--ignore-eos", "--chat"});
  if (auto st = args.parse(argc, argv); !st.ok()) return report("run", st.error());
  auto prompt = prompt_from_args(args);
  if (!prompt.ok()) return report("run", prompt.error());
  auto sampling = sampling_from_args(args);
  if (!sampling.ok()) return report("run", sampling.error());
  auto n_predict = args.get_int("-n", 128);
  if (!n_predict.ok()) return report("run", n_predict.error());
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
