// POST /v1/embeddings and POST /v1/rerank: parse (embeddings_api.h), tokenize on the HTTP
// thread, check lengths against the model, submit every input as one EmbeddingRequest to the
// model's scheduler (which batches the sequences of all waiting requests) and wait; then
// normalise / score and answer. Layer: serve. No model code runs here.
#include "ondo/serve/routes/embeddings.h"

#include <chrono>

#include "ondo/core/kernels/ops.h"
#include "ondo/serve/embeddings_api.h"
#include "ondo/serve/routes/routes.h"
#include "ondo/text/rerank_prompt.h"

namespace ondo::serve {
namespace {

constexpr ErrorCode kBad = ErrorCode::InvalidArgument;

// The served encoder named `alias`: an embedding model (want_reranker false) or a reranker.
Result<const ServedModel*> lookup_encoder(const ServerState& state, const std::string& alias, bool want_reranker) {
  ONDO_ASSIGN_OR_RETURN(const ServedModel* m, lookup_model(state, alias));
  if (const auto& record = current_request()) record->context.model = m->alias;
  if (m->kind != ModelKind::Encoder) {
    return field_error(kBad, "model", "'" + m->alias + "' is a text generation model; it does not make " +
                                          (want_reranker ? "rerank scores" : "embeddings") + " (use an embedding model)");
  }
  if (m->reranker && !want_reranker) {
    return field_error(kBad, "model", "'" + m->alias + "' is a reranker; it scores (query, document) pairs (use /v1/rerank)");
  }
  if (!m->reranker && want_reranker) {
    return field_error(kBad, "model", "'" + m->alias + "' is an embedding model, not a reranker (its pooling is not rank; "
                                                       "use /v1/embeddings)");
  }
  if (!m->scheduler || !m->tokenizer) return make_error(ErrorCode::Unavailable, "model '" + m->alias + "' is not running");
  return m;
}

// Cuts `ids` to `max` tokens, keeping a final special token (SEP / EOS) the tokenizer added.
void truncate_tokens(std::vector<int32_t>& ids, int32_t max, int32_t keep_last) {
  const bool ends_special = keep_last >= 0 && !ids.empty() && ids.back() == keep_last;
  ids.resize(size_t(max));
  if (ends_special) ids.back() = keep_last;
}

// The token id a tokenizer ends a sequence with (SEP for WordPiece), or -1.
int32_t closing_token(const text::Tokenizer& tok) {
  if (tok.add_eos() && tok.eos_id() >= 0) return tok.eos_id();
  if (tok.model_name() == "bert") return tok.sep_id();
  return -1;
}

// Checks an input's length against the model (`subject` names it in the message: "input 3");
// with `truncate`, cuts it instead.
Status fit(std::vector<int32_t>& ids, const ServedModel& m, bool truncate, const std::string& path,
           const std::string& subject) {
  if (ids.empty()) return field_error(kBad, path, "has no tokens");
  if (int64_t(ids.size()) <= m.max_input_tokens) return ok_status();
  if (truncate) {
    truncate_tokens(ids, m.max_input_tokens, closing_token(*m.tokenizer));
    return ok_status();
  }
  return field_error(kBad, path, subject + " is " + std::to_string(ids.size()) +
                                     " tokens long, more than the model's context of " +
                                     std::to_string(m.max_input_tokens) + " tokens (give \"truncate\": true to cut it)");
}

// Runs the sequences on the model's scheduler and waits (bounded by the request timeout).
Result<std::vector<std::vector<float>>> run(const ServerState& state, const ServedModel& m,
                                            std::vector<std::vector<int32_t>> seqs) {
  int64_t n_tokens = 0;
  for (const auto& s : seqs) n_tokens += int64_t(s.size());
  if (const auto& record = current_request()) record->prompt_tokens = int32_t(n_tokens);
  infer::EmbeddingRequest er;
  er.inputs = std::move(seqs);
  ONDO_ASSIGN_OR_RETURN(auto handle, m.scheduler->submit_embedding(std::move(er)));
  if (const auto& record = current_request()) record->generated = true;  // counted in the model's metrics
  const int timeout_ms = state.options().request_timeout_s * 1000;
  auto done = handle->wait(timeout_ms);
  if (!done) {
    handle->cancel();
    return make_error(ErrorCode::Unavailable, "the request timed out after " +
                                                  std::to_string(state.options().request_timeout_s) + " s");
  }
  const infer::RequestTiming t = handle->timing();
  if (const auto& record = current_request()) {
    record->queue_s = t.queue_seconds;
    record->first_token_s = t.first_token_seconds;  // the first vector
    record->finish_reason = done->ok() ? "stop" : "error";
  }
  return std::move(*done);
}

int64_t count_tokens(const std::vector<std::vector<int32_t>>& seqs) {
  int64_t n = 0;
  for (const auto& s : seqs) n += int64_t(s.size());
  return n;
}

// Input i's token ids: its text tokenized as llama-server tokenizes embedding inputs (special
// tokens added and recognised), or its ids checked against the vocabulary.
Result<std::vector<int32_t>> input_tokens(const text::Tokenizer& tok, EmbeddingInput& in, const std::string& path) {
  if (in.is_tokens) {
    const int32_t n_vocab = tok.n_vocab();
    for (size_t k = 0; k < in.tokens.size(); ++k) {
      if (in.tokens[k] >= n_vocab) {
        return field_error(kBad, path + "[" + std::to_string(k) + "]", "token id " + std::to_string(in.tokens[k]) +
                                                                           " is out of range (vocabulary has " +
                                                                           std::to_string(n_vocab) + " tokens)");
      }
    }
    return std::move(in.tokens);
  }
  text::EncodeOptions opts;
  opts.add_special = true;
  opts.parse_special = true;
  auto enc = tok.encode(in.text, opts);
  if (!enc.ok()) return field_error(kBad, path, enc.error().message);
  return std::move(*enc);
}

Result<nlohmann::ordered_json> embeddings(ServerState& state, EmbeddingsRequest r) {
  EmbeddingJob job;
  job.model = r.model;
  job.inputs = std::move(r.inputs);
  job.truncate = r.truncate;
  job.dimensions = r.dimensions;
  ONDO_ASSIGN_OR_RETURN(EmbeddingOutcome out, run_embedding_job(state, std::move(job)));
  return embeddings_response(r.model, out.vectors, r.base64, out.prompt_tokens);
}

Result<nlohmann::ordered_json> rerank(ServerState& state, const RerankRequest& r) {
  ONDO_ASSIGN_OR_RETURN(const ServedModel* m, lookup_encoder(state, r.model, true));
  std::vector<std::vector<int32_t>> seqs;
  seqs.reserve(r.documents.size());
  for (size_t i = 0; i < r.documents.size(); ++i) {
    const std::string path = "documents[" + std::to_string(i) + "]";
    auto ids = text::rerank_pair_tokens(*m->tokenizer, r.query, r.documents[i]);
    if (!ids.ok()) return field_error(kBad, path, ids.error().message);
    ONDO_TRY(fit(*ids, *m, r.truncate, path, "the query with document " + std::to_string(i)));
    seqs.push_back(std::move(*ids));
  }
  const int64_t n_tokens = count_tokens(seqs);
  ONDO_ASSIGN_OR_RETURN(auto outputs, run(state, *m, std::move(seqs)));
  std::vector<float> scores;
  scores.reserve(outputs.size());
  for (const auto& o : outputs) scores.push_back(o.empty() ? 0.0f : o[0]);  // the first label's raw score
  return rerank_response(r, scores, n_tokens);
}

}  // namespace

Result<EmbeddingOutcome> run_embedding_job(ServerState& state, EmbeddingJob job) {
  ONDO_ASSIGN_OR_RETURN(const ServedModel* m, lookup_encoder(state, job.model, false));
  if (job.dimensions && *job.dimensions > m->embedding_width) {
    return field_error(kBad, "dimensions", std::to_string(*job.dimensions) + " is more than the model's " +
                                               std::to_string(m->embedding_width) + " dimensions");
  }
  EmbeddingOutcome out;
  if (job.inputs.empty()) return out;  // only the model was asked about (Ollama's load call)
  std::vector<std::vector<int32_t>> seqs;
  seqs.reserve(job.inputs.size());
  for (size_t i = 0; i < job.inputs.size(); ++i) {
    const std::string path = job.single ? job.input_field : job.input_field + "[" + std::to_string(i) + "]";
    const std::string subject = job.single ? job.input_field : job.input_field + " " + std::to_string(i);
    ONDO_ASSIGN_OR_RETURN(auto ids, input_tokens(*m->tokenizer, job.inputs[i], path));
    ONDO_TRY(fit(ids, *m, job.truncate, path, subject));
    seqs.push_back(std::move(ids));
  }
  out.prompt_tokens = count_tokens(seqs);
  ONDO_ASSIGN_OR_RETURN(out.vectors, run(state, *m, std::move(seqs)));
  if (!job.normalize) return out;
  for (auto& v : out.vectors) {
    // Normalised as llama-server does by default; `dimensions` keeps the first components
    // and normalises again (Matryoshka truncation).
    core::l2_normalize(v.data(), int64_t(v.size()));
    if (job.dimensions && *job.dimensions < int32_t(v.size())) v = truncate_dimensions(v, *job.dimensions);
  }
  return out;
}

void handle_embeddings(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto parsed = parse_embeddings_request(req.body);
  if (!parsed.ok()) return send_error(res, parsed.error());
  auto body = embeddings(state, std::move(*parsed));
  if (!body.ok()) return send_error(res, body.error());
  send_json(res, 200, *body);
}

void handle_rerank(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto parsed = parse_rerank_request(req.body);
  if (!parsed.ok()) return send_error(res, parsed.error());
  auto body = rerank(state, *parsed);
  if (!body.ok()) return send_error(res, body.error());
  send_json(res, 200, *body);
}

}  // namespace ondo::serve
