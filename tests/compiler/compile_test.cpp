// The compiler, driven by data:
//   tests/compiler/data/good/NAME.kh   compiles with no errors; its warnings (rendered, as the
//                                      command prints them) equal NAME.expected, or there are
//                                      none when NAME.expected does not exist
//   tests/compiler/data/bad/NAME.kh    does not compile; its diagnostics, rendered, equal
//                                      NAME.expected exactly
// Adding a case is adding a file. KAOHE_UPDATE_EXPECTED=1 rewrites the .expected files from the
// current output (review the diff before keeping it).
// A few small good schemes also have their Program checked field by field below.
#include "compiler/compile.hpp"
#include "lang/parse.hpp"
#include "runtime/sha256.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace kaohe;

namespace {

const fs::path data_dir = fs::path(KAOHE_SOURCE_DIR) / "tests" / "compiler" / "data";

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::vector<fs::path> schemes_in(const char* folder) {
    std::vector<fs::path> paths;
    for (const auto& entry : fs::directory_iterator(data_dir / folder))
        if (entry.path().extension() == ".kh") paths.push_back(entry.path());
    std::sort(paths.begin(), paths.end());
    return paths;
}

struct Compiled {
    bool parsed = false;
    std::optional<bc::Program> program;
    Diagnostics diags;
    std::string rendered;  // every diagnostic, as printed
};

// Diagnostics name the file as "good/NAME.kh" or "bad/NAME.kh", so the expected text does not
// depend on where the repository is.
Compiled compile_file(const fs::path& path) {
    Compiled c;
    const std::string text = read_text(path);
    const std::string name = path.parent_path().filename().string() + "/" + path.filename().string();
    auto scheme = parse_scheme(text, name, c.diags);
    c.parsed = scheme.has_value();
    if (scheme) c.program = compile(*scheme, text, c.diags);
    for (const auto& d : c.diags.all()) {
        c.rendered += render(d, text);
        if (!c.rendered.empty() && c.rendered.back() != '\n') c.rendered += '\n';
    }
    return c;
}

bool updating() { return std::getenv("KAOHE_UPDATE_EXPECTED") != nullptr; }

std::string expected_for(const fs::path& scheme, const std::string& actual) {
    fs::path expected = fs::path(scheme).replace_extension(".expected");
    if (updating()) {
        if (actual.empty()) fs::remove(expected);
        else std::ofstream(expected, std::ios::binary) << actual;
    }
    return fs::exists(expected) ? read_text(expected) : std::string();
}

bc::Program compile_good(const char* name) {
    Compiled c = compile_file(data_dir / "good" / name);
    INFO(c.rendered);
    REQUIRE(c.program);
    return std::move(*c.program);
}

std::vector<std::string> op_names(const bc::Program& p) {
    std::vector<std::string> names;
    for (auto word : p.code) {
        std::string text = bc::op_info(bc::opcode_of(word)).name;
        if (bc::op_info(bc::opcode_of(word)).operand != bc::OperandKind::none)
            text += " " + std::to_string(bc::operand_of(word));
        names.push_back(text);
    }
    return names;
}

}  // namespace

TEST_CASE("good schemes compile, with exactly the expected warnings") {
    auto paths = schemes_in("good");
    REQUIRE(paths.size() >= 4);
    for (const auto& path : paths) {
        DYNAMIC_SECTION(path.filename().string()) {
            Compiled c = compile_file(path);
            INFO(c.rendered);
            REQUIRE(c.parsed);
            CHECK(c.diags.error_count() == 0);
            CHECK(c.program.has_value());
            CHECK(c.rendered == expected_for(path, c.rendered));
        }
    }
}

TEST_CASE("bad schemes fail with exactly the expected diagnostics") {
    auto paths = schemes_in("bad");
    REQUIRE(paths.size() >= 15);
    for (const auto& path : paths) {
        DYNAMIC_SECTION(path.filename().string()) {
            Compiled c = compile_file(path);
            INFO(c.rendered);
            REQUIRE(c.parsed);  // bad cases are about meaning: their syntax must be right
            CHECK_FALSE(c.program.has_value());
            CHECK(c.diags.error_count() > 0);
            std::string expected = expected_for(path, c.rendered);
            CHECK_FALSE(expected.empty());
            CHECK(c.rendered == expected);
        }
    }
}

