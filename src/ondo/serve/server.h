// The `ondo serve` HTTP server: OpenAI-compatible routes over one Scheduler per model,
// health and metrics, auth and limits, graceful drain. Layer: serve (HTTP via cpp-httplib).
// HTTP threads parse, validate, submit to a Scheduler and wait on its RequestHandle; they
// never run model code. Every response carries an x-request-id header. Thread contract: start(), set_models(), drain() and stop() may be
// called from any thread; the server borrows the models' tokenizers and schedulers, which
// must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/infer/scheduler/scheduler.h"
#include "ondo/infer/tools/tool_calls.h"
#include "ondo/serve/adapters.h"
#include "ondo/serve/http_limits.h"
#include "ondo/serve/model_card.h"
#include "ondo/serve/prices.h"
#include "ondo/serve/request_context.h"
#include "ondo/text/chat_template/chat_template.h"
#include "ondo/text/tokenizer.h"

namespace ondo::store {
class Store;
}  // namespace ondo::store

namespace ondo::apps::fridge {
class DetectionWorker;
}  // namespace ondo::apps::fridge

namespace ondo::serve {

// What a served model can do. A Generator answers chat/completions; an Encoder answers
// /v1/embeddings (or, when it is a reranker, /v1/rerank) and refuses the generation routes
// with a 400. Both run on their Scheduler.
enum class ModelKind { Generator, Encoder };

struct ServedModel {
  std::string alias;                      // the "model" field clients send
  std::string path;                       // the model file (GET /props: model_path); may be empty
  ModelKind kind = ModelKind::Generator;
  const text::Tokenizer* tokenizer = nullptr;  // borrowed
  std::shared_ptr<const text::ChatTemplate> chat_template;  // required for chat requests
  infer::Scheduler* scheduler = nullptr;  // borrowed; required
  // Borrowed, optional: the loaded model, which LoRA adapters bind to (serve/adapters.h);
  // null: the model takes no adapters.
  const model::Model* model = nullptr;
  // Encoders: floats per vector (scores per pair for a reranker), the longest input in tokens,
  // and whether the model scores (query, document) pairs (pooling rank) instead of embedding.
  int32_t embedding_width = 0;
  int32_t max_input_tokens = 0;
  bool reranker = false;
  int64_t created = 0;                    // unix seconds, shown by /v1/models
  // The model's tool-call format; set_models() detects it from the chat template.
  infer::tools::ToolFormat tool_format = infer::tools::ToolFormat::Generic;
  // What the Ollama API shows about the model (GET /api/tags, /api/show, /api/ps); null:
  // those routes show empty details.
  std::shared_ptr<const ModelCard> card;
};

// The response cache (serve/response_cache.h): on with a store and ttl_s > 0.
struct ResponseCacheOptions {
  int64_t ttl_s = 0;                        // --cache-ttl: seconds an answer is kept; 0: off
  int64_t max_bytes = int64_t(256) << 20;  // --cache-size: kept bytes at most (least recently hit go first)
};

struct ServerOptions {
  std::string host = "127.0.0.1";      // "localhost": 127.0.0.1 and [::1] (when the machine has it)
  int port = 8080;                     // 0: any free port (see Server::port())
  std::string api_key;                 // empty: none (then Host/Origin must be loopback)
  // The gateway (see auth.h authorize()): with either, every API route needs a key.
  std::string admin_key;               // empty: /v1/admin/* is off
  store::Store* store = nullptr;       // borrowed, outlives the Server; its keys are API keys
  bool insecure = false;               // allow a non-loopback bind without a key
  std::vector<std::string> cors_origins;  // --cors-origin: browser origins allowed (serve/cors.h); empty: CORS off
  size_t max_body_bytes = size_t(8) << 20;
  int request_timeout_s = 600;         // a generation longer than this is cancelled
  int keep_alive_timeout_s = 75;       // idle keep-alive (longer than common LB idle timeouts)
  int http_threads = 64;               // requests served at once (idle connections hold none)
  HttpLimits http;                     // request line, headers, edge timeouts, connection caps
  bool access_log = true;              // one line per request on stderr, after its body was sent
  // Called once per finished request with its final record (see request_context.h); the
  // usage store writes its rows from it. Empty: none.
  RequestHook on_request_done;
  // --prices: USD per 1M tokens per model (serve/prices.h), for usage costs and budgets; null: all free.
  std::shared_ptr<const PriceTable> prices;
  // Collections (with a store): the largest file /v1/files takes (--max-file-size; the body
  // limit --max-body applies first), the folder of the vector stores' HNSW index files (empty:
  // memory only, rebuilt from the store at start) and the files waiting for ingestion at most.
  size_t max_file_bytes = size_t(8) << 20;
  std::filesystem::path index_dir;
  size_t ingest_queue = 1024;
  ResponseCacheOptions cache;          // needs `store` when on
  size_t grammar_cache_entries = 256;  // compiled response_format / grammar / tool grammars kept
  size_t grammar_cache_bytes = size_t(64) << 20;
  // --app: the app served under /apps/NAME/api/ beside the API: "" (none) or "fridge" (the
  // fridge app, serve/fridge_app.h; needs `store`). Server::create refuses any other name.
  std::string app;
  // --detector: the ingredient detector behind POST /apps/fridge/api/detect, started by the
  // caller (apps/fridge/detection_worker.h); null: that route answers 404.
  std::shared_ptr<apps::fridge::DetectionWorker> detector;
};

class Server {
 public:
  // Errors: InvalidArgument for a non-loopback host without a key (unless insecure), a
  // malformed CORS origin, or CORS origin "*" without a key.
  static Result<std::unique_ptr<Server>> create(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving on a background thread; /health answers 503 until
  // set_models(). Host "localhost" binds 127.0.0.1 and, when the machine has IPv6 loopback,
  // [::1] on the same port. Errors: Unavailable when an address cannot be bound.
  Status start();
  int port() const;  // the bound port (after start)
  // Publishes the models and marks the server ready. Aliases must be unique. Detects each
  // model's tool-call format from its chat template.
  void set_models(std::vector<ServedModel> models);
  // Stops taking new requests (503, /health 503, idle connections closed); waits up to
  // `grace_ms` for running requests to finish, then cancels the rest; then closes the
  // listener and every connection. Returns when no request is running. Idempotent.
  void drain(int grace_ms);
  // Number of requests being handled now.
  int in_flight() const;
  // Loads the LoRA adapter at `path` onto the published model `base_alias` and serves it as
  // `name` (what POST /v1/adapters does; `ondo serve --lora` calls it after set_models()).
  // Errors: NotFound (no such model), InvalidArgument (a model that takes no adapters, a bad
  // or taken name), the adapter loader's errors naming the file and tensor.
  Result<AdapterEntry> load_adapter(const std::string& name, const std::string& base_alias,
                                    const std::filesystem::path& path, float scale);

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ondo::serve
