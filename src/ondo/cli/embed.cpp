// `ondo embed -m MODEL [--pooling mean|cls|last] [--no-normalize] [--query Q] [-t N] [--] TEXT...`: prints one JSON
// array per TEXT, all inside one array ("[[0.01,...],[...]]" and a newline) on stdout: the
// model's pooled vector of each text, L2-normalised unless --no-normalize. For a reranker
// (pooling rank) --query is required and each TEXT is a document: the output is one raw
// score per document. Texts are tokenized as llama.cpp's llama-embedding does ([CLS] ...
// [SEP], special-token text recognised). A decoder (llama, qwen2) embeds with --pooling (default
// last, or the file's pooling_type): the final norm's output of the causal pass, pooled. Layer: cli.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "ondo/cli/args.h"
#include "ondo/cli/commands.h"
#include "ondo/cli/model_options.h"
#include "ondo/core/kernels/ops.h"
#include "ondo/text/rerank_prompt.h"
#include "ondo/text/tokenizer.h"

namespace ondo::cli {
namespace {

constexpr const char* kUsage =
    "usage: ondo embed -m MODEL [--pooling mean|cls|last] [--no-normalize] [--query QUERY] [-t N] [--] TEXT...\n"
    "  prints a JSON array with one vector per TEXT (L2-normalised unless --no-normalize);\n"
    "  --pooling: how a sequence becomes one vector (decoders: default last, or the file's pooling_type;\n"
    "  encoders: the file's pooling unless given)\n"
    "  with a reranker, --query QUERY scores each TEXT as a document (raw scores)\n";

std::string json_floats(const std::vector<float>& v) {
  std::string out = "[";
  char buf[32];
  for (size_t i = 0; i < v.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%.9g", i ? "," : "", double(v[i]));
    out += buf;
  }
  return out + "]";
}

// Token ids of every TEXT (pairs with the query for a reranker), each within the context.
Result<std::vector<std::vector<int32_t>>> inputs(const Args& args, const model::Model& m, const text::Tokenizer& tok) {
  const bool rerank = m.hparams().pooling == model::Pooling::Rank;
  const auto query = args.get("--query");
  if (rerank && !query) return make_error(ErrorCode::InvalidArgument, "this model is a reranker: give --query QUERY (each TEXT is a document)");
  if (!rerank && query) return make_error(ErrorCode::InvalidArgument, "--query is for rerankers (pooling rank); this model makes embeddings");
  if (args.positional().empty()) return make_error(ErrorCode::InvalidArgument, "no text given (pass one or more TEXT)");
  std::vector<std::vector<int32_t>> out;
  for (size_t i = 0; i < args.positional().size(); ++i) {
    const std::string& text = args.positional()[i];
    text::EncodeOptions opts;
    opts.add_special = true;
    opts.parse_special = true;
    Result<std::vector<int32_t>> ids = rerank ? text::rerank_pair_tokens(tok, *query, text) : tok.encode(text, opts);
    if (!ids.ok()) return ids.error();
    if (ids->empty()) return make_error(ErrorCode::InvalidArgument, "text " + std::to_string(i + 1) + " has no tokens");
    if (int64_t(ids->size()) > m.hparams().n_ctx_train) {
      return make_error(ErrorCode::InvalidArgument, "text " + std::to_string(i + 1) + " is " + std::to_string(ids->size()) +
                                                        " tokens, more than the model's context of " +
                                                        std::to_string(m.hparams().n_ctx_train));
    }
    out.push_back(std::move(*ids));
  }
  return out;
}

Status embed(const Args& args) {
  ONDO_ASSIGN_OR_RETURN(int threads, threads_option(args));
  core::ComputePool pool(threads);
  ONDO_ASSIGN_OR_RETURN(std::string path, model_path_option(args));
  model::LoadOptions options = load_options_from_env();
  ONDO_ASSIGN_OR_RETURN(options.pooling, embedding_pooling(path, args.get("--pooling")));
  ONDO_ASSIGN_OR_RETURN(auto model, load_model(path, pool, std::move(options)));
  const model::Model& m = *model;
  if (m.kind() != model::ModelKind::Encode) {
    return make_error(ErrorCode::InvalidArgument, m.file().name() + " is a text generation model ('" +
                                                      std::string(m.unit().name) + "'); ondo embed needs an embedding model");
  }
  ONDO_ASSIGN_OR_RETURN(auto tok, text::Tokenizer::from_gguf(m.file()));
  ONDO_ASSIGN_OR_RETURN(auto seqs, inputs(args, m, *tok));
  const bool normalize = !args.has("--no-normalize") && m.hparams().pooling != model::Pooling::Rank;
  size_t longest = 1;
  for (const auto& q : seqs) longest = std::max(longest, q.size());
  const int32_t ctx = int32_t(longest);  // every text was checked against n_ctx_train
  model::ForwardScratch scratch(m.hparams(), ctx, ctx, pool.size());
  std::string out = "[";
  for (size_t i = 0; i < seqs.size(); ++i) {
    std::vector<model::BatchToken> batch;
    for (size_t p = 0; p < seqs[i].size(); ++p) batch.push_back({seqs[i][p], int32_t(p), 0, false});
    std::vector<float> v(size_t(m.n_embd_out()));
    {
      const core::ComputePool::Lease lease = pool.acquire(core::Priority::Serving);
      ONDO_TRY(m.encode(batch, scratch, lease.pool(), v.data()));
    }
    if (normalize) core::l2_normalize(v.data(), int64_t(v.size()));
    if (i) out += ",";
    if (m.hparams().pooling == model::Pooling::Rank) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.9g", double(v[0]));  // the first label's raw score
      out += buf;
    } else {
      out += json_floats(v);
    }
  }
  out += "]\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return ok_status();
}

}  // namespace

int cmd_embed(int argc, char** argv) {
  Args args({"-m|--model", "-t|--threads", "--query", "--pooling"}, {"--no-normalize", "-h|--help"});
  if (auto st = args.parse(argc, argv); !st.ok()) return report("embed", st.error());
  if (args.has("-h")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (auto st = embed(args); !st.ok()) return report("embed", st.error());
  return 0;
}

}  // namespace ondo::cli
