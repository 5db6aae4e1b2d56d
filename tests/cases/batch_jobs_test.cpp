// `kaohe run --format csv`: the streamed, threaded batch run gives byte-identical results with
// any number of threads (docs/performance.md). A few thousand generated units of the seed-000
// scheme, several chunks long, with a bad row and a duplicate unit among them, run with -j 1 and
// -j 4: same results file, same diagnostics, same exit code. Speed is measured in bench/, never
// asserted here.
#include "tests/support.hpp"

#include "compiler/compile.hpp"
#include "lang/parse.hpp"
#include "runtime/evidence.hpp"
#include "runtime/report_csv.hpp"
#include "runtime/vm.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>
#include <string>
#include <iconv.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

using kaohe::test::read_file;

// The seed-000 table: 44 columns, `units` rows, deterministic. More than two 1 MiB blocks, so the
// run is cut into several chunks.
std::string table(std::size_t units, bool with_errors) {
    std::string header = read_file(fs::path(KAOHE_SOURCE_DIR) / "tests/cases/perf/wenling.csv");
    header.resize(header.find('\n') + 1);
    std::string out = header;
    std::uint64_t state = 42;
    const auto next = [&](std::uint32_t n) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<std::uint32_t>(state >> 33) % n;
    };
    const char* const yes_no[] = {"是", "否", "yes", "no"};
    const char* const levels[] = {"国家级", "省级", "台州市", "温岭市", "无"};
    const char* const reports[] = {"国家级", "省级", "台州市级", "温岭市级", "无"};
    for (std::size_t u = 1; u <= units; ++u) {
        std::string row = "单位" + std::to_string(u) + (next(2) ? ",镇" : ",街道");
        const auto yn = [&] { row += ','; row += yes_no[next(10) == 0 ? 1 + 2 * next(2) : 2 * next(2)]; };
        const auto count = [&] { row += ',' + std::to_string(next(4) == 0 ? next(4) : 0); };
        yn(), yn(), yn(), yn(), count();
        row += next(5) ? ",已落实" : ",未落实";
        count(), yn(), yn(), yn();
        row += next(3) ? ",0" : ",1.5";
        yn(), yn(), yn(), yn();
        row += ',' + std::to_string(6 + next(7));
        yn(), yn(), yn(), yn(), count(), yn(), yn(), yn(), yn(), count(), yn(), yn(), yn(), count(), yn();
        row += next(6) ? ",已开展并建台账" : ",未开展";
        row += next(6) ? ",已开展并宣传" : ",未宣传";
        for (int r = 0; r < 2; ++r) {
            if (next(2)) {
                // Drawn in statements of their own: the operands of one `+` chain are evaluated in
                // an order the compiler chooses (GCC and clang chose differently: other tables).
                const char* const level = levels[next(5)];
                const char* const report = reports[next(5)];
                row += ",\"做法, 第" + std::to_string(r + 1) + "项\"," + level + ',' + report;
            } else {
                row += ",,,";
            }
        }
        row += ",,,";  // the table's third record, empty
        if (with_errors && u == 1500) row = "单位1499,镇" + row.substr(row.find(",", row.find(",") + 1));  // a duplicate
        if (with_errors && u == 2600) row.replace(row.find(",是"), 4, ",maybe");                        // a bad value
        out += row + '\n';
    }
    return out;
}

// `utf8` in GBK (GB18030, which encodes every character the tables use as GBK does).
std::string to_gbk(const std::string& utf8) {
    iconv_t cd = ::iconv_open("GB18030", "UTF-8");
    REQUIRE(cd != reinterpret_cast<iconv_t>(-1));
    std::string out(utf8.size(), '\0');  // GBK is never longer than UTF-8 for Chinese and ASCII
    char* in = const_cast<char*>(utf8.data());
    std::size_t in_left = utf8.size(), out_left = out.size();
    char* to = out.data();
    REQUIRE(::iconv(cd, &in, &in_left, &to, &out_left) == 0);
    out.resize(out.size() - out_left);
    ::iconv_close(cd);
    return out;
}

// All but the last line (the stamp, which names the input and its digest).
std::string rows(const std::string& results) { return results.substr(0, results.rfind('\n', results.size() - 2) + 1); }

