// Comparing short byte strings whose length is known only at run time, without a call to memcmp:
// choice names in evidence cells (a name of 2 to 7 CJK characters is 6 to 21 bytes), typed once
// per cell of a batch run, where the call itself cost more than the comparison.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace kaohe {

// Whether the n bytes at a and at b are equal: 8-byte words, the last one overlapping the one
// before it; a byte at a time below 8.
[[gnu::always_inline]] inline bool same_bytes(const char* a, const char* b, std::size_t n) {
    if (n >= 8) {
        const auto word = [](const char* p) {
            std::uint64_t w;
            std::memcpy(&w, p, sizeof w);
            return w;
        };
        for (std::size_t i = 0; i + 8 < n; i += 8)
            if (word(a + i) != word(b + i)) return false;
        return word(a + n - 8) == word(b + n - 8);
    }
    for (std::size_t i = 0; i < n; ++i)
        if (a[i] != b[i]) return false;
    return true;
}

}  // namespace kaohe
