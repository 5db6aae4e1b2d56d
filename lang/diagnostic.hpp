// Diagnostics are data: severity, where, what, and an optional suggestion.
// Every phase (parse, check, evidence loading, bytecode loading) reports through a Diagnostics
// collector and keeps going; the driver prints them all and picks the exit code.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kaohe {

// A place in a source file. Lines and columns are 1-based; columns count Unicode code points
// (a Chinese character is one column here, two when rendered in a terminal). line == 0 means
// "the whole file" (e.g. an empty or unreadable file).
struct SourcePos {
    std::uint32_t line = 0;
    std::uint32_t column = 0;
};

struct Span {
    SourcePos begin;
    std::uint32_t length = 1;  // in code points, for the caret; at least 1
};

enum class Severity : std::uint8_t {
    error,     // input is wrong; exit code 1
    warning,   // input is suspicious; exit code 0
    note,      // attached context for the previous error or warning
    internal,  // kaohe itself is wrong (a bug); never caused by input alone
};

struct Diagnostic {
    Severity severity = Severity::error;
    std::string file;        // as the user named it
    Span span;
    std::string message;     // "expected ...", lower case, no trailing period
    std::string suggestion;  // "did you mean 'X'?" or empty
};

class Diagnostics {
public:
    void error(std::string file, Span span, std::string message, std::string suggestion = {});
    void warning(std::string file, Span span, std::string message, std::string suggestion = {});
    void note(std::string file, Span span, std::string message);
    void internal(std::string message);
    void add(Diagnostic d);

    const std::vector<Diagnostic>& all() const { return items_; }
    std::size_t error_count() const;    // errors and internal errors
    std::size_t warning_count() const;
    bool has_errors() const { return error_count() != 0; }

private:
    std::vector<Diagnostic> items_;
};

// Renders one diagnostic clang-style:
//   file:line:col: error: message
//     <the source line>
//     <spaces>^~~~
//   suggestion (if any) on a "help:" line
// `source` is the whole text of d.file (may be empty when unavailable: then no source line is shown).
// The caret is placed by display width: CJK and full-width characters count two columns.
std::string render(const Diagnostic& d, std::string_view source);

// Levenshtein-closest candidate to `name` among `candidates`, or "" when nothing is close enough.
// Used for every "did you mean" in the project.
std::string closest_name(std::string_view name, const std::vector<std::string>& candidates);

// Display width of UTF-8 text in a terminal (East Asian wide and full-width characters count 2).
std::size_t display_width(std::string_view utf8);

}  // namespace kaohe