struct Run {
    int exit = 0;
    std::string out, err;
};

// `command` run by the shell in `dir`, its output captured.
Run shell(const fs::path& dir, const std::string& command) {
    const std::string line = "cd '" + dir.string() + "' && " + command + " >out.txt 2>err.txt";
    const int status = std::system(line.c_str());
    return Run{WEXITSTATUS(status), read_file(dir / "out.txt"), read_file(dir / "err.txt")};
}

Run run(const fs::path& dir, const std::string& args) { return shell(dir, "'" KAOHE_BINARY "' " + args); }

fs::path fresh_dir(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("kaohe-batch-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

const std::string scheme = std::string(KAOHE_SOURCE_DIR) + "/examples/wenling-2013/scheme.kh";

}  // namespace

TEST_CASE("batch runs give byte-identical CSV results with 1 and 4 threads", "[batch]") {
    const fs::path dir = fresh_dir("jobs");
    const std::string units = table(12000, false);
    REQUIRE(units.size() > (2u << 20));  // several chunks
    std::ofstream(dir / "units.csv", std::ios::binary) << units;
    const Run one = run(dir, "run '" + scheme + "' units.csv --format csv -j 1 -o one.csv");
    const Run four = run(dir, "run '" + scheme + "' units.csv --format csv -j 4 -o four.csv");
    REQUIRE(one.exit == 0);
    REQUIRE(four.exit == 0);
    const std::string a = read_file(dir / "one.csv"), b = read_file(dir / "four.csv");
    CHECK(a == b);
    CHECK(std::count(a.begin(), a.end(), '\n') == 12000 + 2);  // header, a row per unit, the stamp
    CHECK(a.rfind("# kaohe ") == a.rfind('\n', a.size() - 2) + 1);  // the stamp is the last line
    CHECK(one.out.empty());  // -o: nothing on stdout
    fs::remove_all(dir);
}

TEST_CASE("errors in a threaded batch run are reported in input order, the same with any -j", "[batch]") {
    const fs::path dir = fresh_dir("errors");
    std::ofstream(dir / "units.csv", std::ios::binary) << table(12000, true);
    std::ofstream(dir / "old.csv") << "an earlier result\n";
    const Run one = run(dir, "run '" + scheme + "' units.csv --format csv -j 1 -o old.csv");
    const Run four = run(dir, "run '" + scheme + "' units.csv --format csv -j 4");
    CHECK(one.exit == 1);
    CHECK(four.exit == 1);
    CHECK(one.err == four.err);
    CHECK(one.err.find("duplicate unit '单位1499'") != std::string::npos);
    CHECK(one.err.find("'全员驻村': expected yes or no") != std::string::npos);
    CHECK(read_file(dir / "old.csv") == "an earlier result\n");  // a failed run leaves -o as it was
    fs::remove_all(dir);
}

TEST_CASE("a GBK table streams to the rows of its UTF-8 twin, with any -j, characters cut by blocks included",
          "[batch]") {
    const fs::path dir = fresh_dir("gbk");
    // The first 1 MiB block boundary must fall inside a two-byte character: the header's first
    // name is padded with spaces (names are trimmed) until the last such character to start
    // before the boundary starts on its last byte. The same padding in both twins.
    std::string utf8 = table(12000, false);
    std::string gbk = to_gbk(utf8);
    const auto is_lead = [&](std::size_t i) { return static_cast<unsigned char>(gbk[i]) >= 0x81; };
    std::size_t last_lead = 0;
    for (std::size_t i = 0; i < (1u << 20); i += is_lead(i) ? 2 : 1)
        if (is_lead(i)) last_lead = i;
    const std::size_t pad = (1u << 20) - 1 - last_lead;
    utf8.insert(utf8.find(','), pad, ' ');
    gbk.insert(gbk.find(','), pad, ' ');
    bool cut = false;  // walking the characters again: one starts on the boundary's last byte
    for (std::size_t i = 0; i < (1u << 20); i += is_lead(i) ? 2 : 1)
        cut = i == (1u << 20) - 1 && is_lead(i);
    CHECK(cut);
    // The same name in two folders: the reports differ only in the digest.
    const fs::path u = dir / "utf8", g = dir / "gbk";
    fs::create_directories(u);
    fs::create_directories(g);
    std::ofstream(u / "units.csv", std::ios::binary) << utf8;
    std::ofstream(g / "units.csv", std::ios::binary) << gbk;
    const Run reference = run(u, "run '" + scheme + "' units.csv --format csv -j 1 -o out.csv");
    REQUIRE(reference.exit == 0);
    const std::string expected = rows(read_file(u / "out.csv"));
    for (const char* jobs : {"1", "2", "4"}) {
        CAPTURE(jobs);
        const Run r = run(g, "run '" + scheme + "' units.csv --format csv -j " + jobs + " -o out.csv");
        CHECK(r.exit == 0);
        CHECK(rows(read_file(g / "out.csv")) == expected);
    }
    // The whole-table path reads the same values.
    const Run json_utf8 = run(u, "run '" + scheme + "' units.csv --format json");
    const Run json_gbk = run(g, "run '" + scheme + "' units.csv --format json");
    CHECK(json_gbk.exit == 0);
    const auto ranking = [](const std::string& json) { return json.substr(json.find("\"ranking\"")); };
    CHECK(ranking(json_gbk.out) == ranking(json_utf8.out));
    CHECK(json_gbk.out.find("\"encoding\": \"GBK\"") < json_gbk.out.find("\"ranking\""));  // the input's entry says so
    CHECK(json_utf8.out.find("\"encoding\"") == std::string::npos);                         // UTF-8 as it always was
    fs::remove_all(dir);
}

TEST_CASE("errors in a streamed GBK table are placed and shown as in its UTF-8 twin", "[batch]") {
    const fs::path dir = fresh_dir("gbk-errors");
    const std::string utf8 = table(12000, true);
    std::ofstream(dir / "units.csv", std::ios::binary) << utf8;
    const Run reference = run(dir, "run '" + scheme + "' units.csv --format csv -j 1");
    std::ofstream(dir / "units.csv", std::ios::binary) << to_gbk(utf8);
    for (const char* jobs : {"1", "4"}) {
        CAPTURE(jobs);
        const Run r = run(dir, "run '" + scheme + "' units.csv --format csv -j " + jobs);
        CHECK(r.exit == 1);
        CHECK(r.err == reference.err);  // same lines, columns and source lines (shown in UTF-8)
        CHECK(rows(r.out) == rows(reference.out));
    }
    fs::remove_all(dir);
}

TEST_CASE("a byte in no encoding past the sample that decided GBK is an error at its line, on both paths",
          "[batch]") {
    const fs::path dir = fresh_dir("gbk-bad");
    std::string gbk = to_gbk(table(12000, false));
    const std::size_t line_9000 = [&] {
        std::size_t at = 0;
        for (int line = 1; line < 9000; ++line) at = gbk.find('\n', at) + 1;
        return at;
    }();
    gbk[gbk.find(',', line_9000) + 1] = '\xFF';  // the first cell after the unit's name
    std::ofstream(dir / "units.csv", std::ios::binary) << gbk;
    const Run one = run(dir, "run '" + scheme + "' units.csv --format csv -j 1");
    const Run four = run(dir, "run '" + scheme + "' units.csv --format csv -j 4");
    const Run whole = run(dir, "run '" + scheme + "' units.csv");
    CHECK(one.exit == 1);
    CHECK(four.exit == 1);
    CHECK(whole.exit == 1);
    CHECK(one.err.find("units.csv:9000:") != std::string::npos);
    CHECK(one.err.find("the table is not valid GBK") != std::string::npos);
    CHECK(one.err == four.err);
    CHECK(one.out == four.out);
    CHECK(one.err.substr(one.err.find("units.csv:9000:")) == whole.err.substr(whole.err.find("units.csv:9000:")));
    fs::remove_all(dir);
}

// ---- schemes with population rules (docs/performance.md "Schemes with population rules") ----

namespace {

const std::string population_scheme = std::string(KAOHE_SOURCE_DIR) + "/examples/town-office-posts/scheme.kh";

// The town-office-posts example's eight units (tests/cases/perf/town-office-posts.csv, its
// evidence/*.txt as columns) repeated `units` times under new names, with the rank, a score the
// population means read, and the duty absences varied; `note` long text in every row's first
// record where there is one (evidence the streamed run must not keep).
std::string population_table(std::size_t units, std::size_t note = 0) {
    const std::string base = read_file(fs::path(KAOHE_SOURCE_DIR) / "tests/cases/perf/town-office-posts.csv");
    std::vector<std::string> lines;
    std::istringstream in(base);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::string out = lines[0] + '\n';
    std::uint64_t state = 7;
    const auto next = [&](std::uint32_t n) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<std::uint32_t>(state >> 33) % n;
    };
    for (std::size_t u = 0; u < units; ++u) {
        std::vector<std::string> cells;
        std::istringstream row(lines[1 + u % (lines.size() - 1)]);
        for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
        cells.resize(lines[0].size() == 0 ? 0 : std::count(lines[0].begin(), lines[0].end(), ',') + 1);
        cells[0] += std::to_string(u);
        cells[2] = std::to_string(1 + next(8));    // 线上名次
        cells[4] = std::to_string(10 + next(6));   // 指导员工作得分
        cells[15] = std::to_string(next(4));       // 值班缺席
        if (note != 0 && !cells[40].empty()) cells[39] = std::string(note, 'x');
        std::string line;
        for (std::size_t c = 0; c < cells.size(); ++c) line += (c ? "," : "") + cells[c];
        out += line + '\n';
    }
    return out;
}

// The rows evaluate_all gives for the table loaded whole (the path --format csv took before
// such runs were streamed), without the stamp.
std::string whole_rows(const kaohe::bc::Program& program, const std::string& table_path) {
    kaohe::Diagnostics diags;
    kaohe::EvidenceSet set;
    REQUIRE(kaohe::load_evidence(program, {table_path}, set, diags));
    const auto sheets = kaohe::evaluate_all(program, set, kaohe::Explain::no, diags);
    REQUIRE(sheets);
    const kaohe::CsvResultWriter writer(program, true);
    std::string out = writer.header();
    for (const auto& sheet : *sheets) REQUIRE(writer.append_row(sheet, out, diags));
    return out;
}

kaohe::bc::Program compile_file(const std::string& path) {
    const std::string text = read_file(path);
    kaohe::Diagnostics diags;
    auto ast = kaohe::parse_scheme(text, path, diags);
    REQUIRE(ast);
    auto program = kaohe::compile(*ast, text, diags);
    REQUIRE(program);
    REQUIRE(kaohe::has_population_phase(*program));
    return std::move(*program);
}

kaohe::bc::Program population_program() { return compile_file(population_scheme); }

// A streamed population run through the API (what cli/stream.cpp does with each pass's rows):
// the rows, and how many passes it took before the one that writes them.
struct Streamed {
    std::string rows;
    int passes = 0;
    std::size_t bytes_per_unit = 0;  // PopulationRun::retained_bytes() / units
};
Streamed stream_rows(const kaohe::bc::Program& program, const kaohe::EvidenceSet& set) {
    kaohe::Diagnostics diags;
    kaohe::PopulationRun run(program);
    kaohe::PopulationRun::Stepper stepper(program);
    kaohe::PopulationRun::Batch batch;
    std::size_t at_barrier = 0;
    for (const auto& unit : set.units)
        if (stepper.first(batch, unit, diags) == kaohe::PopulationRun::Step::barrier) ++at_barrier;
    run.append(batch);
    Streamed out;
    out.passes = 1;
    while (run.end_pass(at_barrier, diags) == kaohe::PopulationRun::Next::pass) {
        ++out.passes;
        at_barrier = 0;
        for (std::size_t u = 0; u < set.units.size(); ++u)
            if (stepper.replay(run, u, set.units[u], diags) == kaohe::PopulationRun::Step::barrier) ++at_barrier;
    }
    const kaohe::CsvResultWriter writer(program, true);
    for (std::size_t u = 0; u < set.units.size(); ++u) {
        const kaohe::Scoresheet* sheet = stepper.sheet(run, u, set.units[u], diags);
        REQUIRE(sheet);
        writer.append_row(*sheet, out.rows, diags);
    }
    for (const auto& d : diags.all()) UNSCOPED_INFO(d.message);
    CHECK(!diags.has_errors());
    out.bytes_per_unit = run.retained_bytes() / std::max<std::size_t>(set.units.size(), 1);
    return out;
}

}  // namespace

