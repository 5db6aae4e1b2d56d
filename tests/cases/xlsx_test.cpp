// The Excel report read back by an independent reader: `kaohe run --format xlsx -o` on the
// examples, then python3's openpyxl dumps the workbook as text (tests/xlsx_dump.py) and the
// cells are checked against the text report of the same run: the summary sheet's rows are the
// ranking table's, every unit's sheet holds the same numbers as its text sheet, numbers are
// number cells (never text) with the scheme's display places as their number format, the
// header rows are frozen and bold, the stamp's SHA-256 lines are on the summary sheet and in
// the document properties, the sheet names follow Excel's rules, and the file is
// byte-identical from one run to the next.
//
// Where no python3 with openpyxl is found ($KAOHE_PYTHON, `python3` on PATH, /usr/bin/python3),
// each test warns that it was skipped and why, and passes; in CI (CI=true) a missing openpyxl
// fails them (.ci/deps installs python3-openpyxl), so CI always runs them.
#include "tests/support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using kaohe::test::read_file;
using kaohe::test::run_shell;

namespace {

const fs::path source_dir = KAOHE_SOURCE_DIR;
const fs::path out_dir = fs::path(KAOHE_BINARY).parent_path() / "xlsx";

// The first python3 that has openpyxl, or "" when none has.
std::string find_python() {
    std::vector<std::string> candidates;
    if (const char* given = std::getenv("KAOHE_PYTHON"); given && *given) candidates.push_back(given);
    candidates.insert(candidates.end(), {"python3", "/usr/bin/python3"});
    for (const std::string& python : candidates)
        if (run_shell("'" + python + "' -c 'import openpyxl' >/dev/null 2>&1") == 0) return python;
    return {};
}

bool python_missing(const std::string& python) {
    if (!python.empty()) return false;
    kaohe::test::tool_missing("no python3 with openpyxl ($KAOHE_PYTHON, python3 on PATH, /usr/bin/python3), so the "
                              "Excel report was not read back; install Debian's `python3-openpyxl` package");
    return true;
}

struct Cell {
    std::string type, format, value;
    bool bold = false, wrap = false;
    std::string link;  // a hyperlink's place in the workbook, "'Sheet'!A1", or "-"
};

struct Sheet {
    std::string name, freeze;
    std::map<std::string, Cell> cells;  // by reference, "B14"
    std::map<std::string, std::string> widths;
    std::map<int, std::string> heights;  // by row number, in points, where set

    const Cell* at(char column, int row) const {
        const auto it = cells.find(column + std::to_string(row));
        return it == cells.end() ? nullptr : &it->second;
    }
    std::string value(char column, int row) const {
        const Cell* c = at(column, row);
        return c ? c->value : std::string();
    }
    // The column whose heading (row 2) is `head`, or 0.
    char column(const std::string& head) const {
        for (char c = 'A'; c <= 'Z'; ++c)
            if (value(c, 2) == head) return c;
        return 0;
    }
    bool has_text(const std::string& text) const {
        for (const auto& [ref, cell] : cells)
            if (cell.type == "s" && cell.value == text) return true;
        return false;
    }
};

struct Workbook {
    std::vector<Sheet> sheets;
    std::map<std::string, std::string> properties;

    const Sheet& sheet(const std::string& name) const {
        for (const Sheet& s : sheets)
            if (s.name == name) return s;
        FAIL("no sheet '" << name << "'");
        return sheets.front();
    }
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (const Sheet& s : sheets) out.push_back(s.name);
        return out;
    }
};

std::string unescape(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\' || i + 1 == text.size()) {
            out += text[i];
            continue;
        }
        const char next = text[++i];
        out += next == 'n' ? '\n' : next == 't' ? '\t' : next;
    }
    return out;
}

std::vector<std::string> split(const std::string& line, char separator) {
    std::vector<std::string> fields;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, separator)) fields.push_back(field);
    if (!line.empty() && line.back() == separator) fields.emplace_back();
    return fields;
}

