// Internal to lang/: UTF-8 decoding and byte-offset -> line/column mapping.
// PEGTL positions are bytes; diagnostics want 1-based lines and columns in code points.
#pragma once

#include "lang/diagnostic.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace kaohe::utf8 {

struct Decoded {
    char32_t code_point = 0;
    std::size_t length = 1;  // bytes consumed; 1 for an invalid byte
    bool valid = true;
};

// Decodes the code point starting at text[at]. Overlong forms, surrogates and values past
// U+10FFFF are invalid; an invalid sequence consumes one byte.
Decoded decode(std::string_view text, std::size_t at);

// Number of code points in text (an invalid byte counts as one).
std::size_t length(std::string_view text);

// Byte offset of the first invalid UTF-8 sequence, if any.
std::optional<std::size_t> first_invalid(std::string_view text);

// CJK and full-width punctuation: never part of a name (see grammar.hpp, identifiers).
bool is_cjk_punctuation(char32_t c);

}  // namespace kaohe::utf8

namespace kaohe {

inline constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

// Maps byte offsets of one text to line/column (1-based, columns in code points).
class SourceMap {
public:
    explicit SourceMap(std::string_view text);
    SourcePos position(std::size_t byte) const;
    // Span from `begin` to `end` (bytes): length in code points, cut at the end of the first
    // line and with trailing white space trimmed; at least 1.
    Span span(std::size_t begin, std::size_t end) const;
    std::string_view text() const { return text_; }

private:
    std::string_view text_;
    std::vector<std::size_t> line_starts_;
};

}  // namespace kaohe
