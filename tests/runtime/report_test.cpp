// Report writers, from a hand-built Program and hand-built score sheets (no compiler or VM
// needed): alignment by display width, number display with and without `display`, the
// non-terminating value error, explanations, JSON escaping and validity, determinism.
#include "runtime/report.hpp"

#include "compiler/bytecode_file.hpp"
#include "compiler/compile.hpp"
#include "lang/parse.hpp"
#include "runtime/vm.hpp"

#include "runtime/sha256.hpp"

#include "tests/support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace kaohe;

namespace {

using kaohe::test::read_file;

Decimal dec(std::string_view text) { return *Decimal::parse(text); }

bc::NodeInfo node(std::string label, bc::NodeKind kind, std::uint32_t parent, std::string_view full, std::uint32_t line,
                  bool bonus = false) {
    bc::NodeInfo n;
    n.label = std::move(label);
    n.kind = kind;
    n.parent = parent;
    n.full = dec(full);
    n.bonus = bonus;
    n.line = line;
    n.column = 3;
    return n;
}

// A scheme of three clauses and a bonus item:
//   0 测试办法 10 = 1 联系服务群众 6 (2 住夜与带班 3, 3 abc 3) + 4 创新做法 bonus cap 4
bc::Program sample_program() {
    bc::Program p;
    p.info.title = "2013年度测试考核办法";
    p.info.document = "温组〔2013〕89号";
    p.info.source_name = "scheme.kh";
    p.info.source_sha256 = sha256("the scheme text");
    bc::FieldSpec nights;
    nights.name = "住夜未落实";
    nights.type = bc::FieldType::count;
    nights.unit = bc::Unit::count;
    nights.measure = "次";
    bc::FieldSpec resident;
    resident.name = "全员驻村";
    resident.type = bc::FieldType::yes_no;
    p.evidence = {nights, resident};
    p.nodes = {node("2013年度测试考核办法", bc::NodeKind::scheme, bc::no_index, "10", 1),
               node("联系服务群众", bc::NodeKind::section, 0, "6", 10),
               node("住夜与带班", bc::NodeKind::clause, 1, "3", 11),
               node("abc", bc::NodeKind::clause, 1, "3", 13),
               node("创新做法", bc::NodeKind::item, 0, "4", 15, true)};
    for (auto i : {0, 1}) p.nodes[i].has_children = true;
    bc::RuleInfo r0;
    r0.node = 2;
    r0.says = "一次扣0.5分，扣完为止";
    r0.source_text = "deduct 0.5 per 住夜未落实";
    r0.line = 12;
    bc::RuleInfo r1;
    r1.node = 3;
    r1.says = "未实行全员驻（联）村的，扣2分";
    r1.source_text = "deduct 2 unless 全员驻村";
    r1.line = 14;
    bc::RuleInfo r2;
    r2.node = 4;
    r2.kind = bc::RuleKind::award;
    r2.cap = Decimal(4);
    r2.source_text = "award 6";
    r2.line = 16;
    p.rules = {r0, r1, r2};
    return p;
}

NodeOutcome outcome(std::string_view full, std::string_view score, std::string_view deducted = "0",
                    std::string_view awarded = "0", bool floored = false) {
    NodeOutcome o;
    o.full = dec(full);
    o.score = dec(score);
    o.deducted = dec(deducted);
    o.awarded = dec(awarded);
    o.floored = floored;
    return o;
}

// 住夜未落实 = 7: 0.5 × 7 = 3.5, floored at the clause's 3; 全员驻村 = yes: not applied; award 6 capped at 4.
Scoresheet sample_sheet(std::string unit) {
    Scoresheet s;
    s.unit = std::move(unit);
    s.group = "街道";
    s.file = "ev/城东.txt";
    s.nodes = {outcome("10", "7"), outcome("6", "3"), outcome("3", "0", "3.5", "0", true), outcome("3", "3"),
               outcome("4", "4", "0", "4")};
    s.rules.resize(3);
    s.rules[0] = RuleOutcome{true, dec("3.5"), dec("3.5"), false};
    s.rules[1] = RuleOutcome{false, Decimal(), Decimal(), false};
    s.rules[2] = RuleOutcome{true, Decimal(6), Decimal(4), true};
    return s;
}

EvidenceSet sample_evidence(std::size_t units) {
    EvidenceSet set;
    for (std::size_t i = 0; i < units; ++i) {
        UnitEvidence u;
        u.name = i == 0 ? "城东街道" : "城西街道";
        u.group = "街道";
        u.file = "ev/城东.txt";
        u.values = {Value::of_number(Decimal(7)), Value::of_yes_no(true)};
        u.origins = {FactOrigin{"ev/城东.txt", 5, "台账 p.12"}, FactOrigin{"ev/城东.txt", 4, ""}};
        set.units.push_back(std::move(u));
    }
    set.inputs.push_back(EvidenceInput{"ev/城东.txt", sha256("evidence")});
    return set;
}

void add_trace(Scoresheet& s) {
    TraceEvent read;
    read.rule = 0;
    read.slot = 0;
    read.value = Value::of_number(Decimal(7));
    TraceEvent mul;
    mul.kind = TraceEvent::Kind::arithmetic;
    mul.rule = 0;
    mul.op = bc::Op::MUL;
    mul.lhs = dec("0.5");
    mul.rhs = Decimal(7);
    mul.result = dec("3.5");
    TraceEvent cond;
    cond.rule = 1;
    cond.slot = 1;
    cond.value = Value::of_yes_no(true);
    s.trace = {read, mul, cond};
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// The table rows of the first sheet: from the 序号 header to the 合计 row.
std::vector<std::string> table_rows(const std::string& text) {
    std::vector<std::string> rows;
    bool inside = false;
    for (const auto& line : lines_of(text)) {
        if (line.rfind("序号", 0) == 0) inside = true;
        const bool explanation = line.rfind("    ", 0) == 0 && line.find("合计") == std::string::npos;
        if (inside && !explanation) rows.push_back(line);
        if (inside && line.find("合计") != std::string::npos) break;
    }
    return rows;
}

// Compares with tests/runtime/data/report/NAME; KAOHE_UPDATE_GOLDEN=1 rewrites it.
void check_golden(const std::string& name, const std::string& actual) {
    const std::string path = std::string(KAOHE_SOURCE_DIR) + "/tests/runtime/data/report/" + name;
    if (std::getenv("KAOHE_UPDATE_GOLDEN")) {
        std::ofstream(path, std::ios::binary) << actual;
        return;
    }
    CHECK(actual == read_file(path));
}

// A small strict JSON validator: true when `s` is exactly one JSON value.
struct JsonChecker {
    std::string_view s;
    std::size_t i = 0;
    void ws() { while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i; }
    bool lit(std::string_view w) { if (s.substr(i, w.size()) != w) return false; i += w.size(); return true; }
    bool string() {
        if (!lit("\"")) return false;
        while (i < s.size() && s[i] != '"') {
            const auto c = static_cast<unsigned char>(s[i]);
            if (c < 0x20) return false;
            if (c == '\\') {
                ++i;
                if (i >= s.size()) return false;
                if (s[i] == 'u') {
                    for (int k = 1; k <= 4; ++k) if (i + k >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + k]))) return false;
                    i += 4;
                } else if (std::string_view("\"\\/bfnrt").find(s[i]) == std::string_view::npos) {
                    return false;
                }
            }
            ++i;
        }
        return lit("\"");
    }
    bool number() {
        const std::size_t start = i;
        while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '-')) ++i;
        return i > start;
    }
    bool value() {
        ws();
        if (i >= s.size()) return false;
        bool ok = false;
        if (s[i] == '{') {
            ++i; ws();
            if (lit("}")) return true;
            do { ws(); ok = string() && (ws(), lit(":")) && value(); ws(); } while (ok && lit(","));
            return ok && lit("}");
        }
        if (s[i] == '[') {
            ++i; ws();
            if (lit("]")) return true;
            do { ok = value(); ws(); } while (ok && lit(","));
            return ok && lit("]");
        }
        if (s[i] == '"') return string();
        return lit("true") || lit("false") || lit("null") || number();
    }
    bool valid() { bool ok = value(); ws(); return ok && i == s.size(); }
};

