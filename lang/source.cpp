#include "lang/source.hpp"

#include <algorithm>

namespace kaohe::utf8 {

Decoded decode(std::string_view text, std::size_t at) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(at);
    if (lead < 0x80) return {lead, 1, true};
    std::size_t len = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if ((lead & 0xE0) == 0xC0) { len = 2; cp = lead & 0x1F; min = 0x80; }
    else if ((lead & 0xF0) == 0xE0) { len = 3; cp = lead & 0x0F; min = 0x800; }
    else if ((lead & 0xF8) == 0xF0) { len = 4; cp = lead & 0x07; min = 0x10000; }
    else return {0xFFFD, 1, false};
    if (at + len > text.size()) return {0xFFFD, 1, false};
    for (std::size_t i = 1; i < len; ++i) {
        const unsigned char b = byte(at + i);
        if ((b & 0xC0) != 0x80) return {0xFFFD, 1, false};
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0xFFFD, 1, false};
    return {cp, len, true};
}

std::size_t length(std::string_view text) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < text.size(); i += decode(text, i).length) ++n;
    return n;
}

std::optional<std::size_t> first_invalid(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const Decoded d = decode(text, i);
        if (!d.valid) return i;
        i += d.length;
    }
    return std::nullopt;
}

bool is_cjk_punctuation(char32_t c) {
    return (c >= 0x3000 && c <= 0x303F)      // CJK symbols and punctuation: 、。〈〉《》「」【】〔〕 and U+3000 space
        || (c >= 0xFF01 && c <= 0xFF0F)      // full-width ！＂＃＄％＆＇（）＊＋，－．／
        || (c >= 0xFF1A && c <= 0xFF20)      // full-width ：；＜＝＞？＠
        || (c >= 0xFF3B && c <= 0xFF40)      // full-width ［＼］＾＿｀
        || (c >= 0xFF5B && c <= 0xFF65)      // full-width ｛｜｝～ and half-width CJK punctuation
        || (c >= 0xFE30 && c <= 0xFE4F)      // CJK compatibility forms (vertical punctuation)
        || (c >= 0x2010 && c <= 0x2027)      // dashes — –, quotes ‘’“”, bullets, ellipsis …
        || (c >= 0x2030 && c <= 0x205E)      // ‰ ′ ″ ‹ › and other general punctuation
        || c == 0x00A0                       // no-break space: looks like a space, is not one
        || c == 0xFEFF;                      // byte order mark / zero-width no-break space
    // U+00B7 middle dot (·) is allowed in names: it joins transliterated personal names.
}

}  // namespace kaohe::utf8

namespace kaohe {

SourceMap::SourceMap(std::string_view text) : text_(text) {
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n') line_starts_.push_back(i + 1);
}

SourcePos SourceMap::position(std::size_t byte) const {
    byte = std::min(byte, text_.size());
    const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), byte);
    const std::size_t line_index = static_cast<std::size_t>(it - line_starts_.begin()) - 1;
    const std::size_t start = line_starts_[line_index];
    const std::size_t column = utf8::length(text_.substr(start, byte - start)) + 1;
    return {static_cast<std::uint32_t>(line_index + 1), static_cast<std::uint32_t>(column)};
}

Span SourceMap::span(std::size_t begin, std::size_t end) const {
    begin = std::min(begin, text_.size());
    end = std::clamp(end, begin, text_.size());
    std::string_view piece = text_.substr(begin, end - begin);
    if (const auto nl = piece.find_first_of("\r\n"); nl != std::string_view::npos) piece = piece.substr(0, nl);
    while (!piece.empty() && (piece.back() == ' ' || piece.back() == '\t')) piece.remove_suffix(1);
    const std::size_t n = utf8::length(piece);
    return {position(begin), static_cast<std::uint32_t>(std::max<std::size_t>(n, 1))};
}

}  // namespace kaohe
