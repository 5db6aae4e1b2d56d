// The encodings evidence tables come in, as Excel saves them (docs/evidence.md "Encodings"):
// UTF-8 with or without a BOM ("CSV UTF-8") and GBK (plain "CSV" on Chinese Windows, code page
// 936). GBK is decoded as GB18030, its superset, by iconv(3) (glibc), plus the one byte CP936
// has and GB18030 has not: 0x80, the euro sign. The text is transcoded to UTF-8 before it is
// parsed, so the CSV reader, the typing and every diagnostic see one encoding; line numbers are
// the file's (GBK line ends are ASCII) and columns count characters, as in a UTF-8 file.
#pragma once

#include "lang/diagnostic.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kaohe {

// How to read a table: `detect` (the default, `--encoding auto`) decides per file.
enum class TextEncoding : std::uint8_t { detect, utf8, gbk };

// Detection looks at this many bytes from the first byte that is not ASCII (everything before
// it reads the same in both encodings): a table's header alone decides it, and a streamed
// table holds back no more than this before it is decided.
inline constexpr std::size_t encoding_sample_bytes = 1u << 20;

// ---- UTF-8 ------------------------------------------------------------------------------------

// Length of the well-formed UTF-8 sequence starting at text[i], or 0 when it is not one
// (overlong forms, surrogates and code points past U+10FFFF are not well-formed).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

// The first byte that is not well-formed UTF-8 (ASCII is skipped eight bytes at a time).
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

// The help line of the invalid-UTF-8 error (runtime/csv.cpp), which names the way out.
inline constexpr std::string_view invalid_utf8_hint =
    "save it from Excel as \"CSV UTF-8 (逗号分隔)\"; a plain \"CSV\" on Chinese Windows is GBK: read it "
    "with --encoding gbk";

// ---- GBK --------------------------------------------------------------------------------------

// GBK (GB18030, and CP936's 0x80 = €) to UTF-8, fed the bytes of one file in order: a character
// cut between two pieces is held back and completed by the next.
class GbkDecoder {
public:
    GbkDecoder();
    ~GbkDecoder();
    GbkDecoder(const GbkDecoder&) = delete;
    GbkDecoder& operator=(const GbkDecoder&) = delete;

    // Appends the UTF-8 of `bytes` to `out`; a character cut at the end is held back unless
    // `last` (the end of the file: then it is an error). False at the first byte that starts no
    // GBK character: `out` then ends with the text before it and consumed() is its offset.
    bool feed(std::string_view bytes, std::string& out, bool last);
    // Bytes decoded so far (after a failure, the offset of the byte in the file).
    std::uint64_t consumed() const { return consumed_; }

private:
    void* cd_;          // the iconv_t
    std::string held_;  // the start of a character cut at the end of the last piece
    std::uint64_t consumed_ = 0;
};

// ---- tables -----------------------------------------------------------------------------------

// The reading of one table, decided once for the whole file (the rule of docs/evidence.md):
// a BOM means UTF-8; else the encoding_sample_bytes from the first non-ASCII byte decide:
// UTF-8 when they are UTF-8 with a character of three or more bytes (every Chinese character),
// GBK when they decode as GBK, UTF-8 when they are UTF-8 of two-byte characters only and not
// GBK; a sample that is neither is an error at the byte where the reading that got further
// stopped. All-ASCII text is UTF-8.
class TableDecoder {
public:
    explicit TableDecoder(TextEncoding requested);

    // Feeds the file's next bytes and appends its text, in UTF-8, to `out`: the bytes themselves
    // when the table is read as UTF-8 (their validity is then the CSV reader's check, with its
    // own message), their transcoding when GBK. While undecided, bytes from the first non-ASCII
    // byte on are held back until the sample is complete or `last` (the file's last bytes). False
    // at a byte the reading does not allow: `out` ends with the text before it, and message()
    // and hint() say what to report there; it is not to be fed again.
    bool feed(std::string_view bytes, std::string& out, bool last);

    TextEncoding encoding() const { return encoding_; }  // `detect` while undecided
    bool failed() const { return failed_; }
    const std::string& message() const { return message_; }
    const std::string& hint() const { return hint_; }
    std::uint64_t failed_at() const { return failed_at_; }  // after a failure, the bad byte's offset in the file

private:
    bool fail(std::string message, std::string hint);
    TextEncoding requested_;
    TextEncoding encoding_;
    std::uint64_t passed_ = 0;  // ASCII bytes passed on before the decision
    std::string held_;         // undecided bytes, from the first non-ASCII byte
    std::optional<GbkDecoder> gbk_;
    bool failed_ = false;
    std::uint64_t failed_at_ = 0;
    std::string message_, hint_;
};

// A whole table's text, in UTF-8: `bytes` themselves when the table is read as UTF-8 (no copy),
// else their transcoding, kept in `storage`. nullopt after reporting a byte in no allowed
// encoding at its line and column; `storage` then holds the text before it (and `*failed_at`
// the byte's offset).
std::optional<std::string_view> table_text(std::string_view bytes, TextEncoding requested, const std::string& path,
                                           std::string& storage, Diagnostics& diags,
                                           std::uint64_t* failed_at = nullptr);

// The same text for showing source lines under diagnostics: the table as it was read, and when
// it stopped at a bad byte, the text before it, the byte, then the rest read the same way.
std::string table_text_for_display(std::string bytes, TextEncoding requested);

}  // namespace kaohe
