// SHA-256 against the FIPS 180-4 / NIST CAVP example vectors.
#include <gtest/gtest.h>

#include "carepath/Sha256.h"

using carepath::Sha256;

TEST(RuntimeSha256, FipsVectors) {
  EXPECT_EQ(Sha256::hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256::hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256::hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256::hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  EXPECT_EQ(Sha256::hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(RuntimeSha256, IncrementalEqualsOneShot) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += static_cast<char>('a' + i % 26);
  for (size_t split : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 500u, 1000u}) {
    Sha256 s;
    s.update(std::string_view(text).substr(0, split));
    s.update(std::string_view(text).substr(split));
    std::string hex;
    for (uint8_t b : s.finish()) { char buf[3]; snprintf(buf, sizeof buf, "%02x", b); hex += buf; }
    EXPECT_EQ(hex, Sha256::hex(text)) << "split at " << split;
  }
}