TEST_CASE("the Program of a small scheme: tree, rules, constants and code") {
    bc::Program p = compile_good("structure.kh");

    SECTION("nodes are in pre-order with parents, full marks and held points") {
        REQUIRE(p.nodes.size() == 4);
        CHECK(p.nodes[0].kind == bc::NodeKind::scheme);
        CHECK(p.nodes[0].label == "结构");
        CHECK(p.nodes[0].parent == bc::no_index);
        CHECK(p.nodes[0].full == Decimal(10));
        CHECK(p.nodes[1].label == "甲");
        CHECK(p.nodes[1].parent == 0);
        CHECK(p.nodes[1].full == Decimal(6));
        CHECK(p.nodes[1].held == Decimal(2));  // parts 4 of 6
        CHECK(p.nodes[1].has_children);
        CHECK(p.nodes[2].label == "甲一");
        CHECK(p.nodes[2].parent == 1);
        CHECK(p.nodes[2].held == Decimal(0));
        CHECK_FALSE(p.nodes[2].has_children);
        CHECK(p.nodes[3].label == "乙");
        CHECK(p.nodes[3].parent == 0);
        CHECK(p.nodes[3].line == 17);
    }

    SECTION("rules are in source order with their node and cap") {
        REQUIRE(p.rules.size() == 4);
        CHECK(p.rules[0].node == 1);
        CHECK_FALSE(p.rules[0].cap);
        CHECK(p.rules[1].node == 2);
        REQUIRE(p.rules[1].cap);
        CHECK(*p.rules[1].cap == Decimal(3));
        CHECK(p.rules[2].node == 2);
        CHECK(p.rules[3].node == 3);
        CHECK(p.rules[3].line == 18);
        for (const auto& r : p.rules) CHECK(r.kind == bc::RuleKind::deduct);
    }

    SECTION("constants are deduplicated exact decimals") {
        REQUIRE(p.constants.size() == 4);
        CHECK(p.constants[0] == *Decimal::parse("0.5"));
        CHECK(p.constants[1] == Decimal(4));
        CHECK(p.constants[2] == Decimal(1));
        CHECK(p.constants[3] == Decimal(2));
    }

    SECTION("evidence schema in declaration order") {
        REQUIRE(p.evidence.size() == 2);
        CHECK(p.evidence[0].name == "制度");
        CHECK(p.evidence[0].type == bc::FieldType::yes_no);
        CHECK(p.evidence[1].name == "次数");
        CHECK(p.evidence[1].type == bc::FieldType::count);
        CHECK(p.evidence[1].measure == "次");
        CHECK(p.evidence[1].label == "违规次数");
        CHECK(p.evidence[1].line == 7);
    }

    SECTION("code: nodes in post-order, each rule guarded by its condition") {
        std::vector<std::string> expected{
            // node 2 (甲一)
            "RULE 1", "CONST 0", "LOAD 1", "MUL", "DEDUCT 1",                                  //
            "RULE 2", "LOAD 1", "CONST 1", "GT", "JUMP_IF_FALSE 2", "CONST 2", "DEDUCT 2",    //
            "NODE 2",                                                                          //
            // node 1 (甲): its own rule after its child
            "RULE 0", "LOAD 0", "NOT", "JUMP_IF_FALSE 2", "CONST 3", "DEDUCT 0", "NODE 1",    //
            // node 3 (乙), then the scheme
            "RULE 3", "CONST 0", "LOAD 1", "MUL", "DEDUCT 3", "NODE 3", "NODE 0", "HALT"};
        CHECK(op_names(p) == expected);
        REQUIRE(p.lines.size() == p.code.size());
        CHECK(p.lines[0] == 13);    // RULE 1: the rule's line
        CHECK(p.lines.back() == 2);  // HALT: the scheme's line
    }

    SECTION("scheme info") {
        CHECK(p.info.title == "结构");
        CHECK(p.info.source_name == "good/structure.kh");
        CHECK(p.info.source_sha256 == sha256(read_text(data_dir / "good" / "structure.kh")));
    }
}

