// Documents for ingestion: the text of an uploaded file as a list of headings and paragraphs,
// parsed from plain text, Markdown, HTML or PDF (Debian's poppler-cpp). Layer: rag; uses core
// only. Pure functions; never throw on any bytes (a bad file is an error value).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"

namespace ondo::rag {

struct Block {
  bool heading = false;  // a heading (level 1-6) or a paragraph (level 0)
  int level = 0;
  std::string text;      // whitespace collapsed to single spaces (code blocks keep their lines)

  bool operator==(const Block&) const = default;
};

struct Document {
  std::vector<Block> blocks;  // in reading order; none empty
};

enum class Format { Text, Markdown, Html, Pdf };

// The format of a file from its name's extension (.txt .text .md .markdown .html .htm .pdf,
// any case), else from its first bytes ("%PDF-", "<!doctype html" / "<html"), else Text when
// the bytes are UTF-8. Errors: Unsupported naming the file and the extensions known.
Result<Format> detect_format(std::string_view filename, std::string_view bytes);

// Errors: InvalidFile naming `filename` (not UTF-8 text; a PDF that does not open, is
// encrypted or has no text), Unsupported (unknown format).
Result<Document> parse_document(std::string_view filename, std::string_view bytes);

// The parsers (parse_document picks one). Text and Markdown must be UTF-8.
Result<Document> parse_text(std::string_view bytes);      // paragraphs split at blank lines
Result<Document> parse_markdown(std::string_view bytes);  // ATX / setext headings, fences kept
Result<Document> parse_html(std::string_view bytes);      // h1-h6 headings; block tags split
Result<Document> parse_pdf(std::string_view bytes);       // each page's text, paragraphs at blank lines

// Whether `bytes` is well-formed UTF-8.
bool is_utf8(std::string_view bytes);

}  // namespace ondo::rag
