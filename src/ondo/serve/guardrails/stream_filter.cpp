// The streaming output filter. Layer: serve (guardrails).
#include "ondo/serve/guardrails/stream_filter.h"

#include <algorithm>

namespace ondo::serve::guardrails {
namespace {

constexpr size_t kContextBytes = 64;  // released bytes kept for the boundary checks of the next match

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The length of `s` without a UTF-8 character cut at its end (the rest of it comes later).
size_t complete_prefix(std::string_view s) {
  for (size_t back = 1; back <= 3 && back <= s.size(); ++back) {
    const auto b = static_cast<unsigned char>(s[s.size() - back]);
    if ((b & 0xC0) == 0x80) continue;
    const size_t need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    return need > back ? s.size() - back : s.size();
  }
  return s.size();
}

}  // namespace

StreamFilter::StreamFilter(PolicySet policies) {
  for (auto& p : policies) {
    if (p && p->has_stage(Stage::Output)) policies_.push_back(std::move(p));
  }
  size_t n = 0;
  for (const auto& p : policies_) n += p->policy().rules.size();
  over_limit_.assign(n, false);
}

size_t StreamFilter::hold_point(std::string_view buffer, size_t floor) const {
  size_t p = buffer.size();
  for (const auto& cp : policies_) {
    const auto& rules = cp->policy().rules;
    for (size_t i = 0; i < rules.size(); ++i) {
      if (rules[i].applies(Stage::Output)) p = std::min(p, cp->hold_from(i, buffer, floor));
    }
  }
  while (p > floor && p < buffer.size() && continuation(buffer[p])) --p;  // never split a character
  return std::max(p, floor);
}

Result<StreamFilter::Step> StreamFilter::feed(std::string_view text) {
  if (blocked_) return Step{};
  pending_.append(text);
  chars_ += count_chars(text);
  Step out;
  size_t k = 0;
  for (const auto& cp : policies_) {  // output length limits, once each
    for (const Rule& r : cp->policy().rules) {
      const size_t flat = k++;
      if (r.type != RuleType::MaxChars || !r.applies(Stage::Output) || over_limit_[flat] || chars_ <= r.limit) continue;
      over_limit_[flat] = true;
      Decision d{cp->policy().name, r.id, r.reason, r.action, Stage::Output, {0, consumed_ + pending_.size()}};
      out.decisions.push_back(d);
      if (r.action == Action::Block && !out.block) out.block = d;
    }
  }
  if (out.block) {
    blocked_ = true;
    return out;
  }
  ONDO_ASSIGN_OR_RETURN(Step s, step(false));
  s.decisions.insert(s.decisions.begin(), out.decisions.begin(), out.decisions.end());
  return s;
}

Result<StreamFilter::Step> StreamFilter::finish() {
  if (blocked_) return Step{};
  return step(true);
}

Result<StreamFilter::Step> StreamFilter::step(bool final) {
  Step out;
  if (policies_.empty()) {
    out.text = std::move(pending_);
    consumed_ += out.text.size();
    pending_.clear();
    return out;
  }
  const std::string whole = context_ + pending_;
  const std::string buffer = final ? whole : whole.substr(0, complete_prefix(whole));
  const size_t off = context_.size();
  size_t safe = final ? buffer.size() : hold_point(buffer, off);
  ONDO_ASSIGN_OR_RETURN(std::vector<Match> all, find_matches(policies_, buffer, Stage::Output));
  std::vector<Match> live;
  for (Match m : all) {
    if (m.span.end <= off) continue;  // in the released context: handled before
    m.span.begin = std::max(m.span.begin, off);
    live.push_back(m);
  }
  // A match that reaches past the release point is held whole.
  for (bool moved = true; moved;) {
    moved = false;
    for (const Match& m : live) {
      if (m.span.begin < safe && m.span.end > safe) {
        safe = m.span.begin;
        moved = true;
      }
    }
  }
  std::vector<Match> done;
  for (const Match& m : live) {
    if (m.span.end <= safe) done.push_back(m);
  }
  Evaluation ev;
  apply_matches(policies_, buffer, off, safe, done, Stage::Output, consumed_, ev);
  out.decisions = std::move(ev.decisions);
  for (const Decision& d : out.decisions) {
    if (d.action != Action::Block) continue;
    out.block = d;
    blocked_ = true;
    return out;
  }
  out.text = std::move(ev.text);
  consumed_ += safe - off;
  size_t keep = safe > kContextBytes ? safe - kContextBytes : 0;
  while (keep < safe && continuation(buffer[keep])) ++keep;
  context_ = buffer.substr(keep, safe - keep);
  pending_ = whole.substr(safe);
  return out;
}

}  // namespace ondo::serve::guardrails
