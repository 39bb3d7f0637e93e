// SHA-256 against the FIPS 180-4 example vectors.
#include "ondo/core/sha256.h"

#include <gtest/gtest.h>

namespace ondo::core {
namespace {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(to_hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(to_hex(sha256(std::string(1000000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalEqualsOneShot) {
  std::string s;
  for (int i = 0; i < 300; ++i) s += char(i * 7);
  Sha256 h;
  for (size_t i = 0; i < s.size(); i += 13) h.update(s.substr(i, 13));
  EXPECT_EQ(h.finish(), sha256(s));
}

}  // namespace
}  // namespace ondo::core
