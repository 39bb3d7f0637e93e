// The streaming output filter: fed piece by piece (down to single bytes of a character), it
// releases exactly what evaluate() makes of the whole text, holds back only a tail that
// could still become a match, and stops at a block.
#include "ondo/serve/guardrails/stream_filter.h"

#include <gtest/gtest.h>

namespace ondo::serve::guardrails {
namespace {

using json = nlohmann::json;

PolicySet policies(const std::string& body) {
  auto p = parse_policy(json::parse(body));
  EXPECT_TRUE(p.ok()) << p.error().message;
  auto c = CompiledPolicy::compile(*p);
  EXPECT_TRUE(c.ok()) << c.error().message;
  return {*c};
}

const char* kPii = R"({"name":"pii","rules":[
    {"type":"pii","detector":"email","action":"redact"},
    {"type":"pii","detector":"phone","action":"redact"},
    {"type":"pii","detector":"card","action":"redact"},
    {"type":"blocklist","words":["secret plan"],"action":"redact"},
    {"type":"pii","detector":"ipv4","action":"flag"}]})";

// Feeds `text` in pieces of `piece` bytes; returns what was released.
std::string stream(const PolicySet& set, const std::string& text, size_t piece, std::vector<Decision>* decisions = nullptr) {
  StreamFilter f(set);
  std::string out;
  for (size_t i = 0; i < text.size(); i += piece) {
    auto s = f.feed(std::string_view(text).substr(i, piece));
    EXPECT_TRUE(s.ok());
    out += s->text;
    if (decisions) decisions->insert(decisions->end(), s->decisions.begin(), s->decisions.end());
  }
  auto s = f.finish();
  EXPECT_TRUE(s.ok());
  out += s->text;
  if (decisions) decisions->insert(decisions->end(), s->decisions.begin(), s->decisions.end());
  EXPECT_EQ(f.held_bytes(), 0u);
  return out;
}

TEST(GuardrailStream, SameAsWholeTextForEveryPieceSize) {
  const PolicySet set = policies(kPii);
  const std::string text =
      "연락은 bob@example.com 또는 010-1234-5678 로, 카드 4111 1111 1111 1111, the Secret  Plan is "
      "10.0.0.1 and mail a.b@c.example.kr. 끝";
  auto whole = evaluate(set, text, Stage::Output);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->text, "연락은 [EMAIL] 또는 [PHONE] 로, 카드 [CARD], the [REDACTED] is 10.0.0.1 and mail [EMAIL]. 끝");
  for (size_t piece : {1, 2, 3, 5, 7, 16, 1000}) {
    std::vector<Decision> d;
    EXPECT_EQ(stream(set, text, piece, &d), whole->text) << "piece " << piece;
    ASSERT_EQ(d.size(), whole->decisions.size()) << "piece " << piece;
    for (size_t i = 0; i < d.size(); ++i) {
      EXPECT_EQ(d[i].span, whole->decisions[i].span) << "piece " << piece << " decision " << i;
      EXPECT_EQ(d[i].reason, whole->decisions[i].reason);
    }
  }
}

TEST(GuardrailStream, HoldsBackOnlyWhatCouldStillMatch) {
  StreamFilter f(policies(R"({"name":"p","rules":[{"type":"pii","detector":"email","action":"redact"}]})"));
  auto a = f.feed("안녕하세요! ");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->text, "안녕하세요! ");  // nothing an e-mail could start with: all released
  EXPECT_EQ(f.held_bytes(), 0u);
  auto b = f.feed("write to bob");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->text, "write to ");  // "bob" could become an address
  EXPECT_EQ(f.held_bytes(), 3u);
  auto c = f.feed("@example.com");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->text, "");
  auto d = f.feed(" thanks");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->text, "[EMAIL] ");
  EXPECT_EQ(f.held_bytes(), 6u);  // "thanks" is e-mail characters
  auto e = f.finish();
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->text, "thanks");
}

TEST(GuardrailStream, HoldBackIsBoundedPerRule) {
  StreamFilter f(policies(R"({"name":"p","rules":[{"type":"pii","detector":"ipv4","action":"redact"},
      {"type":"regex","pattern":"ab+c","action":"redact","max_match_bytes":8}]})"));
  // A long run of IPv4 characters: at most 15 bytes (the longest address) are held.
  auto s = f.feed(std::string(100, '1') + "." + std::string(50, '2'));
  ASSERT_TRUE(s.ok());
  EXPECT_LE(f.held_bytes(), 15u);
  EXPECT_GE(s->text.size(), 151u - 15u);
}

TEST(GuardrailStream, BlockStopsTheStream) {
  StreamFilter f(policies(R"({"name":"b","rules":[{"type":"pii","detector":"kr_rrn","action":"block"}]})"));
  std::string out;
  std::optional<Decision> block;
  for (std::string piece : {"번호는 ", "900101", "-12345", "68 입니다", " 더"}) {
    auto s = f.feed(piece);
    ASSERT_TRUE(s.ok());
    out += s->text;
    if (s->block) block = s->block;
  }
  ASSERT_TRUE(block);
  EXPECT_EQ(block->reason, "guardrail.pii.kr_rrn");
  EXPECT_EQ(out.find("900101"), std::string::npos) << out;  // no digit of it left the server
  EXPECT_TRUE(f.blocked());
  auto after = f.feed("more");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->text, "");
}

TEST(GuardrailStream, OutputLengthLimit) {
  StreamFilter f(policies(R"({"name":"l","rules":[{"type":"max_chars","limit":6,"action":"block","stages":["output"]}]})"));
  auto a = f.feed("가나다");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->text, "가나다");
  auto b = f.feed("라마바사");
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(b->block);
  EXPECT_EQ(b->block->reason, "guardrail.length.chars");
}

TEST(GuardrailStream, NoOutputRulesPassesEverything) {
  StreamFilter f(policies(R"({"name":"i","rules":[{"type":"pii","detector":"email","action":"redact","stages":["input"]}]})"));
  EXPECT_FALSE(f.active());
  auto s = f.feed("bob@example.com");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->text, "bob@example.com");
}

}  // namespace
}  // namespace ondo::serve::guardrails
