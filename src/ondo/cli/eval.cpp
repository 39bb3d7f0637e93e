// `ondo eval -d DATASET.jsonl [-m MODEL ...] [--prompt NAME@V ...]` and `ondo eval compare A B`
// (eval_spec(), shown by --help): runs eval::run_eval over every model x prompt target,
// prints the summary table (or JSON), writes summary.json and per-row JSONL; compares two
// runs row by row. Registry prompts come from the store (--data-dir / --db). Layer: cli.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ondo/cli/commands.h"
#include "ondo/cli/model_options.h"
#include "ondo/cli/sampling_options.h"
#include "ondo/cli/store_options.h"
#include "ondo/eval/report.h"
#include "ondo/eval/run_eval.h"
#include "ondo/serve/prompt_ops.h"

namespace ondo::cli {
namespace {

using ojson = nlohmann::ordered_json;

std::vector<OptionSpec> eval_options() {
  std::vector<OptionSpec> o = {
      {"-d|--dataset", "FILE", "", "the JSONL dataset (see docs/eval.md)"},
      {"-m|--model", "MODEL", "$ONDO_MODEL, else the built-in models/ondo-recipe.gguf", "a GGUF model; repeat to compare several"},
      {"--prompt", "NAME[@V|@LABEL]", "", "a registry prompt (version, label, default: production or latest); repeat for more"},
      {"--out", "DIR", "", "write DIR/summary.json and DIR/rows-N.jsonl (one per target)"},
      {"--json", "", "", "print the summary as JSON (with every row) instead of the table"},
      {"--limit", "N", "0", "only the first N rows (0: all)"},
      {"-n|--max-tokens", "N", "256", "generate at most N tokens per row"},
      {"-c|--ctx", "N", "the trained context, at most 4096", "context size in tokens"},
      threads_option_spec(),
      {"--json-schema", "FILE", "", "constrain every output to the JSON schema in FILE"},
      {"--json-object", "", "", "constrain every output to a JSON object"},
      {"--raw", "", "", "send rows' prompt as raw text (no chat template)"},
      {"--chat-template", "NAME|FILE", "the model's own", "a built-in template name or a Jinja file"},
      data_dir_option_spec(),
      db_option_spec(),
      {"--a-target", "N", "1", "compare: the target of A (1-based) when A has several"},
      {"--b-target", "N", "1", "compare: the target of B (1-based) when B has several"},
  };
  for (const OptionSpec& s : sampling_option_specs()) {
    if (s.names == "--seed") {
      o.push_back({"--seed", "S", "1", "random seed: row i (from 0) samples with seed S+i, so runs repeat"});
    } else {
      o.push_back(s);
    }
  }
  return o;
}

const CommandSpec& eval_spec() {
  static const CommandSpec kSpec = {
      "eval",
      "eval -d DATASET.jsonl [-m MODEL ...] [--prompt NAME@V ...] [--out DIR] [--json] [options]\n"
      "       eval compare A.json B.json [--a-target N] [--b-target N] [--json]",
      "Runs a JSONL dataset through every target (each model, times each --prompt) in-process,\n"
      "scores each output (exact, json, schema, fields, contains, regex, numeric, scorer\n"
      "expressions, as each row's checks ask) and prints a summary table: metric means, errors,\n"
      "latency p50/p95 and generation tokens/s. `compare` reads two summary.json files and shows\n"
      "the metric deltas and the rows that changed. See docs/eval.md for the dataset format.",
      eval_options(),
      "ondo eval -d evals/recipe/eval.jsonl --out runs/base\n"
      "ondo eval -d evals/recipe/eval.jsonl -m a.gguf -m b.gguf --temp 0 --json\n"
      "ondo eval -d support.jsonl -m model.gguf --prompt support@2 --prompt support@staging --data-dir ./ondo-data\n"
      "ondo eval compare runs/base/summary.json runs/tuned/summary.json",
  };
  return kSpec;
}

Result<std::string> read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::NotFound, path + ": cannot open the " + what + " file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A prompt version's stored params fill what the command line leaves unset.
void apply_version_params(const store::PromptVersion& v, const Args& args, eval::EvalParams& p) {
  if (!v.params_json.empty()) {
    const ojson j = ojson::parse(v.params_json, nullptr, false);
    auto set = [&](const char* key, const char* flag, auto& field) {
      if (j.is_object() && j.contains(key) && j[key].is_number() && !args.has(flag)) field = j[key].get<std::decay_t<decltype(field)>>();
    };
    set("temperature", "--temp", p.sampling.temperature);
    set("top_k", "--top-k", p.sampling.top_k);
    set("top_p", "--top-p", p.sampling.top_p);
    set("min_p", "--min-p", p.sampling.min_p);
    set("seed", "--seed", p.sampling.seed);
    set("max_tokens", "-n", p.max_tokens);
    set("max_completion_tokens", "-n", p.max_tokens);
  }
  if (!v.response_schema_json.empty() && p.response_schema.is_null() && !p.json_object) {
    p.response_schema = ojson::parse(v.response_schema_json, nullptr, false);
    if (p.response_schema.is_discarded()) p.response_schema = nullptr;
  }
}

// "name", "name@3" or "name@label" resolved in the store, as a renderer for rows' variables.
Result<eval::EvalTarget> prompt_target(store::Store& st, const std::string& spec, const Args& args, eval::EvalTarget t) {
  serve::PromptRef ref;
  const size_t at = spec.find('@');
  ref.name = spec.substr(0, at);
  if (at != std::string::npos) {
    const std::string tail = spec.substr(at + 1);
    if (!tail.empty() && tail.find_first_not_of("0123456789") == std::string::npos) {
      ONDO_ASSIGN_OR_RETURN(ref.version, serve::parse_version_number(tail, "--prompt"));
    } else {
      ref.label = tail;
    }
  }
  ONDO_TRY(serve::check_prompt_name(ref.name, "--prompt"));
  ONDO_ASSIGN_OR_RETURN(store::PromptVersion v, serve::resolve_prompt(st, ref, "", "--prompt"));
  t.prompt_ref = v.prompt + "@" + std::to_string(v.version);
  apply_version_params(v, args, t.params);
  auto version = std::make_shared<const store::PromptVersion>(std::move(v));
  t.prompt = [version](const ojson& vars) -> Result<ojson> {
    ONDO_ASSIGN_OR_RETURN(auto msgs, serve::render_prompt(*version, vars, "input"));
    ojson out = ojson::array();
    for (const auto& m : msgs) out.push_back({{"role", m.role}, {"content", m.content}});
    return out;
  };
  return t;
}

Result<eval::EvalParams> params_from_args(const Args& args) {
  eval::EvalParams p;
  ONDO_ASSIGN_OR_RETURN(p.sampling, sampling_from_args(args));
  if (!args.has("--seed")) p.sampling.seed = 1;  // eval's default: repeatable runs (sampling_from_args draws one)
  ONDO_ASSIGN_OR_RETURN(int64_t n, args.get_int("-n"));
  if (n < 0 || n > (1 << 20)) return make_error(ErrorCode::InvalidArgument, "-n must be between 0 and 1048576");
  p.max_tokens = int32_t(n);
  p.json_object = args.has("--json-object");
  if (auto f = args.get("--json-schema")) {
    if (p.json_object) return make_error(ErrorCode::InvalidArgument, "give --json-schema or --json-object, not both");
    ONDO_ASSIGN_OR_RETURN(std::string text, read_file(*f, "JSON schema"));
    p.response_schema = ojson::parse(text, nullptr, false);
    if (p.response_schema.is_discarded()) return make_error(ErrorCode::InvalidArgument, *f + ": not valid JSON");
  }
  return p;
}

Result<std::vector<eval::EvalTarget>> targets_from_args(const Args& args) {
  eval::EvalTarget base;
  ONDO_ASSIGN_OR_RETURN(base.params, params_from_args(args));
  base.raw = args.has("--raw");
  base.chat_template = args.get("--chat-template").value_or("");
  std::vector<std::string> models = args.get_all("-m");
  if (models.empty()) {
    auto d = default_model_path();
    if (!d) return make_error(ErrorCode::InvalidArgument, "no model given (use -m MODEL.gguf)");
    models.push_back(*d);
  }
  const std::vector<std::string> prompts = args.get_all("--prompt");
  std::unique_ptr<store::Store> st;
  if (!prompts.empty()) {
    ONDO_ASSIGN_OR_RETURN(auto so, store_options(args));
    ONDO_ASSIGN_OR_RETURN(st, store::open_store(so));
  }
  std::vector<eval::EvalTarget> out;
  for (const auto& m : models) {
    eval::EvalTarget t = base;
    t.model_path = m;
    if (prompts.empty()) out.push_back(std::move(t));
    for (const auto& p : prompts) {
      ONDO_ASSIGN_OR_RETURN(auto pt, prompt_target(*st, p, args, t));
      out.push_back(std::move(pt));
    }
  }
  return out;
}

Status write_outputs(const std::string& dir, const eval::EvalSummary& s) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::InvalidArgument, dir + ": cannot create the directory (" + ec.message() + ")");
  for (size_t i = 0; i < s.targets.size(); ++i) {
    const std::string path = dir + "/rows-" + std::to_string(i + 1) + ".jsonl";
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    for (const auto& r : s.targets[i].rows) f << eval::row_json(r).dump() << '\n';
    if (!f) return make_error(ErrorCode::Internal, path + ": write failed");
  }
  std::ofstream f(dir + "/summary.json", std::ios::binary | std::ios::trunc);
  f << eval::summary_json(s).dump(2) << '\n';
  if (!f) return make_error(ErrorCode::Internal, dir + "/summary.json: write failed");
  return ok_status();
}

