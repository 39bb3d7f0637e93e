// Tokenizer: family dispatch around the special-token partition, and pieces/decoding.
// Mirrors llama.cpp (upstream 34af94cd) llama_vocab::impl::tokenize and token_to_piece.
// Layer: text (uses gguf, core).
#include "ondo/text/tokenizer.h"

#include <cstdlib>

#include "ondo/gguf/reader.h"
#include "ondo/text/bpe/bpe.h"
#include "ondo/text/pretok/pretok.h"
#include "ondo/text/spm/spm.h"
#include "ondo/text/unicode.h"
#include "ondo/text/vocab.h"
#include "ondo/text/wordpiece/wordpiece.h"

namespace ondo::text {
namespace {

constexpr std::string_view kSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's space

std::string replace_all(std::string_view s, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(s.size());
  size_t pos = 0;
  while (true) {
    size_t hit = s.find(from, pos);
    if (hit == std::string_view::npos) break;
    out.append(s.substr(pos, hit - pos));
    out.append(to);
    pos = hit + from.size();
  }
  out.append(s.substr(pos));
  return out;
}

// "<0xNN>" -> NN (0 when malformed, like llama.cpp's strtol on the two hex digits).
char byte_of_token(const std::string& text) {
  if (text.size() < 5) return 0;
  char hex[3] = {text[3], text[4], 0};
  return char(std::strtol(hex, nullptr, 16));
}

// Undoes GPT-2's byte-level mapping; a code point outside it is kept visible the way
// llama.cpp's llama_decode_text shows it.
std::string byte_level_decode(const std::string& text) {
  std::string out;
  for (uint32_t cpt : unicode::decode_utf8(text)) {
    int b = unicode::byte_from_cpt(cpt);
    if (b >= 0) { out.push_back(char(b)); continue; }
    std::string utf8;
    unicode::append_utf8(cpt, &utf8);
    out += "[UNK_BYTE_0x";
    static const char* kHex = "0123456789abcdef";
    for (unsigned char c : utf8) { out.push_back(kHex[c >> 4]); out.push_back(kHex[c & 15]); }
    out += text + "]";
  }
  return out;
}

std::string render_piece(const Vocab& v, int32_t id) {
  const TokenData& t = v.tokens[id];
  if (t.attr & (kAttrUnknown | kAttrControl | kAttrUserDefined)) return t.text;
  if (t.attr & kAttrNormal) {
    return v.kind == VocabKind::Bpe ? byte_level_decode(t.text) : replace_all(t.text, kSpace, " ");
  }
  if (t.attr & kAttrByte) return std::string(1, byte_of_token(t.text));
  return "";  // undefined and unused tokens render as nothing, as in llama.cpp
}

}  // namespace

struct Tokenizer::Impl {
  Vocab vocab;
  std::unique_ptr<PreTokenizer> pretok;  // BPE only
  std::unique_ptr<BpeModel> bpe;         // BPE only
  std::vector<std::string> pieces;       // per id, rendered with render_special = true

  void encode_spm(std::string_view text, const std::vector<Fragment>& frags, bool add_special,
                  std::vector<int32_t>* out) const {
    bool prev_special = true;  // the dummy prefix goes before the first raw fragment
    if (add_special && vocab.add_bos) out->push_back(vocab.bos);
    for (const Fragment& f : frags) {
      if (f.token >= 0) { out->push_back(f.token); prev_special = true; continue; }
      std::string raw = (vocab.add_space_prefix && prev_special) ? " " : "";
      raw.append(text.substr(f.offset, f.length));
      spm_encode(vocab, replace_all(raw, " ", kSpace), out);
      prev_special = false;
    }
    if (add_special && vocab.add_eos) out->push_back(vocab.eos);
  }

  void encode_bpe(std::string_view text, const std::vector<Fragment>& frags, bool add_special,
                  std::vector<int32_t>* out) const {
    if (add_special && vocab.add_bos) out->push_back(vocab.bos);
    for (const Fragment& f : frags) {
      if (f.token >= 0) { out->push_back(f.token); continue; }
      for (const std::string& word : pretok->split(text.substr(f.offset, f.length))) {
        bpe->encode_word(word, out);
      }
    }
    if (add_special && vocab.add_eos) out->push_back(vocab.eos);
  }