std::vector<std::string> words(const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    for (std::string word; in >> word;) out.push_back(word);
    return out;
}

// tests/xlsx_dump.py's records, read back.
Workbook read_workbook(const std::string& python, const fs::path& xlsx) {
    const fs::path dump = xlsx.string() + ".txt";
    REQUIRE(run_shell("'" + python + "' '" + (source_dir / "tests/xlsx_dump.py").string() + "' '" + xlsx.string() +
                      "' >'" + dump.string() + "'") == 0);
    Workbook book;
    std::istringstream in(read_file(dump));
    for (std::string line; std::getline(in, line);) {
        const auto f = split(line, '\t');
        if (f.size() == 3 && f[0] == "property") book.properties[f[1]] = unescape(f[2]);
        else if (f.size() == 2 && f[0] == "sheet") book.sheets.push_back(Sheet{unescape(f[1]), {}, {}, {}, {}});
        else if (f.size() == 2 && f[0] == "freeze") book.sheets.back().freeze = f[1];
        else if (f.size() == 3 && f[0] == "width") book.sheets.back().widths[f[1]] = f[2];
        else if (f.size() == 3 && f[0] == "height") book.sheets.back().heights[std::stoi(f[1])] = f[2];
        else if (f.size() == 8 && f[0] == "cell")
            book.sheets.back().cells[f[1]] = Cell{f[2], unescape(f[3]), unescape(f[7]), f[4] == "1", f[5] == "1", unescape(f[6])};
        else FAIL("unexpected line from xlsx_dump.py: " << line);
    }
    return book;
}

// `kaohe run ARGS` in `dir`; its stdout, after checking it exits 0.
std::string run_kaohe(const fs::path& dir, const std::string& args) {
    fs::create_directories(out_dir);
    const fs::path out = out_dir / ("stdout-" + std::to_string(::getpid()) + ".txt");  // tests run in parallel
    REQUIRE(run_shell("cd '" + dir.string() + "' && '" KAOHE_BINARY "' run " + args + " >'" + out.string() +
                      "' 2>/dev/null </dev/null") == 0);
    std::string text = read_file(out);
    fs::remove(out);
    return text;
}

// A number as the reader prints it and as the text report prints it, compared as decimals:
// "94.80", "+2" and "3600元" are 94.8, 2 and 3600.
std::string normal(std::string text) {
    if (text.ends_with("元")) text.resize(text.size() - std::string("元").size());
    if (text.starts_with('+')) text.erase(0, 1);
    if (text.find('.') != std::string::npos) {
        while (text.back() == '0') text.pop_back();
        if (text.back() == '.') text.pop_back();
    }
    return text;
}

// The text report's ranking table: its rows, each a list of words.
std::vector<std::vector<std::string>> text_ranking(const std::string& report) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream in(report);
    bool inside = false;
    for (std::string line; std::getline(in, line);) {
        if (line == "排名") {
            inside = true;
            std::getline(in, line);  // the heading
            continue;
        }
        if (inside && line.empty()) break;
        if (inside) rows.push_back(words(line));
    }
    return rows;
}

// The text report's score sheets (--all): per unit, each row's words by its number ("" for 合计).
std::map<std::string, std::map<std::string, std::vector<std::string>>> text_sheets(const std::string& report) {
    std::map<std::string, std::map<std::string, std::vector<std::string>>> sheets;
    std::istringstream in(report);
    std::string unit;
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("单位: ")) {
            unit = line.substr(std::string("单位: ").size());
            unit = unit.substr(0, unit.find("  "));
            continue;
        }
        const auto w = words(line);
        if (unit.empty() || w.empty()) continue;
        if (w[0] == "合计") sheets[unit][""] = w;
        else if (w[0].find_first_not_of("0123456789.") == std::string::npos && std::isdigit(static_cast<unsigned char>(w[0][0])))
            sheets[unit][w[0]] = w;
    }
    return sheets;
}

