// Properties of every example scheme, tested on random evidence (deterministic seeds):
//  - every node's score lies within [0, full + its allowance] (extra bonuses below it raise it);
//  - for the deduction scheme of seed 000, one more violation never raises any score;
//  - reordering the units changes nothing in the results but their order;
//  - the compiled .khc gives byte-identical reports to the scheme it came from.
#include "tests/support.hpp"

#include <catch2/catch.hpp>

#include "compiler/bytecode_file.hpp"
#include "compiler/compile.hpp"
#include "lang/parse.hpp"
#include "runtime/report.hpp"
#include "runtime/verify.hpp"
#include "runtime/vm.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using namespace kaohe;

namespace {

using kaohe::test::read_file;

constexpr int units_per_population = 12;  // enough for bottom-5 rules and quotas to bite
constexpr int rounds = 20;                // random populations per example

std::string rendered(const Diagnostics& diags) {
    std::string out;
    for (const auto& d : diags.all()) out += render(d, {}) + "\n";
    return out;
}

bc::Program compile_example(const fs::path& scheme) {
    Diagnostics diags;
    const std::string text = read_file(scheme);
    auto ast = parse_scheme(text, scheme.filename().string(), diags);
    INFO(rendered(diags));
    REQUIRE(ast);
    auto program = compile(*ast, text, diags);
    INFO(rendered(diags));
    REQUIRE(program);
    REQUIRE(verify(*program, scheme.filename().string(), diags));
    return *program;
}

std::vector<fs::path> example_schemes() {
    std::vector<fs::path> found;
    for (const auto& entry : fs::directory_iterator(fs::path(KAOHE_SOURCE_DIR) / "examples"))
        if (fs::exists(entry.path() / "scheme.kh")) found.push_back(entry.path() / "scheme.kh");
    std::sort(found.begin(), found.end());
    return found;
}

// ---- random evidence --------------------------------------------------------------------

class EvidenceMaker {
public:
    explicit EvidenceMaker(std::uint64_t seed) : rng_(seed) {}