ReportOptions explained() {
    ReportOptions options;
    options.explain = true;
    return options;
}

// ---- a run with population values, grades, money, extras and self-assessed scores ----------
//
//   0 测试办法 100 (+10)
//     1 党建 "党建工作" 50: deduct 2 per 问题; deduct 5 if bottom 1 by 线上考核分 among all
//     2 "业务工作" 50: score 党建 / 50 * 30 + (3 - rank 线上考核分 among group) * 4
//     3 "创新工作附加" bonus cap 10 extra: award 创新加分
//   grades 等次 by total among all { 优秀: >= 90, quota 25%; 良好: >= 80; 合格: >= 60; 不合格: otherwise }
//   veto 不合格 if 一票否决事项; money 考核奖 = 等次奖金[等次]; forfeit 考核奖 if 参与赌博
bc::Program population_program() {
    bc::Program p;
    p.info.title = "2017年度测试岗位目标考核办法";
    p.info.source_name = "scheme.kh";
    p.info.source_sha256 = sha256("the population scheme");
    p.info.groups = {"镇", "街道"};
    const auto field = [](std::string name, bc::FieldType type, bc::Unit unit, std::string measure = {}) {
        bc::FieldSpec f;
        f.name = std::move(name);
        f.type = type;
        f.unit = unit;
        f.measure = std::move(measure);
        return f;
    };
    p.evidence = {field("问题", bc::FieldType::count, bc::Unit::count, "个"),
                  field("创新加分", bc::FieldType::decimal, bc::Unit::points),
                  field("参与赌博", bc::FieldType::yes_no, bc::Unit::none),
                  field("一票否决事项", bc::FieldType::yes_no, bc::Unit::none),
                  field("线上考核分", bc::FieldType::decimal, bc::Unit::points)};
    p.nodes = {node("2017年度测试岗位目标考核办法", bc::NodeKind::scheme, bc::no_index, "100", 1),
               node("党建工作", bc::NodeKind::item, 0, "50", 19), node("业务工作", bc::NodeKind::item, 0, "50", 23),
               node("创新工作附加", bc::NodeKind::item, 0, "10", 26, true)};
    p.nodes[0].has_children = true;
    p.nodes[1].name = "党建";
    p.nodes[2].computed = true;
    p.nodes[2].phase = 2;
    p.nodes[0].phase = 2;
    p.nodes[3].extra = true;
    const auto rule = [](std::uint32_t node, bc::RuleKind kind, std::string source, std::string says,
                         std::uint32_t line) {
        bc::RuleInfo r;
        r.node = node;
        r.kind = kind;
        r.source_text = says.empty() ? source : fmt::format("{} says \"{}\"", source, says);
        r.says = std::move(says);
        r.line = line;
        return r;
    };
    p.rules = {rule(1, bc::RuleKind::deduct, "deduct 2 per 问题", "每发现一个问题扣2分", 20),
               rule(1, bc::RuleKind::deduct, "deduct 5 if bottom 1 by 线上考核分 among all", "末1位的扣5分", 21),
               rule(2, bc::RuleKind::score, "score 党建 / 50 * 30 + (3 - rank 线上考核分 among group) * 4",
                    "党建得分折算30分，组内第1名得8分，每低一位少4分", 24),
               rule(3, bc::RuleKind::award, "award 创新加分", "", 27)};
    p.population_inputs = {bc::PopulationInput{"线上考核分", 21}};
    bc::Aggregate rank;
    rank.kind = bc::AggregateKind::rank;
    rank.scope = bc::Scope::group;
    rank.value = 0;
    rank.source_text = "rank 线上考核分 among group";
    rank.line = 24;
    bc::Aggregate bottom;
    bottom.kind = bc::AggregateKind::bottom;
    bottom.value = 0;
    bottom.n = Decimal(1);
    bottom.source_text = "bottom 1 by 线上考核分 among all";
    bottom.line = 21;
    p.aggregates = {rank, bottom};
    p.choice_types = {bc::ChoiceType{"等次", {"优秀", "良好", "合格", "不合格"}}};
    p.grading.choice_type = 0;
    p.grading.bands = {bc::GradeBand{dec("90"), dec("0.25")}, bc::GradeBand{dec("80"), std::nullopt},
                       bc::GradeBand{dec("60"), std::nullopt}, bc::GradeBand{std::nullopt, std::nullopt}};
    p.grading.vetoes = {bc::Veto{3, "发生一票否决事项的，评为不合格", "veto 不合格 if 一票否决事项", 35}};
    p.grading.line = 30;
    p.money = {bc::Money{"考核奖", "考核为优秀的奖励3600元/人，良好的为2520元/人", "money 考核奖 = 等次奖金[等次]", 38}};
    p.forfeits = {bc::Forfeit{0, "凡机关干部被查实参与赌博的，扣发机关干部岗位目标考核奖", "forfeit 考核奖 if 参与赌博", 40}};
    return p;
}

