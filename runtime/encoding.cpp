#include "runtime/encoding.hpp"

#include "runtime/csv.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <iconv.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace kaohe {
namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
constexpr std::string_view euro_utf8 = "\xE2\x82\xAC";  // U+20AC, CP936's byte 0x80

// The first byte that is not ASCII, skipping eight bytes at a time; text.size() when none.
std::size_t first_non_ascii(std::string_view text) {
    std::size_t i = 0;
    const std::size_t n = text.size();
    for (; i + 8 <= n; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, text.data() + i, 8);
        if ((word & 0x8080808080808080ull) != 0) break;
    }
    while (i < n && static_cast<unsigned char>(text[i]) < 0x80) ++i;
    return i;
}

struct Verdict {
    TextEncoding encoding;           // utf8 or gbk; when `bad`, the reading that got further
    std::optional<std::size_t> bad;  // neither: the byte where that reading stopped
};

// The detection rule (encoding.hpp, TableDecoder) on `sample`, which starts at the first
// non-ASCII byte of a file (`at_file_start` when that is the file's first byte) and runs to the
// file's end when `at_end`. A character cut at the sample's end is no evidence either way.
Verdict judge(std::string_view sample, bool at_file_start, bool at_end) {
    if (at_file_start && sample.starts_with(utf8_bom)) return {TextEncoding::utf8, std::nullopt};
    std::optional<std::size_t> utf8_bad;
    bool wide = false;  // a UTF-8 character of three or four bytes
    for (std::size_t i = first_non_ascii(sample); i < sample.size();) {
        const std::size_t len = utf8_sequence_length(sample, i);
        if (len == 0) {
            if (!at_end && sample.size() - i < 4) break;  // perhaps a character cut by the sample's end
            utf8_bad = i;
            break;
        }
        wide = wide || len >= 3;
        i += len + first_non_ascii(sample.substr(i + len));
    }
    if (!utf8_bad && wide) return {TextEncoding::utf8, std::nullopt};
    GbkDecoder gbk;
    std::string sink;
    const bool is_gbk = gbk.feed(sample, sink, at_end);
    if (is_gbk) return {TextEncoding::gbk, std::nullopt};
    if (!utf8_bad) return {TextEncoding::utf8, std::nullopt};
    if (gbk.consumed() > *utf8_bad) return {TextEncoding::gbk, static_cast<std::size_t>(gbk.consumed())};
    return {TextEncoding::utf8, utf8_bad};
}

}  // namespace

// ---- UTF-8 ------------------------------------------------------------------------------------

std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char b0 = byte(i);
    if (b0 < 0x80) return 1;
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        if (b0 == 0xE0) lo = 0xA0;  // overlong
        if (b0 == 0xED) hi = 0x9F;  // surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        if (b0 == 0xF0) lo = 0x90;  // overlong
        if (b0 == 0xF4) hi = 0x8F;  // past U+10FFFF
    } else {
        return 0;
    }
    if (i + len > text.size()) return 0;
    if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
    for (std::size_t k = 2; k < len; ++k)
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
    return len;
}

namespace {

// The scalar check: ASCII skipped eight bytes at a time (most of an evidence table is digits,
// commas and short words). Where a word holds other bytes, the next eight or so go byte by
// byte: between CJK characters (是,否,…) the ASCII comes singly, and a CJK character (E1..EC or
// EE..EF, then two continuation bytes) needs none of utf8_sequence_length's special ranges, so
// both are checked here, inline.
std::optional<std::size_t> first_invalid_scalar(std::string_view text) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        if (i + 8 <= n) {
            std::uint64_t word;
            std::memcpy(&word, p + i, 8);
            if ((word & 0x8080808080808080ull) == 0) {
                i += 8;
                continue;
            }
        }
        for (const std::size_t stop = std::min(n, i + 8); i < stop;) {
            const unsigned char b0 = p[i];
            if (b0 < 0x80) {
                ++i;
            } else if (b0 >= 0xE1 && b0 <= 0xEF && b0 != 0xED && i + 3 <= n && (p[i + 1] & 0xC0) == 0x80 &&
                       (p[i + 2] & 0xC0) == 0x80) {
                i += 3;
            } else {
                const std::size_t len = utf8_sequence_length(text, i);
                if (len == 0) return i;
                i += len;
            }
        }
    }
    return std::nullopt;
}

