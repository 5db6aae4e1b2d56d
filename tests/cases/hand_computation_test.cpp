// The hand computations in each example's README, checked against kaohe.
//
// An example README may carry a table of item scores worked out by hand, in this form:
//   | unit | 1 | 2 | ... | 14 |          <- header: "unit" then the items' ordinal numbers
//   |---|---|...|
//   | full | 10 | 8 | ... |              <- (optional) full marks, checked too
//   | 箬横镇 | 5 | 3 | 6.5 | ... |
// and a table of totals whose header starts "| unit | group |" and whose last column is the total
// (bold allowed). This test runs `kaohe run scheme.kh evidence --all` and compares every number with
// the score sheet's item rows (two-level numbers like 1.3, in order) and its 合计 row. The hand
// numbers are written by people from the document, so the test fails if kaohe and the pencil
// disagree.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::vector<std::string> table_cells(const std::string& line) {
    std::vector<std::string> cells;
    std::string cell;
    for (std::size_t i = 1; i < line.size(); ++i) {
        if (line[i] == '|') {
            const auto b = cell.find_first_not_of(" *"), e = cell.find_last_not_of(" *");
            cells.push_back(b == std::string::npos ? std::string() : cell.substr(b, e - b + 1));
            cell.clear();
        } else {
            cell += line[i];
        }
    }
    return cells;
}

struct HandTables {
    std::map<std::string, std::vector<std::string>> items;  // unit (or "full") -> item scores
    std::map<std::string, std::string> totals;               // unit -> total
};

HandTables read_hand_tables(const fs::path& readme) {
    HandTables t;
    std::ifstream in(readme);
    enum { none, items, totals } in_table = none;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("|", 0) != 0) {
            in_table = none;
            continue;
        }
        const auto cells = table_cells(line);
        if (cells.size() >= 3 && cells[0] == "unit" && cells[1] == "1") {
            in_table = items;
        } else if (cells.size() >= 3 && cells[0] == "unit" && cells[1] == "group") {
            in_table = totals;
        } else if (!cells.empty() && cells[0].rfind("---", 0) != 0 && in_table == items) {
            t.items[cells[0]] = std::vector<std::string>(cells.begin() + 1, cells.end());
        } else if (!cells.empty() && cells[0].rfind("---", 0) != 0 && in_table == totals) {
            t.totals[cells[0]] = cells.back();
        }
    }
    return t;
}

struct SheetNumbers {
    std::vector<std::string> item_full, item_score;
    std::string total;
};

// Parses kaohe's text score sheets: "单位: X" starts a unit; rows "N.M label full lost ... score".
std::map<std::string, SheetNumbers> read_sheets(const std::string& text) {
    std::map<std::string, SheetNumbers> sheets;
    SheetNumbers* current = nullptr;
    const std::regex item_row(R"(^\d+\.\d+\s)");
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("单位: ", 0) == 0) {
            const std::string rest = line.substr(std::string("单位: ").size());
            current = &sheets[rest.substr(0, rest.find(' '))];
            continue;
        }
        if (!current) continue;
        std::istringstream words(line);
        std::vector<std::string> tokens;
        for (std::string w; words >> w;) tokens.push_back(w);
        if (tokens.size() < 3) continue;
        if (std::regex_search(line, item_row)) {
            current->item_full.push_back(tokens[2]);
            current->item_score.push_back(tokens.back());
        } else if (tokens[0] == "合计") {
            current->total = tokens.back();
        }
    }
    return sheets;
}

std::string run_kaohe(const fs::path& dir) {
    const std::string command = "cd '" + dir.string() + "' && '" KAOHE_BINARY "' run scheme.kh evidence --all 2>/dev/null";
    std::string out;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
        char buffer[4096];
        for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
        ::pclose(pipe);
    }
    return out;
}

}  // namespace

TEST_CASE("hand computations in the examples' READMEs agree with kaohe") {
    int examples_checked = 0;
    for (const auto& entry : fs::directory_iterator(fs::path(KAOHE_SOURCE_DIR) / "examples")) {
        const fs::path readme = entry.path() / "README.md";
        if (!fs::exists(readme) || !fs::exists(entry.path() / "scheme.kh")) continue;
        const HandTables hand = read_hand_tables(readme);
        if (hand.items.empty() && hand.totals.empty()) continue;
        ++examples_checked;
        const auto sheets = read_sheets(run_kaohe(entry.path()));
        DYNAMIC_SECTION(entry.path().filename().string()) {
            for (const auto& [unit, scores] : hand.items) {
                if (unit == "full") continue;
                INFO("unit " << unit);
                REQUIRE(sheets.count(unit) == 1);
                CHECK(sheets.at(unit).item_score == scores);
                if (hand.items.count("full")) CHECK(sheets.at(unit).item_full == hand.items.at("full"));
            }
            for (const auto& [unit, total] : hand.totals) {
                INFO("unit " << unit);
                REQUIRE(sheets.count(unit) == 1);
                CHECK(sheets.at(unit).total == total);
            }
        }
    }
    CHECK(examples_checked > 0);
}
