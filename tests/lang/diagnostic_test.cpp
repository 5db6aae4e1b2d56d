// render(): caret placement by display width; closest_name(); display_width().
#include "lang/diagnostic.hpp"

#include <catch2/catch.hpp>

using kaohe::Diagnostic;
using kaohe::Severity;
using kaohe::Span;

TEST_CASE("caret under Chinese text counts two columns per character") {
    const std::string source = "scheme \"x\" {\n  deduct 2 unless 全员驻村，\n}\n";
    // 全员驻村 is at column 19 (code points), four code points long.
    const Diagnostic d{Severity::error, "a.kh", Span{{2, 19}, 4}, "unknown name '全员驻村'", "did you mean '全员驻（联）村'?"};
    CHECK(kaohe::render(d, source) ==
          "a.kh:2:19: error: unknown name '全员驻村'\n"
          "  deduct 2 unless 全员驻村，\n"
          "                  ^~~~~~~~\n"
          "help: did you mean '全员驻（联）村'?\n");
}

TEST_CASE("caret after Chinese text is shifted by its display width") {
    const std::string source = "  住夜未落实: count 次 \"抽查\" oops\n";
    const Diagnostic d{Severity::error, "a.kh", Span{{1, 23}, 4}, "expected ...", ""};
    // oops is column 23; before it: 2 spaces + 5 wide (10) + ": count " (8) + 次 (2) + " " + "抽查" quoted (1+4+1) + " " = 30.
    CHECK(kaohe::render(d, source) ==
          "a.kh:1:23: error: expected ...\n"
          "  住夜未落实: count 次 \"抽查\" oops\n"
          "                              ^~~~\n");
}

TEST_CASE("tabs in the source line are kept in the caret line") {
    const Diagnostic d{Severity::warning, "a.kh", Span{{1, 3}, 1}, "w", ""};
    CHECK(kaohe::render(d, "\t\tx\n") == "a.kh:1:3: warning: w\n\t\tx\n\t\t^\n");
}

TEST_CASE("CRLF and a BOM do not disturb the source line") {
    const Diagnostic d{Severity::error, "a.kh", Span{{1, 1}, 6}, "m", ""};
    CHECK(kaohe::render(d, "\xEF\xBB\xBFscheme\r\n") == "a.kh:1:1: error: m\nscheme\n^~~~~~\n");
}

TEST_CASE("a diagnostic for the whole file has no source line") {
    const Diagnostic d{Severity::error, "a.kh", Span{}, "empty scheme file", ""};
    CHECK(kaohe::render(d, "") == "a.kh: error: empty scheme file\n");
    const Diagnostic i{Severity::internal, "", Span{}, "bug", ""};
    CHECK(kaohe::render(i, "") == "internal error: bug\n");
}

TEST_CASE("display width") {
    CHECK(kaohe::display_width("abc") == 3);
    CHECK(kaohe::display_width("全员驻村") == 8);
    CHECK(kaohe::display_width("（）：") == 6);   // full-width punctuation
    CHECK(kaohe::display_width("e\xCC\x81") == 1);  // e + combining acute accent
    CHECK(kaohe::display_width("\xFF\xFE") == 2);   // invalid bytes count one each
    CHECK(kaohe::display_width("\xF0\xA0\x80\x80") == 2);  // U+20000, CJK extension B
}

TEST_CASE("closest_name finds near Chinese and ASCII names") {
    const std::vector<std::string> names{"住夜未落实", "全员驻村", "通报制度", "deduct", "award"};
    CHECK(kaohe::closest_name("住夜未落", names) == "住夜未落实");  // one deletion in five
    CHECK(kaohe::closest_name("全员住村", names) == "全员驻村");    // one substitution in four
    CHECK(kaohe::closest_name("dedcut", names) == "deduct");
    CHECK(kaohe::closest_name("通报", names).empty());              // two edits in two characters: too far
    CHECK(kaohe::closest_name("奖金", names).empty());
    CHECK(kaohe::closest_name("x", {}).empty());
}