TEST_CASE("the Program of the wenling slice: tables, choices, held points and list loops") {
    bc::Program p = compile_good("wenling.kh");

    CHECK(p.info.year == "2013");
    CHECK(p.info.groups == std::vector<std::string>{"镇", "街道"});
    REQUIRE(p.info.display_places);
    CHECK(*p.info.display_places == 2);

    REQUIRE(p.choice_types.size() == 2);
    CHECK(p.choice_types[0].name == "级别");
    CHECK(p.choice_types[1].name == "驻村百晓");  // inline choice, named after its evidence
    CHECK(p.choice_types[1].values == std::vector<std::string>{"已落实", "未建立", "未落实"});

    REQUIRE(p.tables.size() == 2);
    CHECK(p.tables[0].name == "推广分");
    CHECK(p.tables[0].choice_type == 0);
    CHECK(p.tables[0].values == std::vector<Decimal>{20, 15, 10, 5, 0});

    // 便民中心扣分: points within 0..4 step 0.5
    const auto& field = p.evidence[7];
    CHECK(field.name == "便民中心扣分");
    CHECK(field.unit == bc::Unit::points);
    REQUIRE(field.hi);
    CHECK(*field.hi == Decimal(4));
    REQUIRE(field.step);
    CHECK(*field.step == *Decimal::parse("0.5"));
    // 创新做法: a list whose record's 推广 field is a 级别
    const auto& list = p.evidence[10];
    CHECK(list.type == bc::FieldType::list);
    REQUIRE(list.fields.size() == 3);
    CHECK(list.fields[1].type == bc::FieldType::choice);
    CHECK(list.fields[1].choice_type == 0);
    CHECK(list.default_text == std::optional<std::string>("[]"));

    // item 完善… holds 2 of its 10 points (parts 8)
    CHECK(p.nodes[2].label == "完善直接联系服务群众机制");
    CHECK(p.nodes[2].held == Decimal(2));
    // bonus nodes count their cap
    const auto& bonus = p.nodes.back();
    CHECK(bonus.bonus);
    CHECK(bonus.full == Decimal(20));

    // The award is a loop: FIELD reads of the record inside ITER_NEXT ... LOOP.
    auto ops = op_names(p);
    auto begin = std::find(ops.begin(), ops.end(), "ITER_BEGIN");
    REQUIRE(begin != ops.end());
    CHECK(std::find(begin, ops.end(), "FIELD 1") != ops.end());  // p.推广: field 1, depth 0
    CHECK(std::find(begin, ops.end(), "TABLE 1") != ops.end());  // 报道分
    CHECK(std::find(begin, ops.end(), "MAX") != ops.end());
}

TEST_CASE("percent evidence bounds are stored as fractions, and min/max over mixed signs take two passes") {
    bc::Program p = compile_good("lists.kh");
    const auto& rate = p.evidence[1];  // 报到率: percent within 50..100
    CHECK(rate.unit == bc::Unit::percent);
    REQUIRE(rate.lo);
    CHECK(*rate.lo == *Decimal::parse("0.5"));
    CHECK(*rate.hi == Decimal(1));
    // 80% is the constant 0.8
    CHECK(std::find(p.constants.begin(), p.constants.end(), *Decimal::parse("0.8")) != p.constants.end());
    // min(评分, r => r.分数) starts from a max pass (values >= 0); max(评分, r => r.分数 * 系数)
    // may be negative, so it starts from a min pass: two loops each.
    auto ops = op_names(p);
    CHECK(std::count(ops.begin(), ops.end(), "ITER_BEGIN") == 3 + 2 + 2 + 1);  // 案件 ×3, min, max, all
}

TEST_CASE("parts above points: held is 0 and the children's sum is left to the VM's clamp") {
    bc::Program p = compile_good("parts_above.kh");
    REQUIRE(p.nodes.size() == 4);
    CHECK(p.nodes[1].full == Decimal(100));
    CHECK(p.nodes[1].held == Decimal(0));
    CHECK(p.nodes[2].full == *Decimal::parse("60.5"));
}

namespace {

std::size_t position_of(const std::vector<std::string>& ops, const std::string& op) {
    return static_cast<std::size_t>(std::find(ops.begin(), ops.end(), op) - ops.begin());
}

bool has_op_named(const std::vector<std::string>& ops, std::string_view name) {
    return std::any_of(ops.begin(), ops.end(), [&](const std::string& op) { return op.rfind(name, 0) == 0; });
}

}  // namespace