#if defined(__x86_64__)
// Sixteen bytes at a time with SSSE3 (the method of Keiser and Lemire, "Validating UTF-8 in less
// than one instruction per byte", 2021). Each byte is checked against the one before it: every
// way a pair of bytes can be wrong is one bit, and each bit's condition is a conjunction of
// conditions on the first byte's high nibble, its low nibble and the second byte's high nibble,
// so three 16-entry lookups ANDed together give the pair's errors. The tables are derived here
// from those conditions (Unicode 15, Table 3-7), not written out.
namespace pairs {
enum : std::uint8_t {
    too_short = 1 << 0,   // a lead byte, then no continuation byte
    too_long = 1 << 1,    // ASCII, then a continuation byte
    overlong_3 = 1 << 2,  // E0, then 80..9F
    too_large = 1 << 3,   // F4..FF, then 90..BF (past U+10FFFF)
    surrogate = 1 << 4,   // ED, then A0..BF
    overlong_2 = 1 << 5,  // C0 or C1, then a continuation byte
    f_then_8 = 1 << 6,    // F0 (overlong) or F5..FF (too large), then 80..8F
    two_conts = 1 << 7,   // two continuation bytes: right only as a 3- or 4-byte character's tail
};

constexpr bool is_lead(unsigned high) { return high >= 0xC; }
constexpr bool is_cont(unsigned high) { return high >= 0x8 && high <= 0xB; }

// Which error bits hold for a first byte with this high nibble, ... with this low nibble, and
// for a second byte with this high nibble.
constexpr std::uint8_t first_high(unsigned h) {
    std::uint8_t bits = 0;
    if (is_lead(h)) bits |= too_short;
    if (h < 0x8) bits |= too_long;
    if (h == 0xE) bits |= overlong_3 | surrogate;
    if (h == 0xF) bits |= too_large | f_then_8;
    if (h == 0xC) bits |= overlong_2;
    if (is_cont(h)) bits |= two_conts;
    return bits;
}
constexpr std::uint8_t first_low(unsigned l) {
    std::uint8_t bits = too_short | too_long | two_conts;  // no condition on the low nibble
    if (l == 0x0) bits |= overlong_3;
    if (l >= 0x4) bits |= too_large;
    if (l == 0xD) bits |= surrogate;
    if (l <= 0x1) bits |= overlong_2;
    if (l == 0x0 || l >= 0x5) bits |= f_then_8;
    return bits;
}
constexpr std::uint8_t second_high(unsigned h) {
    std::uint8_t bits = 0;
    if (!is_cont(h)) bits |= too_short;
    if (is_cont(h)) bits |= too_long | overlong_2 | two_conts;
    if (h == 0x8 || h == 0x9) bits |= overlong_3;
    if (h >= 0x9 && h <= 0xB) bits |= too_large;
    if (h == 0xA || h == 0xB) bits |= surrogate;
    if (h == 0x8) bits |= f_then_8;
    return bits;
}

template <std::uint8_t (*F)(unsigned)>
__attribute__((target("ssse3"))) __m128i table() {
    alignas(16) std::uint8_t t[16];
    for (unsigned k = 0; k < 16; ++k) t[k] = F(k);
    return _mm_load_si128(reinterpret_cast<const __m128i*>(t));
}
}  // namespace pairs

// The running state of the check over consecutive 16-byte blocks.
struct Ssse3Check {
    __m128i first_high, first_low, second_high;
    __m128i error, previous, unfinished;

    __attribute__((target("ssse3"))) Ssse3Check()
        : first_high(pairs::table<pairs::first_high>()), first_low(pairs::table<pairs::first_low>()),
          second_high(pairs::table<pairs::second_high>()), error(_mm_setzero_si128()),
          previous(_mm_setzero_si128()), unfinished(_mm_setzero_si128()) {}

    __attribute__((target("ssse3"))) void block(__m128i input) {
        if (_mm_movemask_epi8(input) == 0) {  // all ASCII: only a character left unfinished is wrong
            error = _mm_or_si128(error, unfinished);
            unfinished = _mm_setzero_si128();
            previous = input;
            return;
        }
        const __m128i nibble = _mm_set1_epi8(0x0F);
        const __m128i prev1 = _mm_alignr_epi8(input, previous, 15);
        const __m128i errors = _mm_and_si128(
            _mm_and_si128(_mm_shuffle_epi8(first_high, _mm_and_si128(_mm_srli_epi16(prev1, 4), nibble)),
                          _mm_shuffle_epi8(first_low, _mm_and_si128(prev1, nibble))),
            _mm_shuffle_epi8(second_high, _mm_and_si128(_mm_srli_epi16(input, 4), nibble)));
        // Bytes two after a lead of 3+ bytes or three after a lead of 4 must be continuations,
        // and are the only continuations that may follow continuations: bit 7 of each.
        const __m128i third = _mm_subs_epu8(_mm_alignr_epi8(input, previous, 14), _mm_set1_epi8(0xE0 - 0x80));
        const __m128i fourth = _mm_subs_epu8(_mm_alignr_epi8(input, previous, 13), _mm_set1_epi8(0xF0 - 0x80));
        const __m128i must_follow = _mm_and_si128(_mm_or_si128(third, fourth), _mm_set1_epi8(static_cast<char>(0x80)));
        error = _mm_or_si128(error, _mm_xor_si128(must_follow, errors));
        // The last three bytes may not start a character that needs more bytes than are left.
        const __m128i last_leads = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                                 static_cast<char>(0xF0 - 1), static_cast<char>(0xE0 - 1),
                                                 static_cast<char>(0xC0 - 1));
        unfinished = _mm_subs_epu8(input, last_leads);
        previous = input;
    }

    __attribute__((target("ssse3"))) bool ok() const {
        const __m128i all = _mm_or_si128(error, unfinished);
        return _mm_movemask_epi8(_mm_cmpeq_epi8(all, _mm_setzero_si128())) == 0xFFFF;
    }
};