TEST_CASE("a scheme with population rules streams to the rows evaluate_all gives, with any -j", "[batch]") {
    const fs::path dir = fresh_dir("population");
    const std::string units = population_table(10000);
    REQUIRE(units.size() > (2u << 20));  // several chunks
    std::ofstream(dir / "units.csv", std::ios::binary) << units;
    const kaohe::bc::Program program = population_program();
    const std::string expected = whole_rows(program, (dir / "units.csv").string());
    for (const char* jobs : {"1", "2", "3"}) {
        CAPTURE(jobs);
        const Run r = run(dir, "run '" + population_scheme + "' units.csv --format csv -j " + jobs + " -o out.csv");
        CHECK(r.exit == 0);
        const std::string out = read_file(dir / "out.csv");
        CHECK(rows(out) == expected);
        CHECK(out.substr(out.rfind('\n', out.size() - 2) + 1).rfind("# kaohe 0.1.0 scheme ", 0) == 0);
    }
    // A GBK table: the same rows.
    const fs::path g = dir / "gbk";
    fs::create_directories(g);
    std::ofstream(g / "units.csv", std::ios::binary) << to_gbk(units);
    for (const char* jobs : {"1", "2"}) {
        CAPTURE(jobs);
        const Run r = run(g, "run '" + population_scheme + "' units.csv --format csv -j " + jobs + " -o out.csv");
        CHECK(r.exit == 0);
        CHECK(rows(read_file(g / "out.csv")) == expected);
    }
    fs::remove_all(dir);
}

