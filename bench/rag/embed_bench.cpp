// bench_rag_embed: embeddings per second of an encoder (issue 16.7) on many short inputs, in
// process through Model::encode (the pass the embeddings scheduler runs; no HTTP): N
// sentences of ~8-32 tokens ([CLS] ... [SEP], the same seeded texts as
// bench/rag/embeddings_per_sec.py), embedded
//   batched: whole sentences packed into passes of up to --batch-tokens tokens (as the
//            scheduler packs the inputs of waiting requests), and
//   single:  one sentence per pass (one input per request, nothing to batch with),
// on --threads threads; embeddings/s, median of --runs. Without --model it writes a BERT of
// all-MiniLM-L6-v2's shape with random weights first (model::gen, as `ondo gen-model --shape
// minilm-l6 --type f16` does). Measures; asserts nothing.
// Usage: bench_rag_embed [--model FILE] [--vocab VOCAB.gguf] [--n 1000] [--threads 2]
//                        [--batch-tokens 2048] [--runs 3]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "ondo/core/compute_pool.h"
#include "ondo/model/gen/gen_model.h"
#include "ondo/model/model.h"
#include "ondo/text/tokenizer.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string model;
  std::string vocab = "../shared/testdata/tokenizer/ggml-vocab-bert-bge.gguf";
  size_t n = 1000;
  int threads = 2;
  int batch_tokens = 2048;
  int runs = 3;
};

bool parse(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool v = i + 1 < argc;
    if (a == "--model" && v) o->model = argv[++i];
    else if (a == "--vocab" && v) o->vocab = argv[++i];
    else if (a == "--n" && v) o->n = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--threads" && v) o->threads = std::atoi(argv[++i]);
    else if (a == "--batch-tokens" && v) o->batch_tokens = std::atoi(argv[++i]);
    else if (a == "--runs" && v) o->runs = std::atoi(argv[++i]);
    else return false;
  }
  return o->n >= 1 && o->threads >= 1 && o->batch_tokens >= 64 && o->runs >= 1;
}

const char* const kWords[] = {
    "the", "a", "of", "and", "to", "in", "is", "was", "for", "on", "that", "with", "as", "it", "by", "at", "from",
    "they", "this", "be", "are", "an", "have", "which", "one", "had", "not", "but", "what", "all", "were", "when",
    "there", "can", "more", "if", "out", "so", "said", "up", "about", "into", "than", "them", "only", "other", "new",
    "some", "could", "time", "these", "two", "may", "first", "then", "like", "now", "over", "such", "our", "even",
    "most", "made", "after", "also", "many", "before", "must", "through", "back", "years", "where", "much", "your",
    "way", "well", "down", "should", "because", "each", "just", "people", "how", "little", "state", "good", "very",
    "make", "world", "still", "own", "see", "work", "long", "here", "between", "both", "life", "under", "never", "day",
    "same", "another", "know", "while", "last", "might", "great", "old", "year", "off", "come", "since", "against",
    "right", "used", "take", "three", "fridge", "milk", "bread", "tomato", "recipe", "soup", "kitchen", "oven",
    "cheese", "butter", "garlic", "onion", "pepper", "salt", "water", "shelf", "door", "cold"};

