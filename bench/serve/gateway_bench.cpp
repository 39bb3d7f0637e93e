// bench_gateway: the per-request overhead of the gateway (issue 15), in process, through the
// serve functions one chat request passes: authorize() with a store key (SHA-256 + key
// lookup), the key's limits (start_limits' peek, admit_limits' reservation), the registry
// prompt (apply_chat_prompt: parse the body, resolve the production label, render a version
// with 2 variables, put it into the body), and the end of the request (settle_limits, then
// ServerState::finish_request: metrics + the usage row in one committed transaction). Each
// step is timed per request (p50/p95 over N requests) on SQLite (a temporary data directory)
// and PostgreSQL (a throwaway server from tests/support/postgres_server.h), against the same
// request with no store (the static --api-key, the body already holding the rendered messages).
// No model runs: only the gateway's own work is measured. Measures only; nothing asserts.
//   bench_gateway [--requests N] [--warmup W] [--engine sqlite|postgres|both|none]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ondo/serve/auth.h"
#include "ondo/serve/limits.h"
#include "ondo/serve/prompt_ops.h"
#include "ondo/serve/routes/prompts.h"
#include "ondo/serve/server_state.h"
#include "ondo/store/api_keys.h"
#include "ondo/store/store.h"
#include "support/postgres_server.h"

namespace {

using namespace ondo;
using Clock = std::chrono::steady_clock;
using ojson = nlohmann::ordered_json;

struct Options {
  int requests = 2000;
  int warmup = 100;
  std::string engine = "both";
};

constexpr const char* kModel = "bench-model";
constexpr const char* kStaticKey = "sk-static-bench-key";

// The request with a registry prompt, and the same request as a no-store client sends it.
const char* kPromptBody =
    R"({"model":"bench-model","max_tokens":64,"prompt":{"name":"translate","variables":{"lang":"French","text":"The store commits before it answers."}}})";
const char* kPlainBody =
    R"({"model":"bench-model","max_tokens":64,"messages":[{"role":"system","content":"You translate text into French. Answer with the translation only."},{"role":"user","content":"Translate: The store commits before it answers."}]})";

double us_since(Clock::time_point t) { return std::chrono::duration<double, std::micro>(Clock::now() - t).count(); }

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, size_t(q * double(v.size())))];
}

[[noreturn]] void die(const std::string& what, const Error& e) {
  std::fprintf(stderr, "bench_gateway: %s: %s\n", what.c_str(), e.message.c_str());
  std::exit(1);
}

// Per-step samples in microseconds, one entry per request.
struct Samples {
  std::vector<double> auth, limits_admit, render, settle, usage, visible, total;
};

void print_row(const char* engine, const char* step, const std::vector<double>& v) {
  std::printf("%-9s %-46s p50 %8.1f us  p95 %8.1f us\n", engine, step, quantile(v, 0.5), quantile(v, 0.95));
}

void print(const char* engine, const Samples& s, bool store) {
  print_row(engine, store ? "auth: authorize() with a store key" : "auth: authorize() with --api-key", s.auth);
  print_row(engine, store ? "limits admit: start_limits + admit_limits" : "limits admit: admit_limits (no ticket)", s.limits_admit);
  print_row(engine, store ? "prompt render: apply_chat_prompt (2 variables)" : "prompt: apply_chat_prompt (no prompt field)", s.render);
  print_row(engine, "limits settle: settle_limits", s.settle);
  print_row(engine, store ? "finish_request: metrics + usage row write" : "finish_request: metrics (no usage row)", s.usage);
  print_row(engine, "client-visible (auth + admit + render)", s.visible);
  print_row(engine, "per-request total (+ settle + usage write)", s.total);
}

