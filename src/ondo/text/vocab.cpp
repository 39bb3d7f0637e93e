// Vocab loading from GGUF metadata and the special-token partition. Defaults, key
// handling and the token-attribute fix-ups mirror llama.cpp (upstream 34af94cd,
// llama_vocab::impl::load and tokenizer_st_partition). Layer: text (uses gguf, core).
#include "ondo/text/vocab.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "ondo/gguf/keys.h"
#include "ondo/gguf/reader.h"
#include "ondo/text/pretok/pretok.h"

namespace ondo::text {
namespace {

namespace keys = gguf::keys;
constexpr std::string_view kKeyAddSep = "tokenizer.ggml.add_sep_token";
constexpr std::string_view kKeyLowercase = "tokenizer.ggml.normalizer.lowercase";
constexpr std::string_view kKeyStripAccents = "tokenizer.ggml.normalizer.strip_accents";

// The family registry: tokenizer.ggml.model spelling and llama.cpp's defaults per family.
struct FamilyRow {
  VocabKind kind;
  std::string_view name;
  int32_t bos, eos, unk, sep, pad, mask;
  bool add_bos, add_eos, add_sep, add_space_prefix;
};
constexpr FamilyRow kFamilies[] = {
    {VocabKind::Spm, "llama", 1, 2, 0, -1, -1, -1, true, false, false, true},
    {VocabKind::Bpe, "gpt2", 11, 11, -1, -1, -1, -1, false, false, false, false},
    {VocabKind::WordPiece, "bert", 101, -1, 100, 102, 0, 103, true, false, true, false},
};
static_assert(std::size(kFamilies) == 3, "one row per VocabKind");

// GGUF token types (llama_token_type) -> attributes.
uint32_t attr_from_type(int64_t type) {
  switch (type) {
    case 1: return kAttrNormal;
    case 2: return kAttrUnknown;
    case 3: return kAttrControl;
    case 4: return kAttrUserDefined;
    case 5: return kAttrUnused;
    case 6: return kAttrByte;
    default: return kAttrUndefined;
  }
}

// Texts llama.cpp treats as end-of-generation (and forces to control type).
constexpr std::string_view kEogTexts[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
    "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
    "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
    "<｜end▁of▁sentence｜>", "[e~[",
};
constexpr std::string_view kEotTexts[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
    "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>",
};
// FIM pad/repo/file-separator tokens, which llama.cpp also counts as end of generation.
constexpr std::string_view kFimEogTexts[] = {
    "<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]", "<|fim_repo|>", "<|repo_name|>",
    "<fim-repo>", "<REPO>", "<reponame>", "<|file_sep|>",
};

template <size_t N>
bool one_of(std::string_view s, const std::string_view (&list)[N]) {
  return std::find(std::begin(list), std::end(list), s) != std::end(list);
}

Status read_tokens(const gguf::GgufFile& file, Vocab* v) {
  const gguf::Value* tokens = file.find(keys::kTokTokens);
  if (!tokens || tokens->type() != gguf::ValueType::Array) {
    return make_error(ErrorCode::InvalidFile, file.name() + ": metadata key '" +
                      std::string(keys::kTokTokens) + "' is missing or not an array");
  }
  ONDO_ASSIGN_OR_RETURN(std::vector<std::string_view> texts, tokens->to_strings());
  if (texts.empty() || texts.size() > (1u << 30)) {
    return make_error(ErrorCode::InvalidFile, file.name() + ": vocabulary has " +
                      std::to_string(texts.size()) + " tokens (expected 1 to 2^30)");
  }
  v->tokens.resize(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    v->tokens[i].text = texts[i].empty() ? "[EMPTY_" + std::to_string(i) + "]" : std::string(texts[i]);
  }
  auto array_of = [&](std::string_view key) -> const gguf::Value* {
    const gguf::Value* a = file.find(key);
    return a && a->type() == gguf::ValueType::Array ? a : nullptr;
  };
  auto count_error = [&](std::string_view key, uint64_t seen) {
    return make_error(ErrorCode::InvalidFile, file.name() + ": '" + std::string(key) + "' has " +
                      std::to_string(seen) + " entries (expected at least " +
                      std::to_string(texts.size()) + ", one per token)");
  };
  if (const gguf::Value* s = array_of(keys::kTokScores)) {
    ONDO_ASSIGN_OR_RETURN(std::vector<float> scores, s->to_floats());
    if (scores.size() < texts.size()) return count_error(keys::kTokScores, scores.size());
    for (size_t i = 0; i < texts.size(); ++i) v->tokens[i].score = scores[i];
  }
  if (const gguf::Value* t = array_of(keys::kTokTypes)) {
    ONDO_ASSIGN_OR_RETURN(std::vector<int64_t> types, t->to_ints());
    if (types.size() < texts.size()) return count_error(keys::kTokTypes, types.size());
    for (size_t i = 0; i < texts.size(); ++i) v->tokens[i].attr = attr_from_type(types[i]);
  }
  return ok_status();
}

// Special ids: a key that names a token outside the vocabulary keeps the default (as
// llama.cpp does, e.g. stories260K's separator 4294967295); a default outside it is -1.
Status read_special_ids(const gguf::GgufFile& file, Vocab* v) {
  struct Row { std::string_view key; int32_t* id; };
  const Row rows[] = {
      {keys::kTokBos, &v->bos}, {keys::kTokEos, &v->eos}, {keys::kTokEot, &v->eot},
      {keys::kTokEom, &v->eom}, {keys::kTokUnk, &v->unk}, {keys::kTokSepOld, &v->sep},
      {keys::kTokSep, &v->sep}, {keys::kTokPad, &v->pad}, {keys::kTokMask, &v->mask},
  };
  for (const Row& r : rows) {
    if (!v->valid(*r.id)) *r.id = -1;
    if (!file.find(r.key)) continue;
    ONDO_ASSIGN_OR_RETURN(uint64_t id, file.get_uint(r.key));
    if (id < uint64_t(v->n())) *r.id = int32_t(id);
  }
  return ok_status();
}

Status read_flags(const gguf::GgufFile& file, Vocab* v) {
  ONDO_ASSIGN_OR_RETURN(v->add_space_prefix, file.get_bool_or(keys::kTokAddSpacePrefix, v->add_space_prefix));
  ONDO_ASSIGN_OR_RETURN(v->add_bos, file.get_bool_or(keys::kTokAddBos, v->add_bos));
  ONDO_ASSIGN_OR_RETURN(v->add_eos, file.get_bool_or(keys::kTokAddEos, v->add_eos));
  ONDO_ASSIGN_OR_RETURN(v->add_sep, file.get_bool_or(kKeyAddSep, v->add_sep));
  ONDO_ASSIGN_OR_RETURN(v->lowercase, file.get_bool_or(kKeyLowercase, true));
  ONDO_ASSIGN_OR_RETURN(v->strip_accents, file.get_bool_or(kKeyStripAccents, v->lowercase));
  auto need = [&](bool flag, int32_t id, std::string_view what) -> Status {
    if (flag && id < 0) {
      return make_error(ErrorCode::InvalidFile, file.name() + ": tokenizer adds a " + std::string(what) +
                        " token but the vocabulary has none");
    }
    return ok_status();
  };
  ONDO_TRY(need(v->add_bos, v->bos, "BOS"));
  ONDO_TRY(need(v->add_eos, v->eos, "EOS"));
  return need(v->add_sep && v->kind == VocabKind::WordPiece, v->sep, "SEP");
}

// llama.cpp's text-based fix-ups: EOT/EOM detection, control type for end-of-generation
// texts, "unused" control tokens, gpt-oss's always-rendered tokens, Phi-3's rstrip.
void apply_attribute_fixups(const std::string& general_name, Vocab* v) {
  for (int32_t id = 0; id < v->n(); ++id) {
    TokenData& t = v->tokens[id];
    if (v->eot < 0 && one_of(t.text, kEotTexts)) { v->eot = id; t.attr |= kAttrControl; }
    if (v->eom < 0 && t.text == "<|eom_id|>") { v->eom = id; t.attr |= kAttrControl; }
    if (one_of(t.text, kEogTexts) || one_of(t.text, kFimEogTexts)) t.attr |= kAttrControl;
    if ((t.attr & kAttrControl) && t.text.find("unused") != std::string::npos) t.attr |= kAttrUnused;
    if (t.text == "<|channel|>" || t.text == "<|message|>" || t.text == "<|start|>" ||
        t.text == "<|constrain|>") {
      t.attr = kAttrUserDefined;
    }
  }
  std::string name = general_name;
  for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (name.find("phi-3") != std::string::npos || name.find("phi3") != std::string::npos) {
    for (TokenData& t : v->tokens) {
      if (t.attr & (kAttrControl | kAttrUserDefined | kAttrUnknown)) t.attr |= kAttrRstrip;
      if (t.text == "</s>") t.attr |= kAttrRstrip;
      if (t.text == "<unk>" || t.text == "<s>" || t.text == "<|endoftext|>") t.attr &= ~kAttrRstrip;
    }
  }
}

}  // namespace

std::string_view vocab_kind_name(VocabKind kind) {
  for (const FamilyRow& f : kFamilies) {
    if (f.kind == kind) return f.name;
  }
  return "?";
}

int32_t Vocab::byte_token(uint8_t byte) const {
  char buf[8];
  std::snprintf(buf, sizeof buf, "<0x%02X>", byte);
  int32_t id = find(buf);
  return id >= 0 ? id : find(std::string_view(reinterpret_cast<const char*>(&byte), 1));
}

Status Vocab::finish(std::string_view origin) {
  text_to_id.clear();
  text_to_id.reserve(tokens.size());
  max_token_len = 0;
  special_ids.clear();
  for (int32_t id = 0; id < n(); ++id) {
    const TokenData& t = tokens[id];
    auto [it, inserted] = text_to_id.emplace(t.text, id);
    if (!inserted) {
      return make_error(ErrorCode::InvalidFile, std::string(origin) + ": duplicate token '" + t.text +
                        "' (ids " + std::to_string(it->second) + " and " + std::to_string(id) + ")");
    }
    max_token_len = std::max(max_token_len, t.text.size());
    if (t.attr & (kAttrControl | kAttrUserDefined | kAttrUnknown)) special_ids.push_back(id);
  }
  std::stable_sort(special_ids.begin(), special_ids.end(), [&](int32_t a, int32_t b) {
    return tokens[a].text.size() > tokens[b].text.size();
  });
  eog.assign(tokens.size(), 0);
  for (int32_t id = 0; id < n(); ++id) {
    if (one_of(tokens[id].text, kEogTexts) || one_of(tokens[id].text, kFimEogTexts)) eog[id] = 1;
  }
  for (int32_t id : {eos, eot, eom}) {
    if (valid(id)) eog[id] = 1;
  }
  return ok_status();
}

Result<Vocab> load_vocab(const gguf::GgufFile& file) {
  Vocab v;
  ONDO_ASSIGN_OR_RETURN(std::string_view model, file.get_string(keys::kTokModel));
  const FamilyRow* family = nullptr;
  for (const FamilyRow& f : kFamilies) {
    if (f.name == model) family = &f;
  }
  if (!family) {
    return make_error(ErrorCode::Unsupported, file.name() + ": tokenizer model '" + std::string(model) +
                      "' is not supported (expected llama, gpt2 or bert)");
  }
  v.kind = family->kind;
  v.model_name = std::string(model);
  if (const gguf::Value* pre = file.find(keys::kTokPre)) {
    auto s = pre->as_string();
    if (!s) return make_error(ErrorCode::InvalidFile, file.name() + ": 'tokenizer.ggml.pre' is not a string");
    v.pre_name = std::string(*s);
  }
  ONDO_TRY(read_tokens(file, &v));
  v.bos = family->bos; v.eos = family->eos; v.unk = family->unk;
  v.sep = family->sep; v.pad = family->pad; v.mask = family->mask;
  v.add_bos = family->add_bos; v.add_eos = family->add_eos; v.add_sep = family->add_sep;
  v.add_space_prefix = family->add_space_prefix;
  if (v.kind == VocabKind::Bpe) {
    const PreTokSpec* spec = find_pre_tokenizer(v.pre_name);
    if (!spec) {
      return make_error(ErrorCode::Unsupported, file.name() + ": pre-tokenizer '" + v.pre_name +
                        "' (tokenizer.ggml.pre) is not supported");
    }
    const gguf::Value* merges = file.find(keys::kTokMerges);
    if (!merges || merges->type() != gguf::ValueType::Array) {
      return make_error(ErrorCode::InvalidFile, file.name() + ": metadata key '" +
                        std::string(keys::kTokMerges) + "' is missing or not an array (BPE needs merges)");
    }
    ONDO_ASSIGN_OR_RETURN(std::vector<std::string_view> m, merges->to_strings());
    v.merges.assign(m.begin(), m.end());
    v.ignore_merges = spec->ignore_merges;
    v.add_bos = spec->add_bos;
    if (spec->id == PreTok::ChatGlm4) v.bos = -1;
  }
  ONDO_TRY(read_special_ids(file, &v));
  ONDO_TRY(read_flags(file, &v));
  std::string general_name;
  if (const gguf::Value* n = file.find(keys::kName); n && n->as_string()) general_name = std::string(*n->as_string());
  apply_attribute_fixups(general_name, &v);
  ONDO_TRY(v.finish(file.name()));
  return v;
}

namespace {

// Whether [b, e) overlaps any of the sorted, disjoint ranges.
bool overlaps(std::span<const std::pair<size_t, size_t>> ranges, size_t b, size_t e) {
  for (const auto& [rb, re] : ranges) {
    if (rb >= e) return false;
    if (re > b) return true;
  }
  return false;
}

}  // namespace

std::vector<Fragment> partition_special(const Vocab& vocab, std::string_view text, bool parse_special,
                                        std::span<const std::pair<size_t, size_t>> plain_ranges) {
  std::vector<Fragment> frags;
  if (text.empty()) return frags;
  frags.push_back({-1, 0, text.size()});
  std::vector<Fragment> next;
  for (int32_t id : vocab.special_ids) {
    const TokenData& t = vocab.tokens[id];
    if (!parse_special && (t.attr & (kAttrControl | kAttrUnknown))) continue;
    next.clear();
    for (const Fragment& f : frags) {
      if (f.token >= 0) { next.push_back(f); continue; }
      size_t pos = f.offset, end = f.offset + f.length;
      while (pos < end) {
        size_t match = text.substr(0, end).find(t.text, pos);
        const bool plain_only = (t.attr & (kAttrControl | kAttrUnknown)) != 0;
        while (plain_only && match != std::string_view::npos && overlaps(plain_ranges, match, match + t.text.size())) {
          match = text.substr(0, end).find(t.text, match + 1);
        }
        if (match == std::string_view::npos) break;
        size_t left_end = match;
        if (t.attr & kAttrLstrip) {
          while (left_end > pos && std::isspace(static_cast<unsigned char>(text[left_end - 1]))) --left_end;
        }
        if (left_end > pos) next.push_back({-1, pos, left_end - pos});
        next.push_back({id, 0, 0});
        pos = match + t.text.size();
        if (t.attr & kAttrRstrip) {
          while (pos < end && std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
        }
      }
      if (pos < end) next.push_back({-1, pos, end - pos});
    }
    frags.swap(next);
  }
  return frags;
}

}  // namespace ondo::text
