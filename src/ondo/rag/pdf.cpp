// PDF text through Debian's poppler-cpp (see document.h): each page's text in reading order,
// paragraphs at blank lines, a page break ends a paragraph. Layer: rag.
#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <memory>
#include <string>

#include "ondo/rag/document.h"

namespace ondo::rag {
namespace {

constexpr size_t kMaxPdfBytes = size_t(1) << 31;  // poppler takes an int length

std::string collapse(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

}  // namespace

Result<Document> parse_pdf(std::string_view bytes) {
  // poppler reports damaged files on stderr as well; the error value here says it once.
  static const bool quiet = [] {
    poppler::set_debug_error_function([](const std::string&, void*) {}, nullptr);
    return true;
  }();
  (void)quiet;
  if (bytes.size() >= kMaxPdfBytes) return make_error(ErrorCode::InvalidFile, "the PDF is too large (2 GiB or more)");
  // poppler-cpp reads from the buffer it is given and does not copy it; `bytes` outlives `doc`.
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(bytes.data(), int(bytes.size())));
  if (!doc) return make_error(ErrorCode::InvalidFile, "not a readable PDF (poppler could not open it)");
  if (doc->is_locked()) return make_error(ErrorCode::InvalidFile, "the PDF is encrypted");
  Document d;
  for (int p = 0; p < doc->pages(); ++p) {
    std::unique_ptr<poppler::page> page(doc->create_page(p));
    if (!page) continue;
    const poppler::byte_array utf8 = page->text().to_utf8();
    const std::string text(utf8.begin(), utf8.end());
    std::string para;
    size_t start = 0;
    while (start <= text.size()) {
      size_t nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      const std::string line = collapse(std::string_view(text).substr(start, nl - start));
      if (line.empty()) {
        if (!para.empty()) d.blocks.push_back(Block{false, 0, collapse(para)});
        para.clear();
      } else {
        para += line;
        para += ' ';
      }
      start = nl + 1;
    }
    if (!para.empty()) d.blocks.push_back(Block{false, 0, collapse(para)});
  }
  if (d.blocks.empty()) return make_error(ErrorCode::InvalidFile, "the PDF has no text (scanned pages need OCR, which ondo does not do)");
  return d;
}

}  // namespace ondo::rag
