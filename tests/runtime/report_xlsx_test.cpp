// The Excel report's two rules that need no workbook (runtime/report_xlsx.hpp): the sheet names
// derived from unit names (Excel's limits, deterministic, unique) and the check that a printed
// decimal is stored in a cell exactly. The workbook itself, read back by an independent reader:
// tests/cases/xlsx_test.cpp.
#include "runtime/report_xlsx.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace kaohe;

namespace {

// A sheet name's length as Excel counts it: UTF-16 code units.
std::size_t utf16_length(const std::string& text) {
    std::size_t units = 0;
    for (std::size_t i = 0; i < text.size();) {
        const auto lead = static_cast<unsigned char>(text[i]);
        const std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        units += length == 4 ? 2 : 1;
        i += length;
    }
    return units;
}

}  // namespace

TEST_CASE("xlsx sheet names: plain unit names are kept") {
    CHECK(xlsx::sheet_names({"城东街道", "箬横镇", "Unit 7"}) == std::vector<std::string>{"城东街道", "箬横镇", "Unit 7"});
}

TEST_CASE("xlsx sheet names: Excel's forbidden characters become _") {
    CHECK(xlsx::sheet_names({"a[b]c:d*e?f/g\\h"}) == std::vector<std::string>{"a_b_c_d_e_f_g_h"});
    CHECK(xlsx::sheet_names({std::string("tab\there")}) == std::vector<std::string>{"tab_here"});
}

TEST_CASE("xlsx sheet names: a leading or trailing apostrophe becomes _, one inside stays") {
    CHECK(xlsx::sheet_names({"'引号'", "O'Brien"}) == std::vector<std::string>{"_引号_", "O'Brien"});
}

TEST_CASE("xlsx sheet names: at most 31 characters, never cut inside one") {
    const std::string long_name = "温州市市直机关党建工作目标管理考核细则第一考核组第二片区市财政局机关党委";  // 36 characters
    const auto names = xlsx::sheet_names({long_name, std::string(40, 'x')});
    CHECK(names[0] == "温州市市直机关党建工作目标管理考核细则第一考核组第二片区市财政");
    CHECK(utf16_length(names[0]) == 31);
    CHECK(names[1] == std::string(31, 'x'));
    // A character outside the BMP counts two (UTF-16), and is kept whole or left out.
    const std::string emoji = "\xF0\x9F\x98\x80";  // U+1F600
    std::string thirty(30, 'y');
    CHECK(xlsx::sheet_names({thirty + emoji}) == std::vector<std::string>{thirty});
    CHECK(xlsx::sheet_names({std::string(29, 'y') + emoji}) == std::vector<std::string>{std::string(29, 'y') + emoji});
}

TEST_CASE("xlsx sheet names: unique without regard to case, the summary sheet's name and History reserved") {
    const auto names = xlsx::sheet_names({"甲:乙", "甲/乙", "甲_乙", "排名", "history", "ABC", "abc", ""});
    CHECK(names == std::vector<std::string>{"甲_乙", "甲_乙 (2)", "甲_乙 (3)", "排名 (2)", "history (2)", "ABC", "abc (2)",
                                            "单位"});
}

TEST_CASE("xlsx sheet names: a suffix on a long name cuts the name, and the result is deterministic") {
    const std::string a = std::string(31, 'a');
    const auto names = xlsx::sheet_names({a, a + "b", a + "c"});
    CHECK(names == std::vector<std::string>{a, std::string(27, 'a') + " (2)", std::string(27, 'a') + " (3)"});
    CHECK(xlsx::sheet_names({a, a + "b", a + "c"}) == names);
    for (const std::string& name : names) CHECK(utf16_length(name) <= 31);
}

TEST_CASE("xlsx cell numbers: printed decimals whose nearest double reads back as them") {
    // 9.2 and 81.6 are written by libxlsxwriter as 9.199999999999999 and 81.59999999999999: the
    // same doubles, which any reader prints back as 9.2 and 81.6.
    for (const char* text : {"0", "100", "9.2", "81.6", "94.80", "0.1", "0.3", "-0.5", "3600.00", "12.345", "0.00001",
                             "967.86", "123456789012345"}) {
        INFO(text);
        CHECK(xlsx::cell_number(text).has_value());
    }
    CHECK(*xlsx::cell_number("94.80") == 94.8);
    CHECK(*xlsx::cell_number("-0.5") == -0.5);
}

TEST_CASE("xlsx cell numbers: what cannot be stored exactly is refused, never rounded") {
    for (const char* text : {"1234567890123456", "0.1234567890123456", "9007199254740993", "", "-", "1.", ".5", "1e5",
                             "+1", "1,5", "12 3", "?", "3600元"}) {
        INFO(text);
        CHECK_FALSE(xlsx::cell_number(text).has_value());
    }
}