TEST_CASE("a phase-2 scheme: STOREs, BARRIER 0, AGGs, vetoes, BARRIER 1, money and forfeits") {
    bc::Program p = compile_good("phases.kh");
    auto ops = op_names(p);
    const std::size_t barrier0 = position_of(ops, "BARRIER 0");
    const std::size_t barrier1 = position_of(ops, "BARRIER 1");
    REQUIRE(barrier0 < ops.size());
    REQUIRE(barrier1 < ops.size());
    CHECK(barrier0 < barrier1);
    CHECK(ops.back() == "HALT");

    SECTION("each population expression is an aggregate over stored inputs") {
        REQUIRE(p.aggregates.size() == 3);
        CHECK(p.aggregates[0].kind == bc::AggregateKind::rank);
        CHECK(p.aggregates[0].scope == bc::Scope::group);
        CHECK(p.aggregates[0].source_text == "rank 线上考核分 among group");
        CHECK(p.aggregates[0].line == 22);
        CHECK(p.aggregates[1].kind == bc::AggregateKind::mean);
        CHECK(p.aggregates[1].scope == bc::Scope::all);
        CHECK(p.aggregates[1].source_text == "mean 指导员得分 among all where 是指导员");
        REQUIRE(p.aggregates[1].where != bc::no_index);
        CHECK(p.population_inputs[p.aggregates[1].where].source_text == "是指导员");
        CHECK(p.aggregates[2].kind == bc::AggregateKind::bottom);
        CHECK(p.aggregates[2].n == Decimal(2));
        CHECK(p.aggregates[2].where == bc::no_index);
        // inputs: 线上考核分, 指导员得分, 是指导员, 满意度
        REQUIRE(p.population_inputs.size() == 4);
        CHECK(p.population_inputs[p.aggregates[0].value].source_text == "线上考核分");
        CHECK(p.population_inputs[p.aggregates[2].value].source_text == "满意度");
        // every input is stored in phase 1, every aggregate read after BARRIER 0
        for (std::uint32_t k = 0; k < p.population_inputs.size(); ++k)
            CHECK(position_of(ops, "STORE " + std::to_string(k)) < barrier0);
        for (std::uint32_t a = 0; a < p.aggregates.size(); ++a) {
            std::size_t at = position_of(ops, "AGG " + std::to_string(a));
            CHECK(barrier0 < at);
            CHECK(at < barrier1);
        }
    }

    SECTION("nodes reading population values, and their ancestors, are phase 2 and scored after BARRIER 0") {
        REQUIRE(p.nodes.size() == 4);
        CHECK(p.nodes[0].phase == 2);  // the scheme: above phase-2 nodes
        for (std::uint32_t n = 1; n < 4; ++n) {
            CHECK(p.nodes[n].phase == 2);
            CHECK(barrier0 < position_of(ops, "NODE " + std::to_string(n)));
        }
        CHECK(p.nodes[1].name == "线上");
        CHECK(p.nodes[1].computed);
        CHECK_FALSE(p.nodes[3].computed);
        CHECK(p.rules[0].kind == bc::RuleKind::score);
        CHECK(p.rules[2].kind == bc::RuleKind::deduct);
        // a score rule: RULE r; EXPR; SCORE r
        std::size_t rule0 = position_of(ops, "RULE 0");
        CHECK(rule0 < position_of(ops, "SCORE 0"));
        CHECK(position_of(ops, "SCORE 0") < position_of(ops, "NODE 1"));
    }

    SECTION("grades come from the stdlib type, bands best first with quotas as fractions") {
        REQUIRE(p.grading.choice_type != bc::no_index);
        const auto& grades = p.choice_types[p.grading.choice_type];
        CHECK(grades.name == "等次");
        CHECK(grades.values == std::vector<std::string>{"优秀", "良好", "合格", "不合格"});
        CHECK(p.grading.node == 0);
        CHECK(p.grading.scope == bc::Scope::all);
        REQUIRE(p.grading.bands.size() == 4);
        CHECK(p.grading.bands[0].at_least == std::optional<Decimal>(Decimal(90)));
        CHECK(p.grading.bands[0].quota == std::optional<Decimal>(*Decimal::parse("0.15")));
        CHECK_FALSE(p.grading.bands[1].quota);
        CHECK_FALSE(p.grading.bands[3].at_least);  // otherwise
        REQUIRE(p.grading.vetoes.size() == 1);
        CHECK(p.grading.vetoes[0].grade == 3);
        CHECK(p.grading.vetoes[0].says == "发生一票否决事项的，评为不合格");
        std::size_t veto = position_of(ops, "VETO 0");
        CHECK(barrier0 < veto);
        CHECK(veto < barrier1);
    }

    SECTION("money reads the grade after BARRIER 1; the forfeit follows its money") {
        REQUIRE(p.money.size() == 1);
        CHECK(p.money[0].name == "考核奖");
        REQUIRE(p.forfeits.size() == 1);
        CHECK(p.forfeits[0].money == 0);
        CHECK(p.forfeits[0].says == "凡机关干部被查实参与赌博的，扣发机关干部岗位目标考核奖");
        std::size_t grade = position_of(ops, "GRADE");
        CHECK(barrier1 < grade);
        CHECK(grade < position_of(ops, "MONEY 0"));
        CHECK(position_of(ops, "MONEY 0") < position_of(ops, "FORFEIT 0"));
        CHECK(position_of(ops, "FORFEIT 0") + 1 == ops.size() - 1);  // then HALT
    }
}

