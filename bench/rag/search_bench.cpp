// bench_rag_search: DenseIndex search figures on random unit vectors (issue 16.7).
// - recall@10 and single-thread QPS of our HNSW wrapper (DenseIndex::search_graph) against
//   hnswlib called directly with its own InnerProductSpace, same M / ef_construction / seed,
//   for several ef: we link Debian's hnswlib itself, so the difference is wrapper overhead
//   (rescoring from our matrix, sorting) and the distance kernel (ours: run-time AVX2; hnswlib's
//   compile-time SIMD, SSE in a build for any x86-64);
// - exact-scan QPS; build times;
// - filtered-query latency (planner, default options) at several selectivities.
// Every timing is the median of --reps runs. Measures; asserts nothing.
// Usage: bench_rag_search [--n 100000] [--dim 384] [--queries 1000] [--reps 3] [--m 16]
//                         [--efc 200] [--no-direct]
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "ondo/rag/dense_index.h"
#include "ondo/rag/planner.h"

namespace {

using ondo::rag::DenseIndex;
using ondo::rag::Hit;
using Clock = std::chrono::steady_clock;

struct Options {
  size_t n = 100000;
  int dim = 384;
  size_t queries = 1000;
  int reps = 3;
  int m = 16;
  int efc = 200;
  bool direct = true;
};

bool parse(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool v = i + 1 < argc;
    if (a == "--n" && v) o->n = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--dim" && v) o->dim = std::atoi(argv[++i]);
    else if (a == "--queries" && v) o->queries = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--reps" && v) o->reps = std::atoi(argv[++i]);
    else if (a == "--m" && v) o->m = std::atoi(argv[++i]);
    else if (a == "--efc" && v) o->efc = std::atoi(argv[++i]);
    else if (a == "--no-direct") o->direct = false;
    else return false;
  }
  return o->n >= 100 && o->dim >= 1 && o->queries >= 1 && o->reps >= 1;
}

std::vector<float> unit_rows(size_t n, int dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.f, 1.f);
  std::vector<float> out(n * static_cast<size_t>(dim));
  for (size_t i = 0; i < n; ++i) {
    float* r = out.data() + i * static_cast<size_t>(dim);
    double ss = 0;
    for (int j = 0; j < dim; ++j) {
      r[j] = nd(rng);
      ss += static_cast<double>(r[j]) * r[j];
    }
    const float inv = static_cast<float>(1.0 / std::sqrt(ss));
    for (int j = 0; j < dim; ++j) r[j] *= inv;
  }
  return out;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Median over reps of the seconds `run` takes.
template <class F>
double timed(int reps, F&& run) {
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    run();
    t.push_back(seconds_since(t0));
  }
  return median(t);
}

