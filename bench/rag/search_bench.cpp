// bench_rag_search: DenseIndex search figures on random unit vectors (issue 16.7).
// - recall@10 and single-thread QPS of our HNSW wrapper (DenseIndex::search_graph) against
//   hnswlib called directly with its own InnerProductSpace, same M / ef_construction / seed,
//   for several ef: we link Debian's hnswlib itself, so the difference is wrapper overhead
//   (rescoring from our matrix, sorting) and the distance kernel (ours: run-time AVX2; hnswlib's
//   compile-time SIMD, SSE in a build for any x86-64);
// - exact-scan QPS; build times;
// - filtered-query latency (planner, default options) at several selectivities.
// Every timing is the median of --reps runs, as wall time and as this thread's CPU time (the
// machine is shared; CPU time is the steadier figure under load). Measures; asserts nothing.
// --data random: i.i.d. Gaussian directions (the case, and HNSW's hardest: every
// point is nearly equidistant); clustered: 1000 Gaussian clusters, closer to real embeddings.
// Usage: bench_rag_search [--n 100000] [--dim 384] [--queries 1000] [--reps 3] [--m 16]
//                         [--efc 200] [--efs 10,50,100,200,400,800] [--data random|clustered]
//                         [--no-direct]
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <chrono>
#include <ctime>
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
  bool clustered = false;
  std::vector<size_t> efs = {10, 50, 100, 200, 400, 800};
};

// "a,b,c" as positive sizes; false on anything else.
bool parse_list(const std::string& s, std::vector<size_t>* out) {
  out->clear();
  size_t at = 0;
  while (at <= s.size()) {
    const size_t comma = std::min(s.find(',', at), s.size());
    const std::string part = s.substr(at, comma - at);
    char* end = nullptr;
    const unsigned long long v = std::strtoull(part.c_str(), &end, 10);
    if (part.empty() || *end != '\0' || v == 0) return false;
    out->push_back(static_cast<size_t>(v));
    at = comma + 1;
  }
  return !out->empty();
}

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
    else if (a == "--efs" && v) {
      if (!parse_list(argv[++i], &o->efs)) return false;
    }
    else if (a == "--data" && v) {
      const std::string d = argv[++i];
      if (d != "random" && d != "clustered") return false;
      o->clustered = d == "clustered";
    }
    else return false;
  }
  return o->n >= 100 && o->dim >= 1 && o->queries >= 1 && o->reps >= 1;
}

// n unit rows: Gaussian directions, or (clustered) one of 1000 fixed centres plus noise.
std::vector<float> unit_rows(size_t n, int dim, uint32_t seed, bool clustered) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.f, 1.f);
  const size_t c = static_cast<size_t>(dim);
  std::vector<float> centres;
  if (clustered) {
    std::mt19937 crng(12345);  // the same centres for data and queries
    centres.resize(1000 * c);
    for (float& x : centres) x = nd(crng);
  }
  std::uniform_int_distribution<size_t> pick(0, 999);
  std::vector<float> out(n * c);
  for (size_t i = 0; i < n; ++i) {
    float* r = out.data() + i * c;
    const float* centre = clustered ? centres.data() + pick(rng) * c : nullptr;
    double ss = 0;
    for (size_t j = 0; j < c; ++j) {
      r[j] = clustered ? centre[j] + 0.5f * nd(rng) : nd(rng);
      ss += static_cast<double>(r[j]) * r[j];
    }
    const float inv = static_cast<float>(1.0 / std::sqrt(ss));
    for (size_t j = 0; j < c; ++j) r[j] *= inv;
  }
  return out;
}

double cpu_now() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Timing {
  double wall = 0, cpu = 0;  // seconds, medians over reps
};

