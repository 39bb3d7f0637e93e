// Ollama's embedding routes (routes/ollama.h): POST /api/embed and the older POST
// /api/embeddings, parsed by api_ollama.h and run as an embedding job of the embeddings family
// (routes/embeddings.h: the encoder's scheduler batches them with every other request). Layer:
// serve. No model code runs here. Every error is in Ollama's shape, {"error": "..."}.
#include <chrono>

#include "ondo/serve/api_ollama.h"
#include "ondo/serve/routes/embeddings.h"
#include "ondo/serve/routes/ollama.h"
#include "ondo/serve/routes/routes.h"

namespace ondo::serve {
namespace {

using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

void reply(httplib::Response& res, const json& body) {
  res.status = 200;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void fail(httplib::Response& res, const Error& e) { send_error(res, e, ErrorShape::Ollama); }

// The job of a parsed request on the served model its Ollama name means.
Result<EmbeddingOutcome> run(ServerState& state, OllamaEmbedRequest r, bool normalize, bool legacy) {
  ONDO_ASSIGN_OR_RETURN(const ServedModel* m, find_ollama_model(state, r.model));
  EmbeddingJob job;
  job.model = m->alias;
  job.inputs = std::move(r.inputs);
  job.truncate = r.truncate;
  job.normalize = normalize;
  job.dimensions = r.dimensions;
  if (legacy) {
    job.input_field = "prompt";
    job.single = true;
  }
  return run_embedding_job(state, std::move(job));
}

}  // namespace

// {"model", "embeddings": [[...]], "total_duration", "load_duration", "prompt_eval_count"}:
// L2-normalised vectors, as Ollama's /api/embed returns them; durations in nanoseconds from the
// request's arrival (models are loaded before the server is ready: load_duration 0).
void handle_ollama_embed(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  const Clock::time_point start = Clock::now();
  InFlight guard(state);
  auto parsed = parse_ollama_embed(req.body);
  if (!parsed.ok()) return fail(res, parsed.error());
  const std::string model = parsed->model;
  auto out = run(state, std::move(*parsed), true, false);
  if (!out.ok()) return fail(res, out.error());
  const auto total = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
  json vectors = json::array();
  for (const auto& v : out->vectors) vectors.push_back(v);
  reply(res, {{"model", model},
              {"embeddings", std::move(vectors)},
              {"total_duration", int64_t(total)},
              {"load_duration", 0},
              {"prompt_eval_count", out->prompt_tokens}});
}

// {"embedding": [...]}: the pooled vector as the model gives it, not normalised, as Ollama's
// older route returns it; no prompt gives [] (Ollama's "load the model" call).
void handle_ollama_embeddings(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto parsed = parse_ollama_embeddings(req.body);
  if (!parsed.ok()) return fail(res, parsed.error());
  auto out = run(state, std::move(*parsed), false, true);
  if (!out.ok()) return fail(res, out.error());
  reply(res, {{"embedding", out->vectors.empty() ? json::array() : json(out->vectors[0])}});
}

}  // namespace ondo::serve
