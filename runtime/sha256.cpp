// SHA-256 as specified in FIPS 180-4, sections 4.1.2 (functions), 4.2.2 (constants),
// 5.1.1 (padding), 5.3.3 (initial hash) and 6.2.2 (computation). Section numbers in the
// comments below refer to that document.
#include "runtime/sha256.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace kaohe {

namespace {

constexpr std::size_t block_bytes = 64;        // 512-bit message blocks
constexpr std::size_t length_field_bytes = 8;  // the message length in bits, big-endian, ends the padding

// 4.2.2: first 32 bits of the fractional parts of the cube roots of the first 64 primes.
constexpr std::array<std::uint32_t, 64> round_constants = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// 5.3.3: first 32 bits of the fractional parts of the square roots of the first 8 primes.
constexpr std::array<std::uint32_t, 8> initial_hash = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

using State = std::array<std::uint32_t, 8>;

std::uint32_t load_big_endian(const unsigned char* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

// 6.2.2: one 64-byte block into the running hash.
void compress(State& hash, const unsigned char* block) {
    std::array<std::uint32_t, 64> w{};  // the message schedule
    for (std::size_t t = 0; t < 16; ++t) w[t] = load_big_endian(block + 4 * t);
    for (std::size_t t = 16; t < 64; ++t) {
        const std::uint32_t s0 = std::rotr(w[t - 15], 7) ^ std::rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        const std::uint32_t s1 = std::rotr(w[t - 2], 17) ^ std::rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    auto [a, b, c, d, e, f, g, h] = hash;
    for (std::size_t t = 0; t < 64; ++t) {
        const std::uint32_t big_sigma1 = std::rotr(e, 6) ^ std::rotr(e, 11) ^ std::rotr(e, 25);
        const std::uint32_t choose = (e & f) ^ (~e & g);
        const std::uint32_t t1 = h + big_sigma1 + choose + round_constants[t] + w[t];
        const std::uint32_t big_sigma0 = std::rotr(a, 2) ^ std::rotr(a, 13) ^ std::rotr(a, 22);
        const std::uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
        const std::uint32_t t2 = big_sigma0 + majority;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    const State working = {a, b, c, d, e, f, g, h};
    for (std::size_t i = 0; i < hash.size(); ++i) hash[i] += working[i];
}

// The same compression with the x86 SHA extensions (Intel SHA-NI, in AMD Zen and Intel since
// Ice Lake), several times faster: batch runs hash every evidence byte they read. Chosen at run
// time (has_sha_extensions), so the binary runs on any x86-64; the test vectors check both.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KAOHE_SHA_NI 1
__attribute__((target("sha,sse4.1,ssse3"))) void compress_sha_ni(State& hash, const unsigned char* data,
                                                                  std::size_t blocks) {
    const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&hash[0]));
    __m128i state1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&hash[4]));
    tmp = _mm_shuffle_epi32(tmp, 0xB1);               // CDAB
    state1 = _mm_shuffle_epi32(state1, 0x1B);         // EFGH
    __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);  // ABEF
    state1 = _mm_blend_epi16(state1, tmp, 0xF0);      // CDGH
    for (; blocks > 0; --blocks, data += block_bytes) {
        const __m128i abef = state0, cdgh = state1;
        __m128i w[4];  // the message schedule, four words at a time, rolling
        for (std::size_t g = 0; g < 16; ++g) {
            __m128i& words = w[g % 4];
            if (g < 4) {
                words = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * g)), byte_swap);
            } else {
                const __m128i& prev = w[(g + 3) % 4];
                words = _mm_sha256msg2_epu32(
                    _mm_add_epi32(_mm_sha256msg1_epu32(words, w[(g + 1) % 4]), _mm_alignr_epi8(prev, w[(g + 2) % 4], 4)),
                    prev);
            }
            __m128i msg = _mm_add_epi32(words, _mm_loadu_si128(reinterpret_cast<const __m128i*>(&round_constants[4 * g])));
            state1 = _mm_sha256rnds2_epu32(state1, state0, msg);
            msg = _mm_shuffle_epi32(msg, 0x0E);
            state0 = _mm_sha256rnds2_epu32(state0, state1, msg);
        }
        state0 = _mm_add_epi32(state0, abef);
        state1 = _mm_add_epi32(state1, cdgh);
    }
    tmp = _mm_shuffle_epi32(state0, 0x1B);        // FEBA
    state1 = _mm_shuffle_epi32(state1, 0xB1);     // DCHG
    state0 = _mm_blend_epi16(tmp, state1, 0xF0);  // DCBA
    state1 = _mm_alignr_epi8(state1, tmp, 8);     // ABEF
    _mm_storeu_si128(reinterpret_cast<__m128i*>(&hash[0]), state0);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(&hash[4]), state1);
}

