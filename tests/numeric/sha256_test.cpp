// SHA-256 against the FIPS 180-4 examples (NIST "Example Algorithm" vectors) and block-boundary
// lengths, where padding spills into a second block.
#include <catch2/catch.hpp>

#include <string>

#include "runtime/sha256.hpp"

namespace {

struct Vector {
    std::string message;
    const char* digest;
};

}  // namespace

TEST_CASE("sha256 matches the FIPS 180-4 test vectors", "[sha256]") {
    const Vector vectors[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",  // 448 bits: two-block padding
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
        {std::string(1'000'000, 'a'), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
    };
    for (const auto& [message, digest] : vectors) {
        INFO("message of " << message.size() << " bytes");
        CHECK(kaohe::to_hex(kaohe::sha256(message)) == digest);
    }
}

TEST_CASE("sha256 at the padding boundaries", "[sha256]") {
    // 55 bytes is the longest message padded in one block, 56 the shortest needing two, 64 a
    // whole block. Digests from an independent implementation (Python hashlib).
    const Vector vectors[] = {
        {std::string(55, 'a'), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {std::string(56, 'a'), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {std::string(64, 'a'), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
        {std::string("\x00\xff\x80", 3), "f742b965f156c10374bc23aea96e3a8aff8facd6fc079defeaa30219ad86f211"},
    };
    for (const auto& [message, digest] : vectors) {
        INFO("message of " << message.size() << " bytes");
        CHECK(kaohe::to_hex(kaohe::sha256(message)) == digest);
    }
}

TEST_CASE("to_hex writes 64 lower-case digits, high nibble first", "[sha256]") {
    kaohe::Sha256Digest digest{};
    digest[0] = 0xab;
    digest[31] = 0x0f;
    const std::string hex = kaohe::to_hex(digest);
    CHECK(hex.size() == 64);
    CHECK(hex.substr(0, 2) == "ab");
    CHECK(hex.substr(62) == "0f");
    CHECK(hex.substr(2, 60) == std::string(60, '0'));
}