__attribute__((target("ssse3"))) bool is_utf8_ssse3(std::string_view text) {
    Ssse3Check check;
    const auto* p = text.data();
    std::size_t i = 0;
    for (; i + 16 <= text.size(); i += 16) check.block(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)));
    if (i < text.size()) {  // the rest, then zeros: ASCII, which ends any character before it
        alignas(16) char rest[16] = {};
        std::memcpy(rest, p + i, text.size() - i);
        check.block(_mm_load_si128(reinterpret_cast<const __m128i*>(rest)));
    }
    return check.ok();
}

bool has_ssse3() {
    static const bool has = __builtin_cpu_supports("ssse3");
    return has;
}
#endif

}  // namespace

// The SSSE3 check says whether the text is well-formed; only when it is not (or without SSSE3)
// does the scalar check walk it, to say where.
std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
#if defined(__x86_64__)
    if (has_ssse3() && is_utf8_ssse3(text)) return std::nullopt;
#endif
    return first_invalid_scalar(text);
}

// ---- GBK --------------------------------------------------------------------------------------

GbkDecoder::GbkDecoder() : cd_(::iconv_open("UTF-8", "GB18030")) {
    if (cd_ == reinterpret_cast<void*>(static_cast<std::intptr_t>(-1)))
        throw std::runtime_error("iconv cannot convert GB18030 to UTF-8 on this system");
}

GbkDecoder::~GbkDecoder() { ::iconv_close(static_cast<iconv_t>(cd_)); }

bool GbkDecoder::feed(std::string_view bytes, std::string& out, bool last) {
    std::string joined;
    if (!held_.empty()) {  // a character cut at the end of the last piece
        joined = held_;
        joined += bytes;
        bytes = joined;
        held_.clear();
    }
    const std::uint64_t base = consumed_;  // the file offset of bytes[0]
    char* in = const_cast<char*>(bytes.data());
    std::size_t in_left = bytes.size();
    const auto at = [&] { return base + static_cast<std::uint64_t>(in - bytes.data()); };
    while (in_left > 0) {
        const std::size_t old = out.size();
        const std::size_t room = in_left * 2 + 16;  // a character's UTF-8 is at most twice its GBK bytes
        out.resize(old + room);
        char* to = out.data() + old;
        std::size_t to_left = room;
        const std::size_t done = ::iconv(static_cast<iconv_t>(cd_), &in, &in_left, &to, &to_left);
        const int error = errno;
        out.resize(old + (room - to_left));
        if (done != static_cast<std::size_t>(-1)) break;
        if (error == E2BIG) continue;
        if (error == EINVAL && !last) {  // a character cut at the end: completed by the next piece
            held_.assign(in, in_left);
            consumed_ = at();
            return true;
        }
        if (error == EILSEQ && static_cast<unsigned char>(*in) == 0x80) {  // CP936's euro sign
            out += euro_utf8;
            ++in;
            --in_left;
            continue;
        }
        consumed_ = at();  // the byte that starts no character (or a character cut by the end of the file)
        return false;
    }
    consumed_ = at();
    return true;
}

// ---- tables -----------------------------------------------------------------------------------

TableDecoder::TableDecoder(TextEncoding requested) : requested_(requested), encoding_(requested) {
    if (encoding_ == TextEncoding::gbk) gbk_.emplace();
}

bool TableDecoder::fail(std::string message, std::string hint) {
    failed_ = true;
    message_ = std::move(message);
    hint_ = std::move(hint);
    return false;
}