TEST_CASE("named nodes, a computed score and an extra bonus; no barriers without population values") {
    bc::Program p = compile_good("composition.kh");
    auto ops = op_names(p);
    CHECK_FALSE(has_op_named(ops, "BARRIER"));
    CHECK_FALSE(has_op_named(ops, "STORE"));
    REQUIRE(p.nodes.size() == 6);
    for (const auto& node : p.nodes) CHECK(node.phase == 1);
    CHECK(p.nodes[0].computed);
    CHECK(p.nodes[1].name == "考核组");
    CHECK(p.nodes[1].full == Decimal(1500));
    CHECK(p.nodes[4].name == "创新附加");
    CHECK(p.nodes[4].extra);
    CHECK(p.nodes[4].bonus);
    CHECK_FALSE(p.nodes[3].extra);
    CHECK(p.nodes[5].computed);  // 班子: score 班子评分
    // the scheme's score reads 考核组 (node 1) and 班子 (node 5) after both are final
    std::size_t load1 = position_of(ops, "LOAD_NODE 1"), load5 = position_of(ops, "LOAD_NODE 5");
    REQUIRE(load1 < ops.size());
    REQUIRE(load5 < ops.size());
    CHECK(position_of(ops, "NODE 1") < load1);
    CHECK(position_of(ops, "NODE 5") < load5);
    CHECK(load5 < position_of(ops, "NODE 0"));
    const auto& last_rule = p.rules.back();
    CHECK(last_rule.kind == bc::RuleKind::score);
    CHECK(last_rule.node == 0);
    CHECK(position_of(ops, "SCORE " + std::to_string(p.rules.size() - 1)) + 2 == ops.size() - 1);  // SCORE, NODE 0, HALT
}

TEST_CASE("votes: tallies, totals, weighted means, and mean over a list as sum / count") {
    bc::Program p = compile_good("votes.kh");
    REQUIRE(p.evidence.size() == 3);
    CHECK(p.evidence[0].type == bc::FieldType::votes);
    REQUIRE(p.evidence[0].choice_type != bc::no_index);
    CHECK(p.choice_types[p.evidence[0].choice_type].name == "测评等次");  // from `use appraisal`
    CHECK(p.evidence[1].type == bc::FieldType::votes);
    CHECK(p.choice_types[p.evidence[1].choice_type].name == "群众测评");  // inline: named after the evidence
    CHECK(p.choice_types[p.evidence[1].choice_type].values == std::vector<std::string>{"满意", "基本满意", "不满意"});
    auto ops = op_names(p);
    REQUIRE(p.tables.size() == 1);
    CHECK(p.tables[0].name == "测评系数");
    CHECK(std::find(ops.begin(), ops.end(), "WEIGHTED 0") != ops.end());
    CHECK(std::count(ops.begin(), ops.end(), "TALLY 2") == 2);  // 群众测评.不满意, twice
    CHECK(std::count(ops.begin(), ops.end(), "VOTES_TOTAL") == 1);
    // mean(班子评分, r => r.分数): a sum loop, a count loop, then DIV (0 / 0 for no raters: an error)
    std::size_t first_loop = position_of(ops, "ITER_BEGIN");
    REQUIRE(first_loop < ops.size());
    CHECK(std::count(ops.begin(), ops.end(), "ITER_BEGIN") == 2);
    CHECK(has_op_named(std::vector<std::string>(ops.begin() + static_cast<std::ptrdiff_t>(first_loop), ops.end()), "DIV"));
    CHECK_FALSE(has_op_named(ops, "BARRIER"));
}

