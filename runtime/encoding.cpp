#include "runtime/encoding.hpp"

#include "runtime/csv.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <iconv.h>

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

// Skips ASCII eight bytes at a time (most of an evidence table is digits, commas and short
// words). Where a word holds other bytes, the next eight or so go byte by byte: between CJK
// characters (是,否,…) the ASCII comes singly, and a CJK character (E1..EC or EE..EF, then two
// continuation bytes) needs none of utf8_sequence_length's special ranges, so both are checked
// here, inline.
std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
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