int run_compare(const Args& args) {
  const auto& pos = args.positional();
  if (pos.size() != 3) {
    return report("eval", make_error(ErrorCode::InvalidArgument, "compare takes two summary files: ondo eval compare A.json B.json"));
  }
  const eval::TargetResult* picked[2] = {nullptr, nullptr};
  eval::EvalSummary runs[2];
  for (int k = 0; k < 2; ++k) {
    const std::string& path = pos[size_t(k) + 1];
    auto text = read_file(path, "summary");
    if (!text.ok()) return report("eval", text.error());
    const ojson j = ojson::parse(*text, nullptr, false);
    if (j.is_discarded()) return report("eval", make_error(ErrorCode::InvalidFile, path + ": not valid JSON"));
    auto s = eval::summary_from_json(j, path);
    if (!s.ok()) return report("eval", s.error());
    runs[k] = std::move(s).value();
    auto n = args.get_int(k == 0 ? "--a-target" : "--b-target");
    if (!n.ok()) return report("eval", n.error());
    if (*n < 1 || size_t(*n) > runs[k].targets.size()) {
      return report("eval", make_error(ErrorCode::InvalidArgument, path + ": has " + std::to_string(runs[k].targets.size()) +
                                                                       " target(s); --" + (k == 0 ? "a" : "b") +
                                                                       "-target " + std::to_string(*n) + " is out of range"));
    }
    picked[k] = &runs[k].targets[size_t(*n - 1)];
  }
  const eval::Comparison c = eval::compare_runs(*picked[0], *picked[1]);
  if (args.has("--json")) {
    std::printf("%s\n", eval::comparison_json(c).dump(2).c_str());
  } else {
    std::fputs(eval::comparison_text(c).c_str(), stdout);
  }
  return 0;
}

