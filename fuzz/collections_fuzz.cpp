// libFuzzer target for collections input: arbitrary bytes as an uploaded file through every
// document parser (text, Markdown, HTML, PDF via poppler) and the chunker, and as a request
// body through the vector store, attach and search parsers (with the filter parser on a
// search's filters). Layer: fuzz (links every ondo layer). A crash, hang or sanitizer report
// is a bug in ingestion or request handling; refusals are expected and ignored.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ondo/rag/chunker.h"
#include "ondo/rag/document.h"
#include "ondo/rag/filter.h"
#include "ondo/serve/collections_api.h"

namespace {

using namespace ondo;

int32_t bytes_as_tokens(std::string_view s) { return int32_t(s.size() / 3 + 1); }

void chunk(const Result<rag::Document>& doc) {
  if (!doc.ok()) return;
  for (const rag::ChunkingOptions o : {rag::ChunkingOptions{100, 50}, rag::ChunkingOptions{8, 3}, rag::ChunkingOptions{1, 0}}) {
    for (const rag::Chunk& c : rag::chunk_document(*doc, o, bytes_as_tokens)) (void)c;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  chunk(rag::parse_text(bytes));
  chunk(rag::parse_markdown(bytes));
  chunk(rag::parse_html(bytes));
  if (size >= 5 && bytes.substr(0, 5) == "%PDF-") chunk(rag::parse_pdf(bytes));
  (void)rag::parse_document("upload", bytes);
  (void)serve::parse_create_vector_store(bytes);
  (void)serve::parse_attach_file(bytes);
  if (auto search = serve::parse_search_request(bytes); search.ok() && search->filters) {
    (void)rag::parse_filter(*search->filters, "filters");
  }
  return 0;
}