struct PopulationUnit {
    std::string name, group;
    std::string party, problems, business, bonus, total;  // node scores and the evidence behind them
    std::uint32_t rank;
    GradeOutcome grade;
    std::string money, computed;
    std::uint32_t forfeit = bc::no_index;
};

Scoresheet population_sheet(const PopulationUnit& u) {
    Scoresheet s;
    s.unit = u.name;
    s.group = u.group;
    s.file = fmt::format("evidence/{}.txt", u.name);
    const Decimal lost = dec(u.problems) * Decimal(2);
    s.nodes = {outcome("100", u.total), outcome("50", u.party, lost.to_string()), outcome("50", u.business),
               outcome("10", u.bonus, "0", u.bonus)};
    s.rules = {RuleOutcome{!lost.is_zero(), lost, lost, false}, RuleOutcome{false, Decimal(), Decimal(), false},
               RuleOutcome{true, dec(u.business), dec(u.business), false},
               RuleOutcome{true, dec(u.bonus), dec(u.bonus), false}};
    s.rank = u.rank;
    s.grade = u.grade;
    s.money = {MoneyOutcome{dec(u.money), dec(u.computed), u.forfeit}};
    return s;
}

GradeOutcome grade_of(std::uint32_t grade, std::uint32_t veto = bc::no_index, std::uint32_t quota_missed = bc::no_index,
                      bool tie = false) {
    return GradeOutcome{grade, veto, quota_missed, tie};
}

// Four units, in input order 箬横镇, 城东街道, 泽国镇, 城西街道:
//   城东街道 94.8 rank 1 优秀 3600; 城西街道 92 rank 2 良好 (优秀's one place is taken) 2520;
//   箬横镇 81.6 rank 3 良好, 2520 forfeited; 泽国镇 81.6 rank 3 (tied) 不合格 by veto, 0.
const std::vector<PopulationUnit>& population_units() {
    static const std::vector<PopulationUnit> units{
        {"箬横镇", "镇", "46", "2", "35.6", "0", "81.6", 3, grade_of(1), "0", "2520", 0},
        {"城东街道", "街道", "48", "1", "36.8", "10", "94.8", 1, grade_of(0), "3600", "3600"},
        {"泽国镇", "镇", "46", "2", "31.6", "4", "81.6", 3, grade_of(3, 0), "0", "0"},
        {"城西街道", "街道", "50", "0", "34", "8", "92", 2, grade_of(1, bc::no_index, 0), "2520", "2520"}};
    return units;
}

std::vector<Scoresheet> population_sheets() {
    std::vector<Scoresheet> sheets;
    for (const auto& u : population_units()) sheets.push_back(population_sheet(u));
    return sheets;
}

