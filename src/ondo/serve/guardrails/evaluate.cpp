// Guardrail evaluation: compiling policies, finding matches, block / redact / flag.
// Layer: serve (guardrails).
#include "ondo/serve/guardrails/evaluate.h"

#include <algorithm>
#include <optional>

namespace ondo::serve::guardrails {
namespace {

// A blocklist as one caseless pattern: whole words (no letter, digit or '_' on either side),
// a phrase's spaces matching any run of white space.
std::string blocklist_pattern(const std::vector<std::string>& words) {
  std::string alt;
  for (const std::string& w : words) {
    if (!alt.empty()) alt += '|';
    bool space = false;
    for (char c : w) {
      if (c == ' ' || c == '\t' || c == '\n') {
        if (!space) alt += "\\s+";
        space = true;
        continue;
      }
      space = false;
      if (std::string_view("\\^$.|?*+()[]{}#-/").find(c) != std::string_view::npos) alt += '\\';
      alt += c;
    }
  }
  return "(?<![\\p{L}\\p{N}_])(?:" + alt + ")(?![\\p{L}\\p{N}_])";
}

bool is_text_rule(const Rule& r) {
  return r.type == RuleType::Regex || r.type == RuleType::Blocklist || r.type == RuleType::Pii;
}

size_t longest_word(const std::vector<std::string>& words) {
  size_t n = 0;
  for (const auto& w : words) n = std::max(n, w.size());
  return n;
}

}  // namespace

int64_t count_chars(std::string_view text) {
  int64_t n = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

Result<std::shared_ptr<const CompiledPolicy>> CompiledPolicy::compile(Policy policy) {
  auto c = std::make_shared<CompiledPolicy>();
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    const Rule& r = policy.rules[i];
    const std::string path = "rules[" + std::to_string(i) + "]";
    if (r.type == RuleType::Regex) {
      ONDO_ASSIGN_OR_RETURN(Regex re, Regex::compile(r.pattern, r.caseless, path + ".pattern"));
      c->regexes_.emplace_back(std::move(re));
    } else if (r.type == RuleType::Blocklist) {
      ONDO_ASSIGN_OR_RETURN(Regex re, Regex::compile(blocklist_pattern(r.words), true, path + ".words"));
      c->regexes_.emplace_back(std::move(re));
    } else {
      c->regexes_.emplace_back(std::nullopt);
    }
  }
  c->policy_ = std::move(policy);
  return std::shared_ptr<const CompiledPolicy>(std::move(c));
}

bool CompiledPolicy::has_stage(Stage s) const {
  return std::any_of(policy_.rules.begin(), policy_.rules.end(), [&](const Rule& r) { return r.applies(s); });
}

Result<std::vector<Span>> CompiledPolicy::find(size_t i, std::string_view text) const {
  const Rule& r = policy_.rules[i];
  if (r.type == RuleType::Pii) return find_pii(r.pii, text);
  if (regexes_[i]) return regexes_[i]->find_all(text);
  return std::vector<Span>();
}

size_t CompiledPolicy::hold_from(size_t i, std::string_view text, size_t floor) const {
  const Rule& r = policy_.rules[i];
  size_t window = 0;
  if (r.type == RuleType::Pii) {
    // The trailing run of characters a match could contain, at most the longest match.
    const size_t cap = pii_info(r.pii).max_match_bytes;
    size_t q = text.size();
    while (q > floor && text.size() - q < cap && pii_char(r.pii, static_cast<unsigned char>(text[q - 1]))) --q;
    return q;
  }
  if (r.type == RuleType::Regex) window = r.max_match_bytes;
  else if (r.type == RuleType::Blocklist) window = longest_word(r.words) + 1;  // + the boundary character
  else return text.size();
  return text.size() - floor > window ? text.size() - window : floor;
}

const Decision* Evaluation::block() const {
  for (const Decision& d : decisions) {
    if (d.action == Action::Block) return &d;
  }
  return nullptr;
}

Result<std::vector<Match>> find_matches(const PolicySet& policies, std::string_view text, Stage stage) {
  if (!valid_utf8(text)) return make_error(ErrorCode::InvalidArgument, "guardrails: the text is not valid UTF-8");
  std::vector<Match> out;
  for (size_t p = 0; p < policies.size(); ++p) {
    const Policy& pol = policies[p]->policy();
    for (size_t i = 0; i < pol.rules.size(); ++i) {
      if (!pol.rules[i].applies(stage) || !is_text_rule(pol.rules[i])) continue;
      ONDO_ASSIGN_OR_RETURN(auto spans, policies[p]->find(i, text));
      for (Span s : spans) out.push_back({p, i, s});
    }
  }
  std::sort(out.begin(), out.end(), [](const Match& a, const Match& b) {
    if (a.span.begin != b.span.begin) return a.span.begin < b.span.begin;
    return a.span.end > b.span.end;
  });
  return out;
}

void apply_matches(const PolicySet& policies, std::string_view text, size_t from, size_t to,
                   const std::vector<Match>& matches, Stage stage, size_t base, Evaluation& out) {
  size_t pos = from;      // next byte of `text` to copy
  size_t covered = from;  // end of the last redaction
  for (const Match& m : matches) {
    const Rule& r = policies[m.policy]->policy().rules[m.rule];
    out.decisions.push_back({policies[m.policy]->policy().name, r.id, r.reason, r.action, stage,
                             {m.span.begin - from + base, m.span.end - from + base}});
    if (r.action != Action::Redact) continue;
    if (m.span.begin < covered) {  // overlaps the previous redaction: widen it
      covered = std::max(covered, m.span.end);
      pos = std::max(pos, covered);
      continue;
    }
    out.text.append(text.substr(pos, m.span.begin - pos));
    out.text += r.replacement;
    pos = covered = m.span.end;
  }
  if (pos < to) out.text.append(text.substr(pos, to - pos));
}

Result<Evaluation> evaluate(const PolicySet& policies, std::string_view text, Stage stage,
                            const TokenCounter& count_tokens) {
  Evaluation out;
  ONDO_ASSIGN_OR_RETURN(std::vector<Match> matches, find_matches(policies, text, stage));
  apply_matches(policies, text, 0, text.size(), matches, stage, 0, out);
  for (const auto& cp : policies) {  // length limits, on the text as it came
    for (const Rule& r : cp->policy().rules) {
      if (!r.applies(stage)) continue;
      int64_t n = -1;
      if (r.type == RuleType::MaxChars) n = count_chars(text);
      if (r.type == RuleType::MaxTokens && count_tokens) n = count_tokens(text);
      if (n > r.limit) out.decisions.push_back({cp->policy().name, r.id, r.reason, r.action, stage, {0, text.size()}});
    }
  }
  if (out.block()) out.text = std::string(text);
  return out;
}

Result<Evaluation> evaluate(const CompiledPolicy& policy, std::string_view text, Stage stage,
                            const TokenCounter& count_tokens) {
  // An aliasing pointer: the set borrows `policy` for this call.
  const PolicySet set = {std::shared_ptr<const CompiledPolicy>(std::shared_ptr<const CompiledPolicy>(), &policy)};
  return evaluate(set, text, stage, count_tokens);
}

}  // namespace ondo::serve::guardrails
