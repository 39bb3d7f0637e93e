// HTML to headings and paragraphs (see document.h): tags stripped, script / style / head /
// template / noscript skipped, block tags end a paragraph, h1-h6 become headings, character
// references decoded. A small forgiving scanner, no DOM: malformed markup never fails, it
// only yields less structure. Layer: rag.
#include <cctype>
#include <cstdint>
#include <string>

#include "ondo/rag/document.h"

namespace ondo::rag {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_block_tag(const std::string& t) {
  static const char* const kBlocks[] = {"p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "blockquote",
                                        "pre", "section", "article", "header", "footer", "nav", "aside", "main",
                                        "hr", "dt", "dd", "dl", "figure", "figcaption", "form", "body", "title"};
  for (const char* b : kBlocks) {
    if (t == b) return true;
  }
  return false;
}

bool is_skipped_tag(const std::string& t) {
  return t == "script" || t == "style" || t == "head" || t == "template" || t == "noscript" || t == "svg";
}

// The character reference at `s[i]` ('&'), appended to `out`; returns the bytes consumed
// (1 when it is not a reference: the '&' alone).
size_t decode_entity(std::string_view s, size_t i, std::string& out) {
  const size_t semi = s.find(';', i);
  if (semi == std::string_view::npos || semi - i > 10) {
    out += '&';
    return 1;
  }
  const std::string_view name = s.substr(i + 1, semi - i - 1);
  uint32_t cp = 0;
  if (!name.empty() && name[0] == '#') {
    const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
    const std::string_view digits = name.substr(hex ? 2 : 1);
    if (digits.empty()) {
      out += '&';
      return 1;
    }
    for (char c : digits) {
      const int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                    : hex && std::isxdigit(static_cast<unsigned char>(c)) ? std::tolower(c) - 'a' + 10
                                                                          : -1;
      if (v < 0 || cp > 0x10ffff) {
        out += '&';
        return 1;
      }
      cp = cp * (hex ? 16 : 10) + uint32_t(v);
    }
  } else {
    static const std::pair<const char*, uint32_t> kNames[] = {
        {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}, {"nbsp", ' '},
        {"mdash", 0x2014}, {"ndash", 0x2013}, {"hellip", 0x2026}, {"copy", 0xa9}, {"rsquo", 0x2019}, {"lsquo", 0x2018},
        {"rdquo", 0x201d}, {"ldquo", 0x201c}, {"eacute", 0xe9}, {"deg", 0xb0}};
    for (const auto& [n, c] : kNames) {
      if (name == n) cp = c;
    }
    if (cp == 0) {
      out += '&';
      return 1;
    }
  }
  if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xc0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += char(0xe0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  } else {
    out += char(0xf0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3f));
    out += char(0x80 | ((cp >> 6) & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  }
  return semi - i + 1;
}

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

Result<Document> parse_html(std::string_view s) {
  if (!is_utf8(s)) return make_error(ErrorCode::InvalidFile, "the file is not UTF-8 text");
  Document d;
  std::string text;
  int heading = 0;  // the level of the heading being read; 0: a paragraph
  auto flush = [&] {
    std::string t = collapse(text);
    if (!t.empty()) d.blocks.push_back(Block{heading > 0, heading, std::move(t)});
    text.clear();
  };
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '&') {
      i += decode_entity(s, i, text);
      continue;
    }
    if (s[i] != '<') {
      text += s[i++];
      continue;
    }
    if (s.substr(i, 4) == "<!--") {
      const size_t end = s.find("-->", i + 4);
      i = end == std::string_view::npos ? s.size() : end + 3;
      continue;
    }
    const size_t close = s.find('>', i);
    if (close == std::string_view::npos) break;  // a tag that never ends: the rest is markup
    std::string_view tag = s.substr(i + 1, close - i - 1);
    i = close + 1;
    const bool end_tag = !tag.empty() && tag[0] == '/';
    if (end_tag) tag.remove_prefix(1);
    size_t n = 0;
    while (n < tag.size() && std::isalnum(static_cast<unsigned char>(tag[n]))) ++n;
    const std::string name = lower(tag.substr(0, n));
    if (name.empty()) continue;  // <!doctype>, <?xml ...?>
    if (!end_tag && is_skipped_tag(name) && (tag.empty() || tag.back() != '/')) {
      const std::string closing = "</" + name;
      size_t j = i;
      for (;;) {  // case-insensitive search for the closing tag
        j = s.find("</", j);
        if (j == std::string_view::npos || lower(s.substr(j, closing.size())) == closing) break;
        j += 2;
      }
      const size_t end = j == std::string_view::npos ? s.size() : s.find('>', j);
      i = end == std::string_view::npos ? s.size() : end + 1;
      continue;
    }
    if (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6') {
      flush();
      heading = end_tag ? 0 : name[1] - '0';
      continue;
    }
    if (is_block_tag(name)) flush();
    // Inline tags (b, a, span, ...) add nothing: "<b>milk</b>," stays "milk,".
  }
  flush();
  return d;
}

}  // namespace ondo::rag