// Medians over reps of the wall and thread-CPU seconds `run` takes.
template <class F>
Timing timed(int reps, F&& run) {
  std::vector<double> w, c;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    const double c0 = cpu_now();
    run();
    c.push_back(cpu_now() - c0);
    w.push_back(seconds_since(t0));
  }
  return {median(w), median(c)};
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
    std::fprintf(stderr, "usage: bench_rag_search [--n N] [--dim D] [--queries Q] [--reps R] [--m M] [--efc EFC] [--efs 10,50,...] [--data random|clustered] [--no-direct]\n");
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // rows appear as they are measured
  const size_t dim = static_cast<size_t>(o.dim);
  const size_t k = 10;
  std::printf("bench_rag_search: n=%zu dim=%d queries=%zu reps=%d M=%d ef_construction=%d k=%zu data=%s\n",
              o.n, o.dim, o.queries, o.reps, o.m, o.efc, k, o.clustered ? "clustered" : "random");
  const std::vector<float> data = unit_rows(o.n, o.dim, 1, o.clustered);
  const std::vector<float> queries = unit_rows(o.queries, o.dim, 2, o.clustered);
  auto qrow = [&](size_t q) { return std::span<const float>(queries.data() + q * dim, dim); };

  ondo::rag::DenseIndexOptions io;
  io.dim = o.dim;
  io.hnsw_threshold = std::min<size_t>(o.n, 1000);
  io.hnsw_m = o.m;
  io.hnsw_ef_construction = o.efc;
  auto index = std::move(DenseIndex::create(io)).value();
  auto t0 = Clock::now();
  double c0 = cpu_now();
  for (size_t i = 0; i < o.n; ++i) {
    if (!index->add(static_cast<int64_t>(i), std::span<const float>(data.data() + i * dim, dim)).ok()) return 1;
  }
  std::printf("ondo build: %.1f s wall, %.1f s CPU\n", seconds_since(t0), cpu_now() - c0);

  // Exact scan: the ground truth and its QPS.
  std::vector<std::vector<int64_t>> truth(o.queries);
  const Timing exact_s = timed(o.reps, [&] {
    for (size_t q = 0; q < o.queries; ++q) {
      truth[q].clear();
      for (const Hit& h : index->search_exact(qrow(q), k, nullptr)) truth[q].push_back(h.id);
    }
  });
  std::printf("exact scan: %.1f QPS wall, %.1f QPS CPU (%.2f ms CPU/query)\n", o.queries / exact_s.wall,
              o.queries / exact_s.cpu, exact_s.cpu * 1e3 / o.queries);

  std::unique_ptr<hnswlib::InnerProductSpace> space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> direct;
  if (o.direct) {
    space = std::make_unique<hnswlib::InnerProductSpace>(dim);
    t0 = Clock::now();
    c0 = cpu_now();
    direct = std::make_unique<hnswlib::HierarchicalNSW<float>>(space.get(), o.n, o.m, o.efc, 100);
    for (size_t i = 0; i < o.n; ++i) direct->addPoint(data.data() + i * dim, i);
    std::printf("hnswlib direct build: %.1f s wall, %.1f s CPU\n", seconds_since(t0), cpu_now() - c0);
  }
  std::printf("\n| ef | ondo recall@10 | ondo QPS CPU (wall) | hnswlib recall@10 | hnswlib QPS CPU (wall) |\n"
              "|---|---|---|---|---|\n");
  for (size_t ef : o.efs) {
    std::vector<std::vector<int64_t>> got(o.queries);
    const Timing s = timed(o.reps, [&] {
      for (size_t q = 0; q < o.queries; ++q) {
        auto hits = index->search_graph(qrow(q), std::max(ef, k));
        got[q].clear();
        for (size_t i = 0; i < std::min(k, hits.size()); ++i) got[q].push_back(hits[i].id);
      }
    });
    const double r = recall(got, truth);
    double dr = 0;
    Timing ds;
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
    std::printf("| %zu | %.4f | %.0f (%.0f) | %.4f | %.0f (%.0f) |\n", ef, r, o.queries / s.cpu, o.queries / s.wall,
                dr, direct ? o.queries / ds.cpu : 0.0, direct ? o.queries / ds.wall : 0.0);
  }

  // Filtered queries through the planner (default options), random matching sets.
  std::printf("\n| filter selectivity | plan | p50 ms CPU | p95 ms CPU | p50 ms wall | hits (min) |\n"
              "|---|---|---|---|---|---|\n");
  std::mt19937 rng(3);
  for (double sel : {0.001, 0.01, 0.1, 0.5}) {
    std::vector<int64_t> ids(o.n);
    for (size_t i = 0; i < o.n; ++i) ids[i] = static_cast<int64_t>(i);
    std::shuffle(ids.begin(), ids.end(), rng);
    ids.resize(std::max<size_t>(1, static_cast<size_t>(sel * o.n)));
    const size_t nq = std::min<size_t>(o.queries, 200);
    std::vector<double> med_lat(nq, 0), med_wall(nq, 0);
    std::string plan;
    size_t min_hits = k;
    for (size_t q = 0; q < nq; ++q) {
      std::vector<double> lat, wall;
      for (int r = 0; r < o.reps; ++r) {
        const auto t1 = Clock::now();
        const double c1 = cpu_now();
        auto res = ondo::rag::planned_search(*index, qrow(q), k, &ids);
        lat.push_back((cpu_now() - c1) * 1e3);
        wall.push_back(seconds_since(t1) * 1e3);
        if (!res.ok()) return 1;
        plan = ondo::rag::plan_kind_name(res->plan.kind);
        min_hits = std::min(min_hits, res->hits.size());
      }
      med_lat[q] = median(lat);
      med_wall[q] = median(wall);
    }
    std::sort(med_lat.begin(), med_lat.end());
    std::sort(med_wall.begin(), med_wall.end());
    std::printf("| %.1f%% | %s | %.3f | %.3f | %.3f | %zu |\n", sel * 100, plan.c_str(), med_lat[nq / 2],
                med_lat[std::min(nq - 1, nq * 95 / 100)], med_wall[nq / 2], min_hits);
  }
  return 0;
}