namespace {

// `units` (a table with an error) run with -j 1 into an earlier results file and with -j 2 to
// stdout: each fails with the diagnostics of the text report, which loads the table whole (as
// the old path did), containing `error`, and leaves the results file as it was.
void check_failed_as_whole(const std::string& name, const std::string& units, const std::string& error) {
    const fs::path dir = fresh_dir(name);
    std::ofstream(dir / "units.csv", std::ios::binary) << units;
    std::ofstream(dir / "old.csv") << "an earlier result\n";
    const Run one = run(dir, "run '" + population_scheme + "' units.csv --format csv -j 1 -o old.csv");
    const Run two = run(dir, "run '" + population_scheme + "' units.csv --format csv -j 2");
    const Run text = run(dir, "run '" + population_scheme + "' units.csv");
    CHECK(one.exit == 1);
    CHECK(two.exit == 1);
    CHECK(one.err == two.err);
    CHECK(one.err == text.err);
    CHECK(one.err.find(error) != std::string::npos);
    CHECK(two.out.empty());
    CHECK(read_file(dir / "old.csv") == "an earlier result\n");
    fs::remove_all(dir);
}

}  // namespace

TEST_CASE("errors in a streamed population run are reported as when the table is loaded whole", "[batch]") {
    std::string units = population_table(10000);
    const std::size_t line_5000 = [&] {
        std::size_t at = 0;
        for (int line = 1; line < 5000; ++line) at = units.find('\n', at) + 1;
        return at;
    }();
    units.replace(line_5000, units.find(',', line_5000) - line_5000, "陈海波8");  // a duplicate of line 10's unit
    check_failed_as_whole("population-errors", units, "duplicate unit '陈海波8'");
}

