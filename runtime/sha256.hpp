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

// The same digest computed piece by piece, for inputs streamed rather than read whole (batch
// runs over large CSV tables): update() with consecutive pieces, then finish() once.
class Sha256Stream {
public:
    Sha256Stream();
    void update(std::string_view bytes);
    Sha256Digest finish();

private:
    std::array<std::uint32_t, 8> state_;
    std::array<unsigned char, 64> pending_{};  // bytes not yet making a whole block
    std::size_t pending_size_ = 0;
    std::uint64_t total_ = 0;                  // bytes seen
};
std::string to_hex(const Sha256Digest& digest);  // 64 lower-case hex digits

}  // namespace kaohe
