// Text, Markdown and format detection (see document.h). Layer: rag.
#include "ondo/rag/document.h"

#include <algorithm>
#include <cctype>

namespace ondo::rag {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Collapses runs of whitespace to one space and trims.
std::string collapse(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (is_space(c)) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string_view::npos) nl = s.size();
    std::string_view line = s.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = nl + 1;
  }
  return lines;
}

bool blank(std::string_view line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return is_space(c); });
}

void add_block(Document& d, bool heading, int level, std::string text) {
  if (text.empty()) return;
  d.blocks.push_back(Block{heading, heading ? level : 0, std::move(text)});
}

Error not_utf8() { return make_error(ErrorCode::InvalidFile, "the file is not UTF-8 text"); }

}  // namespace

bool is_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size() || (n == 2 && c < 0xc2) || (n == 4 && c > 0xf4)) return false;
    uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
    for (size_t k = 1; k < n; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 2) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n;
  }
  return true;
}

Result<Format> detect_format(std::string_view filename, std::string_view bytes) {
  const size_t dot = filename.rfind('.');
  const std::string ext = dot == std::string_view::npos ? "" : lower(filename.substr(dot + 1));
  if (ext == "txt" || ext == "text") return Format::Text;
  if (ext == "md" || ext == "markdown") return Format::Markdown;
  if (ext == "html" || ext == "htm") return Format::Html;
  if (ext == "pdf") return Format::Pdf;
  if (bytes.substr(0, 5) == "%PDF-") return Format::Pdf;
  const std::string head = lower(bytes.substr(0, 64));
  const size_t lt = head.find_first_not_of(" \t\r\n");
  if (lt != std::string::npos && (head.compare(lt, 14, "<!doctype html") == 0 || head.compare(lt, 5, "<html") == 0)) {
    return Format::Html;
  }
  if (ext.empty() && is_utf8(bytes)) return Format::Text;
  return make_error(ErrorCode::Unsupported, std::string(filename) + ": unsupported file type" +
                                                (ext.empty() ? std::string() : " '." + ext.substr(0, 16) + "'") +
                                                " (expected .txt, .md, .html or .pdf)");
}

Result<Document> parse_document(std::string_view filename, std::string_view bytes) {
  ONDO_ASSIGN_OR_RETURN(Format f, detect_format(filename, bytes));
  Result<Document> d = f == Format::Text       ? parse_text(bytes)
                       : f == Format::Markdown ? parse_markdown(bytes)
                       : f == Format::Html     ? parse_html(bytes)
                                               : parse_pdf(bytes);
  if (!d.ok()) return d.error().with_context(filename);
  if (d->blocks.empty()) return make_error(ErrorCode::InvalidFile, std::string(filename) + ": the file has no text");
  return d;
}

Result<Document> parse_text(std::string_view bytes) {
  if (!is_utf8(bytes)) return not_utf8();
  Document d;
  std::string para;
  for (std::string_view line : split_lines(bytes)) {
    if (blank(line)) {
      add_block(d, false, 0, collapse(para));
      para.clear();
      continue;
    }
    para += line;
    para += ' ';
  }
  add_block(d, false, 0, collapse(para));
  return d;
}

Result<Document> parse_markdown(std::string_view bytes) {
  if (!is_utf8(bytes)) return not_utf8();
  Document d;
  std::string para;
  std::string fence;  // the fence that opened the code block being read ("```" / "~~~"); empty: none
  std::string code;
  auto flush = [&] {
    add_block(d, false, 0, collapse(para));
    para.clear();
  };
  for (std::string_view line : split_lines(bytes)) {
    const size_t indent = std::min(line.find_first_not_of(' '), line.size());
    const std::string_view body = line.substr(indent);
    const bool fence_line = indent < 4 && (body.substr(0, 3) == "```" || body.substr(0, 3) == "~~~");
    if (!fence.empty()) {
      if (fence_line && body.substr(0, 3) == fence) {
        while (!code.empty() && code.back() == '\n') code.pop_back();
        add_block(d, false, 0, code);
        code.clear();
        fence.clear();
      } else {
        code += line;
        code += '\n';
      }
      continue;
    }
    if (fence_line) {
      flush();
      fence = std::string(body.substr(0, 3));
      continue;
    }
    if (blank(line)) {
      flush();
      continue;
    }
    size_t hashes = 0;
    while (indent < 4 && hashes < body.size() && body[hashes] == '#') ++hashes;
    if (hashes >= 1 && hashes <= 6 && (hashes == body.size() || body[hashes] == ' ' || body[hashes] == '\t')) {
      flush();
      std::string text = collapse(body.substr(hashes));
      while (!text.empty() && text.back() == '#') text.pop_back();  // closing hashes
      add_block(d, true, int(hashes), collapse(text));
      continue;
    }
    // Setext: a line of '=' (level 1) or '-' (level 2) under a paragraph's single line.
    const std::string t = collapse(body);
    const bool rule_eq = !t.empty() && t.find_first_not_of('=') == std::string::npos;
    const bool rule_dash = t.size() >= 2 && t.find_first_not_of('-') == std::string::npos;
    if ((rule_eq || rule_dash) && !para.empty() && para.find('\n') == std::string::npos) {
      add_block(d, true, rule_eq ? 1 : 2, collapse(para));
      para.clear();
      continue;
    }
    para += line;
    para += ' ';
  }
  if (!fence.empty()) add_block(d, false, 0, code);  // an unclosed fence runs to the end
  flush();
  return d;
}

}  // namespace ondo::rag
