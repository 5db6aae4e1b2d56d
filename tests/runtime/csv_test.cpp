// The CSV reader: RFC 4180 quoting, BOM, CRLF, and every malformed input reported with its
// line and column.
#include "runtime/csv.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

using namespace kaohe;

namespace {

struct Read {
    CsvTable table;
    Diagnostics diags;
    bool ok = false;
};

Read read(std::string_view text) {
    Read r;
    r.ok = read_csv(text, "t.csv", r.table, r.diags);
    return r;
}

std::vector<std::vector<std::string>> cells(const CsvTable& table) {
    std::vector<std::vector<std::string>> out;
    for (const auto& row : table.rows) {
        out.emplace_back();
        for (const auto& cell : row.cells) out.back().push_back(std::string(cell.value()));
    }
    return out;
}

using Rows = std::vector<std::vector<std::string>>;

}  // namespace

TEST_CASE("plain rows with LF and CRLF line ends read the same") {
    const Rows expected{{"unit", "住夜未落实"}, {"城东街道", "7"}, {"城西街道", "0"}};
    auto lf = read("unit,住夜未落实\n城东街道,7\n城西街道,0\n");
    auto crlf = read("unit,住夜未落实\r\n城东街道,7\r\n城西街道,0\r\n");
    auto no_final_newline = read("unit,住夜未落实\n城东街道,7\n城西街道,0");
    REQUIRE(lf.ok);
    REQUIRE(crlf.ok);
    REQUIRE(no_final_newline.ok);
    CHECK(cells(lf.table) == expected);
    CHECK(cells(crlf.table) == expected);
    CHECK(cells(no_final_newline.table) == expected);
    CHECK(lf.table.rows[2].line == 3);
}

TEST_CASE("a UTF-8 BOM is skipped and does not shift the header") {
    auto r = read("\xEF\xBB\xBFunit,x\nA,1\n");
    REQUIRE(r.ok);
    CHECK(r.table.rows[0].cells[0].value() == "unit");
    CHECK(r.table.rows[0].cells[0].pos.column == 1);
}

TEST_CASE("quoted cells hold commas, doubled quotes and line breaks") {
    auto r = read("unit,名称\n\"城东, 东区\",\"他说\"\"好\"\"\"\n\"多行\",\"第一行\r\n第二行\"\nB,\"\"\n");
    REQUIRE(r.ok);
    CHECK(cells(r.table) == Rows{{"unit", "名称"}, {"城东, 东区", "他说\"好\""}, {"多行", "第一行\n第二行"}, {"B", ""}});
    // The row after a cell with a line break starts two lines later.
    CHECK(r.table.rows[3].line == 5);
}

TEST_CASE("empty lines are skipped; empty cells are kept") {
    auto r = read("a,b\n\n1,\n,2\n\n");
    REQUIRE(r.ok);
    CHECK(cells(r.table) == Rows{{"a", "b"}, {"1", ""}, {"", "2"}});
}

TEST_CASE("cell positions count code points") {
    auto r = read("单位,住夜未落实,x\n城东街道,7,\"q\"\n");
    REQUIRE(r.ok);
    CHECK(r.table.rows[1].cells[1].pos.line == 2);
    CHECK(r.table.rows[1].cells[1].pos.column == 6);  // 城东街道 is four code points, then the comma
    CHECK(r.table.rows[1].cells[2].pos.column == 8);
}

TEST_CASE("a ragged row is reported with its line and left out") {
    auto r = read("a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n");
    CHECK_FALSE(r.ok);
    CHECK(cells(r.table) == Rows{{"a", "b", "c"}, {"1", "2", "3"}, {"10", "11", "12"}});
    REQUIRE(r.diags.all().size() == 2);
    CHECK(r.diags.all()[0].span.begin.line == 3);
    CHECK(r.diags.all()[0].message == "this row has 2 cells, the header has 3");
    CHECK(r.diags.all()[1].span.begin.line == 4);
    CHECK(r.diags.all()[1].message == "this row has 4 cells, the header has 3");
}

