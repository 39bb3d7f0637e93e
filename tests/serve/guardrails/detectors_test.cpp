// PII detectors: each finds its real cases (with Korean text around them) and leaves alone
// look-alikes whose checks fail (wrong check digit, Luhn, mod 97, impossible addresses).
#include "ondo/serve/guardrails/detectors.h"

#include <gtest/gtest.h>

#include <string>

namespace ondo::serve::guardrails {
namespace {

// The matched substrings of `kind` in `text`.
std::vector<std::string> found(PiiKind kind, const std::string& text) {
  std::vector<std::string> out;
  for (Span s : find_pii(kind, text)) out.push_back(text.substr(s.begin, s.end - s.begin));
  return out;
}

using V = std::vector<std::string>;

TEST(PiiChecks, KoreanRrnCheckDigit) {
  EXPECT_TRUE(kr_rrn_valid("9001011234568"));   // weighted sum 124, (11 - 124 % 11) % 10 = 8
  EXPECT_FALSE(kr_rrn_valid("9001011234567"));  // same number, wrong check digit
  EXPECT_FALSE(kr_rrn_valid("900101123456"));   // 12 digits
  EXPECT_FALSE(kr_rrn_valid("90010112345a8"));
}

TEST(PiiChecks, LuhnAndIban) {
  EXPECT_TRUE(luhn_valid("4111111111111111"));
  EXPECT_TRUE(luhn_valid("79927398713"));
  EXPECT_FALSE(luhn_valid("4111111111111112"));
  EXPECT_FALSE(luhn_valid(""));
  EXPECT_TRUE(iban_valid("GB82WEST12345698765432"));
  EXPECT_TRUE(iban_valid("DE89370400440532013000"));
  EXPECT_FALSE(iban_valid("GB83WEST12345698765432"));
  EXPECT_FALSE(iban_valid("GB82WEST1234"));
}

TEST(PiiDetectors, Email) {
  EXPECT_EQ(found(PiiKind::Email, "연락처는 bob.kim@example.co.kr 입니다"), V{"bob.kim@example.co.kr"});
  EXPECT_EQ(found(PiiKind::Email, "메일은bob@example.com입니다."), V{"bob@example.com"});
  EXPECT_EQ(found(PiiKind::Email, "write to a+b@mail.example.org."), V{"a+b@mail.example.org"});
  EXPECT_EQ(found(PiiKind::Email, "bob@localhost, a@b.c, @example.com, plain text"), V{});
}

TEST(PiiDetectors, KoreanAndInternationalPhones) {
  EXPECT_EQ(found(PiiKind::Phone, "전화 010-1234-5678 로"), V{"010-1234-5678"});
  EXPECT_EQ(found(PiiKind::Phone, "번호01012345678입니다"), V{"01012345678"});
  EXPECT_EQ(found(PiiKind::Phone, "call +82 10-1234-5678 now"), V{"+82 10-1234-5678"});
  EXPECT_EQ(found(PiiKind::Phone, "서울 02-123-4567, 02-1234-5678"), (V{"02-123-4567", "02-1234-5678"}));
  EXPECT_EQ(found(PiiKind::Phone, "경기 031-123-4567"), V{"031-123-4567"});
  EXPECT_EQ(found(PiiKind::Phone, "US +1 415 555 2671"), V{"+1 415 555 2671"});
  // Dates, short numbers, numbers inside longer digit runs, an RRN.
  EXPECT_EQ(found(PiiKind::Phone, "2024-01-15, 010-123, 12345, 90101012345678901, 900101-1234568"), V{});
}

TEST(PiiDetectors, KoreanRrnNeedsItsCheckDigit) {
  EXPECT_EQ(found(PiiKind::KrRrn, "주민번호900101-1234568입니다"), V{"900101-1234568"});
  EXPECT_EQ(found(PiiKind::KrRrn, "no dash 9001011234568."), V{"9001011234568"});
  EXPECT_EQ(found(PiiKind::KrRrn, "900101-1234567"), V{});  // wrong check digit
  EXPECT_EQ(found(PiiKind::KrRrn, "9913011234568"), V{});   // month 13
  EXPECT_EQ(found(PiiKind::KrRrn, "19001011234568"), V{});  // inside a longer digit run
  // Random 13-digit strings: only those whose check digit happens to fit (about 1 in 10) and
  // whose date is real may match; none of these is one.
  EXPECT_EQ(found(PiiKind::KrRrn, "1234567890123 4820193746501 0000000000000"), V{});
}

TEST(PiiDetectors, CardsNeedLuhn) {
  EXPECT_EQ(found(PiiKind::Card, "카드 4111 1111 1111 1111 결제"), V{"4111 1111 1111 1111"});
  EXPECT_EQ(found(PiiKind::Card, "5500-0000-0000-0004"), V{"5500-0000-0000-0004"});
  EXPECT_EQ(found(PiiKind::Card, "378282246310005"), V{"378282246310005"});  // Amex, 15 digits
  EXPECT_EQ(found(PiiKind::Card, "4111 1111 1111 1112"), V{});               // Luhn fails
  EXPECT_EQ(found(PiiKind::Card, "0000 0000 0000 0000 and 1 2 3 4 5 6 7 8 9 0 1 2 6"), V{});
  EXPECT_EQ(found(PiiKind::Card, "41111111111111110000000"), V{});           // 23 digits
}

TEST(PiiDetectors, IpAddresses) {
  EXPECT_EQ(found(PiiKind::Ipv4, "서버 192.168.0.1에 접속"), V{"192.168.0.1"});
  EXPECT_EQ(found(PiiKind::Ipv4, "10.0.0.255."), V{"10.0.0.255"});
  EXPECT_EQ(found(PiiKind::Ipv4, "999.1.1.1 1.2.3 1.2.3.4.5 01.2.3.4"), V{});
  EXPECT_EQ(found(PiiKind::Ipv6, "주소 2001:db8::1 입니다"), V{"2001:db8::1"});
  EXPECT_EQ(found(PiiKind::Ipv6, "fe80::1ff:fe23:4567:890a"), V{"fe80::1ff:fe23:4567:890a"});
  EXPECT_EQ(found(PiiKind::Ipv6, "::ffff:192.0.2.128"), V{"::ffff:192.0.2.128"});
  EXPECT_EQ(found(PiiKind::Ipv6, "at 12:30:45, a :: b, 2001:db8:::1, 1:2:3:4:5:6:7:8:9"), V{});
}

TEST(PiiDetectors, IbanNeedsMod97) {
  EXPECT_EQ(found(PiiKind::Iban, "계좌 GB82 WEST 1234 5698 7654 32 로"), V{"GB82 WEST 1234 5698 7654 32"});
  EXPECT_EQ(found(PiiKind::Iban, "DE89370400440532013000 OK"), V{"DE89370400440532013000"});
  EXPECT_EQ(found(PiiKind::Iban, "GB83 WEST 1234 5698 7654 32"), V{});
  EXPECT_EQ(found(PiiKind::Iban, "AB12 CDEF GHIJ KLMN"), V{});
}

TEST(PiiDetectors, InvalidUtf8FindsNothingAndDoesNotCrash) {
  const std::string bad = std::string("bob@example.com \xff\xfe 010-1234-5678");
  for (const PiiInfo& d : pii_detectors()) EXPECT_NO_FATAL_FAILURE(find_pii(d.kind, bad));
  EXPECT_FALSE(valid_utf8(bad));
  EXPECT_TRUE(valid_utf8("한국어 text"));
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));  // a surrogate
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));      // overlong
  EXPECT_FALSE(valid_utf8("\xe4\xb8"));      // cut short
}

}  // namespace
}  // namespace ondo::serve::guardrails
