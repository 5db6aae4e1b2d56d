// Report writers, from a hand-built Program and hand-built score sheets (no compiler or VM
// needed): alignment by display width, number display with and without `display`, the
// non-terminating value error, explanations, JSON escaping and validity, determinism.
#include "runtime/report.hpp"

#include "runtime/sha256.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace kaohe;

namespace {

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

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
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
        write_text_report(sample_program(), sample_evidence(1), {sheet}, ReportOptions{true}, diags);
    REQUIRE(text);
    CHECK(text->find("    「一次扣0.5分，扣完为止」 (scheme.kh:12)  `deduct 0.5 per 住夜未落实`\n"
                     "      住夜未落实 = 7 次 (台账 p.12; ev/城东.txt:5); 0.5 × 7 = 3.5 → −3.5\n"
                     "    扣完为止: deductions 3.5 reach past the node's points; floored at 0\n") != std::string::npos);
    CHECK(text->find("「未实行全员驻（联）村的，扣2分」 (scheme.kh:14)  `deduct 2 unless 全员驻村`  not applied\n"
                     "      全员驻村 = yes (ev/城东.txt:4)\n") != std::string::npos);
    CHECK(text->find("award 6 (scheme.kh:16)\n      → +4 (capped at 4; the rule computed 6)\n") != std::string::npos);
    check_golden("explain.txt", *text);

    const auto json = write_json_report(sample_program(), sample_evidence(1), {sheet}, ReportOptions{true}, diags);
    REQUIRE(json);
    CHECK(JsonChecker{*json}.valid());
    CHECK(json->find("\"text\": \"0.5 × 7 = 3.5\"") != std::string::npos);
    CHECK(json->find("\"source\": \"台账 p.12\"") != std::string::npos);
    check_golden("explain.json", *json);
}

TEST_CASE("a multi-unit run ends with a summary in input order") {
    Diagnostics diags;
    auto second = sample_sheet("城西街道");
    second.nodes[0].score = Decimal(9);
    const auto text =
        write_text_report(sample_program(), sample_evidence(2), {sample_sheet("城东街道"), second}, {}, diags);
    REQUIRE(text);
    const auto at = text->find("汇总\n");
    REQUIRE(at != std::string::npos);
    CHECK(text->substr(at) == "汇总\n单位      组别  总分\n城东街道  街道     7\n城西街道  街道     9\n");
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
        CHECK(*write_text_report(program, evidence, sheets, {explain}, diags) ==
              *write_text_report(program, evidence, sheets, {explain}, diags));
        CHECK(*write_json_report(program, evidence, sheets, {explain}, diags) ==
              *write_json_report(program, evidence, sheets, {explain}, diags));
    }
}