// Asked of CPUID directly: clang 14 does not know __builtin_cpu_supports("sha").
// SHA extensions: leaf 7 subleaf 0, EBX bit 29; SSE4.1: leaf 1, ECX bit 19.
bool cpu_has_sha_extensions() {
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 19))) return false;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
    return (b & (1u << 29)) != 0;
}

bool has_sha_extensions() {
    static const bool has = cpu_has_sha_extensions();
    return has;
}
#endif

// Whole blocks into the running hash, the fastest way this machine has.
void compress_blocks(State& hash, const unsigned char* data, std::size_t blocks) {
#ifdef KAOHE_SHA_NI
    if (has_sha_extensions()) return compress_sha_ni(hash, data, blocks);
#endif
    for (; blocks > 0; --blocks, data += block_bytes) compress(hash, data);
}

}  // namespace

Sha256Stream::Sha256Stream() : state_(initial_hash) {}

void Sha256Stream::update(std::string_view bytes) {
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    std::size_t size = bytes.size();
    total_ += size;
    if (pending_size_ != 0) {  // complete the block begun by the last piece
        const std::size_t take = std::min(size, block_bytes - pending_size_);
        std::copy(data, data + take, pending_.begin() + static_cast<std::ptrdiff_t>(pending_size_));
        pending_size_ += take;
        data += take;
        size -= take;
        if (pending_size_ < block_bytes) return;
        compress_blocks(state_, pending_.data(), 1);
        pending_size_ = 0;
    }
    const std::size_t blocks = size / block_bytes;
    compress_blocks(state_, data, blocks);
    data += blocks * block_bytes;
    size -= blocks * block_bytes;
    std::copy(data, data + size, pending_.begin());
    pending_size_ = size;
}

Sha256Digest Sha256Stream::finish() {
    // 5.1.1: the tail, a 1 bit, zeros, and the 64-bit length; one or two final blocks.
    std::array<unsigned char, 2 * block_bytes> tail{};
    std::copy(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(pending_size_), tail.begin());
    tail[pending_size_] = 0x80;
    const std::size_t padded = pending_size_ + 1 + length_field_bytes <= block_bytes ? block_bytes : 2 * block_bytes;
    const std::uint64_t bit_length = total_ * 8;  // mod 2^64, as specified
    for (std::size_t i = 0; i < length_field_bytes; ++i) {
        tail[padded - 1 - i] = static_cast<unsigned char>(bit_length >> (8 * i));
    }
    compress_blocks(state_, tail.data(), padded / block_bytes);

    Sha256Digest digest{};
    for (std::size_t i = 0; i < state_.size(); ++i) {
        for (std::size_t j = 0; j < 4; ++j) digest[4 * i + j] = static_cast<std::uint8_t>(state_[i] >> (24 - 8 * j));
    }
    return digest;
}

Sha256Digest sha256(std::string_view bytes) {
    Sha256Stream stream;
    stream.update(bytes);
    return stream.finish();
}

std::string to_hex(const Sha256Digest& digest) {
    constexpr std::string_view hex_digits = "0123456789abcdef";
    std::string text;
    text.reserve(2 * digest.size());
    for (const std::uint8_t byte : digest) {
        text += hex_digits[byte >> 4];
        text += hex_digits[byte & 0x0f];
    }
    return text;
}

}  // namespace kaohe