EvidenceSet population_evidence() {
    EvidenceSet set;
    for (const auto& u : population_units()) {
        UnitEvidence e;
        e.name = u.name;
        e.group = u.group;
        e.file = fmt::format("evidence/{}.txt", u.name);
        e.values = {Value::of_number(dec(u.problems)), Value::of_number(dec(u.bonus)),
                    Value::of_yes_no(u.forfeit != bc::no_index), Value::of_yes_no(u.grade.veto != bc::no_index),
                    Value::of_number(Decimal(80))};
        for (std::uint32_t line = 3; line <= 7; ++line) e.origins.push_back(FactOrigin{e.file, line, ""});
        set.units.push_back(std::move(e));
    }
    // 城东街道 assessed itself: 党建 50 (2 more than verified), 创新 10 (as verified).
    UnitEvidence& east = set.units[1];
    east.self_scores.resize(4);
    east.self_origins.resize(4);
    east.self_scores[1] = Decimal(50);
    east.self_origins[1] = FactOrigin{east.file, 9, "自查表"};
    east.self_scores[3] = Decimal(10);
    east.self_origins[3] = FactOrigin{east.file, 10, ""};
    set.inputs.push_back(EvidenceInput{"evidence", sha256("population evidence")});
    return set;
}

TraceEvent read_event(std::uint32_t rule, std::uint32_t slot, Value value) {
    TraceEvent ev;
    ev.rule = rule;
    ev.slot = slot;
    ev.value = std::move(value);
    return ev;
}

TraceEvent arithmetic_event(std::uint32_t rule, bc::Op op, std::string_view lhs, std::string_view rhs,
                            std::string_view result) {
    TraceEvent ev;
    ev.kind = TraceEvent::Kind::arithmetic;
    ev.rule = rule;
    ev.op = op;
    ev.lhs = dec(lhs);
    ev.rhs = dec(rhs);
    ev.result = dec(result);
    return ev;
}

TraceEvent node_event(std::uint32_t rule, std::uint32_t node, std::string_view score) {
    TraceEvent ev;
    ev.kind = TraceEvent::Kind::node;
    ev.rule = rule;
    ev.index = node;
    ev.result = dec(score);
    return ev;
}

TraceEvent aggregate_event(std::uint32_t rule, std::uint32_t aggregate, std::string_view value, std::uint32_t in_scope) {
    TraceEvent ev;
    ev.kind = TraceEvent::Kind::aggregate;
    ev.rule = rule;
    ev.index = aggregate;
    ev.result = dec(value);
    ev.in_scope = in_scope;
    return ev;
}

// 城东街道's explanation: one problem, not bottom, 48 / 50 × 30 + (3 − 1) × 4 = 36.8, bonus 10.
void add_population_trace(Scoresheet& east) {
    east.trace = {read_event(0, 0, Value::of_number(Decimal(1))),
                  arithmetic_event(0, bc::Op::MUL, "2", "1", "2"),
                  aggregate_event(1, 1, "0", 4),
                  node_event(2, 1, "48"),
                  arithmetic_event(2, bc::Op::DIV, "48", "50", "0.96"),
                  arithmetic_event(2, bc::Op::MUL, "0.96", "30", "28.8"),
                  aggregate_event(2, 0, "1", 2),
                  arithmetic_event(2, bc::Op::SUB, "3", "1", "2"),
                  arithmetic_event(2, bc::Op::MUL, "2", "4", "8"),
                  arithmetic_event(2, bc::Op::ADD, "28.8", "8", "36.8"),
                  read_event(3, 1, Value::of_number(Decimal(10)))};
}

}  // namespace

TEST_CASE("text report: header stamps version, scheme and evidence digests") {
    const auto program = sample_program();
    const auto evidence = sample_evidence(1);
    Diagnostics diags;
    const auto text = write_text_report(program, evidence, {sample_sheet("城东街道")}, {}, diags);
    REQUIRE(text);
    CHECK(diags.all().empty());
    const auto lines = lines_of(*text);
    REQUIRE(lines.size() > 6);
    CHECK(lines[0] == "2013年度测试考核办法");
    CHECK(lines[1] == "温组〔2013〕89号");
    CHECK(lines[2] == std::string("kaohe ") + report::kaohe_version());
    CHECK(lines[3] == "scheme: scheme.kh  sha256:" + to_hex(sha256("the scheme text")));
    CHECK(lines[4] == "evidence: ev/城东.txt  sha256:" + to_hex(sha256("evidence")));
    check_golden("basic.txt", *text);
}

TEST_CASE("text report: columns align by display width, CJK counting two") {
    Diagnostics diags;
    const auto text = write_text_report(sample_program(), sample_evidence(1), {sample_sheet("城东街道")}, {}, diags);
    REQUIRE(text);
    const auto rows = table_rows(*text);
    REQUIRE(rows.size() == 6);  // header, four nodes, total
    for (const auto& row : rows) CHECK(display_width(row) == display_width(rows.front()));
    // 住夜与带班 (five wide characters) and abc pad to the same column.
    CHECK(rows[2].find("住夜与带班") != std::string::npos);
    CHECK(display_width(rows[2].substr(0, rows[2].find("  3"))) == display_width(rows[3].substr(0, rows[3].find("  3"))));
    CHECK(rows[1].rfind("1    ", 0) == 0);
    CHECK(rows[2].rfind("1.1  ", 0) == 0);
    CHECK(rows[3].rfind("1.2  ", 0) == 0);
    // A bonus node shows its award under 加分 and nothing under 扣分.
    CHECK(rows[0].find("加分") != std::string::npos);
    CHECK(rows[5].find("合计") != std::string::npos);
}

