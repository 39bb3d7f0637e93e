// `ondo prompt create|version|label|list|show|diff|render` (prompt_spec(), shown by --help):
// the prompt registry in the store `ondo serve` uses (--data-dir or --db), through the same
// operations as the /v1/prompts routes (serve/prompt_ops.h). Layer: cli.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>

#include "ondo/cli/commands.h"
#include "ondo/cli/store_options.h"
#include "ondo/serve/prompt_ops.h"

namespace ondo::cli {
namespace {

using ojson = nlohmann::ordered_json;

const CommandSpec& prompt_spec() {
  static const CommandSpec kSpec = {
      "prompt",
      "prompt create NAME | version NAME (--file FILE | --json TEXT) | label NAME LABEL V[:W][,V:W...] |\n"
      "       list | show NAME [VERSION] | diff NAME FROM TO | render NAME [--label L | --version N] [--var K=V...]",
      "Manages the prompt registry in the store `ondo serve` reads (the same --data-dir or --db).\n"
      "create makes an empty prompt; version adds an immutable version from a JSON body as\n"
      "POST /v1/prompts/NAME/versions takes it (system, messages, variables, examples, params,\n"
      "response_schema, tools, guardrail, note); label points a label at one version, or splits it\n"
      "by weight (1:90,2:10); show prints the prompt (with VERSION: that version); diff prints a\n"
      "line diff of two versions; render prints the messages a chat request would get.\n"
      "Everything is printed as JSON (diff as text), as the API answers.",
      {
          data_dir_option_spec(),
          db_option_spec(),
          {"--description", "TEXT", "", "create: what the prompt is for"},
          {"--file", "FILE", "", "version: the version's JSON body ('-': standard input)"},
          {"--json", "TEXT", "", "version: the version's JSON body inline"},
          {"--label", "L", "production", "render: the label to resolve"},
          {"--version", "N", "", "render: the version (instead of a label)"},
          {"--var", "K=V", "", "render: a string variable; repeat for more"},
          {"--vars", "JSON", "", "render: variables as a JSON object (typed values)"},
          {"--user", "U", "", "render: the user a weighted label sticks to"},
      },
      "ondo prompt create translate --description 'EN to any'\n"
      "ondo prompt version translate --file v1.json\n"
      "ondo prompt label translate production 2\n"
      "ondo prompt label translate staging 1:90,2:10\n"
      "ondo prompt diff translate 1 2\n"
      "ondo prompt render translate --var lang=French --var text=hello",
  };
  return kSpec;
}

Error usage_error(const std::string& what) { return make_error(ErrorCode::InvalidArgument, what + " (see ondo prompt --help)"); }

Result<ojson> version_body(const Args& args) {
  std::string text;
  if (args.has("--file") == args.has("--json")) return usage_error("version: give --file FILE or --json TEXT");
  if (auto inline_text = args.get("--json")) {
    text = *inline_text;
  } else {
    const std::string path = *args.get("--file");
    if (path == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
      std::ifstream in(path, std::ios::binary);
      if (!in) return make_error(ErrorCode::InvalidFile, path + ": cannot read");
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  ojson j = ojson::parse(text, nullptr, false);
  if (j.is_discarded()) return make_error(ErrorCode::InvalidArgument, "version: the body is not valid JSON");
  return j;
}

// "2" or "1:90,2:10" as a label body.
Result<ojson> label_body(const std::string& spec) {
  ojson versions = ojson::array();
  size_t start = 0;
  while (start <= spec.size()) {
    const size_t comma = spec.find(',', start);
    const std::string part = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const size_t colon = part.find(':');
    ONDO_ASSIGN_OR_RETURN(int64_t v, serve::parse_version_number(part.substr(0, colon), "label " + spec));
    int64_t w = 1;
    if (colon != std::string::npos) {
      ONDO_ASSIGN_OR_RETURN(w, serve::parse_version_number(part.substr(colon + 1), "label " + spec + " weight"));
    }
    versions.push_back({{"version", v}, {"weight", w}});
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (versions.size() == 1 && spec.find(':') == std::string::npos) return ojson{{"version", versions[0]["version"]}};
  return ojson{{"versions", versions}};
}

Result<ojson> render_body(const Args& args, const std::string& name) {
  ojson body = {{"name", name}};
  if (args.has("--version")) {
    ONDO_ASSIGN_OR_RETURN(int64_t v, serve::parse_version_number(*args.get("--version"), "--version"));
    body["version"] = v;
  } else if (args.has("--label")) {
    body["label"] = *args.get("--label");
  }
  ojson vars = ojson::object();
  if (auto text = args.get("--vars")) {
    vars = ojson::parse(*text, nullptr, false);
    if (!vars.is_object()) return make_error(ErrorCode::InvalidArgument, "--vars: expected a JSON object");
  }
  for (const std::string& kv : args.get_all("--var")) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return make_error(ErrorCode::InvalidArgument, "--var " + kv + ": expected K=V");
    vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  body["variables"] = vars;
  if (auto user = args.get("--user")) body["user"] = *user;
  return body;
}

// The action's result, or its error.
Result<ojson> run_action(store::Store& s, const Args& args, const std::vector<std::string>& pos) {
  const std::string& action = pos[0];
  const int64_t now = int64_t(std::time(nullptr));
  auto want = [&](size_t lo, size_t hi, const char* shape) -> Status {
    if (pos.size() < lo || pos.size() > hi) return usage_error(action + ": expected " + shape);
    return ok_status();
  };
  if (action == "create") {
    ONDO_TRY(want(2, 2, "NAME"));
    ojson body = {{"name", pos[1]}};
    if (auto d = args.get("--description")) body["description"] = *d;
    return serve::create_prompt(s, body, now);
  }
  if (action == "version") {
    ONDO_TRY(want(2, 2, "NAME"));
    ONDO_ASSIGN_OR_RETURN(ojson body, version_body(args));
    return serve::add_prompt_version(s, pos[1], body, now);
  }
  if (action == "label") {
    ONDO_TRY(want(4, 4, "NAME LABEL VERSION[:WEIGHT][,VERSION:WEIGHT...]"));
    ONDO_ASSIGN_OR_RETURN(ojson body, label_body(pos[3]));
    return serve::set_prompt_label(s, pos[1], pos[2], body, now);
  }
  if (action == "list") {
    ONDO_TRY(want(1, 1, "no argument"));
    return serve::list_prompts(s);
  }
  if (action == "show") {
    ONDO_TRY(want(2, 3, "NAME [VERSION]"));
    if (pos.size() == 2) return serve::show_prompt(s, pos[1]);
    ONDO_ASSIGN_OR_RETURN(int64_t v, serve::parse_version_number(pos[2], "VERSION"));
    return serve::get_prompt_version(s, pos[1], v);
  }
  if (action == "diff") {
    ONDO_TRY(want(4, 4, "NAME FROM TO"));
    ONDO_ASSIGN_OR_RETURN(int64_t from, serve::parse_version_number(pos[2], "FROM"));
    ONDO_ASSIGN_OR_RETURN(int64_t to, serve::parse_version_number(pos[3], "TO"));
    return serve::diff_prompt(s, pos[1], from, to);
  }
  ONDO_TRY(want(2, 2, "NAME"));
  ONDO_ASSIGN_OR_RETURN(ojson body, render_body(args, pos[1]));
  return serve::render_prompt_request(s, body, "cli");
}

int prompt(int argc, char** argv) {
  Args args;
  if (auto done = parse_command(prompt_spec(), argc, argv, &args)) return *done;
  const auto& pos = args.positional();
  static constexpr const char* kActions[] = {"create", "version", "label", "list", "show", "diff", "render"};
  if (pos.empty() || std::find(std::begin(kActions), std::end(kActions), pos[0]) == std::end(kActions)) {
    return report("prompt", usage_error("expected an action: create, version, label, list, show, diff or render"));
  }
  auto options = store_options(args);
  if (!options.ok()) return report("prompt", options.error());
  auto st = store::open_store(*options);
  if (!st.ok()) return report("prompt", st.error());
  auto out = run_action(**st, args, pos);
  if (!out.ok()) return report("prompt", out.error());
  if (pos[0] == "diff") std::printf("%s", (*out)["diff"].get<std::string>().c_str());
  else std::printf("%s\n", out->dump(2).c_str());
  return 0;
}

}  // namespace

int cmd_prompt(int argc, char** argv) { return prompt(argc, argv); }

}  // namespace ondo::cli
