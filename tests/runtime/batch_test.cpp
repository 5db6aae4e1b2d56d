// The batch path (CsvUnitTyper -> BatchEvaluator -> CsvResultWriter): rows typed exactly like
// load_evidence_csv, scores exact through Decimal's overflow into Boost and back, and reused
// buffers that carry nothing from one unit to the next.
#include "compiler/compile.hpp"
#include "lang/parse.hpp"
#include "runtime/csv.hpp"
#include "runtime/evidence.hpp"
#include "runtime/report_csv.hpp"
#include "runtime/verify.hpp"
#include "runtime/vm.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace kaohe;

namespace {

bc::Program program_of(const std::string& text) {
    Diagnostics diags;
    auto ast = parse_scheme(text, "s.kh", diags);
    REQUIRE(ast);
    auto program = compile(*ast, text, diags);
    REQUIRE(program);
    REQUIRE(verify(*program, "s.kh", diags));
    return std::move(*program);
}

// Scores each data row of `csv` with one typer and one evaluator, as a batch worker does; the
// result rows (no header), or the first error message.
std::string batch(const bc::Program& program, const std::string& csv) {
    Diagnostics diags;
    const std::string source = "t.csv";  // outlives the cursor, which refers to it
    CsvRowCursor cursor(csv, 1, source, diags);
    CsvRow header, row;
    REQUIRE(cursor.next(header, 0));
    auto typer = CsvUnitTyper::from_header(program, "t.csv", header, diags);
    REQUIRE(typer);
    BatchEvaluator evaluator(program);
    const CsvResultWriter writer(program, false);
    UnitEvidence unit;
    std::string out;
    while (cursor.next(row, header.cells.size())) {
        if (!typer->type_row(row, unit, diags)) break;
        const Scoresheet* sheet = evaluator.evaluate(unit, diags);
        if (!sheet || !writer.append_row(*sheet, out, diags)) break;
    }
    if (diags.has_errors()) return "error: " + diags.all().front().message;
    return out;
}

// a × b overflows int64 (3037000500² = 9223372037000250000 > 2^63 - 1); c does not fit either.
// The difference is small again and must come out exact.
const char* const overflow_scheme = R"(scheme "overflow" {
  total 100
  evidence {
    a: decimal "a"
    b: points "b"
    c: points "c"
  }
  section "s" points 100 {
    item "i" points 100 { score a * b - c }
  }
}
)";

}  // namespace

TEST_CASE("a product past int64 is promoted and the score stays exact through the VM", "[batch]") {
    const auto program = program_of(overflow_scheme);
    const std::string out = batch(program,
                                  "unit,a,b,c\n"
                                  "甲,3037000500,3037000500,9223372037000249950\n"   // 50
                                  "乙,3037000500,3037000500,9223372037000249999.5\n"  // 0.5
                                  "丙,2,3,0\n");                                      // 6: back on the fast path
    CHECK(out == "甲,,50,50,50\n乙,,0.5,0.5,0.5\n丙,,6,6,6\n");
}

TEST_CASE("a reused unit and score sheet carry nothing from one row to the next", "[batch]") {
    const auto program = program_of(R"(scheme "reuse" {
  total 10
  evidence {
    x: yes_no "x"
    n: count 次 default 0 "n"
    k: choice { 好, 差 } "k"
  }
  section "s" points 10 {
    item "i" points 6 { deduct 1 per n  deduct 6 unless x }
    item "j" points 4 { deduct 4 if k is 差 }
  }
}
)");
    // Row 2 deducts everything; row 3 (all defaults and good values) must score full again.
    const std::string out = batch(program, "unit,x,n,k\nA,是,1,好\nB,否,9,差\nC,yes,,好\n");
    CHECK(out == "A,,9,9,5,4\nB,,0,0,0,0\nC,,10,10,6,4\n");
}

TEST_CASE("the batch typer reports a bad cell as the loader does", "[batch]") {
    const auto program = program_of(overflow_scheme);
    CHECK(batch(program, "unit,a,b,c\n甲,1,2,x\n") == "error: 'c': expected a number of points (分), got 'x'");
}

// The fast typer tells the six yes/no words apart by a key of their length and first and last two
// bytes; every near miss (one byte changed, dropped or added, other case) must still go the
// ordinary way and be reported as the loader reports it.
TEST_CASE("the batch typer reads exactly the six yes/no words", "[batch]") {
    const auto program = program_of(R"(scheme "words" {
  total 10
  evidence {
    f: yes_no "f"
  }
  section "s" points 10 {
    item "i" points 10 { deduct 3 if f }
  }
}
)");
    for (const auto& [word, score] : std::vector<std::pair<std::string, std::string>>{
             {"yes", "7"}, {"是", "7"}, {"true", "7"}, {"no", "10"}, {"否", "10"}, {"false", "10"}, {" 是 ", "7"}}) {
        INFO(word);
        CHECK(batch(program, "unit,f\n甲," + word + "\n") == "甲,," + score + "," + score + "," + score + "\n");
    }
    for (const std::string word : {"fakse", "faXse", "fals", "falsee", "fXlse", "flase", "tru", "ture", "True", "YES",
                                   "yse", "noo", "on", "n", "y", "是是", "否否", "昰", "吗",
                                   "1", "0", "ok", "none", "trues"}) {
        INFO(word);
        CHECK(batch(program, "unit,f\n甲," + word + "\n").starts_with("error: 'f': expected"));
    }
}
