// Evidence loading, as data: each data directory (tests/runtime/data/evidence: every field type;
// tests/runtime/data/evidence-tally: tallies and self-assessed scores) has a scheme.kh, compiled
// once; every entry of its good/ and bad/ (an evidence file, a CSV table or a directory) is
// loaded with load_evidence and the transcript (diagnostics, then every loaded unit with its
// typed values, origins and self-assessed scores) is compared with the `<entry>.expected` file
// beside it.
// Entries in good/ must load without errors; entries in bad/ must report at least one.
// With KAOHE_UPDATE_GOLDEN=1 the .expected files are rewritten instead; review the diff.
#include "runtime/evidence.hpp"

#include "compiler/compile.hpp"
#include "lang/parse.hpp"
#include "runtime/report.hpp"
#include "runtime/sha256.hpp"

#include "tests/support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace kaohe;
namespace fs = std::filesystem;

namespace {

using kaohe::test::read_file;

const fs::path data_root = fs::path(KAOHE_SOURCE_DIR) / "tests/runtime/data";
const fs::path data_dir = data_root / "evidence";
const fs::path tally_dir = data_root / "evidence-tally";

// The data directory's scheme, compiled once. Inputs are named relative to the data directory,
// as a user in it would name them, so the working directory changes to it.
const bc::Program& scheme(const fs::path& dir = data_dir) {
    static std::map<fs::path, bc::Program> compiled;
    fs::current_path(dir);
    if (const auto it = compiled.find(dir); it != compiled.end()) return it->second;
    const std::string text = read_file(dir / "scheme.kh");
    Diagnostics diags;
    auto ast = parse_scheme(text, "scheme.kh", diags);
    std::optional<bc::Program> p;
    if (ast) p = compile(*ast, text, diags);
    for (const auto& d : diags.all())
        if (d.severity != Severity::warning) FAIL_CHECK(render(d, text));
    REQUIRE(p);
    return compiled.emplace(dir, std::move(*p)).first->second;
}

std::string show(const bc::Program& program, const bc::FieldSpec& spec, const Value& v) {
    switch (v.tag) {
    case Value::Tag::number: return v.number.to_string();
    case Value::Tag::yes_no: return v.yes ? "yes" : "no";
    case Value::Tag::choice: return program.choice_types.at(spec.choice_type).values.at(v.choice);
    case Value::Tag::text: return fmt::format("\"{}\"", *v.text);
    case Value::Tag::list: {
        std::vector<std::string> records;
        for (const Record& r : *v.list) {
            std::vector<std::string> fields;
            for (std::size_t f = 0; f < r.size(); ++f)
                fields.push_back(fmt::format("{}: {}", spec.fields.at(f).name, show(program, spec.fields[f], r[f])));
            records.push_back(fmt::format("{{{}}}", fmt::join(fields, ", ")));
        }
        return fmt::format("[{}]", fmt::join(records, ", "));
    }
    case Value::Tag::votes: {
        const auto& names = program.choice_types.at(spec.choice_type).values;
        REQUIRE(v.list->size() == 1);
        const Record& counts = v.list->front();
        REQUIRE(counts.size() == names.size());
        std::vector<std::string> parts;
        for (std::size_t i = 0; i < counts.size(); ++i)
            parts.push_back(fmt::format("{}: {}", names[i], counts[i].number.to_string()));
        return fmt::format("votes {{{}}}", fmt::join(parts, ", "));
    }
    }
    return "?";
}

std::string transcript(const bc::Program& program, const Diagnostics& diags, const EvidenceSet& set) {
    std::string out;
    for (const Diagnostic& d : diags.all()) {
        const char* severity = d.severity == Severity::error     ? "error"
                               : d.severity == Severity::warning ? "warning"
                               : d.severity == Severity::note    ? "note"
                                                                 : "internal";
        out += fmt::format("{}:{}:{}: {}: {}\n", d.file, d.span.begin.line, d.span.begin.column, severity,
                           d.message);
        if (!d.suggestion.empty()) out += fmt::format("  help: {}\n", d.suggestion);
    }
    for (const EvidenceInput& input : set.inputs) out += fmt::format("input {}\n", input.file);
    for (const UnitEvidence& unit : set.units) {
        out += fmt::format("unit {} group {} file {}\n", unit.name, unit.group.empty() ? "-" : unit.group,
                           unit.file);
        for (std::size_t i = 0; i < program.evidence.size(); ++i) {
            const FactOrigin& o = unit.origins.at(i);
            out += fmt::format("  {} = {}  @{}{}\n", program.evidence[i].name,
                               show(program, program.evidence[i], unit.values.at(i)),
                               o.line == 0 ? "default" : std::to_string(o.line),
                               o.source.empty() ? "" : fmt::format(" \"{}\"", o.source));
        }
        // Self-assessed scores: one entry per node, numbered as the reports number them.
        REQUIRE(unit.self_scores.size() == program.nodes.size());
        REQUIRE(unit.self_origins.size() == program.nodes.size());
        const auto numbers = report::node_numbers(program);
        for (std::size_t n = 0; n < program.nodes.size(); ++n) {
            if (!unit.self_scores[n]) continue;
            const FactOrigin& o = unit.self_origins[n];
            out += fmt::format("  self {} = {}  @{}{}\n", numbers[n], unit.self_scores[n]->to_string(), o.line,
                               o.source.empty() ? "" : fmt::format(" \"{}\"", o.source));
        }
    }
    return out;
}

std::vector<fs::path> entries(const fs::path& dir, const char* kind) {
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(dir / kind)) {
        const auto ext = e.path().extension();
        if (e.is_directory() || ext == ".txt" || ext == ".csv") found.push_back(fs::path(kind) / e.path().filename());
    }
    std::sort(found.begin(), found.end());
    return found;
}