bool progress_line(const eval::EvalProgress& p, const std::vector<eval::EvalTarget>& targets, bool tty) {
  const std::string label = targets[p.target].model_path + (targets[p.target].prompt_ref.empty() ? "" : " " + targets[p.target].prompt_ref);
  if (tty) {
    std::fprintf(stderr, "\rondo eval: target %zu/%zu %s: row %zu/%zu", p.target + 1, p.n_targets, label.c_str(),
                 p.rows_done, p.n_rows);
    if (p.rows_done == p.n_rows) std::fputc('\n', stderr);
  } else if (p.rows_done == 0 || p.rows_done == p.n_rows) {
    std::fprintf(stderr, "ondo eval: target %zu/%zu %s: %s %zu rows\n", p.target + 1, p.n_targets, label.c_str(),
                 p.rows_done == 0 ? "running" : "done,", p.n_rows);
  }
  return true;
}

int run(int argc, char** argv) {
  Args args;
  if (auto done = parse_command(eval_spec(), argc, argv, &args)) return *done;
  if (!args.positional().empty() && args.positional()[0] == "compare") return run_compare(args);
  if (!args.positional().empty()) {
    return report("eval", make_error(ErrorCode::InvalidArgument, "unexpected argument '" + args.positional()[0] +
                                                                     "' (the dataset is given with -d; see ondo eval --help)"));
  }
  if (!args.has("-d")) return report("eval", make_error(ErrorCode::InvalidArgument, "no dataset given (use -d DATASET.jsonl)"));
  auto data = eval::load_dataset(*args.get("-d"));
  if (!data.ok()) return report("eval", data.error());
  auto limit = args.get_int("--limit");
  if (!limit.ok()) return report("eval", limit.error());
  if (*limit < 0) return report("eval", make_error(ErrorCode::InvalidArgument, "--limit must be 0 or more"));
  if (*limit > 0 && size_t(*limit) < data->rows.size()) data->rows.resize(size_t(*limit));
  auto targets = targets_from_args(args);
  if (!targets.ok()) return report("eval", targets.error());
  auto threads = threads_option(args);
  if (!threads.ok()) return report("eval", threads.error());
  auto ctx = args.get_int("-c", 0);
  if (!ctx.ok()) return report("eval", ctx.error());
  if (*ctx < 0 || *ctx > (1 << 22)) return report("eval", make_error(ErrorCode::InvalidArgument, "-c is out of range"));

  core::ComputePool compute(*threads);
  eval::EvalOptions o;
  o.dataset = std::make_shared<const eval::Dataset>(std::move(data).value());
  o.targets = *targets;
  o.pool = &compute;
  o.n_ctx = int32_t(*ctx);
  const bool tty = isatty(fileno(stderr));
  auto sum = eval::run_eval(o, [&](const eval::EvalProgress& p) { return progress_line(p, o.targets, tty); });
  if (!sum.ok()) return report("eval", sum.error());
  for (const auto& t : sum->targets) {
    for (const auto& w : t.warnings) std::fprintf(stderr, "ondo eval: %s: warning: %s\n", t.label.c_str(), w.c_str());
  }
  if (auto dir = args.get("--out")) {
    if (auto st = write_outputs(*dir, *sum); !st.ok()) return report("eval", st.error());
    std::fprintf(stderr, "ondo eval: wrote %s/summary.json and %zu rows-N.jsonl\n", dir->c_str(), sum->targets.size());
  }
  if (args.has("--json")) {
    std::printf("%s\n", eval::summary_json(*sum).dump(2).c_str());
  } else {
    std::fputs(eval::summary_table(*sum).c_str(), stdout);
  }
  return 0;
}

}  // namespace

int cmd_eval(int argc, char** argv) { return run(argc, argv); }

}  // namespace ondo::cli
