// Evidence loading, as data: tests/runtime/data/evidence/scheme.kh is compiled once; every
// entry of good/ and bad/ (an evidence file, a CSV table or a directory) is loaded with
// load_evidence and the transcript (diagnostics, then every loaded unit with its typed values
// and origins) is compared with the `<entry>.expected` file beside it.
// Entries in good/ must load without errors; entries in bad/ must report at least one.
// With KAOHE_UPDATE_GOLDEN=1 the .expected files are rewritten instead; review the diff.
#include "runtime/evidence.hpp"

#include "compiler/compile.hpp"
#include "lang/parse.hpp"
#include "runtime/sha256.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace kaohe;
namespace fs = std::filesystem;

namespace {

const fs::path data_dir = fs::path(KAOHE_SOURCE_DIR) / "tests/runtime/data/evidence";

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

const bc::Program& scheme() {
    static const bc::Program program = [] {
        // Inputs are named relative to the data directory, as a user in it would name them.
        fs::current_path(data_dir);
        const std::string path = (data_dir / "scheme.kh").string();
        const std::string text = read_file(path);
        Diagnostics diags;
        auto ast = parse_scheme(text, "scheme.kh", diags);
        std::optional<bc::Program> p;
        if (ast) p = compile(*ast, text, diags);
        for (const auto& d : diags.all())
            if (d.severity != Severity::warning) FAIL_CHECK(render(d, text));
        REQUIRE(p);
        return *p;
    }();
    return program;
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
    }
    return out;
}

std::vector<fs::path> entries(const char* kind) {
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(data_dir / kind)) {
        const auto ext = e.path().extension();
        if (e.is_directory() || ext == ".txt" || ext == ".csv") found.push_back(fs::path(kind) / e.path().filename());
    }
    std::sort(found.begin(), found.end());
    return found;
}

void run_entries(const char* kind, bool expect_errors) {
    const bc::Program& program = scheme();
    const auto found = entries(kind);
    REQUIRE(!found.empty());
    for (const fs::path& entry : found) {
        DYNAMIC_SECTION(entry.string()) {
            Diagnostics diags;
            EvidenceSet set;
            const bool ok = load_evidence(program, {entry.string()}, set, diags);
            CHECK(ok == !expect_errors);
            CHECK(diags.has_errors() == expect_errors);
            const std::string actual = transcript(program, diags, set);
            const fs::path expected_path = data_dir / (entry.string() + ".expected");
            if (std::getenv("KAOHE_UPDATE_GOLDEN")) {
                std::ofstream(expected_path, std::ios::binary) << actual;
            } else {
                CHECK(actual == read_file(expected_path));
            }
        }
    }
}

}  // namespace

TEST_CASE("good evidence loads, typed against the scheme") { run_entries("good", false); }

TEST_CASE("bad evidence is reported and adds no unit from the bad file") { run_entries("bad", true); }

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
