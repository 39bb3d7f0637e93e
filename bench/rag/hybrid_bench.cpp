// bench_rag_hybrid: hybrid query latency (issue 16.7) on a vector store of n chunks in the
// embedded SQLite store, through the library call the routes use (CollectionIndexes::search,
// SearchMode::Hybrid: dense through the planner + BM25 from FTS5, fused by RRF). Chunks are
// 40 words drawn from a synthetic 5000-word vocabulary (Zipf-like), with random unit vectors of
// --dim floats; queries are 4 words and a random unit vector. Reports the time to fill the
// store and to build the index (the first search), then p50 / p95 of each query's wall and
// thread-CPU time (each query timed once per rep; per query the median of --reps, then the
// percentiles over queries), for hybrid and then for each half alone (dense, lexical), and a
// checksum of every query's ranked ids (the same data gives the same checksum: a speed-up
// must not change it). --reuse keeps the store and index in --dir between runs (the fill and
// the HNSW build take minutes at 100 k). Measures; asserts nothing.
// Usage: bench_rag_hybrid [--n 100000] [--dim 384] [--queries 200] [--reps 3] [--dir PATH] [--reuse]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "ondo/core/env.h"
#include "ondo/rag/collection_search.h"
#include "ondo/store/store.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

struct Options {
  size_t n = 100000;
  int dim = 384;
  size_t queries = 200;
  int reps = 3;
  fs::path dir = fs::temp_directory_path() / "ondo-bench-hybrid";
  bool reuse = false;
};

bool parse(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool v = i + 1 < argc;
    if (a == "--n" && v) o->n = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--dim" && v) o->dim = std::atoi(argv[++i]);
    else if (a == "--queries" && v) o->queries = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--reps" && v) o->reps = std::atoi(argv[++i]);
    else if (a == "--dir" && v) o->dir = argv[++i];
    else if (a == "--reuse") o->reuse = true;
    else return false;
  }
  return o->n >= 100 && o->dim >= 1 && o->queries >= 1 && o->reps >= 1;
}

double cpu_now() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::vector<float> unit(std::mt19937& rng, int dim) {
  std::normal_distribution<float> nd(0.f, 1.f);
  std::vector<float> v(static_cast<size_t>(dim));
  double ss = 0;
  for (float& x : v) {
    x = nd(rng);
    ss += static_cast<double>(x) * x;
  }
  for (float& x : v) x = static_cast<float>(x / std::sqrt(ss));
  return v;
}

// A word of the synthetic vocabulary: "w" + its rank in letters (FTS5's tokenizer keeps it whole).
std::string word(size_t rank) {
  std::string w = "w";
  do {
    w += static_cast<char>('a' + rank % 26);
    rank /= 26;
  } while (rank > 0);
  return w;
}