TEST_CASE("an unterminated quote is reported where it opens") {
    auto r = read("a,b\n1,\"never closed\n2,3\n");
    CHECK_FALSE(r.ok);
    REQUIRE(r.diags.all().size() == 1);
    const Diagnostic& d = r.diags.all()[0];
    CHECK(d.file == "t.csv");
    CHECK(d.span.begin.line == 2);
    CHECK(d.span.begin.column == 3);
    CHECK(d.message.find("unterminated") != std::string::npos);
    CHECK(cells(r.table) == Rows{{"a", "b"}});
}

TEST_CASE("stray quotes are reported") {
    SECTION("inside an unquoted cell") {
        auto r = read("a,b\n1,2\"3\n");
        CHECK_FALSE(r.ok);
        REQUIRE(r.diags.all().size() == 1);
        CHECK(r.diags.all()[0].span.begin.line == 2);
        CHECK(r.diags.all()[0].span.begin.column == 4);
        CHECK(r.diags.all()[0].message == "a quote inside an unquoted cell");
    }
    SECTION("text after a closing quote") {
        auto r = read("a,b\n\"1\"x,2\n3,4\n");
        CHECK_FALSE(r.ok);
        REQUIRE(r.diags.all().size() == 1);
        CHECK(r.diags.all()[0].span.begin.column == 4);
        CHECK(cells(r.table) == Rows{{"a", "b"}, {"3", "4"}});
    }
}

TEST_CASE("invalid UTF-8 is reported at its line and column with the likely fix") {
    // "城东" in GBK is B3 C7 B6 AB: not UTF-8.
    auto r = read("unit,x\nA,1\n\xB3\xC7\xB6\xAB,2\n");
    CHECK_FALSE(r.ok);
    REQUIRE(r.diags.all().size() == 1);
    const Diagnostic& d = r.diags.all()[0];
    CHECK(d.span.begin.line == 3);
    CHECK(d.span.begin.column == 1);
    CHECK(d.message == "the table is not valid UTF-8");
    CHECK(d.suggestion.find("CSV UTF-8") != std::string::npos);
}

TEST_CASE("overlong and surrogate encodings are not UTF-8") {
    CHECK_FALSE(read("a\n\xC0\xAF\n").ok);          // overlong '/'
    CHECK_FALSE(read("a\n\xED\xA0\x80\n").ok);      // a UTF-16 surrogate
    CHECK_FALSE(read("a\n\xF4\x90\x80\x80\n").ok);  // past U+10FFFF
    CHECK_FALSE(read("a\n\xE5\x9F\n").ok);          // truncated
    CHECK(read("a\n\xF0\x9F\x98\x80\n").ok);        // an emoji is fine
}

// CsvRowCursor checks UTF-8 with its own fast loop (ASCII by words, CJK inline): it must find
// the same first bad byte as read_csv on text mixing ASCII, CJK, 4-byte characters and every
// kind of bad sequence, at any offset (the inline CJK check near a chunk's end included).
TEST_CASE("the streaming UTF-8 check finds read_csv's first bad byte") {
    const std::vector<std::string> pieces = {"a,", "12,", "是,", "否\n", "yes,", "\xF0\x9F\x98\x80", "abcdefgh",
                                             "\xC0\xAF", "\xED\xA0\x80", "\xE0\x80\x80", "\xF4\x90\x80\x80",
                                             "\xE5\x9F", "\xEF\xBF\xBF", "\xE1\x80", "\x80"};
    std::uint32_t state = 12345;
    const auto next = [&] { return state = state * 1103515245u + 12345u, (state >> 16) % 1000; };
    for (int round = 0; round < 2000; ++round) {
        std::string text;
        const auto length = next() % 24;
        for (std::uint32_t k = 0; k < length; ++k) {
            const auto pick = next() % pieces.size();
            if (pick >= 7 && next() % 4 != 0) continue;  // mostly good text, bad bytes now and then
            text += pieces[pick];
        }
        text += '\n';
        INFO("round " << round);
        Diagnostics whole, streamed;
        CsvTable table;
        read_csv(text, "t.csv", table, whole);
        const std::string source = "t.csv";  // outlives the cursor, which refers to it
        CsvRowCursor cursor(text, 1, source, streamed);
        const auto bad_utf8 = [](const Diagnostics& d) {
            for (const auto& x : d.all())
                if (x.message == "the table is not valid UTF-8") return std::optional<SourcePos>(x.span.begin);
            return std::optional<SourcePos>();
        };
        const auto expected = bad_utf8(whole), got = bad_utf8(streamed);
        CHECK(expected.has_value() == got.has_value());
        CHECK(cursor.bad_utf8() == expected.has_value());
        if (expected && got) {
            CHECK(expected->line == got->line);
            CHECK(expected->column == got->column);
        }
    }
}