TEST_CASE("numbers print exactly without `display`, rounded with it") {
    auto program = sample_program();
    auto sheet = sample_sheet("城东街道");
    sheet.nodes[3].score = dec("2.5");
    sheet.nodes[1].score = dec("2.5");
    sheet.nodes[0].score = dec("6.5");
    Diagnostics diags;
    auto text = write_text_report(program, sample_evidence(1), {sheet}, {}, diags);
    REQUIRE(text);
    auto rows = table_rows(*text);
    CHECK(rows[3].find(" 0.5  ") != std::string::npos);
    CHECK(rows[3].substr(rows[3].size() - 5) == "  2.5");
    CHECK(rows[5].substr(rows[5].size() - 3) == "6.5");

    program.info.display_places = 2;
    text = write_text_report(program, sample_evidence(1), {sheet}, {}, diags);
    REQUIRE(text);
    rows = table_rows(*text);
    CHECK(rows[3].find(" 0.50  ") != std::string::npos);
    CHECK(rows[3].substr(rows[3].size() - 6) == "  2.50");
    CHECK(rows[5].find("10.00") != std::string::npos);
    CHECK(diags.all().empty());
}

TEST_CASE("a value that does not terminate is an error naming the node, unless `display` rounds it") {
    auto program = sample_program();
    auto sheet = sample_sheet("城东街道");
    sheet.nodes[3].score = Decimal(8) / Decimal(3);  // 2.666...
    Diagnostics diags;
    CHECK_FALSE(write_text_report(program, sample_evidence(1), {sheet}, {}, diags));
    REQUIRE(diags.error_count() == 1);  // once per node, though its score and deduction both fail
    const Diagnostic& d = diags.all().front();
    CHECK(d.file == "scheme.kh");
    CHECK(d.span.begin.line == 13);
    CHECK(d.message ==
          "deduction 1/3 of 'abc' cannot be printed exactly; declare `display 2 half_up` or round it in the scheme");

    Diagnostics json_diags;
    CHECK_FALSE(write_json_report(program, sample_evidence(1), {sheet}, {}, json_diags));
    CHECK(json_diags.error_count() == 1);

    program.info.display_places = 2;
    program.info.display_mode = Rounding::half_up;
    Diagnostics ok;
    const auto json = write_json_report(program, sample_evidence(1), {sheet}, {}, ok);
    REQUIRE(json);
    CHECK(ok.all().empty());
    CHECK(json->find("\"score\": \"2.67\",\n") != std::string::npos);
    CHECK(json->find("\"score_exact\": \"8/3\"") != std::string::npos);
    program.info.display_mode = Rounding::down;
    const auto down = write_json_report(program, sample_evidence(1), {sheet}, {}, ok);
    REQUIRE(down);
    CHECK(down->find("\"score\": \"2.66\",\n") != std::string::npos);
}

TEST_CASE("explanations show each rule, its evidence and arithmetic, and the node floor") {
    auto sheet = sample_sheet("城东街道");
    add_trace(sheet);
    Diagnostics diags;
    const auto text =
        write_text_report(sample_program(), sample_evidence(1), {sheet}, explained(), diags);
    REQUIRE(text);
    CHECK(text->find("    「一次扣0.5分，扣完为止」 (scheme.kh:12)  `deduct 0.5 per 住夜未落实`\n"
                     "      住夜未落实 = 7 次 (台账 p.12; ev/城东.txt:5); 0.5 × 7 = 3.5 → −3.5\n"
                     "    扣完为止: deductions 3.5 reach past the node's points; floored at 0\n") != std::string::npos);
    CHECK(text->find("「未实行全员驻（联）村的，扣2分」 (scheme.kh:14)  `deduct 2 unless 全员驻村`  not applied\n"
                     "      全员驻村 = yes (ev/城东.txt:4)\n") != std::string::npos);
    CHECK(text->find("award 6 (scheme.kh:16)\n      → +4 (capped at 4; the rule computed 6)\n") != std::string::npos);
    check_golden("explain.txt", *text);

    const auto json = write_json_report(sample_program(), sample_evidence(1), {sheet}, explained(), diags);
    REQUIRE(json);
    CHECK(JsonChecker{*json}.valid());
    CHECK(json->find("\"text\": \"0.5 × 7 = 3.5\"") != std::string::npos);
    CHECK(json->find("\"source\": \"台账 p.12\"") != std::string::npos);
    check_golden("explain.json", *json);
}

TEST_CASE("a multi-unit run prints the ranking table, by rank, and no sheet unless asked") {
    Diagnostics diags;
    auto first = sample_sheet("城东街道");
    first.rank = 2;
    auto second = sample_sheet("城西街道");
    second.nodes[0].score = Decimal(9);
    second.rank = 1;
    const auto text = write_text_report(sample_program(), sample_evidence(2), {first, second}, {}, diags);
    REQUIRE(text);
    const auto at = text->find("\n排名\n");
    REQUIRE(at != std::string::npos);
    CHECK(text->substr(at) == "\n排名\n名次  单位      组别  总分\n   1  城西街道  街道     9\n   2  城东街道  街道     7\n");
    CHECK(text->find("单位: ") == std::string::npos);
}