bool TableDecoder::feed(std::string_view bytes, std::string& out, bool last) {
    if (failed_) return false;
    if (encoding_ == TextEncoding::utf8) {
        out += bytes;
        return true;
    }
    if (encoding_ == TextEncoding::gbk) {
        if (gbk_->feed(bytes, out, last)) return true;
        failed_at_ = passed_ + gbk_->consumed();
        if (requested_ == TextEncoding::gbk)
            return fail("the table is not valid GBK: this byte starts no GBK (GB18030) character",
                        "--encoding gbk reads it as GBK; without it the encoding is detected");
        return fail("the table is not valid GBK: this byte starts no GBK (GB18030) character",
                    "its first non-ASCII text was read as GBK; save it from Excel as \"CSV UTF-8 (逗号分隔)\", "
                    "or name its encoding with --encoding utf-8 or --encoding gbk");
    }
    // Undecided: ASCII reads the same either way and passes on until the first other byte.
    if (held_.empty()) {
        const std::size_t ascii = first_non_ascii(bytes);
        out += bytes.substr(0, ascii);
        passed_ += ascii;
        bytes.remove_prefix(ascii);
        if (bytes.empty() && !last) return true;
    }
    held_ += bytes;
    if (held_.size() < encoding_sample_bytes && !last) return true;
    std::string held = std::move(held_);
    held_.clear();
    if (held.empty()) {  // all ASCII
        encoding_ = TextEncoding::utf8;
        return true;
    }
    const std::string_view sample = std::string_view(held).substr(0, encoding_sample_bytes);
    const Verdict verdict = judge(sample, passed_ == 0, last && held.size() <= encoding_sample_bytes);
    encoding_ = verdict.encoding;
    if (encoding_ == TextEncoding::gbk) gbk_.emplace();
    if (!verdict.bad) return feed(held, out, last);
    // Neither: the text up to where the reading that got further stopped.
    const std::string_view before = std::string_view(held).substr(0, *verdict.bad);
    if (encoding_ == TextEncoding::utf8) out += before;
    else gbk_->feed(before, out, true);
    failed_at_ = passed_ + *verdict.bad;
    return fail(encoding_ == TextEncoding::utf8
                    ? "the table is neither UTF-8 nor GBK: this byte starts no UTF-8 character (as GBK, it goes "
                      "wrong no later)"
                    : "the table is neither UTF-8 nor GBK: this byte starts no GBK character (as UTF-8, it goes "
                      "wrong sooner)",
                "save it from Excel as \"CSV UTF-8 (逗号分隔)\" (or plain \"CSV\", which is GBK), or name its "
                "encoding with --encoding utf-8 or --encoding gbk");
}

std::optional<std::string_view> table_text(std::string_view bytes, TextEncoding requested, const std::string& path,
                                           std::string& storage, Diagnostics& diags, std::uint64_t* failed_at) {
    storage.clear();
    if (requested == TextEncoding::utf8) return bytes;
    if (requested == TextEncoding::detect) {  // decided without copying the text when it is UTF-8
        const std::size_t start = first_non_ascii(bytes);
        if (start == bytes.size()) return bytes;
        const Verdict verdict = judge(bytes.substr(start, encoding_sample_bytes), start == 0,
                                      bytes.size() - start <= encoding_sample_bytes);
        if (verdict.encoding == TextEncoding::utf8 && !verdict.bad) return bytes;
    }
    TableDecoder decoder(requested);
    if (decoder.feed(bytes, storage, true)) return std::string_view(storage);
    if (failed_at) *failed_at = decoder.failed_at();
    diags.error(path, Span{csv_position_after(storage), 1}, decoder.message(), decoder.hint());
    return std::nullopt;
}

std::string table_text_for_display(std::string bytes, TextEncoding requested) {
    std::string storage;
    Diagnostics ignored;
    std::uint64_t failed_at = 0;
    if (const auto text = table_text(bytes, requested, "", storage, ignored, &failed_at))
        return text->data() == bytes.data() ? std::move(bytes) : std::move(storage);
    if (failed_at >= bytes.size()) return storage;
    const std::string_view rest = std::string_view(bytes).substr(failed_at);
    if (std::string_view(bytes).substr(0, failed_at) == storage) {  // read as UTF-8: the rest as it is
        storage += rest;
        return storage;
    }
    // Read as GBK: the bad byte as it is, then the rest as GBK as far as it goes, and so on.
    for (std::size_t i = 0; i < rest.size();) {
        storage += rest[i++];
        GbkDecoder gbk;
        gbk.feed(rest.substr(i), storage, true);
        i += static_cast<std::size_t>(gbk.consumed());
    }
    return storage;
}

}  // namespace kaohe