void run_entries(const fs::path& dir, const char* kind, bool expect_errors) {
    const bc::Program& program = scheme(dir);
    const auto found = entries(dir, kind);
    REQUIRE(!found.empty());
    for (const fs::path& entry : found) {
        DYNAMIC_SECTION(dir.filename().string() << "/" << entry.string()) {
            Diagnostics diags;
            EvidenceSet set;
            const bool ok = load_evidence(program, {entry.string()}, set, diags);
            CHECK(ok == !expect_errors);
            CHECK(diags.has_errors() == expect_errors);
            const std::string actual = transcript(program, diags, set);
            const fs::path expected_path = dir / (entry.string() + ".expected");
            if (std::getenv("KAOHE_UPDATE_GOLDEN")) {
                std::ofstream(expected_path, std::ios::binary) << actual;
            } else {
                CHECK(actual == read_file(expected_path));
            }
        }
    }
}

}  // namespace

TEST_CASE("good evidence loads, typed against the scheme") {
    run_entries(data_dir, "good", false);
    run_entries(tally_dir, "good", false);
}

TEST_CASE("bad evidence is reported and adds no unit from the bad file") {
    run_entries(data_dir, "bad", true);
    run_entries(tally_dir, "bad", true);
}

TEST_CASE("a tally is stored as one record of counts in its choice type's order") {
    const bc::Program& program = scheme(tally_dir);
    Diagnostics diags;
    EvidenceSet set;
    REQUIRE(load_evidence(program, {"good/full.txt"}, set, diags));
    REQUIRE(set.units.size() == 1);
    const Value& board = set.units[0].values.at(1);  // 班子测评: { 不满意: 1, 满意: 6 } as written
    REQUIRE(board.tag == Value::Tag::votes);
    REQUIRE(board.list->size() == 1);
    const Record& counts = board.list->front();
    REQUIRE(counts.size() == 2);
    CHECK(counts[0].number == Decimal(6));  // 满意 comes first in the type
    CHECK(counts[1].number == Decimal(1));
}

TEST_CASE("text evidence and its CSV row give the same tallies and self-assessed scores") {
    const bc::Program& program = scheme(tally_dir);
    Diagnostics diags;
    EvidenceSet text, table;
    REQUIRE(load_evidence(program, {"good/table.csv"}, table, diags));
    const fs::path tmp = fs::temp_directory_path() / "kaohe-tally-test.txt";
    std::ofstream(tmp, std::ios::binary) << "unit \"城南街道\"\ngroup 街道\n"
                                            "民主测评: { 好: 30, 较好: 5, 一般: 1, 较差: 0 }\n"
                                            "班子测评: { 满意: 7, 不满意: 0 }\n住夜未落实: 1\n"
                                            "self 1.1: 6\nself 2.1.1: 3.5\n";
    REQUIRE(load_evidence(program, {tmp.string()}, text, diags));
    fs::remove(tmp);
    const UnitEvidence& a = text.units.at(0);
    const UnitEvidence& b = table.units.at(0);
    REQUIRE(a.values.size() == b.values.size());
    for (std::size_t i = 0; i < a.values.size(); ++i) {
        INFO(program.evidence[i].name);
        CHECK(a.values[i].tag == b.values[i].tag);
        if (a.values[i].tag == Value::Tag::votes)
            for (std::size_t k = 0; k < a.values[i].list->front().size(); ++k)
                CHECK(a.values[i].list->front()[k].number == b.values[i].list->front()[k].number);
        else
            CHECK(a.values[i].number == b.values[i].number);
    }
    CHECK(a.self_scores == b.self_scores);
}

TEST_CASE("every input is stamped with the SHA-256 of its bytes") {
    Diagnostics diags;
    EvidenceSet set;
    const bc::Program& program = scheme();
    const std::string path = "good/full.txt";
    REQUIRE(load_evidence(program, {path}, set, diags));
    REQUIRE(set.inputs.size() == 1);
    CHECK(set.inputs[0].file == path);
    CHECK(set.inputs[0].sha256 == sha256(read_file(path)));
}

TEST_CASE("a missing input is an error naming it") {
    Diagnostics diags;
    EvidenceSet set;
    CHECK_FALSE(load_evidence(scheme(), {"no/such/file.txt"}, set, diags));
    REQUIRE(diags.all().size() == 1);
    CHECK(diags.all()[0].file == "no/such/file.txt");
    CHECK(diags.all()[0].message == "cannot open file");
    CHECK(set.units.empty());
}
