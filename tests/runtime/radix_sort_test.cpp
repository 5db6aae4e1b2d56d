// radix_sort orders 64-bit keys exactly as std::sort does, whatever their bits.
#include "runtime/radix_sort.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <random>

using namespace kaohe;

TEST_CASE("radix_sort agrees with std::sort: random keys, repeats, every bit pattern at the edges", "[sort]") {
    std::mt19937_64 rng(0x68617368);
    for (const std::size_t n : {0, 1, 2, 3, 100, 4096, 100'000}) {
        std::vector<std::uint64_t> keys(n);
        for (auto& k : keys) {
            switch (rng() % 4) {
            case 0: k = rng(); break;
            case 1: k = rng() % 16; break;                          // many repeats
            case 2: k = std::numeric_limits<std::uint64_t>::max() - rng() % 4; break;  // the top bits set
            default: k = std::uint64_t{1} << (rng() % 64); break;   // one bit, in every digit
            }
        }
        auto expected = keys;
        std::sort(expected.begin(), expected.end());
        radix_sort(keys);
        INFO(n << " keys");
        CHECK(keys == expected);
    }
}