// The stamp lines of the text report's header.
std::vector<std::string> text_stamp(const std::string& report) {
    std::vector<std::string> lines;
    std::istringstream in(report);
    for (std::string line; std::getline(in, line) && !line.empty();)
        if (line.starts_with("kaohe ") || line.starts_with("scheme: ") || line.starts_with("evidence: ")) lines.push_back(line);
    return lines;
}

struct Example {
    std::string dir, evidence, number_format;
};

// The checks every example gets; returns the workbook for the example's own checks.
Workbook check_example(const std::string& python, const Example& example) {
    const fs::path dir = source_dir / "examples" / example.dir;
    const fs::path xlsx = out_dir / (example.dir + ".xlsx"), again = out_dir / (example.dir + "-again.xlsx");
    run_kaohe(dir, "scheme.kh " + example.evidence + " --format xlsx -o '" + xlsx.string() + "'");
    run_kaohe(dir, "scheme.kh " + example.evidence + " --format xlsx -o '" + again.string() + "'");
    INFO(example.dir);
    CHECK(read_file(xlsx) == read_file(again));  // deterministic
    const std::string text = run_kaohe(dir, "scheme.kh " + example.evidence + " --all");
    const Workbook book = read_workbook(python, xlsx);

    // The summary sheet: the ranking table's rows, numbers as numbers.
    REQUIRE(!book.sheets.empty());
    const Sheet& summary = book.sheets.front();
    CHECK(summary.name == "排名");
    CHECK(summary.freeze == "A3");
    CHECK(summary.value('A', 2) == "名次");
    CHECK(summary.at('A', 2)->bold);
    const auto ranking = text_ranking(text);
    REQUIRE(!ranking.empty());
    for (std::size_t i = 0; i < ranking.size(); ++i) {
        const int row = static_cast<int>(i) + 3;
        std::vector<std::string> cells;
        for (char c = 'A'; c <= 'Z'; ++c) {
            const Cell* cell = summary.at(c, row);
            if (!cell) continue;
            cells.push_back(cell->type == "n" ? normal(cell->value) : cell->value);
        }
        std::vector<std::string> expected;
        for (const std::string& word : ranking[i]) expected.push_back(normal(word));
        INFO("summary row " << row);
        CHECK(cells == expected);
        // Each unit's name links to its sheet.
        REQUIRE(summary.at('B', row));
        const std::string link = summary.at('B', row)->link, unit = summary.value('B', row);
        CHECK(link == std::string("'").append(unit).append("'!A1"));
        // 名次 and 总分 are numbers, 总分 with the scheme's display places.
        REQUIRE(summary.at('A', row));
        CHECK(summary.at('A', row)->type == "n");
        CHECK(summary.at('D', row)->type == "n");
        CHECK(summary.at('D', row)->format == example.number_format);
    }

    // The stamp on the summary sheet and in the document properties.
    const auto stamp = text_stamp(text);
    REQUIRE(stamp.size() >= 3);
    for (const std::string& line : stamp) {
        INFO(line);
        CHECK(summary.has_text(line));
        CHECK(book.properties.at("description").find(line) != std::string::npos);
    }
    CHECK(book.properties.at("created") == "1980-01-01T00:00:00");

    // A sheet per unit, in input order, named after it, with the text sheet's numbers.
    const auto sheets = text_sheets(text);
    REQUIRE(book.sheets.size() == sheets.size() + 1);
    for (std::size_t s = 1; s < book.sheets.size(); ++s) {
        const Sheet& sheet = book.sheets[s];
        INFO("sheet " << sheet.name);
        REQUIRE(sheets.contains(sheet.name));
        CHECK(sheet.freeze == "C3");
        CHECK(sheet.value('A', 1).starts_with("单位: " + sheet.name));
        CHECK(sheet.value('A', 2) == "序号");
        CHECK(sheet.value('B', 2) == "项目");
        CHECK(sheet.at('B', 2)->bold);
        const char full = sheet.column("标准分"), score = sheet.column("得分"), reasons = sheet.column("扣分理由");
        REQUIRE(full);
        REQUIRE(score);
        REQUIRE(reasons);
        CHECK(sheet.widths.contains(std::string(1, reasons)));
        const auto& rows = sheets.at(sheet.name);
        std::size_t seen = 0;
        for (int row = 3; sheet.at('B', row); ++row) {
            const std::string number = sheet.value('A', row);
            const bool total = sheet.value('B', row) == "合计";
            INFO("row " << row << " " << number);
            REQUIRE(rows.contains(total ? "" : number));
            ++seen;
            // Every cell from 标准分 to 得分 holds a number; those after 标准分 end the text row.
            std::vector<std::string> numbers;
            for (char c = full; c <= score; ++c) {
                const Cell* cell = sheet.at(c, row);
                if (!cell) continue;
                CHECK(cell->type == "n");
                if (c != full) numbers.push_back(normal(cell->value));
            }
            const auto& words = rows.at(total ? "" : number);
            REQUIRE(words.size() >= numbers.size());
            std::vector<std::string> tail;
            for (std::size_t w = words.size() - numbers.size(); w < words.size(); ++w) tail.push_back(normal(words[w]));
            CHECK(numbers == tail);
            CHECK(sheet.at(score, row)->format == example.number_format);
            // A row whose 扣分理由 has several lines is tall enough for them (15 points a line).
            if (const Cell* why = sheet.at(reasons, row)) {
                const auto lines = std::count(why->value.begin(), why->value.end(), '\n') + 1;
                if (lines > 1) {
                    REQUIRE(sheet.heights.contains(row));
                    CHECK(std::stod(sheet.heights.at(row)) >= 15.0 * static_cast<double>(lines));
                }
            }
            if (total) break;
        }
        CHECK(seen == rows.size());
    }
    return book;
}

}  // namespace