TEST_CASE("an evaluation error in a later pass of a streamed population run is reported as when loaded whole",
          "[batch]") {
    // Nobody is a 指导员: the mean phase 2 reads has no value, an error found only in pass 2.
    std::istringstream in(population_table(10000));
    std::string units;
    for (std::string line; std::getline(in, line);) {
        const std::size_t third = line.find(',', line.find(',', line.find(',') + 1) + 1);  // before 是指导员
        const std::size_t end = line.find(',', third + 1);
        if (!units.empty()) line.replace(third + 1, end - third - 1, "否");
        units += line + '\n';
    }
    check_failed_as_whole("population-pass-2", units, "has no value for unit");
}

TEST_CASE("a streamed population run keeps per unit only what later passes read, not its evidence", "[batch]") {
    // The same units with 4,000 bytes of text more in each row: the run keeps the same.
    const kaohe::bc::Program program = population_program();
    const auto retained = [&](std::size_t note) {
        const fs::path dir = fresh_dir("population-state-" + std::to_string(note));
        std::ofstream(dir / "units.csv", std::ios::binary) << population_table(200, note);
        kaohe::Diagnostics diags;
        kaohe::EvidenceSet set;
        const bool loaded = kaohe::load_evidence(program, {(dir / "units.csv").string()}, set, diags);
        for (const auto& d : diags.all()) UNSCOPED_INFO(d.message);
        REQUIRE(loaded);
        const Streamed streamed = stream_rows(program, set);
        CHECK(streamed.passes == 3);  // to BARRIER 0, to BARRIER 1, to the end for the totals
        // The same rows as evaluate_all's.
        const auto whole = kaohe::evaluate_all(program, set, kaohe::Explain::no, diags);
        REQUIRE(whole);
        const kaohe::CsvResultWriter writer(program, true);
        std::string expected;
        for (const auto& s : *whole) writer.append_row(s, expected, diags);
        CHECK(streamed.rows == expected);
        fs::remove_all(dir);
        return streamed.bytes_per_unit;
    };
    const std::size_t plain = retained(0), long_text = retained(4000);
    CHECK(long_text == plain);
    // The figure docs/performance.md quotes for this scheme: at most, in pass 1, the two numbers
    // and the yes/no its two means read (16 + 16 + 1 bytes: numbers are kept packed); later the
    // total (16) and the bottom-3 flag (4). Not its 14 nodes' or 22 rules' outcomes any more.
    CHECK(plain <= 36);
    WARN("retained bytes per unit: " << plain);
}

