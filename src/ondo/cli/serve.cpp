// `ondo serve [options]` (serve_spec(), shown by --help): loads the models, starts one Scheduler per model (all sharing one ComputePool of -t
// threads) and the OpenAI-compatible HTTP server, and drains gracefully on SIGTERM/SIGINT. Layer: cli (reads ONDO_API_KEY and files here;
// the serve layer gets typed options).
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <pthread.h>
#include <sys/stat.h>
#include <sstream>

#include "ondo/cli/commands.h"
#include "ondo/cli/detector_options.h"
#include "ondo/cli/model_options.h"
#include "ondo/cli/store_options.h"
#include "ondo/jobs/kinds.h"
#include "ondo/infer/chat/chat_prompt.h"
#include "ondo/infer/scheduler/scheduler.h"
#include "ondo/serve/job_prompts.h"
#include "ondo/serve/server.h"

namespace ondo::cli {
namespace {

constexpr int kGraceMs = 30000;  // running requests get this long to finish on SIGTERM

struct Loaded {
  std::unique_ptr<model::Model> model;
  std::unique_ptr<text::Tokenizer> tokenizer;
  std::unique_ptr<infer::Scheduler> scheduler;
  serve::ServedModel served;
};

struct Config {
  serve::ServerOptions server;
  infer::SchedulerOptions sched;
  bool ctx_given = false;
  std::string chat_template;
  std::vector<std::pair<std::string, std::string>> models;  // path, alias
  std::map<std::string, std::string> pooling;  // --pooling: alias ("" for every model) -> mean|cls|last
  struct Lora {
    std::string name, alias, path;
    float scale = 1.0f;
  };
  std::vector<Lora> loras;  // --lora, loaded once the models are published
  int threads = 1;  // the process's compute threads, shared by every model
  std::optional<store::StoreOptions> store;  // set when the server opens a store
  int workers = 0;  // job workers in this process (issue 17.2), on the shared pool below serving
};

// The option's value (the table's default when absent), checked to [lo, hi].
Result<int64_t> ranged(const Args& args, std::string_view key, int64_t lo, int64_t hi) {
  ONDO_ASSIGN_OR_RETURN(int64_t v, args.get_int(key));
  if (v < lo || v > hi) {
    return make_error(ErrorCode::InvalidArgument, std::string(key) + ": out of range (seen " + std::to_string(v) +
                                                      ", expected " + std::to_string(lo) + " to " + std::to_string(hi) + ")");
  }
  return v;
}

const CommandSpec& serve_spec() {
  static const CommandSpec kSpec = {
      "serve",
      "serve [options]",
      "Loads the models, then serves them over an OpenAI-compatible HTTP API (see docs/api.md).\n"
      "Prints \"listening\" once every model is loaded.\n"
      "SIGTERM/SIGINT drain running requests (up to 30 s) and stop. The API key also comes from\n"
      "$ONDO_API_KEY, the admin key from $ONDO_ADMIN_KEY.\n"
      "With --data-dir, --db or an admin key, the server opens the store: its keys (`ondo admin keys`)\n"
      "are API keys too, every API route needs a key, and /v1/admin/* takes the admin key.",
      {
          {"-m|--model", "MODEL[=ALIAS]", "the built-in model",
           "a GGUF model, served under ALIAS (else its file name's stem); repeat for more"},
          {"--host", "HOST", "127.0.0.1", "address to listen on"},
          {"--port", "PORT", "8080", "port to listen on (0: any free port)"},
          {"--parallel", "N", "4", "sequences each model decodes at once"},
          {"--ctx", "N", "4096", "context per sequence in tokens (capped at the trained context unless given)"},
          threads_option_spec(),
          {"--api-key", "KEY", "", "require this key (Authorization: Bearer KEY or x-api-key: KEY)"},
          {"--api-key-file", "FILE", "", "require the key stored in FILE"},
          {"--admin-key", "KEY", "", "enable /v1/admin/* with this key (opens the store)"},
          data_dir_option_spec(),
          db_option_spec(),
          {"--insecure", "", "", "allow a non-loopback --host without an API key"},
          {"--max-queue", "N", "64", "requests that may wait per model; more get 429"},
          {"--cache-mem", "MIB", "256", "prompt cache memory per model in MiB"},
          {"--max-body", "MIB", "8", "largest request body in MiB"},
          {"--max-file-size", "BYTES", "0", "largest file /v1/files takes; 0: the --max-body limit"},
          {"--timeout", "S", "600", "request time limit in seconds"},
          {"--keep-alive", "S", "75", "idle keep-alive connection timeout in seconds"},
          {"--max-conns-per-ip", "N", "128", "open connections per client address (0: no limit)"},
          {"--header-timeout", "S", "10", "seconds a client has to send its request headers"},
          {"--pooling", "[ALIAS=]mean|cls|last", "none",
           "serve model ALIAS (without ALIAS=: every model) for embeddings with this pooling; a decoder (llama, qwen2) "
           "then answers /v1/embeddings and /api/embed instead of chat; repeat for more"},
          {"--chat-template", "NAME|FILE", "each model's own", "a built-in template name or a Jinja file"},
          {"--lora", "NAME[@ALIAS]=FILE[:SCALE]", "none",
           "serve a LoRA adapter GGUF as NAME on the first model (or the model ALIAS), default scale SCALE "
           "(1); a request picks it with \"model\": \"NAME\" or \"lora\": [{\"name\": \"NAME\"}]; repeat for more"},
          {"--prices", "FILE", "none (all free)",
           "JSON prices per model alias in USD per 1M tokens: {\"m\": {\"input\": 0.15, \"cached_input\": 0.075, \"output\": 0.6}, \"*\": {...}}"},
          {"--cache-ttl", "S", "0",
           "keep deterministic answers (temperature 0 or a seed) in the store for S seconds and answer exact repeats from it (0: off)"},
          {"--workers", "N", "0", "job workers in this process (fine_tune, train, quantize; `ondo jobs`), below serving priority; needs the store"},
          {"--cache-size", "MIB", "256", "response cache size in MiB (least recently hit answers go first)"},
          {"--app", "NAME", "none",
           "serve an app: 'fridge' (the fridge app under /apps/fridge/api/, docs/fridge.md; opens the store)"},
          {"--cors-origin", "ORIGIN", "none (CORS off)",
           "let browser pages from ORIGIN (https://app.example.com) call the API; repeat for more; '*' only with a key"},
          detector_option_spec(),
          labels_option_spec(),
          detector_threads_option_spec(),
      },
      "ondo serve --port 8080\n"
      "ondo serve -m qwen.gguf=qwen -m llama.gguf=llama --parallel 8 --api-key-file key.txt\n"
      "ondo serve -m base.gguf=base --lora tuned=tuned.gguf --lora terse@base=terse.gguf:0.5",
  };
  return kSpec;
}

Result<std::string> api_key(const Args& args) {
  if (args.has("--api-key") && args.has("--api-key-file")) {
    return make_error(ErrorCode::InvalidArgument, "give --api-key or --api-key-file, not both");
  }
  if (auto k = args.get("--api-key")) return *k;
  if (auto f = args.get("--api-key-file")) {
    std::ifstream in(*f, std::ios::binary);
    if (!in) return make_error(ErrorCode::NotFound, *f + ": cannot open the API key file");
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string key = ss.str();
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ')) key.pop_back();
    if (key.empty()) return make_error(ErrorCode::InvalidArgument, *f + ": the API key file is empty");
    return key;
  }
  if (const char* env = std::getenv("ONDO_API_KEY"); env && *env) return std::string(env);
  return std::string();
}

// --lora NAME[@ALIAS]=FILE[:SCALE]: the scale is the text after the last ':' when it is a
// number (so paths with ':' still work without one).
Result<Config::Lora> parse_lora_option(const std::string& v, const std::string& first_alias) {
  const size_t eq = v.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == v.size()) {
    return make_error(ErrorCode::InvalidArgument, "--lora " + v + ": expected NAME[@ALIAS]=FILE[:SCALE]");
  }
  Config::Lora l;
  l.name = v.substr(0, eq);
  l.path = v.substr(eq + 1);
  l.alias = first_alias;
  if (const size_t at = l.name.find('@'); at != std::string::npos) {
    l.alias = l.name.substr(at + 1);
    l.name = l.name.substr(0, at);
    if (l.alias.empty() || l.name.empty()) return make_error(ErrorCode::InvalidArgument, "--lora " + v + ": empty NAME or ALIAS");
  }
  if (const size_t colon = l.path.rfind(':'); colon != std::string::npos && colon + 1 < l.path.size()) {
    const std::string tail = l.path.substr(colon + 1);
    char* end = nullptr;
    const float scale = std::strtof(tail.c_str(), &end);
    if (end && *end == '\0' && std::isfinite(scale)) {
      l.scale = scale;
      l.path = l.path.substr(0, colon);
    }
  }
  return l;
}

Result<Config> config_from_args(const Args& args) {
  Config c;
  for (const std::string& m : args.get_all("-m")) {
    const size_t eq = m.find('=');
    std::string path = eq == std::string::npos ? m : m.substr(0, eq);
    std::string alias = eq == std::string::npos ? std::filesystem::path(path).stem().string() : m.substr(eq + 1);
    if (alias.empty()) return make_error(ErrorCode::InvalidArgument, "-m " + m + ": empty alias");
    for (const auto& [p, a] : c.models) {
      if (a == alias) return make_error(ErrorCode::InvalidArgument, "-m: alias '" + alias + "' is used twice (give MODEL=ALIAS)");
    }
    c.models.emplace_back(std::move(path), std::move(alias));
  }
  if (c.models.empty()) {  // the built-in model, as `ondo run` uses it
    auto builtin = default_model_path();
    if (!builtin) return make_error(ErrorCode::InvalidArgument, "no model given (use -m MODEL.gguf[=ALIAS])");
    c.models.emplace_back(*builtin, std::filesystem::path(*builtin).stem().string());
  }
  for (const std::string& p : args.get_all("--pooling")) {
    const size_t eq = p.find('=');
    const std::string alias = eq == std::string::npos ? "" : p.substr(0, eq);
    const std::string name = eq == std::string::npos ? p : p.substr(eq + 1);
    if (auto parsed = model::parse_pooling(name); !parsed.ok()) {
      return make_error(ErrorCode::InvalidArgument, "--pooling " + p + ": " + parsed.error().message);
    }
    if (!alias.empty() && std::none_of(c.models.begin(), c.models.end(), [&](const auto& m) { return m.second == alias; })) {
      return make_error(ErrorCode::InvalidArgument, "--pooling " + p + ": no model is served as '" + alias + "'");
    }
    if (!c.pooling.emplace(alias, name).second) {
      return make_error(ErrorCode::InvalidArgument, "--pooling " + p + ": given twice for " + (alias.empty() ? "every model" : "'" + alias + "'"));
    }
  }
  for (const std::string& l : args.get_all("--lora")) {
    ONDO_ASSIGN_OR_RETURN(Config::Lora lora, parse_lora_option(l, c.models.front().second));
    c.loras.push_back(std::move(lora));
  }
  c.server.host = args.get_string("--host");
  ONDO_ASSIGN_OR_RETURN(int64_t port, ranged(args, "--port", 0, 65535));
  ONDO_ASSIGN_OR_RETURN(int64_t parallel, ranged(args, "--parallel", 1, 256));
  ONDO_ASSIGN_OR_RETURN(int64_t ctx, ranged(args, "--ctx", 16, 1 << 20));
  ONDO_ASSIGN_OR_RETURN(int64_t queue, ranged(args, "--max-queue", 0, 100000));
  ONDO_ASSIGN_OR_RETURN(int64_t cache, ranged(args, "--cache-mem", 0, 1 << 20));
  ONDO_ASSIGN_OR_RETURN(int64_t body, ranged(args, "--max-body", 1, 4096));
  ONDO_ASSIGN_OR_RETURN(int64_t timeout, ranged(args, "--timeout", 1, 86400));
  ONDO_ASSIGN_OR_RETURN(int64_t keep_alive, ranged(args, "--keep-alive", 1, 3600));
  ONDO_ASSIGN_OR_RETURN(int64_t per_ip, ranged(args, "--max-conns-per-ip", 0, 100000));
  ONDO_ASSIGN_OR_RETURN(int64_t header_s, ranged(args, "--header-timeout", 1, 3600));
  ONDO_ASSIGN_OR_RETURN(int threads, threads_option(args));
  ONDO_ASSIGN_OR_RETURN(c.server.cache.ttl_s, ranged(args, "--cache-ttl", 0, int64_t(1) << 31));
  ONDO_ASSIGN_OR_RETURN(int64_t cache_mib, ranged(args, "--cache-size", 0, int64_t(1) << 30));
  c.server.cache.max_bytes = cache_mib << 20;
  ONDO_ASSIGN_OR_RETURN(c.server.api_key, api_key(args));
  if (auto k = args.get("--admin-key")) c.server.admin_key = *k;
  else if (const char* env = std::getenv("ONDO_ADMIN_KEY"); env && *env) c.server.admin_key = env;
  if (args.has("--admin-key") && c.server.admin_key.empty()) return make_error(ErrorCode::InvalidArgument, "--admin-key: empty key");
  c.server.app = args.get("--app").value_or("");
  if (args.has("--data-dir") || args.has("--db") || !c.server.admin_key.empty() || !c.server.app.empty()) {
    ONDO_ASSIGN_OR_RETURN(c.store, store_options(args));
  }
  ONDO_ASSIGN_OR_RETURN(int64_t workers, ranged(args, "--workers", 0, 64));
  c.workers = int(workers);
  if (c.workers > 0 && !c.store) {
    return make_error(ErrorCode::InvalidArgument, "--workers: the job queue lives in the store (give --data-dir or --db)");
  }
  if (c.server.cache.ttl_s > 0 && !c.store) {
    return make_error(ErrorCode::InvalidArgument, "--cache-ttl: the response cache lives in the store (give --data-dir or --db)");
  }
  c.server.port = int(port);
  c.server.insecure = args.has("--insecure");
  c.server.cors_origins = args.get_all("--cors-origin");
  if (auto f = args.get("--prices")) {
    ONDO_ASSIGN_OR_RETURN(serve::PriceTable prices, serve::load_prices(*f));
    c.server.prices = std::make_shared<const serve::PriceTable>(std::move(prices));
  }
  c.server.max_body_bytes = size_t(body) << 20;
  ONDO_ASSIGN_OR_RETURN(int64_t file_bytes, ranged(args, "--max-file-size", 0, int64_t(4096) << 20));
  c.server.max_file_bytes = file_bytes > 0 ? size_t(file_bytes) : c.server.max_body_bytes;
  // The vector stores' index files live next to the SQLite database; with PostgreSQL
  // (replicas) each server keeps them in memory, rebuilt from the shared vectors at start.
  if (c.store && c.store->db_url.empty()) c.server.index_dir = c.store->data_dir / "indexes";
  c.server.request_timeout_s = int(timeout);
  c.server.keep_alive_timeout_s = int(keep_alive);
  c.server.http.max_connections_per_address = int(per_ip);
  c.server.http.first_byte_timeout_ms = int(header_s) * 1000;
  c.server.http.header_timeout_ms = int(header_s) * 1000;
  c.server.http_threads = int(std::max<int64_t>(64, 2 * (parallel + queue) * int64_t(c.models.size()) + 16));
  c.sched.n_parallel = int32_t(parallel);
  c.sched.n_ctx = int32_t(ctx);
  c.ctx_given = args.has("--ctx");
  c.sched.max_queue = int32_t(queue);
  c.sched.cache_mem_bytes = uint64_t(cache) << 20;
  c.threads = threads;
  c.chat_template = args.get("--chat-template").value_or("");
  ONDO_TRY(apply_detector_options(args, c.server));  // after --max-body
  return c;
}

// The model file's modification time for the Ollama API ("" when it cannot be read).
std::string modified_at(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return "";
  return serve::rfc3339_utc(int64_t(st.st_mtime));
}

// The source text of the chat template in use (`source` as select_chat_template() names it).
std::string template_text(const gguf::GgufFile& file, const std::string& source) {
  if (source == "model") {
    if (auto t = file.get_string("tokenizer.chat_template"); t.ok()) return std::string(*t);
    return "";
  }
  if (source.rfind("builtin:", 0) == 0) {
    if (auto t = text::builtin_chat_template(source.substr(8))) return std::string(*t);
    return "";
  }
  std::ifstream in(source, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// An encoder (embeddings, rerank): no chat template, no KV cache; whole inputs of up to the
// trained context run in one pass.
Result<std::unique_ptr<Loaded>> load_encoder(const Config& c, core::ComputePool& pool, std::unique_ptr<Loaded> l,
                                             const std::string& path, const std::string& alias) {
  infer::SchedulerOptions so = c.sched;
  const int32_t train_ctx = l->model->hparams().n_ctx_train;
  so.n_ctx = std::min(so.n_ctx, train_ctx);  // learned positions end there (decoders: trained context)
  so.max_batch_tokens = std::max(so.max_batch_tokens, so.n_ctx);
  ONDO_ASSIGN_OR_RETURN(l->scheduler, infer::Scheduler::create(*l->model, *l->tokenizer, so, pool));
  l->served.alias = alias;
  l->served.kind = serve::ModelKind::Encoder;
  l->served.tokenizer = l->tokenizer.get();
  l->served.scheduler = l->scheduler.get();
  l->served.created = int64_t(std::time(nullptr));
  l->served.embedding_width = l->model->n_embd_out();
  l->served.max_input_tokens = so.n_ctx;
  l->served.reranker = l->model->hparams().pooling == model::Pooling::Rank;
  serve::ModelCard card = serve::model_card_from_gguf(l->model->file());  // GET /api/tags, /api/show
  card.modified_at = modified_at(path);
  card.loaded_bytes = uint64_t(l->model->memory().weight_bytes);
  l->served.card = std::make_shared<const serve::ModelCard>(std::move(card));
  std::fprintf(stderr, "ondo serve: model '%s' from %s (%s, %d %s, pooling %s, inputs up to %d tokens; weights %.1f MiB mapped)\n",
               alias.c_str(), path.c_str(), l->served.reranker ? "reranker" : "embeddings", l->served.embedding_width,
               l->served.reranker ? "score(s)" : "dimensions",
               std::string(model::pooling_name(l->model->hparams().pooling)).c_str(), so.n_ctx,
               double(l->model->memory().weight_bytes) / double(1 << 20));
  return l;
}

Result<std::unique_ptr<Loaded>> load_one(const Config& c, core::ComputePool& pool, const std::string& path,
                                         const std::string& alias) {
  auto l = std::make_unique<Loaded>();
  model::LoadOptions options = load_options_from_env();
  auto pooling = c.pooling.find(alias);
  if (pooling == c.pooling.end()) pooling = c.pooling.find("");
  if (pooling != c.pooling.end()) {
    ONDO_ASSIGN_OR_RETURN(options.pooling, embedding_pooling(path, pooling->second));
  }
  ONDO_ASSIGN_OR_RETURN(l->model, load_model(path, pool, std::move(options)));
  ONDO_ASSIGN_OR_RETURN(l->tokenizer, text::Tokenizer::from_gguf(l->model->file()));
  if (l->model->kind() == model::ModelKind::Encode) return load_encoder(c, pool, std::move(l), path, alias);
  ONDO_ASSIGN_OR_RETURN(auto tmpl, infer::select_chat_template(l->model->file(), c.chat_template));
  if (!tmpl.warning.empty()) std::fprintf(stderr, "ondo serve: %s: warning: %s\n", alias.c_str(), tmpl.warning.c_str());
  infer::SchedulerOptions so = c.sched;
  const int32_t train_ctx = l->model->hparams().n_ctx_train;
  if (!c.ctx_given && train_ctx > 0) so.n_ctx = std::min(so.n_ctx, train_ctx);
  if (c.ctx_given) warn_ctx_above_trained("serve", "--ctx", so.n_ctx, *l->model);
  ONDO_ASSIGN_OR_RETURN(l->scheduler, infer::Scheduler::create(*l->model, *l->tokenizer, so, pool));
  l->served.alias = alias;
  l->served.path = path;
  l->served.kind = serve::ModelKind::Generator;
  l->served.tokenizer = l->tokenizer.get();
  l->served.chat_template = std::make_shared<const text::ChatTemplate>(tmpl.tmpl);
  l->served.scheduler = l->scheduler.get();
  l->served.model = l->model.get();
  l->served.created = int64_t(std::time(nullptr));
  const model::MemoryEstimate mem = l->model->memory();
  const double kv_mib = double(mem.per_token.kv_bytes_per_token) * so.n_ctx * so.n_parallel / double(1 << 20);
  serve::ModelCard card = serve::model_card_from_gguf(l->model->file());
  card.modified_at = modified_at(path);
  card.template_text = template_text(l->model->file(), tmpl.source);
  card.loaded_bytes = uint64_t(mem.weight_bytes) + uint64_t(mem.per_token.kv_bytes_per_token) * uint64_t(so.n_ctx) * uint64_t(so.n_parallel);
  l->served.card = std::make_shared<const serve::ModelCard>(std::move(card));
  std::fprintf(stderr, "ondo serve: model '%s' from %s (context %d per sequence, %d parallel, template %s; "
               "weights %.1f MiB mapped, KV cache %.1f MiB)\n",
               alias.c_str(), path.c_str(), so.n_ctx, so.n_parallel, tmpl.source.c_str(),
               double(mem.weight_bytes) / double(1 << 20), kv_mib);
  return l;
}

// The fine_tune runner of this server's workers: `inner` once the job's base model is one of
// `generators` (this server's text models; else the job fails naming it), and, when it
// succeeds, its adapter served under the job's fine_tuned_model id at once, so /v1/models and
// /v1/adapters list it before any request names it (a load failure is a "warn" event: the
// first request naming the id loads it then). Runs on a worker's thread.
jobs::Runner serving_fine_tune(serve::Server& server, std::vector<std::string> generators, jobs::Runner inner) {
  return [&server, generators = std::move(generators), inner = std::move(inner)](jobs::JobContext& ctx)
             -> Result<nlohmann::json> {
    const std::string base = ctx.params().is_object() ? ctx.params().value("model", "") : "";
    if (std::find(generators.begin(), generators.end(), base) == generators.end()) {
      std::string names;
      for (const std::string& g : generators) names += (names.empty() ? "" : ", ") + g;
      return make_error(ErrorCode::NotFound, "base model '" + base.substr(0, 200) + "' is not served here any more (served: " +
                                                 names + "); serve it again, or create the job again against a served model");
    }
    ONDO_ASSIGN_OR_RETURN(nlohmann::json result, inner(ctx));
    const std::string id = result.value("fine_tuned_model", "");
    auto a = server.load_adapter(id, base, result.value("adapter", ""), 1.0f);
    if (a.ok()) {
      std::fprintf(stderr, "ondo serve: fine-tuned model '%s' served (adapter %s)\n", id.c_str(), a->path.c_str());
      (void)ctx.event("info", "serving the adapter as '" + id + "'");
    } else {
      (void)ctx.event("warn", "the adapter is not served yet (" + a.error().message + "); it loads on first use");
    }
    return result;
  };
}

int serve(int argc, char** argv) {
  Args args;
  if (auto done = parse_command(serve_spec(), argc, argv, &args)) return *done;
  auto config = config_from_args(args);
  if (!config.ok()) return report("serve", config.error());

  // SIGTERM/SIGINT are taken by sigwait below; every thread started from here inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not kill the server

  // The store opens and the server's options are checked first (an unreachable store, a bad
  // --host or --cors-origin, ... fails before any model loads); every model loads before the server binds: a missing or bad file fails the
  // start, and "listening" means the models are there to answer.
  std::unique_ptr<store::Store> store;  // outlives the server: _Exit below
  if (config->store) {
    auto opened = store::open_store(*config->store);
    if (!opened.ok()) return report("serve", opened.error());
    store = std::move(*opened);
    config->server.store = store.get();
    std::fprintf(stderr, "ondo serve: store %s (%s)%s\n", store->location().c_str(), std::string(store->engine()).c_str(),
                 config->server.admin_key.empty() ? "" : "; admin API on");
  }
  auto server = serve::Server::create(config->server);
  if (!server.ok()) return report("serve", server.error());
  core::ComputePool pool(config->threads);  // outlives the schedulers: _Exit below
  std::vector<std::unique_ptr<Loaded>> loaded;
  std::vector<serve::ServedModel> served;
  std::vector<std::string> generators;  // their aliases, for the fine_tune jobs' check
  for (const auto& [path, alias] : config->models) {
    auto l = load_one(*config, pool, path, alias);
    if (!l.ok()) return report("serve", l.error().with_context(alias));
    if ((*l)->served.kind == serve::ModelKind::Generator) generators.push_back(alias);
    served.push_back((*l)->served);
    loaded.push_back(std::move(*l));
  }
  (*server)->set_models(std::move(served));
  for (const Config::Lora& l : config->loras) {
    auto a = (*server)->load_adapter(l.name, l.alias, l.path, l.scale);
    if (!a.ok()) return report("serve", a.error().with_context("--lora " + l.name));
    std::fprintf(stderr, "ondo serve: adapter '%s' (id %lld) on '%s' from %s (rank %d, alpha %g, scale %g)\n",
                 a->name.c_str(), static_cast<long long>(a->id), a->base.c_str(), a->path.c_str(),
                 a->adapter->max_rank(), double(a->adapter->alpha()), double(a->scale));
  }
  if (auto st = (*server)->start(); !st.ok()) return report("serve", st.error());
  std::fprintf(stderr, "ondo serve: listening on http://%s:%d (%s)\n", config->server.host.c_str(), (*server)->port(),
               config->server.api_key.empty() && !store ? "no API key" : "API key required");
  for (const std::string& origin : config->server.cors_origins) {
    std::fprintf(stderr, "ondo serve: CORS: allowing browser origin %s\n", origin.c_str());
  }
  // Job workers share the pool; their work takes Background leases, so serving goes first.
  jobs::KindRegistry kinds;
  std::vector<std::unique_ptr<jobs::Worker>> workers;
  if (config->workers > 0) {
    // the built-in kinds, fine_tune served as it ends (serving_fine_tune)
    jobs::KindRegistry builtin;
    const auto registered = jobs::register_builtin_kinds(builtin, {serve::job_prompt_resolver()});
    if (!registered.ok()) return report("serve", registered.error());
    for (const std::string& kind : builtin.kinds()) {
      jobs::Runner r = *builtin.find(kind);
      if (kind == "fine_tune") r = serving_fine_tune(**server, generators, std::move(r));
      if (auto st = kinds.add(kind, std::move(r)); !st.ok()) return report("serve", st.error());
    }
    jobs::WorkerOptions wo;
    wo.jobs_dir = config->store->db_url.empty() ? config->store->data_dir / "jobs" : std::filesystem::path("ondo-jobs");
    for (int i = 0; i < config->workers; ++i) {
      workers.push_back(std::make_unique<jobs::Worker>(*store, kinds, pool, wo));
      workers.back()->start();
    }
    std::fprintf(stderr, "ondo serve: %d job worker(s)\n", config->workers);
  }
  std::fprintf(stderr, "ondo serve: ready\n");

  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::fprintf(stderr, "ondo serve: %s: draining (up to %d s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM", kGraceMs / 1000);
  (*server)->drain(kGraceMs);
  for (auto& w : workers) w->stop();  // a running job stays leased; the next worker resumes it
  for (auto& l : loaded) l->scheduler->shutdown(0);
  std::fprintf(stderr, "ondo serve: stopped\n");
  std::fflush(stderr);
  std::fflush(stdout);
  // Idle keep-alive connections would hold the HTTP pool's join for their whole timeout;
  // everything that matters is finished, so leave without running destructors.
  std::_Exit(0);
}

}  // namespace

int cmd_serve(int argc, char** argv) { return serve(argc, argv); }

}  // namespace ondo::cli
