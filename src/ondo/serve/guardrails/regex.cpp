// PCRE2 (8-bit, UTF) for the guardrails' regex rules and detectors. Layer: serve (guardrails).
#define PCRE2_CODE_UNIT_WIDTH 8
#include "ondo/serve/guardrails/regex.h"

#include <pcre2.h>

namespace ondo::serve::guardrails {

// Backtracking steps one match may take; a catastrophic pattern fails instead of hanging.
constexpr uint32_t kMatchLimit = 1000000;

struct Regex::Code {
  pcre2_code* code = nullptr;
  ~Code() {
    if (code) pcre2_code_free(code);
  }
};

bool valid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (b < 0x80) {
      ++i;
      continue;
    }
    if ((b & 0xE0) == 0xC0) n = 1, cp = b & 0x1F;
    else if ((b & 0xF0) == 0xE0) n = 2, cp = b & 0x0F;
    else if ((b & 0xF8) == 0xF0) n = 3, cp = b & 0x07;
    else return false;
    if (i + n >= text.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      const auto c = static_cast<unsigned char>(text[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    static constexpr uint32_t kMin[4] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

Result<Regex> Regex::compile(std::string_view pattern, bool caseless, std::string_view what) {
  int err = 0;
  PCRE2_SIZE offset = 0;
  uint32_t opts = PCRE2_UTF | PCRE2_UCP;
  if (caseless) opts |= PCRE2_CASELESS;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), opts, &err,
                                   &offset, nullptr);
  if (!code) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    return make_error(ErrorCode::InvalidArgument, std::string(what) + ": invalid regular expression at offset " +
                                                      std::to_string(offset) + " (" +
                                                      reinterpret_cast<const char*>(msg) + ")");
  }
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // optional speed-up; falls back if unavailable
  Regex r;
  auto c = std::make_shared<Code>();
  c->code = code;
  r.code_ = std::move(c);
  r.what_ = what;
  return r;
}

Result<std::vector<Span>> Regex::find_all(std::string_view text) const {
  std::vector<Span> out;
  pcre2_match_data* md = pcre2_match_data_create_from_pattern(code_->code, nullptr);
  pcre2_match_context* mc = pcre2_match_context_create(nullptr);
  pcre2_set_match_limit(mc, kMatchLimit);
  const auto* s = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t off = 0;
  uint32_t opts = 0;
  Status st = ok_status();
  while (off <= text.size()) {
    const int rc = pcre2_match(code_->code, s, text.size(), off, opts, md, mc);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      PCRE2_UCHAR msg[256];
      pcre2_get_error_message(rc, msg, sizeof msg);
      st = make_error(ErrorCode::InvalidArgument, what_ + ": matching failed (" + reinterpret_cast<const char*>(msg) + ")");
      break;
    }
    opts = PCRE2_NO_UTF_CHECK;  // checked once, on the first call
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    const size_t b = ov[0], e = ov[1];
    if (e > b) {
      out.push_back({b, e});
      off = e;
    } else {  // empty match: step over one UTF-8 character
      off = e + 1;
      while (off < text.size() && (static_cast<unsigned char>(text[off]) & 0xC0) == 0x80) ++off;
    }
  }
  pcre2_match_context_free(mc);
  pcre2_match_data_free(md);
  if (!st.ok()) return st.error();
  return out;
}

}  // namespace ondo::serve::guardrails
