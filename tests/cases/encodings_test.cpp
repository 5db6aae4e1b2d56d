// The three encodings of tests/cases/encodings/ (make_tables.py: the wenling-2013 evidence as
// one table, in UTF-8, UTF-8 with a BOM and GBK, with CRLF line ends and quoted cells) load to
// the same units, value for value, texts with commas, quotes and line breaks included; and the
// digest stamped on the report is that of the bytes on disk.
#include "compiler/compile.hpp"
#include "lang/parse.hpp"
#include "runtime/evidence.hpp"
#include "runtime/sha256.hpp"

#include "tests/support.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;
using namespace kaohe;

namespace {

using kaohe::test::read_file;

const fs::path dir = fs::path(KAOHE_SOURCE_DIR) / "tests" / "cases" / "encodings";

bc::Program wenling() {
    const fs::path path = fs::path(KAOHE_SOURCE_DIR) / "examples" / "wenling-2013" / "scheme.kh";
    const std::string text = read_file(path);
    Diagnostics diags;
    auto ast = parse_scheme(text, path.string(), diags);
    REQUIRE(ast);
    auto program = compile(*ast, text, diags);
    REQUIRE(program);
    return std::move(*program);
}

// Every value of a unit, written out (text values in full).
void dump(const Value& v, std::string& out) {
    switch (v.tag) {
        case Value::Tag::number: out += v.number.to_string(); break;
        case Value::Tag::yes_no: out += v.yes ? "yes" : "no"; break;
        case Value::Tag::choice: out += "#" + std::to_string(v.choice); break;
        case Value::Tag::text: out += "\"" + *v.text + "\""; break;
        case Value::Tag::list:
        case Value::Tag::votes:
            out += "[";
            for (const Record& r : *v.list) {
                out += "{";
                for (const Value& f : r) {
                    dump(f, out);
                    out += ";";
                }
                out += "}";
            }
            out += "]";
            break;
    }
}

std::string dump(const EvidenceSet& set) {
    std::string out;
    for (const UnitEvidence& u : set.units) {
        out += u.name + "/" + u.group + ":";
        for (const Value& v : u.values) {
            dump(v, out);
            out += ",";
        }
        out += "\n";
    }
    return out;
}

EvidenceSet load(const bc::Program& program, const std::string& file, TextEncoding encoding) {
    EvidenceSet set;
    Diagnostics diags;
    CHECK(load_evidence(program, {(dir / file).string()}, set, diags, encoding));
    CHECK(diags.all().empty());
    return set;
}

}  // namespace

TEST_CASE("UTF-8, UTF-8 with a BOM and GBK tables load the same units, value for value") {
    const bc::Program program = wenling();
    const EvidenceSet utf8 = load(program, "utf8.csv", TextEncoding::detect);
    REQUIRE(utf8.units.size() == 5);
    const std::string expected = dump(utf8);
    CHECK(expected.find("\"网格化管理, 组团式服务 (\"全覆盖\")\"") != std::string::npos);  // commas, doubled quotes
    CHECK(expected.find("\"街道干部\n民情夜访\"") != std::string::npos);                // a CRLF inside a cell reads as LF
    for (const char* file : {"utf8_bom.csv", "gbk.csv"}) {
        CAPTURE(file);
        CHECK(dump(load(program, file, TextEncoding::detect)) == expected);
    }
    CHECK(dump(load(program, "gbk.csv", TextEncoding::gbk)) == expected);
    CHECK(dump(load(program, "utf8.csv", TextEncoding::utf8)) == expected);
}

TEST_CASE("the digest of a GBK table is that of its bytes on disk") {
    const bc::Program program = wenling();
    const EvidenceSet set = load(program, "gbk.csv", TextEncoding::detect);
    REQUIRE(set.inputs.size() == 1);
    CHECK(set.inputs[0].sha256 == sha256(read_file(dir / "gbk.csv")));
}