// Every population construct (tests/cases/population/every-construct.kh: ranks, counts, sums,
// means, maxima and minima among all and among groups, bottom/top N, grades with quotas and a
// veto, money and forfeits), `units` units deterministically, in two groups, with many ties and
// a few values too large for a Decimal's small form.
std::string population_grades_table(std::size_t units) {
    std::string out = "unit,group,是指导员,指导员得分,线上考核分,满意度测评分,民主测评.好,民主测评.较好,民主测评.一般,"
                      "民主测评.较差,群众评议.满意,群众评议.基本满意,群众评议.不满意,班子评分[1].评分人,"
                      "班子评分[1].党建工作,班子评分[1].业务工作,一票否决事项,参与赌博,人数\n";
    std::uint64_t state = 11;
    const auto next = [&](std::uint32_t n) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<std::uint32_t>(state >> 33) % n;
    };
    const auto yes_no = [&](std::uint32_t one_in) { return next(one_in) == 0 ? "是" : "否"; };
    for (std::size_t u = 0; u < units; ++u) {
        std::string row = "单位" + std::to_string(u) + (next(3) ? ",镇" : ",街道");
        const bool instructor = next(3) == 0;
        row += std::string(",") + (instructor ? "是" : "否") + ',' + (instructor ? std::to_string(next(16)) : "");
        row += ',' + std::to_string(40 + next(11)) + ',' + std::to_string(next(21));
        if (u % 997 == 5) row += "98765432109876543210";  // past int64: kept whole, not packed
        // Somebody votes 好 and nobody 较差: the 民主测评 award is never negative.
        for (int v = 0; v < 7; ++v) row += ',' + std::to_string(v == 3 ? 0 : next(5) + (v == 0 ? 1 : 0));
        row += ",李" + std::to_string(next(9)) + ',' + std::to_string(80 + next(21)) + ',' + std::to_string(80 + next(21));
        row += std::string(",") + yes_no(20) + ',' + yes_no(30) + ',' + std::to_string(1 + next(9));
        out += row + '\n';
    }
    return out;
}

