// SHA-256 (FIPS 180-4): stamps every result with the digest of its scheme and evidence, and
// checks .khc payloads. Ours rather than a crypto library's: it is ~100 lines, and a digest
// is all we need of one.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace kaohe {

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest sha256(std::string_view bytes);
std::string to_hex(const Sha256Digest& digest);  // 64 lower-case hex digits

}  // namespace kaohe
