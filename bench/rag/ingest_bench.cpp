// bench_rag_ingest: ingest throughput (issue 16.7) of a PDF the bench writes itself (--pages
// pages of 40 lines of synthetic prose, through tests/rag/pdf_writer.h's hand-written PDF), through
// the real Ingestor: poppler parses it, the chunker cuts it (OpenAI's default static strategy,
// 800 / 400 tokens, lowered to a 512-token model), and every chunk is committed in one store
// transaction. The embedding hook is a stand-in (a fixed unit vector per chunk, 384 wide; tokens
// counted as whitespace words), so the figure is the pipeline's own cost: with a model, the
// encoder's embeddings/s adds to it. Reports chunks/s and pages/s, median of --reps runs (each
// a fresh store). Measures; asserts nothing.
// Usage: bench_rag_ingest [--pages 200] [--reps 3] [--dir PATH]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ondo/core/env.h"
#include "ondo/rag/ingest.h"
#include "ondo/store/store.h"
#include "rag/pdf_writer.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

int32_t count_words(std::string_view s) {
  int32_t n = 0;
  bool in = false;
  for (char c : s) {
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (!space && !in) ++n;
    in = !space;
  }
  return n;
}

std::vector<std::vector<std::string>> pages_of(size_t pages) {
  static const char* kWords[] = {"milk", "fridge", "door", "shelf", "cold", "keep", "store", "bread", "cheese", "butter",
                                 "the", "a", "in", "at", "of", "and", "seal", "fresh", "days", "degrees"};
  std::mt19937 rng(7);
  std::uniform_int_distribution<size_t> pick(0, std::size(kWords) - 1);
  std::vector<std::vector<std::string>> out(pages);
  for (size_t p = 0; p < pages; ++p) {
    out[p].push_back("Section " + std::to_string(p + 1));
    for (int l = 0; l < 40; ++l) {
      std::string line;
      for (int w = 0; w < 12; ++w) line += (line.empty() ? "" : " ") + std::string(kWords[pick(rng)]);
      out[p].push_back(line + ".");
      if (l % 10 == 9) out[p].push_back("");  // paragraphs
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  size_t pages = 200;
  int reps = 3;
  fs::path dir = fs::temp_directory_path() / "ondo-bench-ingest";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool v = i + 1 < argc;
    if (a == "--pages" && v) pages = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--reps" && v) reps = std::atoi(argv[++i]);
    else if (a == "--dir" && v) dir = argv[++i];
    else {
      std::fprintf(stderr, "usage: bench_rag_ingest [--pages N] [--reps R] [--dir PATH]\n");
      return 2;
    }
  }
  if (pages < 1 || reps < 1) return 2;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const std::string pdf = ondo::testing::make_pdf(pages_of(pages));
  std::printf("bench_rag_ingest: %zu pages, %zu bytes of PDF, reps=%d\n", pages, pdf.size(), reps);
  std::vector<double> secs;
  int64_t chunks = 0;
  for (int r = 0; r < reps; ++r) {
    fs::remove_all(dir);
    fs::create_directories(dir);
    auto opened = ondo::store::open_sqlite_store(dir, ondo::core::Env::posix());
    if (!opened.ok()) {
      std::fprintf(stderr, "store: %s\n", opened.error().message.c_str());
      return 1;
    }
    ondo::store::Store& store = **opened;
    ondo::rag::IngestHooks hooks;
    hooks.embedder = [](const std::string&) -> ondo::Result<ondo::rag::EmbedderInfo> {
      return ondo::rag::EmbedderInfo{count_words, 512};
    };
    hooks.embed = [](const std::string&, const std::vector<std::string>& texts)
        -> ondo::Result<std::vector<std::vector<float>>> {
      std::vector<float> v(384, 0.f);
      v[0] = 1.f;
      return std::vector<std::vector<float>>(texts.size(), v);
    };
    ondo::rag::Ingestor ingestor(store, hooks, 4);
    ondo::store::VectorStoreRecord vs;
    vs.id = "vs_ingest";
    vs.embedding_model = "stand-in";
    ondo::store::FileRecord file;
    file.id = "file-pdf";
    file.filename = "manual.pdf";
    file.purpose = "assistants";
    file.bytes = static_cast<int64_t>(pdf.size());
    ondo::store::VectorStoreFileRecord vf;
    vf.vector_store_id = vs.id;
    vf.file_id = file.id;
    vf.chunking_type = "static";
    if (!store.insert_vector_store(vs).ok() || !store.insert_file(file, pdf).ok() || !store.insert_vector_store_file(vf).ok()) {
      return 1;
    }
    ingestor.start();
    const auto t0 = Clock::now();
    if (!ingestor.enqueue(vs.id, file.id).ok()) return 1;
    while (ingestor.pending() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    secs.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    ingestor.stop();
    auto done = store.list_vector_store_files(vs.id, "");
    if (!done.ok() || done->empty() || done->front().status != ondo::store::kFileCompleted) {
      std::fprintf(stderr, "ingestion did not complete: %s\n",
                   done.ok() && !done->empty() ? done->front().last_error_message.c_str() : "?");
      return 1;
    }
    chunks = done->front().chunk_count;
    std::printf("run %d: %lld chunks in %.2f s wall\n", r + 1, static_cast<long long>(chunks), secs.back());
  }
  std::sort(secs.begin(), secs.end());
  const double med = secs[secs.size() / 2];
  std::printf("\n| pages | chunks | median s wall | chunks/s | pages/s |\n|---|---|---|---|---|\n");
  std::printf("| %zu | %lld | %.2f | %.0f | %.0f |\n", pages, static_cast<long long>(chunks), med,
              static_cast<double>(chunks) / med, static_cast<double>(pages) / med);
  fs::remove_all(dir);
  return 0;
}