TEST_CASE("the wenling example compiles to a single-phase program, as before population scoring") {
    const fs::path path = fs::path(KAOHE_SOURCE_DIR) / "examples" / "wenling-2013" / "scheme.kh";
    const std::string text = read_text(path);
    Diagnostics diags;
    auto scheme = parse_scheme(text, "scheme.kh", diags);
    REQUIRE(scheme);
    auto p = compile(*scheme, text, diags);
    REQUIRE(p);
    auto ops = op_names(*p);
    for (const char* op : {"BARRIER", "STORE", "AGG", "VETO", "GRADE", "MONEY", "FORFEIT", "LOAD_NODE", "SCORE"})
        CHECK_FALSE(has_op_named(ops, op));
    for (const auto& node : p->nodes) {
        CHECK(node.phase == 1);
        CHECK_FALSE(node.computed);
    }
    CHECK(p->aggregates.empty());
    CHECK(p->grading.choice_type == bc::no_index);
}

TEST_CASE("every stdlib module compiles on its own, with no diagnostics") {
    for (const char* module : {"levels", "grade_bands", "appraisal", "rewards"}) {
        DYNAMIC_SECTION(module) {
            const std::string text = fmt::format("use {}\nscheme \"模块\" {{\n  total 1\n  item \"甲\" points 1 {{ deduct 1 if no }}\n}}\n", module);
            Diagnostics diags;
            auto scheme = parse_scheme(text, "module.kh", diags);
            REQUIRE(scheme);
            auto p = compile(*scheme, text, diags);
            std::string rendered;
            for (const auto& d : diags.all()) rendered += render(d, text);
            INFO(rendered);
            CHECK(p.has_value());
            CHECK(diags.all().empty());
        }
    }
}

TEST_CASE("a population value over the total is stage 1: stored in phase 2, read after BARRIER 1, by flags") {
    bc::Program p = compile_good("flags.kh");
    auto ops = op_names(p);
    const std::size_t barrier0 = position_of(ops, "BARRIER 0");
    const std::size_t barrier1 = position_of(ops, "BARRIER 1");
    REQUIRE(barrier0 < barrier1);
    REQUIRE(barrier1 < ops.size());
    // inputs: 指导员得分 and 是指导员 (phase 1), total (phase 2: it contains the instructors' mean)
    REQUIRE(p.population_inputs.size() == 3);
    CHECK(p.population_inputs[2].source_text == "total");
    CHECK(p.population_inputs[0].stage == 0);
    CHECK(p.population_inputs[1].stage == 0);
    CHECK(p.population_inputs[2].stage == 1);
    CHECK(position_of(ops, "STORE 0") < barrier0);
    CHECK(position_of(ops, "STORE 1") < barrier0);
    const std::size_t store_total = position_of(ops, "STORE 2");
    CHECK(barrier0 < store_total);
    CHECK(store_total < barrier1);
    CHECK(ops[store_total - 1] == "LOAD_NODE 0");
    CHECK(position_of(ops, "NODE 0") < store_total);
    // aggregates: the mean (stage 0), rank and bottom by total (stage 1, the two flags share bottom)
    REQUIRE(p.aggregates.size() == 3);
    CHECK(p.aggregates[0].stage == 0);
    CHECK(p.aggregates[1].stage == 1);
    CHECK(p.aggregates[1].source_text == "rank total among all");
    CHECK(p.aggregates[2].stage == 1);
    CHECK(p.aggregates[2].source_text == "bottom 2 by total among all");
    for (std::uint32_t a : {1u, 2u}) CHECK(barrier1 < position_of(ops, "AGG " + std::to_string(a)));
    // the flags, in order, last: after the money
    REQUIRE(p.flags.size() == 2);
    CHECK(p.flags[0].name == "诫勉");
    CHECK(p.flags[0].says == "对考核末两位的进行诫勉");
    CHECK(p.flags[0].source_text == "flag 诫勉 if bottom 2 by total among all says \"对考核末两位的进行诫勉\"");
    CHECK(p.flags[0].line == 18);
    CHECK(p.flags[1].name == "表扬");
    const std::size_t first_flag = position_of(ops, "FLAG 0");
    CHECK(position_of(ops, "MONEY 0") < first_flag);
    CHECK(first_flag < position_of(ops, "FLAG 1"));
    CHECK(ops[first_flag - 1] == "AGG 2");
}
