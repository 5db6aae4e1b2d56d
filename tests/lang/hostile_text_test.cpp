// Diagnostics stay readable and cheap on hostile text: names too long to suggest, lines too long
// to print, bytes a terminal must not see (lang/diagnostic.cpp).
#include <catch2/catch.hpp>

#include "lang/diagnostic.hpp"

#include <chrono>
#include <string>

using namespace kaohe;

namespace {

std::string repeat(std::string_view s, std::size_t n) {
    std::string out;
    out.reserve(s.size() * n);
    for (std::size_t i = 0; i < n; ++i) out += s;
    return out;
}

// The lines of a rendered diagnostic.
std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
        out.push_back(text.substr(start, nl - start));
    return out;
}

}  // namespace

TEST_CASE("closest_name: two names of a million characters do not take hours") {
    // The edit distance is quadratic; before the bound this took longer than any test timeout.
    const std::string a = repeat("甲", 1'000'000), b = repeat("乙", 1'000'000);
    const auto start = std::chrono::steady_clock::now();
    CHECK(closest_name(a, {b, a + "x"}).empty());
    CHECK(closest_name("制渡", {b, "制度"}) == "制度");
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("render: a 100,000-character line is shown as a window around the caret") {
    const std::string line = "次数: " + repeat("9", 100'000);
    const Diagnostic d{Severity::error, "big.txt", Span{{1, 50'004}, 3}, "number has 100000 digits", {}};
    const auto lines = lines_of(render(d, line));
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "big.txt:1:50004: error: number has 100000 digits");
    CHECK(lines[1].size() < 200);
    CHECK(lines[1].substr(0, 3) == "...");
    CHECK(lines[1].substr(lines[1].size() - 3) == "...");
    // The caret stands under the same character as in the full line: the 41st shown after "...".
    CHECK(lines[2].find('^') == 3 + 40);
    CHECK(lines[2].substr(lines[2].find('^')) == "^~~");
}

TEST_CASE("render: a long line with the caret near its start is cut only at the end") {
    const std::string line = "unit " + repeat("x", 1000);
    const Diagnostic d{Severity::error, "f.txt", Span{{1, 1}, 4}, "e", {}};
    const auto lines = lines_of(render(d, line));
    REQUIRE(lines.size() == 3);
    CHECK(lines[1].substr(0, 5) == "unit ");
    CHECK(lines[1].size() == 160 + 3);
    CHECK(lines[2] == "^~~~");
}

TEST_CASE("render: invalid UTF-8 and control characters are not sent to the terminal") {
    const std::string line = std::string("ab\x1b[31m\xff") + "cd";
    const Diagnostic d{Severity::error, "junk.bin", Span{{1, 8}, 1}, "invalid UTF-8", {}};
    const auto lines = lines_of(render(d, line));
    REQUIRE(lines.size() == 3);
    CHECK(lines[1] == "ab\xEF\xBF\xBD[31m\xEF\xBF\xBD" "cd");
    CHECK(lines[2] == "       ^");  // each replaced byte is still one column
}
