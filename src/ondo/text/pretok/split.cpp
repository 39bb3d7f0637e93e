// PreTokenizer: runs a regex set over text the way llama.cpp's unicode_regex_split does
// (upstream 34af94cd). The GPT-2 and Llama 3 regexes go to the hand-written splitters;
// any other regex runs on PCRE2 (32-bit code units, no UTF/UCP) over llama.cpp's
// "collapsed" text: a regex with \p{..} sees every non-ASCII code point replaced by one
// stand-in per class (and the class rewritten to stand-in + its ASCII members); a regex
// without sees the code points, non-ASCII whitespace replaced by \v. Each regex splits
// every piece left by the previous one; unmatched stretches are pieces too. Layer: text.
#define PCRE2_CODE_UNIT_WIDTH 32
#include <pcre2.h>

#include <cstring>

#include "ondo/text/pretok/pretok.h"
#include "ondo/text/unicode.h"

namespace ondo::text {

struct PreTokenizer::Step {
  enum Kind { Gpt2, Llama3, Collapsed, Wide } kind = Wide;
  pcre2_code* code = nullptr;
  ~Step() {
    if (code) pcre2_code_free(code);
  }
};

namespace {

constexpr std::string_view kGpt2Regex =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
constexpr std::string_view kLlama3Regexes[] = {
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+"
    "[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|"
    "\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
};

// Class name -> (stand-in code unit, the class's ASCII members as regex class text).
struct CollapsedClass {
  std::string_view name;
  uint16_t cls;
  uint32_t stand_in;
  std::string_view ascii;
};
constexpr CollapsedClass kClasses[] = {
    {"\\p{N}", unicode::kNumber, 0xD1, "0-9"},
    {"\\p{L}", unicode::kLetter, 0xD2, "A-Za-z"},
    {"\\p{P}", unicode::kPunctuation, 0xD3, "!-#%-*,-/:-;?-@\\[-\\]_\\{\\}"},
    {"\\p{M}", unicode::kMark, 0xD4, ""},
    {"\\p{S}", unicode::kSymbol, 0xD5, "\\$\\+<->^`\\|"},
    {"\\p{Lu}", unicode::kLetter, 0xD2, "A-Za-z"},
    {"\\p{Ll}", unicode::kLetter, 0xD2, "A-Za-z"},
    {"\\p{Lt}", unicode::kLetter, 0xD2, "A-Za-z"},
    {"\\p{Lm}", unicode::kLetter, 0xD2, "A-Za-z"},
    {"\\p{Lo}", unicode::kLetter, 0xD2, "A-Za-z"},
};

bool uses_classes(std::string_view regex) {
  for (const CollapsedClass& c : kClasses) {
    if (regex.find(c.name) != std::string_view::npos) return true;
  }
  return false;
}

// Rewrites each \p{X} as "[<stand-in><ascii>]" (without brackets inside a class).
std::vector<uint32_t> collapse_regex(std::string_view re) {
  std::vector<uint32_t> out;
  bool inside = false;
  for (size_t i = 0; i < re.size(); ++i) {
    const char ch = re[i];
    if (ch == '[' && (i == 0 || re[i - 1] != '\\')) { out.push_back('['); inside = true; continue; }
    if (inside && ch == ']' && re[i - 1] != '\\') { out.push_back(']'); inside = false; continue; }
    if (ch == '\\' && i + 3 < re.size() && re[i + 1] == 'p' && re[i + 2] == '{') {
      size_t close = re.find('}', i + 3);
      const CollapsedClass* hit = nullptr;
      for (const CollapsedClass& c : kClasses) {
        if (close != std::string_view::npos && close <= i + 10 && re.substr(i, close - i + 1) == c.name) hit = &c;
      }
      if (hit) {
        if (!inside) out.push_back('[');
        out.push_back(hit->stand_in);
        for (char a : hit->ascii) out.push_back(uint8_t(a));
        if (!inside) out.push_back(']');
        i = close;
        continue;
      }
    }
    out.push_back(uint8_t(ch));
  }
  return out;
}

uint32_t collapse_cpt(uint32_t cpt) {
  if (cpt < 128) return cpt;
  const uint16_t cls = unicode::classes(cpt);
  if (cls & unicode::kWhitespace) return 0x0B;
  const uint16_t cat = cls & unicode::kCategoryMask;
  for (const CollapsedClass& c : kClasses) {
    if (cat == c.cls) return c.stand_in;
  }
  return 0xD0;
}

// Splits each segment of `subject` by `code`, std::regex_iterator style: matches and the
// stretches between them become pieces; an empty match only marks a split point.
std::vector<size_t> regex_split(const pcre2_code* code, const std::vector<uint32_t>& subject,
                                const std::vector<size_t>& segs) {
  std::vector<size_t> out;
  pcre2_match_data* md = pcre2_match_data_create_from_pattern(code, nullptr);
  size_t start = 0;
  for (size_t len : segs) {
    const PCRE2_SPTR s = reinterpret_cast<PCRE2_SPTR>(subject.data() + start);
    size_t last = 0, off = 0;
    uint32_t opts = 0;
    while (off <= len) {
      int rc = pcre2_match(code, s, len, off, opts, md, nullptr);
      if (rc < 0) {
        if (opts != 0) { opts = 0; ++off; continue; }  // no non-empty match here: move on
        break;
      }
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
      if (ov[0] > last) out.push_back(ov[0] - last);
      if (ov[1] > ov[0]) out.push_back(ov[1] - ov[0]);
      last = ov[1];
      off = ov[1];
      opts = ov[1] == ov[0] ? (PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED) : 0;
    }
    if (last < len) out.push_back(len - last);
    start += len;
  }
  pcre2_match_data_free(md);
  return out;
}

}  // namespace

PreTokenizer::~PreTokenizer() = default;

Result<std::unique_ptr<PreTokenizer>> PreTokenizer::create(const PreTokSpec& spec) {
  std::unique_ptr<PreTokenizer> p(new PreTokenizer());
  for (std::string_view re : spec.regexes) {
    auto step = std::make_unique<Step>();
    std::vector<uint32_t> pattern;
    if (re == kGpt2Regex) {
      step->kind = Step::Gpt2;
    } else if (re == kLlama3Regexes[0] || re == kLlama3Regexes[1]) {
      step->kind = Step::Llama3;
    } else if (uses_classes(re)) {
      for (char c : re) {
        if (uint8_t(c) >= 0x80) {
          return make_error(ErrorCode::Internal, "pre-tokenizer '" + std::string(spec.label) +
                            "': a regex mixes \\p{..} classes with non-ASCII characters");
        }
      }
      step->kind = Step::Collapsed;
      pattern = collapse_regex(re);
    } else {
      step->kind = Step::Wide;
      pattern = unicode::decode_utf8(re);
    }
    if (step->kind == Step::Collapsed || step->kind == Step::Wide) {
      int err = 0;
      PCRE2_SIZE err_off = 0;
      step->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                 PCRE2_DOLLAR_ENDONLY, &err, &err_off, nullptr);
      if (!step->code) {
        return make_error(ErrorCode::Internal, "pre-tokenizer '" + std::string(spec.label) +
                          "': PCRE2 rejects regex '" + std::string(re) + "' at offset " + std::to_string(err_off));
      }
      pcre2_jit_compile(step->code, PCRE2_JIT_COMPLETE);  // optional speed-up; falls back if unavailable
    }
    p->steps_.push_back(std::move(step));
  }
  return p;
}