std::vector<std::string> sentences(size_t n) {
  std::mt19937 rng(20261203);
  std::uniform_int_distribution<int> len(6, 28);
  std::uniform_int_distribution<size_t> pick(0, std::size(kWords) - 1);
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    std::string s;
    for (int k = len(rng); k > 0; --k) s += (s.empty() ? "" : " ") + std::string(kWords[pick(rng)]);
    out.push_back(s + ".");
  }
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, &o)) {
    std::fprintf(stderr, "usage: bench_rag_embed [--model FILE] [--vocab VOCAB.gguf] [--n N] [--threads T] "
                         "[--batch-tokens B] [--runs R]\n");
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  ondo::core::ComputePool pool(o.threads);
  if (o.model.empty()) {
    o.model = (fs::temp_directory_path() / "ondo-bench-minilm-l6.gguf").string();
    namespace mg = ondo::model::gen;
    mg::GenOptions g;
    g.shape = mg::find_shape("minilm-l6");
    g.type = ondo::core::DType::F16;
    g.seed = 1;
    g.output = o.model;
    g.vocab = o.vocab;
    auto rep = mg::generate_model(g, pool);
    if (!rep.ok()) {
      std::fprintf(stderr, "gen-model: %s\n", rep.error().message.c_str());
      return 1;
    }
    std::printf("wrote %s (minilm-l6, F16, %.1f M parameters)\n", o.model.c_str(), double(rep->n_params) / 1e6);
  }
  ondo::model::LoadOptions lo;
  auto loaded = [&] {
    const ondo::core::ComputePool::Lease lease = pool.acquire(ondo::core::Priority::Background);
    lo.pool = &lease.pool();
    return ondo::model::Model::load(o.model, lo);
  }();
  if (!loaded.ok()) {
    std::fprintf(stderr, "load: %s\n", loaded.error().message.c_str());
    return 1;
  }
  const ondo::model::Model& m = **loaded;
  if (m.kind() != ondo::model::ModelKind::Encode) {
    std::fprintf(stderr, "%s is not an embedding model\n", o.model.c_str());
    return 1;
  }
  auto tok = ondo::text::Tokenizer::from_gguf(m.file());
  if (!tok.ok()) {
    std::fprintf(stderr, "tokenizer: %s\n", tok.error().message.c_str());
    return 1;
  }
  std::vector<std::vector<int32_t>> seqs;
  size_t tokens = 0, shortest = SIZE_MAX, longest = 0;
  ondo::text::EncodeOptions eo;
  eo.add_special = true;
  eo.parse_special = true;
  for (const std::string& s : sentences(o.n)) {
    auto ids = (*tok)->encode(s, eo);
    if (!ids.ok()) return 1;
    tokens += ids->size();
    shortest = std::min(shortest, ids->size());
    longest = std::max(longest, ids->size());
    seqs.push_back(std::move(*ids));
  }
  const int32_t ctx = m.hparams().n_ctx_train;
  std::printf("%s: %zu sentences, %zu tokens (%zu-%zu each), %d threads, passes of up to %d tokens, median of %d\n",
              o.model.c_str(), seqs.size(), tokens, shortest, longest, o.threads, o.batch_tokens, o.runs);
  ondo::model::ForwardScratch scratch(m.hparams(), o.batch_tokens, ctx, o.threads);
  std::vector<float> out(size_t(o.batch_tokens) * size_t(m.n_embd_out()));
  std::vector<ondo::model::BatchToken> batch;

  // Embeds every sentence, whole sentences packed into passes of up to `max_tokens`.
  auto run = [&](int max_tokens) -> double {
    const auto t0 = Clock::now();
    const ondo::core::ComputePool::Lease lease = pool.acquire(ondo::core::Priority::Serving);
    size_t i = 0;
    while (i < seqs.size()) {
      batch.clear();
      int32_t seq = 0;
      while (i < seqs.size() && (batch.empty() || int(batch.size() + seqs[i].size()) <= max_tokens)) {
        for (size_t p = 0; p < seqs[i].size(); ++p) batch.push_back({seqs[i][p], int32_t(p), seq, false});
        ++seq;
        ++i;
      }
      auto st = m.encode(batch, scratch, lease.pool(), out.data());
      if (!st.ok()) {
        std::fprintf(stderr, "encode: %s\n", st.error().message.c_str());
        std::exit(1);
      }
    }
    return double(seqs.size()) / std::chrono::duration<double>(Clock::now() - t0).count();
  };
  run(o.batch_tokens);  // warm-up
  std::printf("\n| mode | embeddings/s (median) | runs |\n|---|---|---|\n");
  double batched = 0, single = 0;
  for (const auto& [name, max_tokens] : {std::pair<const char*, int>{"batched", o.batch_tokens}, {"single", 1}}) {
    std::vector<double> rates;
    for (int r = 0; r < o.runs; ++r) rates.push_back(run(max_tokens));
    const double med = median(rates);
    (std::string(name) == "batched" ? batched : single) = med;
    std::string all;
    for (double x : rates) all += (all.empty() ? "" : " / ") + std::to_string(int(x + 0.5));
    std::printf("| %s | %.1f | %s |\n", name, med, all.c_str());
  }
  std::printf("batching gain: %.2fx\n", batched / single);
  return 0;
}