TEST_CASE("csv_line_feeds counts every '\\n', at every length and offset around the 16-byte blocks") {
    std::string text;
    for (int i = 0; i < 300; ++i) text += (i % 7 == 0 || i % 13 == 0) ? '\n' : (i % 5 == 0 ? '\r' : 'a' + i % 26);
    text += "是\n否\n";
    for (std::size_t from = 0; from < 20; ++from)
        for (std::size_t length = 0; from + length <= text.size(); ++length) {
            const std::string_view part = std::string_view(text).substr(from, length);
            const auto expected = static_cast<std::uint32_t>(std::count(part.begin(), part.end(), '\n'));
            REQUIRE(csv_line_feeds(part) == expected);
        }
    // Past the 255 blocks each lane counts before the lanes are summed: every byte a line feed.
    const std::string feeds(255 * 16 * 3 + 5, '\n');
    CHECK(csv_line_feeds(feeds) == feeds.size());
}

// The row cursor reads a row without quotes by a 64-byte scan of its commas and line end, and
// any other row, or a row near the chunk's end, byte by byte: on random tables mixing both kinds
// (long rows crossing the 64-byte blocks, CJK, CR, CRLF, quoted cells with commas, quotes and
// line breaks, stray quotes, ragged rows, empty lines, no final line end) it must read exactly
// the rows, cells, positions and diagnostics read_csv reads.
TEST_CASE("the row cursor reads what read_csv reads: rows, cells, positions, diagnostics") {
    const std::vector<std::string> pieces = {"a",  "12",     "是", "已开展并建台账", "0.5", "-3", " x ", "%",
                                             ",",  ",",      ",",  "\n",           "\r\n", "\r", "\"q,\"\"u\"\"\n\"",
                                             "\"", "\"\"\"", "b\"c"};
    std::uint32_t state = 2024;
    const auto next = [&] { return state = state * 1103515245u + 12345u, (state >> 16) % 1000; };
    const auto describe = [](const Diagnostics& d) {
        std::vector<std::string> out;
        for (const auto& x : d.all())
            out.push_back(std::to_string(x.span.begin.line) + ":" + std::to_string(x.span.begin.column) + " " + x.message);
        return out;
    };
    for (int round = 0; round < 3000; ++round) {
        const bool plain = round % 2 == 0;  // half the tables quote nothing: the fast scan reads most rows
        std::string text;
        const auto length = next() % 400;
        for (std::uint32_t k = 0; k < length; ++k) {
            const auto pick = next() % pieces.size();
            if (pick >= 14 && (plain || next() % 3 != 0)) continue;  // quotes now and then
            text += pieces[pick];
        }
        if (next() % 4 != 0) text += '\n';
        INFO("round " << round << ": " << text);
        Read whole = read(text);
        Diagnostics streamed;
        const std::string source = "t.csv";  // outlives the cursor, which refers to it
        CsvRowCursor cursor(text, 1, source, streamed);
        std::vector<CsvRow> rows;
        CsvRow row;
        if (cursor.next(row, 0)) {
            rows.push_back(row);
            const std::size_t header_cells = row.cells.size();
            while (cursor.next(row, header_cells)) rows.push_back(row);
        }
        CHECK(describe(streamed) == describe(whole.diags));
        REQUIRE(rows.size() == whole.table.rows.size());
        for (std::size_t r = 0; r < rows.size(); ++r) {
            const CsvRow& expected = whole.table.rows[r];
            CHECK(rows[r].line == expected.line);
            REQUIRE(rows[r].cells.size() == expected.cells.size());
            for (std::size_t c = 0; c < rows[r].cells.size(); ++c) {
                CHECK(rows[r].cells[c].value() == expected.cells[c].value());
                CHECK(rows[r].cells[c].pos.line == expected.cells[c].pos.line);
                CHECK(rows[r].cells[c].pos.column == expected.cells[c].pos.column);
            }
        }
    }
}