TEST_CASE("every population construct streams to the rows evaluate_all gives", "[batch]") {
    const fs::path dir = fresh_dir("population-grades");
    const std::string scheme = read_file(fs::path(KAOHE_SOURCE_DIR) / "tests/cases/population/every-construct.kh");
    const auto replaced = [&](const std::string& from, const std::string& to) {
        std::string s = scheme;
        REQUIRE(s.find(from) != std::string::npos);
        return s.replace(s.find(from), from.size(), to);
    };
    std::ofstream(dir / "all.kh", std::ios::binary) << scheme;
    // The grades per group too: quotas per group.
    std::ofstream(dir / "group.kh", std::ios::binary)
        << replaced("grades 等次 by total among all", "grades 等次 by total among group");
    std::ofstream(dir / "no-display.kh", std::ios::binary) << replaced("  display 2 half_up", "");
    const std::string units = population_grades_table(40000);
    REQUIRE(units.size() > (2u << 20));  // several chunks
    std::ofstream(dir / "units.csv", std::ios::binary) << units;
    for (const char* name : {"all.kh", "group.kh"}) {
        CAPTURE(name);
        const kaohe::bc::Program program = compile_file((dir / name).string());
        const std::string expected = whole_rows(program, (dir / "units.csv").string());
        // Grades with their quotas and the veto, and the ranks, all occur.
        for (const char* grade : {",优秀,", ",良好,", ",合格,", ",不合格,"}) CHECK(expected.find(grade) != std::string::npos);
        for (const char* jobs : {"1", "2"}) {
            CAPTURE(jobs);
            const Run r = run(dir, std::string("run ") + name + " units.csv --format csv -j " + jobs + " -o out.csv");
            CHECK(r.exit == 0);
            CHECK(rows(read_file(dir / "out.csv")) == expected);
        }
        // Through the API: to BARRIER 0, to BARRIER 1, for the totals.
        kaohe::Diagnostics diags;
        kaohe::EvidenceSet set;
        REQUIRE(kaohe::load_evidence(program, {(dir / "units.csv").string()}, set, diags));
        const Streamed streamed = stream_rows(program, set);
        CHECK(streamed.passes == 3);
        CHECK(kaohe::CsvResultWriter(program, true).header() + streamed.rows == expected);
    }
    // Without `display` the means cannot be printed: the last pass stops at the first row that
    // cannot be written, as the whole-loaded run's writing does (one error, whatever -j).
    const Run one = run(dir, "run no-display.kh units.csv --format csv -j 1 -o out.csv");
    const Run two = run(dir, "run no-display.kh units.csv --format csv -j 2 -o out.csv");
    CHECK(one.exit == 1);
    CHECK(two.exit == 1);
    CHECK(one.err == two.err);
    const auto unprintable = [](const std::string& err) {
        std::size_t n = 0;
        for (std::size_t at = 0; (at = err.find("cannot be printed exactly", at)) != std::string::npos; ++at) ++n;
        return n;
    };
    CHECK(unprintable(one.err) == 1);
    fs::remove_all(dir);
}

TEST_CASE("a table given through a named pipe scores as the same table in a file, with and without population rules",
          "[batch]") {
    // A pipe can be read only once: a scheme without population rules streams it, one with them
    // takes the whole-loaded path (docs/performance.md). Neither may wait for a second reading.
    const fs::path dir = fresh_dir("fifo");
    for (const auto& [scheme_path, units] :
         {std::pair{scheme, table(3000, false)}, std::pair{population_scheme, population_table(3000)}}) {
        CAPTURE(scheme_path);
        std::ofstream(dir / "units.csv", std::ios::binary) << units;
        const Run file = run(dir, "run '" + scheme_path + "' units.csv --format csv");
        REQUIRE(file.exit == 0);
        const fs::path pipe = dir / "pipe.csv";
        fs::remove(pipe);
        REQUIRE(::mkfifo(pipe.c_str(), 0600) == 0);
        // The writer is a process of its own, so the run's open of the pipe finds it; `timeout`
        // turns a run that waits for a second reading into a failure instead of a hung test.
        const Run piped = shell(dir, "(timeout 60 cat units.csv > pipe.csv &) && timeout 60 '" KAOHE_BINARY "' run '" + scheme_path +
                                         "' pipe.csv --format csv");
        CHECK(piped.exit == 0);
        CHECK(rows(piped.out) == rows(file.out));
    }
    fs::remove_all(dir);
}
