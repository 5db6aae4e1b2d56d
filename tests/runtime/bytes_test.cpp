// same_bytes agrees with memcmp at every length a choice name can have and well past it, for
// equal strings and for a difference at every position, at every alignment.
#include "runtime/bytes.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <string>

using namespace kaohe;

TEST_CASE("same_bytes: equal strings, and one byte changed at every position of every length", "[bytes]") {
    std::string base;
    for (int i = 0; i < 80; ++i) base += static_cast<char>(0x80 + i);  // the bytes of CJK text are all high
    for (std::size_t offset = 0; offset < 8; ++offset) {
        for (std::size_t n = 0; n <= 64; ++n) {
            const std::string a = base.substr(offset, n);
            std::string b = a;
            INFO("offset " << offset << ", length " << n);
            CHECK(same_bytes(a.data(), b.data(), n));
            for (std::size_t at = 0; at < n; ++at) {
                b[at] = static_cast<char>(b[at] ^ 0x01);
                INFO("changed at " << at);
                CHECK_FALSE(same_bytes(a.data(), b.data(), n));
                CHECK(std::memcmp(a.data(), b.data(), n) != 0);
                b[at] = a[at];
            }
        }
    }
}

TEST_CASE("same_bytes: names of a choice type that differ only inside", "[bytes]") {
    const std::string a = "已开展并建台账", b = "已开展并未台账", c = "未落实", d = "已落实";
    CHECK(same_bytes(a.data(), a.data(), a.size()));
    CHECK_FALSE(same_bytes(a.data(), b.data(), a.size()));
    CHECK_FALSE(same_bytes(c.data(), d.data(), c.size()));
    CHECK(same_bytes(c.data(), "未落实", c.size()));
}