    int whole(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

    // A value inside the field's declared range and step.
    Value value_for(const bc::Program& program, const bc::FieldSpec& spec) {
        switch (spec.type) {
        case bc::FieldType::yes_no: return Value::of_yes_no(whole(0, 3) != 0);  // mostly yes
        case bc::FieldType::count: {
            const int lo = spec.lo ? small(*spec.lo) : 0;
            const int hi = spec.hi ? small(*spec.hi) : lo + 6;
            return Value::of_number(Decimal(whole(lo, hi)));
        }
        case bc::FieldType::decimal: return Value::of_number(decimal_in(spec));
        case bc::FieldType::choice: {
            const auto n = static_cast<int>(program.choice_types.at(spec.choice_type).values.size());
            return Value::of_choice(static_cast<std::uint32_t>(whole(0, n - 1)));
        }
        case bc::FieldType::text: return Value::of_text("记录" + std::to_string(whole(1, 99)));
        case bc::FieldType::list: {
            // At least one record: rater lists are averaged, and a mean over no rater is an
            // evaluation error by design (tested in the VM's own tests), not a property.
            List records;
            const int n = whole(1, 4);
            for (int i = 0; i < n; ++i) {
                Record r;
                for (const auto& f : spec.fields) r.push_back(value_for(program, f));
                records.push_back(std::move(r));
            }
            return Value::of_list(std::move(records));
        }
        case bc::FieldType::votes: {
            Record counts;
            for (std::size_t i = 0; i < program.choice_types.at(spec.choice_type).values.size(); ++i)
                counts.push_back(Value::of_number(Decimal(whole(0, 20))));
            counts.front() = Value::of_number(Decimal(whole(1, 20)));  // at least one vote
            Value v = Value::of_list(List{std::move(counts)});
            v.tag = Value::Tag::votes;
            return v;
        }
        }
        return {};
    }

    UnitEvidence unit(const bc::Program& program, int index) {
        UnitEvidence u;
        u.name = "单位" + std::to_string(index);
        u.file = u.name + ".txt";
        if (!program.info.groups.empty())
            u.group = program.info.groups[static_cast<std::size_t>(whole(0, static_cast<int>(program.info.groups.size()) - 1))];
        for (const auto& spec : program.evidence) {
            u.values.push_back(value_for(program, spec));
            u.origins.push_back(FactOrigin{u.file, 1, {}});
        }
        u.self_scores.resize(program.nodes.size());
        u.self_origins.resize(program.nodes.size());
        return u;
    }

    EvidenceSet population(const bc::Program& program, int units) {
        EvidenceSet set;
        for (int i = 0; i < units; ++i) set.units.push_back(unit(program, i));
        return set;
    }

    std::mt19937_64& rng() { return rng_; }

private:
    static int small(const Decimal& d) { return std::stoi(d.round(0, Rounding::down).to_string()); }

    Decimal decimal_in(const bc::FieldSpec& spec) {
        const Decimal lo = spec.lo ? *spec.lo : Decimal(0);
        const Decimal hi = spec.hi ? *spec.hi : lo + Decimal(100);
        const Decimal step = spec.step ? *spec.step : *Decimal::parse("0.1");
        const int steps = small((hi - lo) / step);
        return lo + step * Decimal(whole(0, steps));
    }

    std::mt19937_64 rng_;
};

std::optional<std::vector<Scoresheet>> run(const bc::Program& program, const EvidenceSet& set) {
    Diagnostics diags;
    auto sheets = evaluate_all(program, set, Explain::no, diags);
    INFO(rendered(diags));
    return sheets;
}

// How far above full a node may score (docs/language.md "Named nodes, computed scores, extras"):
// an extra child adds its cap and its own allowance, any other child its allowance. Written
// recursively here, independently of bc::allowances, so the property checks the VM against the
// language's definition rather than against the VM's own helper.
Decimal extras_of(const bc::Program& program, std::uint32_t node) {
    Decimal sum;
    for (std::uint32_t c = node + 1; c < program.nodes.size(); ++c) {
        if (program.nodes[c].parent != node) continue;
        if (program.nodes[c].extra) sum += program.nodes[c].full;
        sum += extras_of(program, c);
    }
    return sum;
}

}  // namespace

TEST_CASE("properties: every node scores within [0, full + allowance] on random evidence") {
    for (const auto& scheme : example_schemes()) {
        DYNAMIC_SECTION(scheme.parent_path().filename().string()) {
            const bc::Program program = compile_example(scheme);
            EvidenceMaker maker(20261122);
            int evaluated = 0;
            for (int round = 0; round < rounds; ++round) {
                const EvidenceSet set = maker.population(program, units_per_population);
                const auto sheets = run(program, set);
                if (!sheets) continue;  // e.g. a mean over no unit: an evaluation error, reported, not a score
                for (const auto& sheet : *sheets)
                    for (std::uint32_t n = 0; n < program.nodes.size(); ++n) {
                        INFO(sheet.unit << " node " << program.nodes[n].label << " = " << sheet.nodes[n].score.to_string());
                        CHECK(sheet.nodes[n].score >= Decimal(0));
                        CHECK(sheet.nodes[n].score <= program.nodes[n].full + extras_of(program, n));
                    }
                ++evaluated;
            }
            CHECK(evaluated > rounds / 2);
        }
    }
}

// Seed 000 is deduction-only apart from its innovation bonus. A violation is: one more of a
// count that counts lapses, a yes turned to no, a choice one step further down its declared
// order (best first), one more half point of discretionary deduction.
TEST_CASE("properties: in seed 000 one more violation never raises any score") {
    const bc::Program program = compile_example(fs::path(KAOHE_SOURCE_DIR) / "examples/wenling-2013/scheme.kh");
    const std::set<std::string> larger_is_better = {"公示月数"};
    EvidenceMaker maker(7);
    int worsened = 0;
    for (int trial = 0; trial < 400; ++trial) {
        EvidenceSet before;
        before.units.push_back(maker.unit(program, 0));
        EvidenceSet after = before;
        const auto slot = static_cast<std::size_t>(maker.whole(0, static_cast<int>(program.evidence.size()) - 1));
        const bc::FieldSpec& spec = program.evidence[slot];
        Value& v = after.units[0].values[slot];
        const bool better_up = larger_is_better.count(spec.name) != 0;
        switch (spec.type) {
        case bc::FieldType::yes_no:
            if (!v.yes) continue;
            v.yes = false;
            break;
        case bc::FieldType::count:
            if (better_up) {
                if (v.number.is_zero()) continue;
                v.number = v.number - Decimal(1);
            } else {
                if (spec.hi && !(v.number < *spec.hi)) continue;
                v.number = v.number + Decimal(1);
            }
            break;
        case bc::FieldType::decimal: {
            const Decimal step = spec.step ? *spec.step : Decimal(1);
            if (spec.hi && *spec.hi < v.number + step) continue;
            v.number = v.number + step;
            break;
        }
        case bc::FieldType::choice:
            if (v.choice + 1 >= program.choice_types[spec.choice_type].values.size()) continue;
            ++v.choice;
            break;
        default: continue;  // the innovation list is an award, not a violation
        }
        const auto a = run(program, before), b = run(program, after);
        REQUIRE(a);
        REQUIRE(b);
        for (std::uint32_t n = 0; n < program.nodes.size(); ++n) {
            INFO("field " << spec.name << ", node " << program.nodes[n].label);
            CHECK((*b)[0].nodes[n].score <= (*a)[0].nodes[n].score);
        }
        ++worsened;
    }
    CHECK(worsened > 100);
}

TEST_CASE("properties: reordering the units changes nothing but the order of listing") {
    for (const auto& scheme : example_schemes()) {
        DYNAMIC_SECTION(scheme.parent_path().filename().string()) {
            const bc::Program program = compile_example(scheme);
            EvidenceMaker maker(99);
            for (int round = 0; round < rounds / 2; ++round) {
                const EvidenceSet set = maker.population(program, units_per_population);
                const auto sheets = run(program, set);
                if (!sheets) continue;
                EvidenceSet shuffled = set;
                std::shuffle(shuffled.units.begin(), shuffled.units.end(), maker.rng());
                const auto reordered = run(program, shuffled);
                REQUIRE(reordered);
                std::map<std::string, const Scoresheet*> by_unit;
                for (const auto& s : *reordered) by_unit[s.unit] = &s;
                for (const auto& s : *sheets) {
                    const Scoresheet& t = *by_unit.at(s.unit);
                    INFO("unit " << s.unit);
                    CHECK(s.total() == t.total());
                    CHECK(s.rank == t.rank);
                    CHECK(s.grade.grade == t.grade.grade);
                    REQUIRE(s.money.size() == t.money.size());
                    for (std::size_t m = 0; m < s.money.size(); ++m) CHECK(s.money[m].amount == t.money[m].amount);
                    for (std::size_t n = 0; n < s.nodes.size(); ++n) CHECK(s.nodes[n].score == t.nodes[n].score);
                }
            }
        }
    }
}

TEST_CASE("properties: the compiled .khc reports byte-identically to its scheme") {
    for (const auto& scheme : example_schemes()) {
        DYNAMIC_SECTION(scheme.parent_path().filename().string()) {
            const bc::Program program = compile_example(scheme);
            Diagnostics diags;
            const auto loaded = deserialize(serialize(program), "scheme.khc", diags);
            INFO(rendered(diags));
            REQUIRE(loaded);
            REQUIRE(verify(*loaded, "scheme.khc", diags));
            EvidenceMaker maker(2013);
            for (int round = 0; round < rounds / 2; ++round) {
                const EvidenceSet set = maker.population(program, units_per_population);
                Diagnostics d1, d2;
                const auto a = evaluate_all(program, set, Explain::yes, d1);
                const auto b = evaluate_all(*loaded, set, Explain::yes, d2);
                REQUIRE(a.has_value() == b.has_value());
                if (!a) continue;
                const ReportOptions explain{true};
                CHECK(write_json_report(program, set, *a, explain, d1) == write_json_report(*loaded, set, *b, explain, d2));
                CHECK(write_text_report(program, set, *a, explain, d1) == write_text_report(*loaded, set, *b, explain, d2));
            }
        }
    }
}
