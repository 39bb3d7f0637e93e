// `ondo chat [options]` (chat_spec(), shown by --help): an interactive chat on stdin/stdout. History is kept and re-rendered through the chat
// template each turn; the common token prefix is reused from the KV cache. When the history
// outgrows the context, the oldest turns are dropped (and the user is told). Commands:
// /reset forgets the history, /exit (or end of input) quits. Layer: cli.
#include <cstdio>
#include <iostream>
#include <string>

#include "ondo/cli/commands.h"
#include "ondo/cli/model_options.h"
#include "ondo/cli/sampling_options.h"
#include "ondo/infer/chat/chat_prompt.h"
#include "ondo/infer/generate.h"

namespace ondo::cli {
namespace {

// Evaluates only what differs from the session's tokens, then generates the reply.
Result<std::string> reply(infer::Session& session, const text::Tokenizer& tok, const std::vector<int32_t>& prompt,
                          infer::GenerateOptions opts) {
  const auto& have = session.tokens();
  size_t common = 0;
  while (common < have.size() && common < prompt.size() && have[common] == prompt[common]) ++common;
  if (common == prompt.size()) --common;  // at least one token must be evaluated for logits
  session.truncate(int32_t(common));
  std::string text;
  text::StreamDecoder dec(tok);
  ONDO_ASSIGN_OR_RETURN(auto stats, infer::generate(session, tok, std::span(prompt).subspan(common), opts,
                                                    [&](int32_t id, std::string_view piece) {
                                                      text.append(piece);
                                                      const std::string out = dec.push(id);
                                                      std::fwrite(out.data(), 1, out.size(), stdout);
                                                      std::fflush(stdout);
                                                      return true;
                                                    }));
  const std::string rest = dec.flush();
  std::fwrite(rest.data(), 1, rest.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
  if (stats.stop == infer::StopReason::ContextFull) std::fprintf(stderr, "ondo chat: the context is full; reply cut\n");
  return text;
}

// Renders the history; drops the oldest non-system turns until the prompt leaves room for a
// reply of `reply_min` tokens.
Result<infer::ChatPrompt> fit_prompt(const text::ChatTemplate& tmpl, const text::Tokenizer& tok, nlohmann::ordered_json& history,
                                     int32_t n_ctx, int32_t reply_min) {
  while (true) {
    ONDO_ASSIGN_OR_RETURN(infer::ChatPrompt p, infer::build_chat_prompt(tmpl, tok, history, nullptr, true));
    if (int64_t(p.tokens.size()) + reply_min <= n_ctx) return p;
    size_t first = (!history.empty() && history[0].value("role", "") == "system") ? 1 : 0;
    if (history.size() <= first + 1) {
      return make_error(ErrorCode::InvalidArgument, "the message (" + std::to_string(p.tokens.size()) +
                                                        " tokens) leaves no room for a reply of " + std::to_string(reply_min) +
                                                        " tokens in the context of " + std::to_string(n_ctx) +
                                                        " (use a shorter message, a smaller -n or a larger -c)");
    }
    // drop the oldest user turn and the assistant reply that followed it
    history.erase(history.begin() + long(first));
    if (history.size() > first + 1 && history[first].value("role", "") == "assistant") history.erase(history.begin() + long(first));
    std::fprintf(stderr, "ondo chat: the history outgrew the context (%d tokens); dropped the oldest turn\n", n_ctx);
  }
}

const CommandSpec& chat_spec() {
  static const CommandSpec kSpec = {
      "chat",
      "chat [options]",
      "Chats with a model on stdin/stdout: each line is a user message; the reply streams to stdout.\n"
      "The history is kept (re-rendered through the chat template each turn, reusing the KV cache)\n"
      "and its oldest turns are dropped when it outgrows the context. /reset forgets the history;\n"
      "/exit or the end of input quits.",
      with_sampling_options({
          model_option_spec(),
          {"--system", "TEXT", "", "a system message at the start of the history"},
          {"--chat-template", "NAME|FILE", "the model's own", "a built-in template name or a Jinja file"},
          {"-n|--n-predict", "N", "", "reply length limit in tokens, at least 1 (default: the rest of the context)"},
          {"-c|--ctx", "N", "the trained context, at most 4096", "context size in tokens"},
          threads_option_spec(),
      }),
      "ondo chat --temp 0\n"
      "ondo chat -m model.gguf --system 'You are terse.' -n 256",
  };
  return kSpec;
}

int chat(int argc, char** argv) {
  Args args;
  if (auto done = parse_command(chat_spec(), argc, argv, &args)) return *done;
  auto sampling = sampling_from_args(args);
  if (!sampling.ok()) return report("chat", sampling.error());
  auto n_predict = args.get_int("-n", 0);
  auto threads = threads_option(args);
  auto ctx = args.get_int("-c", 0);
  if (!n_predict.ok()) return report("chat", n_predict.error());
  if (args.has("-n") && *n_predict < 1) {
    return report("chat", make_error(ErrorCode::InvalidArgument, "-n must be at least 1 (seen " + std::to_string(*n_predict) + ")"));
  }
  if (!threads.ok()) return report("chat", threads.error());
  if (!ctx.ok()) return report("chat", ctx.error());
  if (*ctx < 0 || *ctx > (1 << 22)) return report("chat", make_error(ErrorCode::InvalidArgument, "-c is out of range"));
  core::ComputePool compute(*threads);
  auto model = load_model_option(args, compute);
  if (!model.ok()) return report("chat", model.error());
  warn_ctx_above_trained("chat", "-c", *ctx, **model);
  auto tok = text::Tokenizer::from_gguf((*model)->file());
  if (!tok.ok()) return report("chat", tok.error());
  auto tmpl = infer::select_chat_template((*model)->file(), args.get("--chat-template").value_or(""));
  if (!tmpl.ok()) return report("chat", tmpl.error());
  if (!tmpl->warning.empty()) std::fprintf(stderr, "ondo chat: warning: %s\n", tmpl->warning.c_str());
  auto session = infer::Session::create(**model, compute, {int32_t(*ctx), 512});
  if (!session.ok()) return report("chat", session.error());

  // With -n the reply needs room for N tokens; without, it may use the rest of the context
  // and the history is trimmed to leave at least a quarter of it (at most 128 tokens).
  const int32_t n_ctx = (*session)->n_ctx();
  const bool fixed_budget = args.has("-n");
  const int32_t reply_min = fixed_budget ? int32_t(std::min<int64_t>(*n_predict, n_ctx))
                                         : std::max(1, std::min(128, n_ctx / 4));
  infer::GenerateOptions opts;
  opts.n_predict = fixed_budget ? reply_min : n_ctx;
  opts.sampling = *sampling;
  report_seed("chat", args, opts.sampling);
  nlohmann::ordered_json history = nlohmann::ordered_json::array();
  const auto system = args.get("--system");
  if (system) history.push_back({{"role", "system"}, {"content", *system}});
  std::fprintf(stderr, "ondo chat: %s, template %s, context %d. /reset clears the history, /exit quits.\n",
               (*model)->file().name().c_str(), tmpl->source.c_str(), (*session)->n_ctx());
  std::string line;
  while (true) {
    std::fputs("> ", stderr);
    if (!std::getline(std::cin, line) || line == "/exit") break;
    if (line == "/reset") {
      history = nlohmann::ordered_json::array();
      if (system) history.push_back({{"role", "system"}, {"content", *system}});
      (*session)->reset();
      std::fputs("ondo chat: history cleared\n", stderr);
      continue;
    }
    if (line.empty()) continue;
    history.push_back({{"role", "user"}, {"content", line}});
    auto prompt = fit_prompt(tmpl->tmpl, **tok, history, n_ctx, reply_min);
    if (!prompt.ok()) {
      report("chat", prompt.error());
      history.erase(history.end() - 1);
      continue;
    }
    auto text = reply(**session, **tok, prompt->tokens, opts);
    if (!text.ok()) return report("chat", text.error());
    history.push_back({{"role", "assistant"}, {"content", *text}});
  }
  return 0;
}

}  // namespace

int cmd_chat(int argc, char** argv) { return chat(argc, argv); }

}  // namespace ondo::cli