std::vector<std::string> PreTokenizer::split(std::string_view text) const {
  const std::vector<uint32_t> cpts = unicode::decode_utf8(text);
  std::vector<uint32_t> collapsed, wide;
  std::vector<size_t> segs = {cpts.size()};
  if (cpts.empty()) segs.clear();
  for (const auto& step : steps_) {
    switch (step->kind) {
      case Step::Gpt2: segs = split_gpt2(cpts, segs); break;
      case Step::Llama3: segs = split_llama3(cpts, segs); break;
      case Step::Collapsed:
        if (collapsed.empty()) {
          collapsed.reserve(cpts.size());
          for (uint32_t c : cpts) collapsed.push_back(collapse_cpt(c));
        }
        segs = regex_split(step->code, collapsed, segs);
        break;
      case Step::Wide:
        if (wide.empty()) {
          wide = cpts;
          for (uint32_t& c : wide) {
            if (c > 0x7F && (unicode::classes(c) & unicode::kWhitespace)) c = 0x0B;
          }
        }
        segs = regex_split(step->code, wide, segs);
        break;
    }
  }
  std::vector<std::string> words;
  words.reserve(segs.size());
  size_t start = 0;
  std::string utf8;
  for (size_t len : segs) {
    std::string word;
    for (size_t i = start; i < start + len; ++i) {
      utf8.clear();
      unicode::append_utf8(cpts[i], &utf8);
      for (unsigned char b : utf8) unicode::append_utf8(unicode::byte_to_cpt(b), &word);
    }
    words.push_back(std::move(word));
    start += len;
  }
  return words;
}

}  // namespace ondo::text