TEST_CASE("xlsx: dinghai-2021 (grades, money, an extra bonus) read back by openpyxl") {
    const std::string python = find_python();
    if (python_missing(python)) return;
    const Workbook book = check_example(python, {"dinghai-2021", "evidence", "General"});
    const Sheet& summary = book.sheet("排名");
    CHECK(summary.value('E', 2) == "等次");
    CHECK(summary.value('F', 2) == "考核奖励");
    CHECK(summary.at('F', 3)->type == "n");
    CHECK(summary.at('F', 3)->format == "General\"元\"");
    CHECK(book.properties.at("title") == "区级部门派驻城东街道机构考核办法（试行）");
    // Columns as wide as their text, a Chinese character two: 城东劳动保障监察中队 is 20 (+ 2).
    CHECK(std::stod(summary.widths.at("B")) >= 22);
    CHECK(std::stod(summary.widths.at("B")) < 23);

    const Sheet& unit = book.sheet("城东交警中队");
    CHECK(unit.value('B', 14) == "合计");
    CHECK(unit.value('D', 14) == "100");
    CHECK(unit.at('D', 14)->format == "General\" (+10)\"");  // 100 (+10)
    CHECK(unit.value('B', 12) == "创新工作附加");
    CHECK(unit.at('D', 12)->format == "\"(+\"General\")\"");  // (+10)
    CHECK(unit.value('H', 2) == "加分");
    CHECK(unit.value('I', 14) == "80");
    CHECK(unit.at('F', 4)->format == "+General;-General;General");  // 差额 with its sign
    CHECK(unit.at('J', 11)->wrap);
    CHECK(unit.value('J', 11).find("「") != std::string::npos);
    CHECK(unit.value('J', 11).find("(scheme.kh:") != std::string::npos);
    CHECK(unit.has_text("等次: 良好 (总分 80 ≥ 80)"));
    CHECK(unit.has_text("考核奖励: 45360元"));
}

