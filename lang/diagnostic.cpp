#include "lang/diagnostic.hpp"

#include "lang/source.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

namespace kaohe {

void Diagnostics::error(std::string file, Span span, std::string message, std::string suggestion) {
    add({Severity::error, std::move(file), span, std::move(message), std::move(suggestion)});
}

void Diagnostics::warning(std::string file, Span span, std::string message, std::string suggestion) {
    add({Severity::warning, std::move(file), span, std::move(message), std::move(suggestion)});
}

void Diagnostics::note(std::string file, Span span, std::string message) {
    add({Severity::note, std::move(file), span, std::move(message), {}});
}

void Diagnostics::internal(std::string message) {
    add({Severity::internal, {}, {}, std::move(message), {}});
}

void Diagnostics::add(Diagnostic d) { items_.push_back(std::move(d)); }

std::size_t Diagnostics::error_count() const {
    return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) {
        return d.severity == Severity::error || d.severity == Severity::internal;
    }));
}

std::size_t Diagnostics::warning_count() const {
    return static_cast<std::size_t>(std::count_if(
        items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::warning; }));
}

namespace {

bool is_zero_width(char32_t c) {
    return (c >= 0x0300 && c <= 0x036F)     // combining diacritical marks
        || (c >= 0x1AB0 && c <= 0x1AFF)     // combining diacritical marks extended
        || (c >= 0x1DC0 && c <= 0x1DFF)     // combining diacritical marks supplement
        || (c >= 0x20D0 && c <= 0x20FF)     // combining marks for symbols
        || (c >= 0xFE20 && c <= 0xFE2F)     // combining half marks
        || (c >= 0x200B && c <= 0x200F)     // zero-width space, joiners, direction marks
        || c == 0xFEFF;                     // byte order mark
}

bool is_wide(char32_t c) {
    return (c >= 0x1100 && c <= 0x115F)     // Hangul Jamo initials
        || (c >= 0x2E80 && c <= 0xA4CF)     // CJK radicals ... Yi (includes CJK punctuation and ideographs)
        || (c >= 0xAC00 && c <= 0xD7A3)     // Hangul syllables
        || (c >= 0xF900 && c <= 0xFAFF)     // CJK compatibility ideographs
        || (c >= 0xFE30 && c <= 0xFE4F)     // CJK compatibility forms
        || (c >= 0xFF00 && c <= 0xFF60)     // full-width forms
        || (c >= 0xFFE0 && c <= 0xFFE6)     // full-width signs
        || (c >= 0x20000 && c <= 0x3FFFD);  // CJK extension B and beyond
}

std::size_t width_of(const utf8::Decoded& d) {
    if (!d.valid) return 1;
    if (is_zero_width(d.code_point)) return 0;
    return is_wide(d.code_point) ? 2 : 1;
}

const char* severity_word(Severity s) {
    switch (s) {
        case Severity::error: return "error";
        case Severity::warning: return "warning";
        case Severity::note: return "note";
        case Severity::internal: return "internal error";
    }
    return "error";
}

// The text of 1-based line `line` of source, without its line ending.
std::string_view line_text(std::string_view source, std::uint32_t line) {
    std::size_t start = 0;
    for (std::uint32_t l = 1; l < line; ++l) {
        const std::size_t nl = source.find('\n', start);
        if (nl == std::string_view::npos) return {};
        start = nl + 1;
    }
    std::size_t end = source.find('\n', start);
    if (end == std::string_view::npos) end = source.size();
    std::string_view text = source.substr(start, end - start);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    return text;
}

// Byte offset in `line` of 1-based code point column `column` (clamped to the line's end).
std::size_t byte_of_column(std::string_view line, std::uint32_t column) {
    std::size_t at = 0;
    for (std::uint32_t c = 1; c < column && at < line.size(); ++c) at += utf8::decode(line, at).length;
    return std::min(at, line.size());
}

// The caret line: white space up to the span (tabs kept, so it lines up under the source line),
// then ^ and one ~ for each further display column of the span.
std::string caret_line(std::string_view line, const Span& span) {
    std::string out;
    const std::size_t begin = byte_of_column(line, span.begin.column);
    for (std::size_t i = 0; i < begin;) {
        const utf8::Decoded d = utf8::decode(line, i);
        if (line[i] == '\t') out += '\t';
        else out.append(width_of(d), ' ');
        i += d.length;
    }
    const std::size_t end = byte_of_column(line, span.begin.column + std::max<std::uint32_t>(span.length, 1));
    const std::size_t width = std::max<std::size_t>(display_width(line.substr(begin, end - begin)), 1);
    out += '^';
    out.append(width - 1, '~');
    return out;
}

// A source line is shown whole up to this many code points; a longer one (a number with 100,000
// digits, a minified file) is shown as a window of this many code points around the caret, with
// "..." where it was cut, so one diagnostic stays one screen line.
constexpr std::uint32_t max_shown_line = 160;
constexpr std::uint32_t shown_before_caret = 40;

struct ShownLine {
    std::string text;
    Span span;  // the diagnostic's span, moved to the shown text
};

// The line as it may be printed to a terminal: bytes that are not UTF-8 and control characters
// (a binary file's escape sequences) become U+FFFD, one column each like the byte they replace.
std::string printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const utf8::Decoded d = utf8::decode(text, i);
        const bool control = d.valid && ((d.code_point < 0x20 && d.code_point != '\t') || d.code_point == 0x7F);
        if (!d.valid || control) out += "\xEF\xBF\xBD";
        else out += text.substr(i, d.length);
        i += d.length;
    }
    return out;
}