std::string words(std::mt19937& rng, size_t count) {
  // Zipf-like: rank = floor(5000^u) - 1, so common words are frequent and rare ones rare.
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::string s;
  for (size_t i = 0; i < count; ++i) {
    const auto rank = static_cast<size_t>(std::pow(5000.0, u(rng))) - 1;
    s += (s.empty() ? "" : " ") + word(rank);
  }
  return s;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

double median(std::vector<double> v) { return percentile(std::move(v), 0.5); }

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, &o)) {
    std::fprintf(stderr, "usage: bench_rag_hybrid [--n N] [--dim D] [--queries Q] [--reps R] [--dir PATH] [--reuse]\n");
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::printf("bench_rag_hybrid: n=%zu dim=%d queries=%zu reps=%d dir=%s\n", o.n, o.dim, o.queries, o.reps,
              o.dir.string().c_str());
  const bool reusing = o.reuse && fs::exists(o.dir / "filled");
  if (!reusing) fs::remove_all(o.dir);
  fs::create_directories(o.dir);
  auto opened = ondo::store::open_sqlite_store(o.dir, ondo::core::Env::posix());
  if (!opened.ok()) {
    std::fprintf(stderr, "store: %s\n", opened.error().message.c_str());
    return 1;
  }
  ondo::store::Store& store = **opened;
  ondo::store::VectorStoreRecord vs;
  vs.id = "vs_bench";
  vs.name = "bench";
  vs.embedding_model = "random";
  if (!reusing && !store.insert_vector_store(vs).ok()) return 1;

  // Fill: files of 1000 chunks each, each file one transaction (as ingestion commits them).
  std::mt19937 rng(1);
  auto t0 = Clock::now();
  const size_t per_file = 1000;
  for (size_t f = 0; f * per_file < o.n; ++f) {
    if (reusing) {  // the same draws as the fill, so the queries below are the same too
      for (size_t i = f * per_file; i < std::min(o.n, (f + 1) * per_file); ++i) {
        words(rng, 40);
        unit(rng, o.dim);
      }
      continue;
    }
    ondo::store::FileRecord file;
    file.id = "file-" + std::to_string(f);
    file.filename = "f" + std::to_string(f) + ".txt";
    file.purpose = "assistants";
    if (!store.insert_file(file, "x").ok()) return 1;
    ondo::store::VectorStoreFileRecord vf;
    vf.vector_store_id = vs.id;
    vf.file_id = file.id;
    vf.attributes = "{\"part\": " + std::to_string(f % 10) + "}";
    if (!store.insert_vector_store_file(vf).ok()) return 1;
    std::vector<ondo::store::ChunkRecord> chunks;
    for (size_t i = f * per_file; i < std::min(o.n, (f + 1) * per_file); ++i) {
      ondo::store::ChunkRecord c;
      c.vector_store_id = vs.id;
      c.file_id = file.id;
      c.seq = static_cast<int32_t>(i - f * per_file);
      c.text = words(rng, 40);
      c.vector = unit(rng, o.dim);
      c.attributes = vf.attributes;
      chunks.push_back(std::move(c));
    }
    auto done = store.complete_vector_store_file(vs.id, file.id, std::move(chunks));
    if (!done.ok()) {
      std::fprintf(stderr, "fill: %s\n", done.error().message.c_str());
      return 1;
    }
  }
  if (reusing) std::printf("fill: reused %s\n", o.dir.string().c_str());
  else std::printf("fill: %zu chunks in %.1f s wall\n", o.n, since(t0));
  if (o.reuse) std::ofstream(o.dir / "filled") << o.n << "\n";
  auto found = store.find_vector_store(vs.id);
  if (!found.ok() || !*found) return 1;
  vs = **found;

  ondo::rag::CollectionIndexes indexes(store, o.dir / "indexes");
  std::vector<ondo::rag::CollectionQuery> qs(o.queries);
  for (auto& q : qs) {
    q.text = words(rng, 4);
    q.vector = unit(rng, o.dim);
    q.k = 10;
    q.mode = ondo::rag::SearchMode::Hybrid;
  }
  t0 = Clock::now();
  double c0 = cpu_now();
  auto first = indexes.search(vs, qs[0]);
  if (!first.ok()) {
    std::fprintf(stderr, "search: %s\n", first.error().message.c_str());
    return 1;
  }
  std::printf("index build (first search): %.1f s wall, %.1f s CPU; %s\n", since(t0), cpu_now() - c0,
              first->index_note.c_str());

  std::printf("\n| chunks | mode | p50 ms wall | p95 ms wall | p50 ms CPU | p95 ms CPU | hits (min) | ranking checksum |\n"
              "|---|---|---|---|---|---|---|---|\n");
  for (ondo::rag::SearchMode mode :
       {ondo::rag::SearchMode::Hybrid, ondo::rag::SearchMode::Dense, ondo::rag::SearchMode::Lexical}) {
    std::vector<double> wall(o.queries), cpu(o.queries);
    size_t min_hits = 10;
    uint64_t checksum = 1469598103934665603ull;  // FNV-1a over (query, rank, chunk id)
    for (size_t i = 0; i < o.queries; ++i) {
      qs[i].mode = mode;
      std::vector<double> w, c;
      for (int r = 0; r < o.reps; ++r) {
        const auto t1 = Clock::now();
        const double c1 = cpu_now();
        auto res = indexes.search(vs, qs[i]);
        c.push_back((cpu_now() - c1) * 1e3);
        w.push_back(since(t1) * 1e3);
        if (!res.ok()) return 1;
        min_hits = std::min(min_hits, res->hits.size());
        if (r == 0) {
          for (const auto& h : res->hits) {
            for (uint64_t x : {uint64_t(i), uint64_t(h.chunk.id)}) checksum = (checksum ^ x) * 1099511628211ull;
          }
        }
      }
      wall[i] = median(w);
      cpu[i] = median(c);
    }
    std::printf("| %zu | %s | %.2f | %.2f | %.2f | %.2f | %zu | %016llx |\n", o.n, ondo::rag::search_mode_name(mode),
                percentile(wall, 0.5), percentile(wall, 0.95), percentile(cpu, 0.5), percentile(cpu, 0.95), min_hits,
                static_cast<unsigned long long>(checksum));
  }
  if (!o.reuse) fs::remove_all(o.dir);
  return 0;
}