// The registry prompt "translate" (2 variables, production label -> version 1) and a key
// with every limit set (none of them reached by the bench's requests).
std::string set_up_store(store::Store& s) {
  const int64_t now = int64_t(std::time(nullptr));
  auto p = serve::create_prompt(s, ojson{{"name", "translate"}}, now);
  if (!p.ok()) die("create prompt", p.error());
  const ojson version = ojson::parse(R"({
    "system": "You translate text into {{ lang }}. Answer with the translation only.",
    "messages": [{"role": "user", "content": "Translate: {{ text }}"}],
    "variables": {"lang": "string", "text": "string"},
    "params": {"temperature": 0}
  })");
  if (auto v = serve::add_prompt_version(s, "translate", version, now); !v.ok()) die("add version", v.error());
  if (auto l = serve::set_prompt_label(s, "translate", "production", ojson{{"version", 1}}, now); !l.ok()) die("label", l.error());
  store::ApiKey fields;
  fields.name = "bench";
  fields.rpm = 100'000'000;
  fields.tpm = 1'000'000'000'000;
  fields.max_concurrent = 64;
  fields.budget_tokens = 1'000'000'000'000;
  fields.budget_period = "month";
  auto k = store::create_api_key(s, fields, now);
  if (!k.ok()) die("create key", k.error());
  return k->secret;
}

// One request through the gateway's steps; appends its timings to `out`.
void one_request(serve::ServerState& state, const std::string& bearer, const char* body, Samples& out) {
  serve::GatewayPolicy policy{{state.options().api_key, &state.cors()}, state.options().admin_key, state.options().store};
  httplib::Response res;
  auto record = std::make_shared<serve::RequestRecord>();
  record->context.id = serve::new_request_id();
  record->start = Clock::now();
  record->method = "POST";
  record->route = "/v1/chat/completions";
  serve::current_request() = record;

  auto t = Clock::now();
  auto caller = serve::authorize(policy, false, bearer, "", "127.0.0.1:8080", std::nullopt, int64_t(std::time(nullptr)));
  if (!caller.ok()) die("authorize", caller.error());
  record->context.caller = caller->name;
  record->allowed_models = caller->models;
  out.auth.push_back(us_since(t));

  t = Clock::now();
  auto rendered = serve::apply_chat_prompt(state, body, res);
  if (!rendered.ok()) die("prompt", rendered.error());
  out.render.push_back(us_since(t));

  // The route parses the body and counts the prompt's tokens before admission; the bench
  // takes a fixed count (no model, no tokenizer).
  record->context.model = kModel;
  t = Clock::now();
  if (caller->key) serve::start_limits(state, *record, *caller->key, res);
  if (!serve::admit_limits(state, *record, 40 + 64, 0, res)) die("limits", make_error(ErrorCode::Internal, "refused"));
  out.limits_admit.push_back(us_since(t));

  // The model's work, as the record shows it at the end.
  record->generated = true;
  record->prompt_tokens = 40;
  record->completion_tokens = 12;
  record->first_token_s = 0.05;
  record->finish_reason = "stop";
  record->status = 200;
  record->prompt_ref = res.get_header_value("x-ondo-prompt");

  t = Clock::now();
  serve::settle_limits(state, *record);
  out.settle.push_back(us_since(t));
  record->limits.reset();  // settled above: finish_request must not settle it again
  t = Clock::now();
  state.finish_request(*record);
  out.usage.push_back(us_since(t));
  serve::current_request().reset();

  const size_t i = out.auth.size() - 1;
  out.visible.push_back(out.auth[i] + out.limits_admit[i] + out.render[i]);
  out.total.push_back(out.visible[i] + out.settle[i] + out.usage[i]);
}

Samples run_requests(serve::ServerState& state, const std::string& bearer, const char* body, const Options& o) {
  Samples warm, s;
  for (int i = 0; i < o.warmup; ++i) one_request(state, bearer, body, warm);
  for (int i = 0; i < o.requests; ++i) one_request(state, bearer, body, s);
  return s;
}

serve::ServerOptions server_options() {
  serve::ServerOptions so;
  so.access_log = false;  // the bench's stderr stays readable; the log line is not gateway work
  auto prices = serve::parse_prices(R"({"bench-model": {"input": 0.15, "cached_input": 0.075, "output": 0.6}})", "prices");
  if (!prices.ok()) die("prices", prices.error());
  so.prices = std::make_shared<const serve::PriceTable>(*prices);
  return so;
}