ShownLine shown_line(std::string_view line, Span span) {
    if (line.size() <= max_shown_line) return {printable(line), span};  // bytes >= code points
    std::uint32_t first = 1;
    if (span.begin.column > shown_before_caret) first = span.begin.column - shown_before_caret;
    const std::size_t begin = byte_of_column(line, first);
    const std::size_t end = byte_of_column(line.substr(begin), max_shown_line + 1) + begin;
    if (begin == 0 && end == line.size()) return {printable(line), span};
    ShownLine shown;
    const std::string_view cut = "...";
    if (begin > 0) shown.text += cut;
    shown.text += printable(line.substr(begin, end - begin));
    if (end < line.size()) shown.text += cut;
    shown.span = span;
    shown.span.begin.column = span.begin.column - first + 1 + (begin > 0 ? static_cast<std::uint32_t>(cut.size()) : 0);
    shown.span.length = std::min(span.length, max_shown_line);
    return shown;
}

}  // namespace

std::size_t display_width(std::string_view text) {
    std::size_t width = 0;
    for (std::size_t i = 0; i < text.size();) {
        const utf8::Decoded d = utf8::decode(text, i);
        width += width_of(d);
        i += d.length;
    }
    return width;
}

std::string render(const Diagnostic& d, std::string_view source) {
    std::string out;
    if (d.file.empty()) out = fmt::format("{}: {}\n", severity_word(d.severity), d.message);
    else if (d.span.begin.line == 0) out = fmt::format("{}: {}: {}\n", d.file, severity_word(d.severity), d.message);
    else
        out = fmt::format("{}:{}:{}: {}: {}\n", d.file, d.span.begin.line, d.span.begin.column,
                          severity_word(d.severity), d.message);
    if (source.substr(0, utf8_bom.size()) == utf8_bom) source.remove_prefix(utf8_bom.size());
    if (d.span.begin.line != 0 && !source.empty()) {
        const ShownLine shown = shown_line(line_text(source, d.span.begin.line), d.span);
        out += fmt::format("{}\n{}\n", shown.text, caret_line(shown.text, shown.span));
    }
    if (!d.suggestion.empty()) out += fmt::format("help: {}\n", d.suggestion);
    return out;
}

namespace {

std::vector<char32_t> code_points(std::string_view text) {
    std::vector<char32_t> out;
    for (std::size_t i = 0; i < text.size();) {
        const utf8::Decoded d = utf8::decode(text, i);
        out.push_back(d.valid ? d.code_point : 0xFFFD);
        i += d.length;
    }
    return out;
}

std::size_t levenshtein(const std::vector<char32_t>& a, const std::vector<char32_t>& b) {
    std::vector<std::size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), std::size_t{0});
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

}  // namespace

std::string closest_name(std::string_view name, const std::vector<std::string>& candidates) {
    // The edit distance costs length x length: a hostile file with two names of a million
    // characters would take hours. Nobody misspells a name that long, so it gets no suggestion.
    constexpr std::size_t max_suggested_name_bytes = 256;
    if (name.size() > max_suggested_name_bytes) return {};
    const std::vector<char32_t> wanted = code_points(name);
    // Chinese names are short (2-6 characters) and each character carries a lot of meaning: allow
    // one edit per three characters, at least one.
    const std::size_t threshold = std::max<std::size_t>(1, wanted.size() / 3);
    std::string best;
    std::size_t best_distance = threshold + 1;
    for (const std::string& candidate : candidates) {
        if (candidate.size() > 4 * max_suggested_name_bytes) continue;  // too far in length to be close
        const std::vector<char32_t> other = code_points(candidate);
        const std::size_t length_gap = other.size() > wanted.size() ? other.size() - wanted.size()
                                                                    : wanted.size() - other.size();
        if (length_gap >= best_distance) continue;  // the distance is at least the length gap
        const std::size_t distance = levenshtein(wanted, other);
        if (distance < best_distance) {
            best_distance = distance;
            best = candidate;
        }
    }
    return best;
}

}  // namespace kaohe