  void encode_wordpiece(std::string_view text, const std::vector<Fragment>& frags, bool add_special,
                        std::vector<int32_t>* out) const {
    if (add_special && vocab.bos >= 0) out->push_back(vocab.bos);
    for (const Fragment& f : frags) {
      if (f.token >= 0) { out->push_back(f.token); continue; }
      wordpiece_encode(vocab, text.substr(f.offset, f.length), out);
    }
    if (add_special && vocab.sep >= 0) out->push_back(vocab.sep);
  }
};

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::~Tokenizer() = default;

Result<std::unique_ptr<Tokenizer>> Tokenizer::from_gguf(const gguf::GgufFile& file) {
  ONDO_ASSIGN_OR_RETURN(Vocab vocab, load_vocab(file));
  auto made = from_vocab(std::move(vocab));
  if (!made.ok()) return made.error().with_context(file.name());
  return made;
}

Result<std::unique_ptr<Tokenizer>> Tokenizer::from_vocab(Vocab vocab) {
  auto impl = std::make_unique<Impl>();
  if (vocab.text_to_id.size() != vocab.tokens.size()) ONDO_TRY(vocab.finish("vocabulary"));
  impl->vocab = std::move(vocab);
  const Vocab& v = impl->vocab;
  if (v.kind == VocabKind::Bpe) {
    const PreTokSpec* spec = find_pre_tokenizer(v.pre_name);
    if (!spec) {
      return make_error(ErrorCode::Unsupported,
                        "pre-tokenizer '" + v.pre_name + "' (tokenizer.ggml.pre) is not supported");
    }
    ONDO_ASSIGN_OR_RETURN(impl->pretok, PreTokenizer::create(*spec));
    ONDO_ASSIGN_OR_RETURN(impl->bpe, BpeModel::create(impl->vocab));
  }
  impl->pieces.reserve(v.tokens.size());
  for (int32_t id = 0; id < v.n(); ++id) impl->pieces.push_back(render_piece(v, id));
  return std::unique_ptr<Tokenizer>(new Tokenizer(std::move(impl)));
}

Result<std::vector<int32_t>> Tokenizer::encode(std::string_view text, const EncodeOptions& opts) const {
  std::vector<int32_t> out;
  std::vector<Fragment> frags = partition_special(impl_->vocab, text, opts.parse_special, opts.plain_ranges);
  switch (impl_->vocab.kind) {
    case VocabKind::Spm: impl_->encode_spm(text, frags, opts.add_special, &out); break;
    case VocabKind::Bpe: impl_->encode_bpe(text, frags, opts.add_special, &out); break;
    case VocabKind::WordPiece: impl_->encode_wordpiece(text, frags, opts.add_special, &out); break;
  }
  return out;
}

int32_t Tokenizer::n_vocab() const { return impl_->vocab.n(); }

std::string_view Tokenizer::token_text(int32_t id) const { return impl_->vocab.tokens.at(size_t(id)).text; }

std::string Tokenizer::piece(int32_t id, bool render_special) const {
  const Vocab& v = impl_->vocab;
  if (!v.valid(id)) return "";
  if (!render_special && (v.tokens[id].attr & (kAttrUnknown | kAttrControl))) return "";
  return impl_->pieces[id];
}

std::string Tokenizer::decode(std::span<const int32_t> ids, bool render_special) const {
  std::string out;
  for (int32_t id : ids) out += piece(id, render_special);
  return out;
}

int32_t Tokenizer::bos_id() const { return impl_->vocab.bos; }
int32_t Tokenizer::eos_id() const { return impl_->vocab.eos; }
int32_t Tokenizer::sep_id() const { return impl_->vocab.sep; }
int32_t Tokenizer::unk_id() const { return impl_->vocab.unk; }
bool Tokenizer::add_bos() const { return impl_->vocab.add_bos; }
bool Tokenizer::add_eos() const { return impl_->vocab.add_eos; }
bool Tokenizer::add_sep() const { return impl_->vocab.add_sep; }

bool Tokenizer::is_end_of_generation(int32_t id) const {
  return impl_->vocab.valid(id) && impl_->vocab.eog[id] != 0;
}

bool Tokenizer::is_control(int32_t id) const {
  return impl_->vocab.valid(id) && (impl_->vocab.tokens[id].attr & kAttrControl) != 0;
}

std::string_view Tokenizer::model_name() const { return impl_->vocab.model_name; }
std::string_view Tokenizer::pre_name() const { return impl_->vocab.pre_name; }

}  // namespace ondo::text