// The prompt step's two parts apart: the store reads (prompt, label, version) and the
// template rendering (2 templates, 2 variables), `o.requests` times each.
void render_parts(const char* engine, store::Store& st, const Options& o) {
  auto ref = serve::parse_prompt_ref(ojson::parse(kPromptBody)["prompt"], "prompt");
  if (!ref.ok()) die("prompt ref", ref.error());
  std::vector<double> resolve, render;
  std::optional<store::PromptVersion> v;
  for (int i = 0; i < o.warmup + o.requests; ++i) {
    auto t = Clock::now();
    auto got = serve::resolve_prompt(st, *ref, "key:bench", "prompt");
    if (!got.ok()) die("resolve", got.error());
    if (i >= o.warmup) resolve.push_back(us_since(t));
    v = std::move(*got);
    t = Clock::now();
    auto msgs = serve::render_prompt(*v, ref->variables, "prompt");
    if (!msgs.ok()) die("render", msgs.error());
    if (i >= o.warmup) render.push_back(us_since(t));
  }
  print_row(engine, "  of which resolve_prompt (store reads)", resolve);
  print_row(engine, "  of which render_prompt (templates)", render);
}

void bench_store(const char* engine, store::Store& st, const Options& o) {
  const std::string secret = set_up_store(st);
  serve::ServerOptions so = server_options();
  so.store = &st;
  serve::ServerState state(std::move(so), serve::CorsPolicy{});
  print(engine, run_requests(state, "Bearer " + secret, kPromptBody, o), true);
  render_parts(engine, st, o);
}

void bench_baseline(const Options& o) {
  serve::ServerOptions so = server_options();
  so.api_key = kStaticKey;
  serve::ServerState state(std::move(so), serve::CorsPolicy{});
  print("no store", run_requests(state, std::string("Bearer ") + kStaticKey, kPlainBody, o), false);
}

int run(const Options& o) {
  std::printf("bench_gateway: %d requests (+ %d warm-up) per engine, one thread; load average at start: ", o.requests, o.warmup);
  std::fflush(stdout);
  std::system("cut -d' ' -f1-3 /proc/loadavg");
  bench_baseline(o);
  if (o.engine == "sqlite" || o.engine == "both") {
    const auto dir = std::filesystem::temp_directory_path() / ("ondo-bench-gateway-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    store::StoreOptions so;
    so.data_dir = dir;
    auto s = store::open_store(so);
    if (!s.ok()) die("sqlite", s.error());
    bench_store("sqlite", **s, o);
    s->reset();
    std::filesystem::remove_all(dir);
  }
  if (o.engine == "postgres" || o.engine == "both") {
    auto pg = testing::PostgresServer::start();
    if (!pg.ok()) {
      std::printf("postgres skipped: %s\n", pg.error().message.c_str());
      return 0;
    }
    auto url = (*pg)->create_database("bench");
    if (!url.ok()) die("postgres", url.error());
    store::StoreOptions so;
    so.db_url = *url;
    auto s = store::open_store(so);
    if (!s.ok()) die("postgres", s.error());
    std::printf("postgres: the test server (tests/support/postgres_server) runs with fsync=off: its commits have no disk flush\n");
    bench_store("postgres", **s, o);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (!v) {
      std::fprintf(stderr, "bench_gateway: unknown argument or missing value: '%s' (see bench/serve/gateway_bench.cpp)\n", a.c_str());
      return 2;
    }
    ++i;
    if (a == "--requests") o.requests = std::atoi(v);
    else if (a == "--warmup") o.warmup = std::atoi(v);
    else if (a == "--engine") o.engine = v;
    else {
      std::fprintf(stderr, "bench_gateway: unknown argument '%s' (see bench/serve/gateway_bench.cpp)\n", a.c_str());
      return 2;
    }
  }
  if (o.requests < 1 || o.warmup < 0) {
    std::fprintf(stderr, "bench_gateway: --requests must be positive, --warmup not negative\n");
    return 2;
  }
  if (o.engine != "sqlite" && o.engine != "postgres" && o.engine != "both" && o.engine != "none") {
    std::fprintf(stderr, "bench_gateway: --engine: sqlite, postgres, both or none (seen '%s')\n", o.engine.c_str());
    return 2;
  }
  return run(o);
}
