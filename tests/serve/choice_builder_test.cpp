// ChoiceBuilder: token counting and text of one choice's events.
#include <gtest/gtest.h>

#include "ondo/serve/generation.h"
#include "serve/fake_scheduler.h"

namespace ondo::serve {
namespace {

infer::TokenEvent token(int32_t id, infer::FinishReason finish = infer::FinishReason::None) {
  infer::TokenEvent e;
  e.token = id;
  e.finish = finish;
  return e;
}

TEST(ChoiceBuilder, AnEndTokenThatDidNotEndTheGenerationIsCounted) {
  auto tok = testing::byte_tokenizer();
  ChoiceBuilder b(*tok, {}, false);
  // ignore_eos: "a", </s> (generated, the generation goes on), "b", then the budget ends it.
  std::string text;
  text += b.on_event(token(3 + 'a')).text;
  text += b.on_event(token(2)).text;
  text += b.on_event(token(3 + 'b', infer::FinishReason::Length)).text;
  EXPECT_TRUE(b.finished());
  EXPECT_EQ(text, "ab");
  EXPECT_EQ(b.completion_tokens(), 3);  // max_tokens 3 reached: usage says 3
  EXPECT_EQ(b.finish_reason(), "length");
}

TEST(ChoiceBuilder, AnIgnoredEndTokenAsTheLastOfTheBudgetIsCounted) {
  // ignore_eos, max_tokens 2: "a", then </s> is the second token and the budget ends there.
  // (Found as a flake: usage said 4 of max_output_tokens 5 when the fifth token was </s>.)
  auto tok = testing::byte_tokenizer();
  ChoiceBuilder b(*tok, {}, false);
  std::string text = b.on_event(token(3 + 'a')).text;
  text += b.on_event(token(2, infer::FinishReason::Length)).text;
  EXPECT_TRUE(b.finished());
  EXPECT_EQ(text, "a");
  EXPECT_EQ(b.completion_tokens(), 2);
  EXPECT_EQ(b.finish_reason(), "length");
}

TEST(ChoiceBuilder, AnEndTokenThatEndsTheGenerationIsNotCounted) {
  // The generation step reports an end-of-generation token that ends it as a Stop event
  // without a token (infer/generation_step.cpp): it is not part of the completion.
  auto tok = testing::byte_tokenizer();
  ChoiceBuilder b(*tok, {}, false);
  (void)b.on_event(token(3 + 'a'));
  (void)b.on_event(token(-1, infer::FinishReason::Stop));
  EXPECT_TRUE(b.finished());
  EXPECT_EQ(b.completion_tokens(), 1);
  EXPECT_EQ(b.finish_reason(), "stop");
}

}  // namespace
}  // namespace ondo::serve