double recall(const std::vector<std::vector<int64_t>>& got, const std::vector<std::vector<int64_t>>& truth) {
  double found = 0, total = 0;
  for (size_t q = 0; q < got.size(); ++q) {
    std::unordered_set<int64_t> t(truth[q].begin(), truth[q].end());
    for (int64_t id : got[q]) found += t.count(id);
    total += static_cast<double>(truth[q].size());
  }
  return found / total;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, &o)) {
    std::fprintf(stderr, "usage: bench_rag_search [--n N] [--dim D] [--queries Q] [--reps R] [--m M] [--efc EFC] [--no-direct]\n");
    return 2;
  }
  const size_t dim = static_cast<size_t>(o.dim);
  const size_t k = 10;
  std::printf("bench_rag_search: n=%zu dim=%d queries=%zu reps=%d M=%d ef_construction=%d k=%zu\n",
              o.n, o.dim, o.queries, o.reps, o.m, o.efc, k);
  const std::vector<float> data = unit_rows(o.n, o.dim, 1);
  const std::vector<float> queries = unit_rows(o.queries, o.dim, 2);
  auto qrow = [&](size_t q) { return std::span<const float>(queries.data() + q * dim, dim); };

  ondo::rag::DenseIndexOptions io;
  io.dim = o.dim;
  io.hnsw_threshold = std::min<size_t>(o.n, 1000);
  io.hnsw_m = o.m;
  io.hnsw_ef_construction = o.efc;
  auto index = std::move(DenseIndex::create(io)).value();
  auto t0 = Clock::now();
  for (size_t i = 0; i < o.n; ++i) {
    if (!index->add(static_cast<int64_t>(i), std::span<const float>(data.data() + i * dim, dim)).ok()) return 1;
  }
  std::printf("ondo build: %.1f s (%.0f vectors/s)\n", seconds_since(t0), o.n / seconds_since(t0));

  // Exact scan: the ground truth and its QPS.
  std::vector<std::vector<int64_t>> truth(o.queries);
  const double exact_s = timed(o.reps, [&] {
    for (size_t q = 0; q < o.queries; ++q) {
      truth[q].clear();
      for (const Hit& h : index->search_exact(qrow(q), k, nullptr)) truth[q].push_back(h.id);
    }
  });
  std::printf("exact scan: %.1f QPS (%.2f ms/query)\n", o.queries / exact_s, exact_s * 1e3 / o.queries);

  std::unique_ptr<hnswlib::InnerProductSpace> space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> direct;
  if (o.direct) {
    space = std::make_unique<hnswlib::InnerProductSpace>(dim);
    t0 = Clock::now();
    direct = std::make_unique<hnswlib::HierarchicalNSW<float>>(space.get(), o.n, o.m, o.efc, 100);
    for (size_t i = 0; i < o.n; ++i) direct->addPoint(data.data() + i * dim, i);
    std::printf("hnswlib direct build: %.1f s\n", seconds_since(t0));
  }
  std::printf("\n| ef | ondo recall@10 | ondo QPS | hnswlib recall@10 | hnswlib QPS |\n|---|---|---|---|---|\n");
  for (size_t ef : {size_t{10}, size_t{50}, size_t{100}}) {
    std::vector<std::vector<int64_t>> got(o.queries);
    const double s = timed(o.reps, [&] {
      for (size_t q = 0; q < o.queries; ++q) {
        auto hits = index->search_graph(qrow(q), std::max(ef, k));
        got[q].clear();
        for (size_t i = 0; i < std::min(k, hits.size()); ++i) got[q].push_back(hits[i].id);
      }
    });
    const double r = recall(got, truth);
    double dr = 0, ds = 0;
    if (direct) {
      direct->setEf(ef);
      std::vector<std::vector<int64_t>> dgot(o.queries);
      ds = timed(o.reps, [&] {
        for (size_t q = 0; q < o.queries; ++q) {
          auto pq = direct->searchKnn(queries.data() + q * dim, k);
          dgot[q].clear();
          while (!pq.empty()) {
            dgot[q].push_back(static_cast<int64_t>(pq.top().second));
            pq.pop();
          }
        }
      });
      dr = recall(dgot, truth);
    }
    std::printf("| %zu | %.4f | %.0f | %.4f | %.0f |\n", ef, r, o.queries / s, dr, direct ? o.queries / ds : 0.0);
  }

  // Filtered queries through the planner (default options), random matching sets.
  std::printf("\n| filter selectivity | plan | p50 ms | p95 ms | hits (min) |\n|---|---|---|---|---|\n");
  std::mt19937 rng(3);
  for (double sel : {0.001, 0.01, 0.1, 0.5}) {
    std::vector<int64_t> ids(o.n);
    for (size_t i = 0; i < o.n; ++i) ids[i] = static_cast<int64_t>(i);
    std::shuffle(ids.begin(), ids.end(), rng);
    ids.resize(std::max<size_t>(1, static_cast<size_t>(sel * o.n)));
    const size_t nq = std::min<size_t>(o.queries, 200);
    std::vector<double> med_lat(nq, 0);
    std::string plan;
    size_t min_hits = k;
    for (size_t q = 0; q < nq; ++q) {
      std::vector<double> lat;
      for (int r = 0; r < o.reps; ++r) {
        const auto t1 = Clock::now();
        auto res = ondo::rag::planned_search(*index, qrow(q), k, &ids);
        lat.push_back(seconds_since(t1) * 1e3);
        if (!res.ok()) return 1;
        plan = ondo::rag::plan_kind_name(res->plan.kind);
        min_hits = std::min(min_hits, res->hits.size());
      }
      med_lat[q] = median(lat);
    }
    std::sort(med_lat.begin(), med_lat.end());
    std::printf("| %.1f%% | %s | %.3f | %.3f | %zu |\n", sel * 100, plan.c_str(), med_lat[nq / 2],
                med_lat[std::min(nq - 1, nq * 95 / 100)], min_hits);
  }
  return 0;
}