TEST_CASE("xlsx: wenzhou-party-building (seed 003, 自查分) read back by openpyxl") {
    const std::string python = find_python();
    if (python_missing(python)) return;
    const Workbook book = check_example(python, {"wenzhou-party-building", "evidence", "General"});
    const Sheet& unit = book.sheet("市财政局");
    CHECK(unit.value('C', 2) == "目标");
    CHECK(unit.value('E', 2) == "自查分");
    CHECK(unit.value('F', 2) == "差额");
    CHECK(unit.value('G', 2) == "扣分");
    CHECK(unit.value('I', 2) == "扣分理由");
    CHECK(unit.value('A', 4) == "1.1");
    CHECK(unit.value('E', 4) == "2");  // self 1.1: 2
    CHECK(unit.at('E', 4)->type == "n");
    CHECK(unit.value('H', 4) == "0");
    CHECK(unit.value('C', 4).starts_with("(1)领导班子及其成员理想信念坚定"));
    const std::string why = unit.value('I', 4);
    CHECK(why.find("「(2)中心组全年集中学习不少于6次，缺一次扣2分」 (scheme.kh:104)") != std::string::npos);
    CHECK(why.find("count over 中心组集中学习 = 5") != std::string::npos);
    CHECK(why.find("2 × 1 = 2 → −2") != std::string::npos);
    CHECK(why.find("自查分 2 (《党建工作目标管理考核自查表》; evidence/caizheng.txt:18)") != std::string::npos);
}

TEST_CASE("xlsx: xinzhuang-2017 (display 2 half_up) stores the printed two-place values") {
    const std::string python = find_python();
    if (python_missing(python)) return;
    const Workbook book = check_example(python, {"xinzhuang-2017", "evidence", "0.00"});
    const Sheet& summary = book.sheet("排名");
    CHECK(summary.value('D', 3) == "967.86");
    CHECK(summary.at('D', 3)->format == "0.00");
}

TEST_CASE("xlsx: sheet names from awkward unit names follow Excel's rules") {
    const std::string python = find_python();
    if (python_missing(python)) return;
    const fs::path dir = out_dir / "names";
    fs::remove_all(dir);
    fs::create_directories(dir / "evidence");
    fs::copy_file(source_dir / "tests/cases/errors/usage/scheme.kh", dir / "scheme.kh");
    const std::vector<std::string> units{"甲:乙", "甲/乙", "'引号'", "温州市市直机关党建工作目标管理考核细则第一考核组第二片区市财政局机关党委",
                                         "History", "排名", "a[1]*?\\", "O'Brien"};
    for (std::size_t u = 0; u < units.size(); ++u) {
        std::string escaped;
        for (char c : units[u]) escaped += c == '\\' || c == '"' ? std::string("\\") + c : std::string(1, c);
        std::ofstream(dir / "evidence" / (std::to_string(u) + ".txt"))
            << "unit \"" << escaped << "\"\ngroup 街道\n制度: yes\n次数: " << u << "\n扣分: 1.5\n出席率: 85%\n落实: 未落实\n";
    }
    const fs::path xlsx = dir / "names.xlsx";
    run_kaohe(dir, "scheme.kh evidence --format xlsx -o '" + xlsx.string() + "'");
    const Workbook book = read_workbook(python, xlsx);
    CHECK(book.names() == std::vector<std::string>{"排名", "甲_乙", "甲_乙 (2)", "_引号_",
                                                   "温州市市直机关党建工作目标管理考核细则第一考核组第二片区市财政", "History (2)",
                                                   "排名 (2)", "a_1____", "O'Brien"});
    // The summary links to the sheets by their names (an apostrophe doubled inside the quotes).
    CHECK(book.sheet("排名").has_text("'引号'"));
    std::vector<std::string> links;
    for (const auto& [ref, cell] : book.sheet("排名").cells)
        if (cell.link != "-") links.push_back(cell.link);
    CHECK(links.size() == units.size());
    CHECK(std::find(links.begin(), links.end(), "'甲_乙 (2)'!A1") != links.end());
    CHECK(std::find(links.begin(), links.end(), "'O''Brien'!A1") != links.end());
    // Each sheet still says whose it is, with the unit's own name.
    CHECK(book.sheet("甲_乙 (2)").value('A', 1).starts_with("单位: 甲/乙"));
    CHECK(book.sheet("a_1____").value('A', 1).starts_with("单位: a[1]*?\\"));
}