TEST_CASE("JSON: strings are escaped, invalid UTF-8 replaced, numbers are strings, output is valid") {
    auto program = sample_program();
    program.nodes[3].label = "say \"hi\" \\ back\nline\ttab\x01 \xff end";
    Diagnostics diags;
    const auto json = write_json_report(program, sample_evidence(1), {sample_sheet("城东街道")}, {}, diags);
    REQUIRE(json);
    CHECK(json->find(R"("label": "say \"hi\" \\ back\nline\ttab\u0001 \ufffd end")") != std::string::npos);
    CHECK(JsonChecker{*json}.valid());
    CHECK(json->find("\"total\": \"7\"") != std::string::npos);
    CHECK(json->find("\"kaohe_version\": \"" + std::string(report::kaohe_version()) + "\"") != std::string::npos);
    CHECK(json->find("\"sha256\": \"" + to_hex(sha256("evidence")) + "\"") != std::string::npos);
    CHECK(json->find("\"display\": null") != std::string::npos);
    CHECK(json->find("reads") == std::string::npos);  // only with --explain
    check_golden("basic.json", *json);
}

TEST_CASE("reports are deterministic") {
    const auto program = sample_program();
    const auto evidence = sample_evidence(2);
    std::vector<Scoresheet> sheets{sample_sheet("城东街道"), sample_sheet("城西街道")};
    for (auto& s : sheets) add_trace(s);
    Diagnostics diags;
    for (bool explain : {false, true}) {
        ReportOptions options;
        options.explain = explain;
        options.all_sheets = true;
        CHECK(*write_text_report(program, evidence, sheets, options, diags) ==
              *write_text_report(program, evidence, sheets, options, diags));
        CHECK(*write_json_report(program, evidence, sheets, options, diags) ==
              *write_json_report(program, evidence, sheets, options, diags));
    }
}

// ---- population runs: ranking, sheets on request, self scores, grades, money -----------------

TEST_CASE("ranking table: rank, unit, group, total, grade and money, ties in input order") {
    Diagnostics diags;
    const auto text = write_text_report(population_program(), population_evidence(), population_sheets(), {}, diags);
    REQUIRE(text);
    CHECK(diags.all().empty());
    const auto at = text->find("\n排名\n");
    REQUIRE(at != std::string::npos);
    CHECK(text->substr(at) ==
          "\n排名\n"
          "名次  单位      组别  总分  等次    考核奖\n"
          "   1  城东街道  街道  94.8  优秀    3600元\n"
          "   2  城西街道  街道    92  良好    2520元\n"
          "   3  箬横镇    镇    81.6  良好       0元\n"
          "   3  泽国镇    镇    81.6  不合格     0元\n");
    check_golden("ranking.txt", *text);
}

TEST_CASE("option --unit prints the named sheets after the ranking, in the order named, each once") {
    ReportOptions options;
    options.sheets = {"箬横镇", "城东街道", "箬横镇", "no such unit"};
    Diagnostics diags;
    const auto text =
        write_text_report(population_program(), population_evidence(), population_sheets(), options, diags);
    REQUIRE(text);
    const auto ruoheng = text->find("单位: 箬横镇"), east = text->find("单位: 城东街道");
    REQUIRE(ruoheng != std::string::npos);
    REQUIRE(east != std::string::npos);
    CHECK(text->find("排名") < ruoheng);
    CHECK(ruoheng < east);
    CHECK(text->find("单位: 箬横镇", ruoheng + 1) == std::string::npos);
    CHECK(text->find("单位: 泽国镇") == std::string::npos);
    check_golden("unit.txt", *text);
}

TEST_CASE("option --all: every sheet, with 自查分 and 差额, extras, rank, grade and money lines") {
    auto sheets = population_sheets();
    add_population_trace(sheets[1]);
    ReportOptions options = explained();
    options.all_sheets = true;
    Diagnostics diags;
    const auto text = write_text_report(population_program(), population_evidence(), sheets, options, diags);
    REQUIRE(text);
    CHECK(diags.all().empty());
    for (const auto& u : population_units()) CHECK(text->find("单位: " + u.name) != std::string::npos);
    // The self-assessment columns appear in every sheet, since one unit of the run has them.
    CHECK(text->find("序号  考核内容           满分  自查分  差额  扣分  加分  得分\n") != std::string::npos);
    CHECK(text->find("1     党建工作             50      50    +2     2          48\n") != std::string::npos);
    CHECK(text->find("3     创新工作附加      (+10)      10     0          10    10\n") != std::string::npos);
    // The whole scheme may score 100 + 10: what it did not score is out of 110.
    CHECK(text->find("      合计          100 (+10)                15.2        94.8\n") != std::string::npos);
    CHECK(text->find("    自查分 50 (自查表; evidence/城东街道.txt:9); 得分 48; 差额 +2\n") != std::string::npos);
    // A computed score: its expression, the node scores and population values it read.
    CHECK(text->find("    「党建得分折算30分，组内第1名得8分，每低一位少4分」 (scheme.kh:24)  "
                     "`= 党建 / 50 * 30 + (3 - rank 线上考核分 among group) * 4`\n"
                     "      党建 = 48 (node 1); rank 线上考核分 among 街道 = 1 (of 2 units); 48 ÷ 50 = 0.96; "
                     "0.96 × 30 = 28.8; 3 − 1 = 2; 2 × 4 = 8; 28.8 + 8 = 36.8 → 36.8\n") != std::string::npos);
    CHECK(text->find("    「末1位的扣5分」 (scheme.kh:21)  `deduct 5 if bottom 1 by 线上考核分 among all`  not applied\n"
                     "      bottom 1 by 线上考核分 among all = no (of 4 units)\n") != std::string::npos);
    // Rank, grade and money under each table.
    CHECK(text->find("名次: 1 (of 4 units)\n等次: 优秀 (总分 94.8 ≥ 90)\n") != std::string::npos);
    // --explain: each veto and money line with its scheme line and what it computed.
    CHECK(text->find("等次: 优秀 (总分 94.8 ≥ 90)\n"
                     "    veto 「发生一票否决事项的，评为不合格」 (scheme.kh:35)  `veto 不合格 if 一票否决事项`  not applied\n"
                     "考核奖: 3600元\n"
                     "    「考核为优秀的奖励3600元/人，良好的为2520元/人」 (scheme.kh:38)  `money 考核奖 = 等次奖金[等次]`\n"
                     "      → 3600元\n"
                     "    forfeit 「凡机关干部被查实参与赌博的，扣发机关干部岗位目标考核奖」 (scheme.kh:40)  "
                     "`forfeit 考核奖 if 参与赌博`  not applied\n") != std::string::npos);
    CHECK(text->find("`forfeit 考核奖 if 参与赌博`  applied\n") != std::string::npos);
    CHECK(text->find("等次: 良好 (meets 优秀 (≥ 90) but 优秀 takes at most 25% of 4 units = 1, all taken by higher "
                     "scores; 总分 92 ≥ 80)\n") != std::string::npos);
    CHECK(text->find("考核奖: 0元 (computed 2520元; forfeited 「凡机关干部被查实参与赌博的，扣发机关干部岗位目标考核奖」 "
                     "scheme.kh:40)\n") != std::string::npos);
    CHECK(text->find("等次: 不合格 (一票否决: 「发生一票否决事项的，评为不合格」 scheme.kh:35)\n") != std::string::npos);
    check_golden("all-explain.txt", *text);
}

TEST_CASE("a run of one unit prints its sheet, with its grade and money, and no ranking") {
    const auto program = population_program();
    auto evidence = population_evidence();
    evidence.units.resize(1);
    auto sheets = population_sheets();
    sheets.resize(1);
    sheets[0].rank = 1;
    Diagnostics diags;
    const auto text = write_text_report(program, evidence, sheets, {}, diags);
    REQUIRE(text);
    CHECK(text->find("排名") == std::string::npos);
    CHECK(text->find("名次") == std::string::npos);
    CHECK(text->find("自查分") == std::string::npos);  // nobody in this run assessed themselves
    CHECK(text->find("单位: 箬横镇  组别: 镇") != std::string::npos);
    CHECK(text->find("\n等次: 良好 (总分 81.6 ≥ 80)\n考核奖: 0元 (computed 2520元;") != std::string::npos);
}

TEST_CASE("grade lines: a tie at a quota boundary, and the lowest band") {
    auto sheets = population_sheets();
    // 城西街道 ties 城东街道 at 94.8: the one 优秀 place cannot take both, so neither gets it.
    sheets[3].nodes[0].score = dec("94.8");
    sheets[1].grade = grade_of(1, bc::no_index, 0, true);
    sheets[3].grade = grade_of(1, bc::no_index, 0, true);
    sheets[3].rank = 1;
    // 箬横镇 falls to 50: below every threshold.
    sheets[0].nodes[0].score = Decimal(50);
    sheets[0].grade = grade_of(3);
    ReportOptions options;
    options.all_sheets = true;
    Diagnostics diags;
    const auto text = write_text_report(population_program(), population_evidence(), sheets, options, diags);
    REQUIRE(text);
    const std::string tie = "等次: 良好 (meets 优秀 (≥ 90) but 优秀 takes at most 25% of 4 units = 1 (1 left), and the 2 "
                            "units tied at 94.8 do not all fit: none of them takes it; 总分 94.8 ≥ 80)\n";
    const auto first = text->find(tie);
    REQUIRE(first != std::string::npos);
    CHECK(text->find(tie, first + 1) != std::string::npos);  // said on both sheets
    CHECK(text->find("等次: 不合格 (总分 50 < 60, the least for 合格)\n") != std::string::npos);
}

TEST_CASE("money prints with the scheme's display places; an amount that does not terminate is an error") {
    auto program = population_program();
    program.info.display_places = 2;
    Diagnostics diags;
    auto text = write_text_report(program, population_evidence(), population_sheets(), {}, diags);
    REQUIRE(text);
    CHECK(text->find("   1  城东街道  街道  94.80  优秀    3600.00元\n") != std::string::npos);

    auto sheets = population_sheets();
    sheets[1].money[0].amount = Decimal(10000) / Decimal(3);
    Diagnostics bad;
    CHECK_FALSE(write_text_report(population_program(), population_evidence(), sheets, {}, bad));
    REQUIRE(bad.error_count() == 1);
    CHECK(bad.all()[0].span.begin.line == 38);
    CHECK(bad.all()[0].message ==
          "amount 10000/3 of '考核奖' cannot be printed exactly; declare `display 2 half_up` or round it in the scheme");
    Diagnostics bad_json;
    CHECK_FALSE(write_json_report(population_program(), population_evidence(), sheets, {}, bad_json));
    CHECK(bad_json.error_count() == 1);
}

TEST_CASE("explanations of population values name the unit's group and the units counted") {
    auto program = population_program();
    bc::Aggregate mean;
    mean.kind = bc::AggregateKind::mean;
    mean.scope = bc::Scope::all;
    mean.source_text = "mean 指导员得分 among all where 是指导员";
    bc::Aggregate count;
    count.kind = bc::AggregateKind::count;
    count.scope = bc::Scope::group;
    count.source_text = "count among group";
    bc::Aggregate top;
    top.kind = bc::AggregateKind::top;
    top.source_text = "top 3 by 线上考核分 among group";
    program.aggregates.insert(program.aggregates.end(), {mean, count, top});
    auto sheet = population_sheets()[0];  // 箬横镇, 镇
    sheet.trace = {aggregate_event(2, 2, "13.25", 4), aggregate_event(2, 3, "5", 5), aggregate_event(2, 4, "1", 5),
                   aggregate_event(2, 0, "2", 5)};
    const auto why = report::explain_rules(program, population_evidence().units[0], sheet);
    REQUIRE(why[2].aggregates.size() == 4);
    CHECK(why[2].aggregates[0].text == "mean 指导员得分 among all where 是指导员 = 13.25 (4 units)");
    CHECK(why[2].aggregates[1].text == "count among 镇 = 5");
    CHECK(why[2].aggregates[2].text == "top 3 by 线上考核分 among 镇 = yes (of 5 units)");
    CHECK(why[2].aggregates[3].text == "rank 线上考核分 among 镇 = 2 (of 5 units)");
    CHECK(why[2].aggregates[3].kind == "rank");
}

TEST_CASE("JSON: ranking, rank, grade, money, self scores, extras and population explanations") {
    auto sheets = population_sheets();
    add_population_trace(sheets[1]);
    ReportOptions options = explained();  // no unit named: every unit's sheet
    Diagnostics diags;
    const auto json = write_json_report(population_program(), population_evidence(), sheets, options, diags);
    REQUIRE(json);
    CHECK(diags.all().empty());
    CHECK(JsonChecker{*json}.valid());
    for (const auto& u : population_units()) CHECK(json->find("\"unit\": \"" + u.name + "\"") != std::string::npos);
    CHECK(json->find("\"ranking\": [\n    {\n      \"rank\": 1,\n      \"unit\": \"城东街道\"") != std::string::npos);
    CHECK(json->find("\"quota_missed\": \"优秀\",\n        \"quota_tie\": false") != std::string::npos);
    CHECK(json->find("\"self\": \"50\",\n          \"difference\": \"2\"") != std::string::npos);
    CHECK(json->find("\"expression\": \"rank 线上考核分 among 街道\"") != std::string::npos);
    CHECK(json->find("\"kind\": \"score\"") != std::string::npos);
    CHECK(json->find("\"says\": \"凡机关干部被查实参与赌博的，扣发机关干部岗位目标考核奖\"") != std::string::npos);
    check_golden("population.json", *json);
}

TEST_CASE("JSON with units named (--unit): the ranking of every unit, the sheets of those named") {
    auto sheets = population_sheets();
    ReportOptions options;
    options.sheets = {"箬横镇", "城西街道", "箬横镇", "no such unit"};
    Diagnostics diags;
    const auto json = write_json_report(population_program(), population_evidence(), sheets, options, diags);
    REQUIRE(json);
    CHECK(diags.all().empty());
    CHECK(JsonChecker{*json}.valid());
    const auto units_at = json->find("\"units\": [");
    REQUIRE(units_at != std::string::npos);
    const std::string ranking = json->substr(0, units_at), units = json->substr(units_at);
    for (const auto& u : population_units()) CHECK(ranking.find("\"unit\": \"" + u.name + "\"") != std::string::npos);
    // In the order named, each once.
    const auto first = units.find("\"unit\": \"箬横镇\""), second = units.find("\"unit\": \"城西街道\"");
    CHECK(first != std::string::npos);
    CHECK(second != std::string::npos);
    CHECK(first < second);
    CHECK(units.find("\"unit\": \"箬横镇\"", first + 1) == std::string::npos);
    CHECK(units.find("\"unit\": \"城东街道\"") == std::string::npos);
    CHECK(units.find("\"unit\": \"泽国镇\"") == std::string::npos);

    // --all (or no name) keeps every sheet.
    options.all_sheets = true;
    const auto all = write_json_report(population_program(), population_evidence(), sheets, options, diags);
    REQUIRE(all);
    for (const auto& u : population_units())
        CHECK(all->substr(all->find("\"units\": [")).find("\"unit\": \"" + u.name + "\"") != std::string::npos);
}

TEST_CASE("a compiled .khc reports exactly like its source, tallies and self-assessed scores included") {
    // End to end: tests/runtime/data/evidence-tally, compiled, and the same after a .khc round trip.
    const std::filesystem::path dir = std::filesystem::path(KAOHE_SOURCE_DIR) / "tests/runtime/data/evidence-tally";
    std::filesystem::current_path(dir);
    const std::string text = read_file("scheme.kh");
    Diagnostics diags;
    auto ast = parse_scheme(text, "scheme.kh", diags);
    REQUIRE(ast);
    auto source = compile(*ast, text, diags);
    REQUIRE(source);
    auto loaded = deserialize(serialize(*source), "scheme.khc", diags);
    REQUIRE(loaded);
    REQUIRE_FALSE(diags.has_errors());
    std::vector<std::string> outputs;
    for (const bc::Program* program : {&*source, &*loaded}) {
        EvidenceSet evidence;
        REQUIRE(load_evidence(*program, {"good/full.txt", "good/table.csv"}, evidence, diags));
        const auto sheets = evaluate_all(*program, evidence, Explain::yes, diags);
        REQUIRE(sheets);
        ReportOptions options = explained();
        options.all_sheets = true;
        const auto report = write_text_report(*program, evidence, *sheets, options, diags);
        const auto json = write_json_report(*program, evidence, *sheets, options, diags);
        REQUIRE(report);
        REQUIRE(json);
        CHECK(report->find("自查分 5.5 (自查表 第1页; good/full.txt:8); 得分 5.48; 差额 +0.02") != std::string::npos);
        CHECK(report->find("2      工作      10 (+5)    14.5   +4.5") != std::string::npos);
        outputs.push_back(*report + *json);
    }
    CHECK_FALSE(diags.has_errors());
    CHECK(outputs[0] == outputs[1]);
}
