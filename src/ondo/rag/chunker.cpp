// Chunking (see chunker.h). The document becomes a sequence of words, each with its token
// count, the separator before it and how good a place it is to start a chunk (its "break"):
// 3 a heading, 2 a paragraph, 1 a sentence, 0 inside a sentence or right after a heading.
// Layer: rag.
#include "ondo/rag/chunker.h"

#include <algorithm>
#include <unordered_map>

namespace ondo::rag {
namespace {

constexpr size_t kMaxWordBytes = 48;  // longer runs without spaces (URLs, base64) are cut

struct Word {
  std::string text;
  const char* sep = "";   // before it: "", " " or "\n\n"
  int32_t tokens = 0;
  int brk = 0;
  int section = -1;        // index into the headings seen so far; -1: before any heading
  bool is_heading_start = false;
  bool in_heading = false;
};

// Cuts `w` into pieces of at most kMaxWordBytes bytes at UTF-8 character boundaries.
std::vector<std::string> pieces(const std::string& w) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < w.size()) {
    size_t end = std::min(w.size(), i + kMaxWordBytes);
    while (end < w.size() && end > i + 1 && (static_cast<unsigned char>(w[end]) & 0xc0) == 0x80) --end;
    out.push_back(w.substr(i, end - i));
    i = end;
  }
  return out;
}

bool ends_sentence(const std::string& w) {
  size_t n = w.size();
  while (n > 0 && (w[n - 1] == '"' || w[n - 1] == '\'' || w[n - 1] == ')')) --n;
  return n > 0 && (w[n - 1] == '.' || w[n - 1] == '!' || w[n - 1] == '?' || w[n - 1] == ':');
}

std::vector<Word> words_of(const Document& doc, const TokenCounter& count, std::vector<std::string>& headings) {
  std::unordered_map<std::string, int32_t> cache;
  auto tokens = [&](const std::string& w) {
    auto it = cache.find(w);
    if (it != cache.end()) return it->second;
    const int32_t n = std::max<int32_t>(1, count(w));
    cache.emplace(w, n);
    return n;
  };
  std::vector<Word> out;
  int section = -1;
  bool after_heading = false;
  for (const Block& b : doc.blocks) {
    if (b.heading) {
      headings.push_back(b.text);
      section = int(headings.size()) - 1;
    }
    bool first = true;
    size_t i = 0;
    while (i < b.text.size()) {
      const bool newline = i > 0 && b.text[i - 1] == '\n';  // code blocks keep their lines
      size_t j = b.text.find_first_of(" \n", i);
      if (j == std::string::npos) j = b.text.size();
      if (j > i) {
        bool first_piece = true;
        for (std::string& p : pieces(b.text.substr(i, j - i))) {
          Word w;
          w.text = std::move(p);
          w.tokens = tokens(w.text);
          w.section = section;
          w.in_heading = b.heading;
          if (first) {
            w.sep = out.empty() ? "" : "\n\n";
            w.brk = b.heading ? 3 : (after_heading ? 0 : 2);
            w.is_heading_start = b.heading;
          } else if (!first_piece) {
            w.sep = "";  // the rest of a cut word
          } else {
            w.sep = newline ? "\n" : " ";
            w.brk = ends_sentence(out.back().text) ? 1 : 0;
          }
          first = false;
          first_piece = false;
          out.push_back(std::move(w));
        }
      }
      i = j + (j < b.text.size() ? 1 : 0);
      if (j >= b.text.size()) break;
    }
    after_heading = b.heading;
  }
  return out;
}

}  // namespace

Status validate_chunking(const ChunkingOptions& o, std::string_view field) {
  const std::string f(field);
  if (o.max_tokens < 100 || o.max_tokens > 4096) {
    return field_error(ErrorCode::InvalidArgument, f + ".max_chunk_size_tokens",
                       "must be 100 to 4096 (seen " + std::to_string(o.max_tokens) + ")");
  }
  if (o.overlap_tokens < 0 || o.overlap_tokens > o.max_tokens / 2) {
    return field_error(ErrorCode::InvalidArgument, f + ".chunk_overlap_tokens",
                       "must be 0 to half of max_chunk_size_tokens, " + std::to_string(o.max_tokens / 2) + " (seen " +
                           std::to_string(o.overlap_tokens) + ")");
  }
  return ok_status();
}

std::vector<Chunk> chunk_document(const Document& doc, const ChunkingOptions& o, const TokenCounter& count) {
  std::vector<std::string> headings;
  const std::vector<Word> w = words_of(doc, count, headings);
  const size_t n = w.size();
  std::vector<int64_t> prefix(n + 1, 0);  // prefix[i]: tokens of words [0, i)
  for (size_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + w[i].tokens;
  auto span = [&](size_t a, size_t b) { return prefix[b] - prefix[a]; };

  std::vector<Chunk> out;
  size_t s = 0;
  while (s < n) {
    // The section's heading leads a chunk that starts inside the section, when it fits.
    std::string lead;
    int32_t lead_tokens = 0;
    if (w[s].section >= 0 && !w[s].is_heading_start) {
      lead = headings[size_t(w[s].section)];
      lead_tokens = std::max<int32_t>(1, count(lead));
      if (lead_tokens > o.max_tokens / 4) lead.clear(), lead_tokens = 0;
    }
    const int64_t budget = o.max_tokens - lead_tokens;
    size_t e = s;
    while (e < n && span(s, e + 1) <= budget) ++e;
    if (e == s) e = s + 1;  // one word over the budget (a piece of a long run): alone
    if (e < n) {
      // The best break in the window's second half: highest class, latest position.
      size_t best = e;
      for (size_t b = e; b > s + 1 && span(s, b) * 2 >= budget; --b) {
        if (w[b].brk > w[best].brk) best = b;
      }
      e = best;
      // Never end a chunk with a heading: the heading moves to the next chunk.
      size_t h = e;
      while (h > s && w[h - 1].in_heading && !w[h].is_heading_start) --h;
      if (h > s && h < e && w[h].is_heading_start) e = h;
    }
    Chunk c;
    if (!lead.empty()) c.text = lead + "\n\n";
    for (size_t i = s; i < e; ++i) {
      if (i > s) c.text += w[i].sep;
      c.text += w[i].text;
    }
    c.tokens = int32_t(span(s, e) + lead_tokens);
    out.push_back(std::move(c));
    if (e >= n) break;
    // The next chunk starts up to overlap_tokens before e, at a sentence or paragraph start
    // when the overlap holds one.
    // A chunk that ends before a heading is not overlapped: the next section starts clean.
    size_t next = e;
    while (w[e].brk < 3 && next > s + 1 && span(next - 1, e) <= o.overlap_tokens) --next;
    for (size_t p = next; p < e; ++p) {
      if (w[p].brk >= 1) {
        next = p;
        break;
      }
    }
    s = std::max(next, s + 1);
  }
  return out;
}

}  // namespace ondo::rag
