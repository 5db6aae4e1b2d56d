// The VM on hand-built Programs: every instruction, the scoring rules of nodes and rules, the
// evaluation errors, and explanations. Every program is verified before it runs, as in kaohe.
#include "program_builder.hpp"

#include "runtime/verify.hpp"
#include "runtime/vm.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <random>

using namespace kaohe;
using namespace kaohe::test;

namespace {

Decimal D(const char* text) {
    auto d = Decimal::parse(text);
    REQUIRE(d);
    return *d;
}

std::string messages(const Diagnostics& diags) {
    std::string out;
    for (const auto& d : diags.all()) out += d.message + "\n";
    return out;
}

// Verifies, then evaluates with and without explanations; both must agree on every score.
Scoresheet run(const Program& p, const UnitEvidence& u, Explain explain = Explain::no) {
    Diagnostics diags;
    INFO(messages(diags));
    bool ok = verify(p, "test.khc", diags);
    INFO(messages(diags));
    REQUIRE(ok);
    auto plain = evaluate(p, u, Explain::no, diags);
    auto explained = evaluate(p, u, Explain::yes, diags);
    INFO(messages(diags));
    REQUIRE(plain);
    REQUIRE(explained);
    REQUIRE(plain->trace.empty());
    for (std::size_t n = 0; n < p.nodes.size(); ++n) REQUIRE(plain->nodes[n].score == explained->nodes[n].score);
    for (std::size_t r = 0; r < p.rules.size(); ++r) REQUIRE(plain->rules[r].applied == explained->rules[r].applied);
    return explain == Explain::yes ? *explained : *plain;
}

// A scheme worth 1000 with one deduction on the scheme node: the expression emitted by `expr`
// is the deduction's amount, which the test reads back from the rule's outcome.
struct Probe {
    ProgramBuilder b{1000};
    std::uint32_t rule = b.rule(0, RuleKind::deduct);

    Decimal amount(const std::function<void(ProgramBuilder&)>& expr, std::vector<Value> values = {}) {
        b.emit(Op::RULE, rule);
        expr(b);
        b.emit(Op::DEDUCT, rule);
        b.emit(Op::NODE, 0);
        b.emit(Op::HALT);
        auto sheet = run(b.p, unit_of(std::move(values)));
        REQUIRE(sheet.rules[rule].fired);
        return sheet.rules[rule].amount;
    }
    // For an expression that leaves a yes/no: 1 for yes, 0 for no.
    int truth(const std::function<void(ProgramBuilder&)>& expr, std::vector<Value> values = {}) {
        auto a = amount([&](ProgramBuilder& b) { expr(b); b.emit(Op::TO_NUM); }, std::move(values));
        REQUIRE((a == 0 || a == 1));
        return a == 1 ? 1 : 0;
    }
};

// Emits `lhs op rhs` over two constants.
std::function<void(ProgramBuilder&)> binary(Op op, Decimal lhs, Decimal rhs) {
    return [=](ProgramBuilder& b) {
        b.emit(Op::CONST, b.constant(lhs));
        b.emit(Op::CONST, b.constant(rhs));
        b.emit(op);
    };
}

}  // namespace

TEST_CASE("CONST and the arithmetic instructions are exact", "[vm]") {
    CHECK(Probe().amount(binary(Op::ADD, D("0.1"), D("0.2"))) == D("0.3"));
    CHECK(Probe().amount(binary(Op::SUB, D("3"), D("0.5"))) == D("2.5"));
    CHECK(Probe().amount(binary(Op::MUL, D("0.2"), D("7"))) == D("1.4"));
    CHECK(Probe().amount(binary(Op::MIN, D("4"), D("2.5"))) == D("2.5"));
    CHECK(Probe().amount(binary(Op::MAX, D("4"), D("2.5"))) == D("4"));
    // 1/3 + 1/3 + 1/3 == 1, with no rounding anywhere.
    CHECK(Probe().amount([](ProgramBuilder& b) {
        auto one = b.constant(1), three = b.constant(3);
        for (int i = 0; i < 3; ++i) {
            b.emit(Op::CONST, one);
            b.emit(Op::CONST, three);
            b.emit(Op::DIV);
            if (i > 0) b.emit(Op::ADD);
        }
    }) == 1);
    // NEG: -(-2) == 2, and -3 + 5 == 2.
    CHECK(Probe().amount([](ProgramBuilder& b) {
        b.emit(Op::CONST, b.constant(2));
        b.emit(Op::NEG);
        b.emit(Op::NEG);
    }) == 2);
    CHECK(Probe().amount([](ProgramBuilder& b) {
        b.emit(Op::CONST, b.constant(3));
        b.emit(Op::NEG);
        b.emit(Op::CONST, b.constant(5));
        b.emit(Op::ADD);
    }) == 2);
}

TEST_CASE("comparisons on numbers", "[vm]") {
    struct Case { Op op; const char* lhs; const char* rhs; int expected; };
    const Case cases[] = {
        {Op::LT, "1", "2", 1},   {Op::LT, "2", "2", 0},   {Op::LT, "3", "2", 0},
        {Op::LE, "1", "2", 1},   {Op::LE, "2", "2", 1},   {Op::LE, "3", "2", 0},
        {Op::GT, "1", "2", 0},   {Op::GT, "2", "2", 0},   {Op::GT, "3", "2", 1},
        {Op::GE, "1", "2", 0},   {Op::GE, "2", "2", 1},   {Op::GE, "3", "2", 1},
        {Op::EQ, "0.5", "0.50", 1}, {Op::EQ, "0.5", "0.6", 0},
        {Op::NE, "0.5", "0.50", 0}, {Op::NE, "0.5", "0.6", 1},
    };
    for (const auto& c : cases) {
        INFO(op_info(c.op).name << " " << c.lhs << " " << c.rhs);
        CHECK(Probe().truth(binary(c.op, D(c.lhs), D(c.rhs))) == c.expected);
    }
}

TEST_CASE("BOOL, NOT, TO_NUM and comparisons on yes/no", "[vm]") {
    CHECK(Probe().truth([](ProgramBuilder& b) { b.emit(Op::BOOL, 1); }) == 1);
    CHECK(Probe().truth([](ProgramBuilder& b) { b.emit(Op::BOOL, 0); }) == 0);
    CHECK(Probe().truth([](ProgramBuilder& b) { b.emit(Op::BOOL, 0); b.emit(Op::NOT); }) == 1);
    CHECK(Probe().truth([](ProgramBuilder& b) { b.emit(Op::BOOL, 1); b.emit(Op::NOT); }) == 0);
    for (std::uint32_t x = 0; x < 2; ++x)
        for (std::uint32_t y = 0; y < 2; ++y) {
            auto pair = [=](Op op) {
                return [=](ProgramBuilder& b) { b.emit(Op::BOOL, x); b.emit(Op::BOOL, y); b.emit(op); };
            };
            CHECK(Probe().truth(pair(Op::EQ)) == (x == y ? 1 : 0));
            CHECK(Probe().truth(pair(Op::NE)) == (x != y ? 1 : 0));
        }
}

TEST_CASE("LOAD, IS, TABLE and comparisons on choices", "[vm]") {
    auto make = [](Probe& probe) {
        auto level = probe.b.choice_type("级别", {"国家级", "省级", "无"});
        probe.b.slot(field_of("推广", FieldType::choice, level));
        probe.b.slot(field_of("报道", FieldType::choice, level));
        probe.b.table("推广分", level, {20, 15, 0});
    };
    auto values = [](std::uint32_t a, std::uint32_t b) { return std::vector<Value>{Value::of_choice(a), Value::of_choice(b)}; };
    for (std::uint32_t v = 0; v < 3; ++v) {
        Probe probe;
        make(probe);
        CHECK(probe.truth([](ProgramBuilder& b) { b.emit(Op::LOAD, 0); b.emit(Op::IS, 1); }, values(v, 0)) == (v == 1 ? 1 : 0));
        Probe table;
        make(table);
        const Decimal expected[] = {20, 15, 0};
        CHECK(table.amount([](ProgramBuilder& b) { b.emit(Op::LOAD, 0); b.emit(Op::TABLE, 0); }, values(v, 0)) == expected[v]);
        Probe eq, ne;
        make(eq);
        make(ne);
        auto both = [](Op op) { return [=](ProgramBuilder& b) { b.emit(Op::LOAD, 0); b.emit(Op::LOAD, 1); b.emit(op); }; };
        CHECK(eq.truth(both(Op::EQ), values(v, 1)) == (v == 1 ? 1 : 0));
        CHECK(ne.truth(both(Op::NE), values(v, 1)) == (v == 1 ? 0 : 1));
    }
}

TEST_CASE("LOAD numbers and yes/no evidence", "[vm]") {
    Probe probe;
    probe.b.slot(field_of("住夜未落实", FieldType::count));
    probe.b.slot(field_of("全员驻村", FieldType::yes_no));
    // 0.5 per 住夜未落实 unless 全员驻村 (here: 7 * 0.5 + 0)
    CHECK(probe.amount([](ProgramBuilder& b) {
        b.emit(Op::CONST, b.constant(D("0.5")));
        b.emit(Op::LOAD, 0);
        b.emit(Op::MUL);
        b.emit(Op::LOAD, 1);
        b.emit(Op::TO_NUM);
        b.emit(Op::ADD);
    }, {Value::of_number(7), Value::of_yes_no(false)}) == D("3.5"));
}

TEST_CASE("ROUND with each mode", "[vm]") {
    struct Case { const char* x; unsigned places; Rounding mode; const char* expected; };
    const Case cases[] = {
        {"2.345", 2, Rounding::half_up, "2.35"},   {"2.345", 2, Rounding::half_even, "2.34"},
        {"2.355", 2, Rounding::half_even, "2.36"}, {"2.349", 2, Rounding::down, "2.34"},
        {"2.341", 2, Rounding::up, "2.35"},        {"2.5", 0, Rounding::half_up, "3"},
    };
    for (const auto& c : cases) {
        INFO(c.x << " to " << c.places);
        CHECK(Probe().amount([&](ProgramBuilder& b) {
            b.emit(Op::CONST, b.constant(D(c.x)));
            b.emit(Op::ROUND, round_operand(c.places, c.mode));
        }) == D(c.expected));
    }
    // 2/3 rounds to 0.67: rounding works on the exact fraction.
    CHECK(Probe().amount([](ProgramBuilder& b) {
        b.emit(Op::CONST, b.constant(2));
        b.emit(Op::CONST, b.constant(3));
        b.emit(Op::DIV);
        b.emit(Op::ROUND, round_operand(2, Rounding::half_up));
    }) == D("0.67"));
}

TEST_CASE("POP and JUMP", "[vm]") {
    CHECK(Probe().amount([](ProgramBuilder& b) {
        b.emit(Op::CONST, b.constant(5));
        b.emit(Op::CONST, b.constant(9));
        b.emit(Op::POP);
        auto j = b.emit(Op::JUMP);
        b.emit(Op::CONST, b.constant(1));  // skipped
        b.emit(Op::ADD);                   // skipped
        b.land(j);
    }) == 5);
}

TEST_CASE("AND_JUMP and OR_JUMP short-circuit", "[vm]") {
    for (std::uint32_t x = 0; x < 2; ++x)
        for (std::uint32_t y = 0; y < 2; ++y) {
            auto logic = [=](Op op) {
                return [=](ProgramBuilder& b) {
                    b.emit(Op::BOOL, x);
                    auto j = b.emit(op);
                    b.emit(Op::BOOL, y);
                    b.land(j);
                };
            };
            INFO(x << " " << y);
            CHECK(Probe().truth(logic(Op::AND_JUMP)) == (x && y ? 1 : 0));
            CHECK(Probe().truth(logic(Op::OR_JUMP)) == (x || y ? 1 : 0));
        }
}

TEST_CASE("JUMP_IF_FALSE skips a rule: the rule does not fire", "[vm]") {
    for (bool condition : {false, true}) {
        ProgramBuilder b(10);
        auto flag = b.slot(field_of("未建立", FieldType::yes_no));
        auto r = b.rule(0, RuleKind::deduct);
        b.emit(Op::RULE, r);
        b.emit(Op::LOAD, flag);
        auto skip = b.emit(Op::JUMP_IF_FALSE);
        b.emit(Op::CONST, b.constant(2));
        b.emit(Op::DEDUCT, r);
        b.land(skip);
        b.emit(Op::NODE, 0);
        b.emit(Op::HALT);
        auto sheet = run(b.p, unit_of({Value::of_yes_no(condition)}));
        CHECK(sheet.rules[r].fired == condition);
        CHECK(sheet.rules[r].applied == (condition ? 2 : 0));
        CHECK(sheet.total() == (condition ? 8 : 10));
    }
}

namespace {

// sum(L, p => p.field) in the compiler's loop shape.
void emit_sum(ProgramBuilder& b, std::uint32_t list_slot, std::uint32_t field) {
    b.emit(Op::CONST, b.constant(0));
    b.emit(Op::LOAD, list_slot);
    b.emit(Op::ITER_BEGIN);
    auto next = b.emit(Op::ITER_NEXT);
    b.emit(Op::FIELD, field_operand(field, 0));
    b.emit(Op::ADD);
    b.loop_to(next);
    b.land(next);
}

}  // namespace

TEST_CASE("ITER_BEGIN, ITER_NEXT, FIELD and LOOP sum a list; an empty list sums to 0", "[vm]") {
    auto make = [](Probe& probe) {
        probe.b.slot(list_of("案例", {field_of("名称", FieldType::text), field_of("扣分", FieldType::decimal)}));
    };
    auto rec = [](const char* name, const char* points) {
        return Record{Value::of_text(name), Value::of_number(D(points))};
    };
    Probe some, none;
    make(some);
    make(none);
    CHECK(some.amount([](ProgramBuilder& b) { emit_sum(b, 0, 1); },
                      {record_list({rec("a", "0.5"), rec("b", "1.25"), rec("c", "2")})}) == D("3.75"));
    CHECK(none.amount([](ProgramBuilder& b) { emit_sum(b, 0, 1); }, {record_list({})}) == 0);
}

TEST_CASE("nested loops read the outer record with FIELD depth 1", "[vm]") {
    // sum(L, p => sum(p.items, q => q.n * p.weight))
    Probe probe;
    auto inner = list_of("items", {field_of("n", FieldType::count)});
    probe.b.slot(list_of("groups", {field_of("weight", FieldType::decimal), inner}));
    auto items = [](std::vector<int> ns) {
        List l;
        for (int n : ns) l.push_back(Record{Value::of_number(n)});
        return Value::of_list(std::move(l));
    };
    List groups;
    groups.push_back(Record{Value::of_number(2), items({1, 2, 3})});  // 2 * 6
    groups.push_back(Record{Value::of_number(D("0.5")), items({})});  // 0
    groups.push_back(Record{Value::of_number(10), items({4})});       // 40
    CHECK(probe.amount([](ProgramBuilder& b) {
        b.emit(Op::CONST, b.constant(0));
        b.emit(Op::LOAD, 0);
        b.emit(Op::ITER_BEGIN);
        auto outer = b.emit(Op::ITER_NEXT);
        b.emit(Op::CONST, b.constant(0));
        b.emit(Op::FIELD, field_operand(1, 0));  // p.items
        b.emit(Op::ITER_BEGIN);
        auto inner_next = b.emit(Op::ITER_NEXT);
        b.emit(Op::FIELD, field_operand(0, 0));  // q.n
        b.emit(Op::FIELD, field_operand(0, 1));  // p.weight
        b.emit(Op::MUL);
        b.emit(Op::ADD);
        b.loop_to(inner_next);
        b.land(inner_next);
        b.emit(Op::ADD);
        b.loop_to(outer);
        b.land(outer);
    }, {Value::of_list(std::move(groups))}) == 52);
}

TEST_CASE("DEDUCT applies the rule's cap, and the node is floored at 0", "[vm]") {
    // clause 3 points: deduct 3 per 被通报 cap 8 (rule), and 0.5 per 住夜 (floored by the node)
    ProgramBuilder b(10);
    auto clause = b.node("clause", 0, 3);
    auto other = b.node("other", 0, 7);
    b.slot(field_of("被通报", FieldType::count));
    auto capped = b.rule(clause, RuleKind::deduct, Decimal{8});
    auto uncapped = b.rule(other, RuleKind::deduct, Decimal{8});
    auto three = b.constant(3);
    b.emit(Op::RULE, capped);
    b.emit(Op::CONST, three);
    b.emit(Op::LOAD, 0);
    b.emit(Op::MUL);
    b.emit(Op::DEDUCT, capped);
    b.emit(Op::NODE, clause);
    b.emit(Op::RULE, uncapped);
    b.emit(Op::CONST, b.constant(2));
    b.emit(Op::DEDUCT, uncapped);
    b.emit(Op::NODE, other);
    b.emit(Op::NODE, 0);
    b.emit(Op::HALT);
    auto sheet = run(b.p, unit_of({Value::of_number(4)}));
    // 4 * 3 = 12, capped at 8; the clause's 3 points floor at 0.
    CHECK(sheet.rules[capped].amount == 12);
    CHECK(sheet.rules[capped].applied == 8);
    CHECK(sheet.rules[capped].capped);
    CHECK(sheet.nodes[clause].deducted == 8);
    CHECK(sheet.nodes[clause].score == 0);
    CHECK(sheet.nodes[clause].floored);
    CHECK_FALSE(sheet.nodes[clause].capped);
    // 2 is under the cap of 8.
    CHECK(sheet.rules[uncapped].applied == 2);
    CHECK_FALSE(sheet.rules[uncapped].capped);
    CHECK(sheet.nodes[other].score == 5);
    CHECK_FALSE(sheet.nodes[other].floored);
    CHECK(sheet.nodes[0].score == 5);
    CHECK(sheet.total() == 5);
    CHECK(sheet.nodes[0].full == 10);
}

TEST_CASE("AWARD in a bonus node: the rule's cap, then the node's cap", "[vm]") {
    ProgramBuilder b(120);
    auto base = b.node("base", 0, 100);
    auto bonus = b.node("bonus", 0, 20, true);
    b.slot(field_of("次数", FieldType::count));
    auto small = b.rule(bonus, RuleKind::award, Decimal{15});
    auto big = b.rule(bonus, RuleKind::award);
    b.emit(Op::NODE, base);
    b.emit(Op::RULE, small);
    b.emit(Op::CONST, b.constant(5));
    b.emit(Op::LOAD, 0);
    b.emit(Op::MUL);
    b.emit(Op::AWARD, small);
    b.emit(Op::RULE, big);
    b.emit(Op::LOAD, 0);
    b.emit(Op::AWARD, big);
    b.emit(Op::NODE, bonus);
    b.emit(Op::NODE, 0);
    b.emit(Op::HALT);

    auto sheet = run(b.p, unit_of({Value::of_number(4)}));  // 20 -> 15 by the rule; +4 = 19
    CHECK(sheet.rules[small].amount == 20);
    CHECK(sheet.rules[small].applied == 15);
    CHECK(sheet.rules[small].capped);
    CHECK(sheet.nodes[bonus].awarded == 19);
    CHECK(sheet.nodes[bonus].score == 19);
    CHECK_FALSE(sheet.nodes[bonus].capped);
    CHECK(sheet.total() == 119);

    auto more = run(b.p, unit_of({Value::of_number(7)}));  // 15 + 7 = 22 -> capped at 20
    CHECK(more.nodes[bonus].awarded == 22);
    CHECK(more.nodes[bonus].score == 20);
    CHECK(more.nodes[bonus].capped);
    CHECK(more.total() == 120);

    auto zero = run(b.p, unit_of({Value::of_number(0)}));  // a bonus node starts at 0
    CHECK(zero.nodes[bonus].score == 0);
    CHECK(zero.total() == 100);
}

TEST_CASE("NODE: a parent sums its children plus held points, then its own rules", "[vm]") {
    // item 5 points with `parts 3`: children 2 + 1, the item holds 2 for its own rule.
    ProgramBuilder b(5);
    auto item = b.node("item", 0, 5, false, 2);
    auto c1 = b.node("c1", item, 2);
    auto c2 = b.node("c2", item, 1);
    auto r1 = b.rule(c1, RuleKind::deduct);
    auto own = b.rule(item, RuleKind::deduct);
    b.emit(Op::RULE, r1);
    b.emit(Op::CONST, b.constant(D("0.5")));
    b.emit(Op::DEDUCT, r1);
    b.emit(Op::NODE, c1);
    b.emit(Op::NODE, c2);
    b.emit(Op::RULE, own);
    b.emit(Op::CONST, b.constant(1));
    b.emit(Op::DEDUCT, own);
    b.emit(Op::NODE, item);
    b.emit(Op::NODE, 0);
    b.emit(Op::HALT);
    auto sheet = run(b.p, unit_of({}));
    CHECK(sheet.nodes[c1].score == D("1.5"));
    CHECK(sheet.nodes[c2].score == 1);
    CHECK(sheet.nodes[item].score == D("3.5"));  // 1.5 + 1 + 2 held - 1
    CHECK(sheet.nodes[item].deducted == 1);
    CHECK(sheet.total() == D("3.5"));
}

TEST_CASE("NODE: children worth more than the parent (parts above points) are clamped", "[vm]") {
    // The document's sub-items add up to 104 of 100.
    ProgramBuilder b(100);
    auto a = b.node("a", 0, 54);
    auto c = b.node("c", 0, 50);
    b.emit(Op::NODE, a);
    b.emit(Op::NODE, c);
    b.emit(Op::NODE, 0);
    b.emit(Op::HALT);
    auto sheet = run(b.p, unit_of({}));
    CHECK(sheet.nodes[0].score == 100);
    CHECK(sheet.nodes[0].capped);
    CHECK_FALSE(sheet.nodes[0].floored);
}

TEST_CASE("division by zero is an evaluation error at the instruction's line", "[vm]") {
    ProgramBuilder b(10);
    b.slot(field_of("人数", FieldType::count));
    auto r = b.rule(0, RuleKind::deduct, std::nullopt, 7);
    b.line = 7;
    b.emit(Op::RULE, r);
    b.emit(Op::CONST, b.constant(1));
    b.emit(Op::LOAD, 0);
    b.emit(Op::DIV);
    b.emit(Op::DEDUCT, r);
    b.emit(Op::NODE, 0);
    b.emit(Op::HALT);
    Diagnostics diags;
    REQUIRE(verify(b.p, "t.khc", diags));
    for (auto explain : {Explain::no, Explain::yes}) {
        Diagnostics d;
        CHECK_FALSE(evaluate(b.p, unit_of({Value::of_number(0)}), explain, d));
        REQUIRE(d.error_count() == 1);
        CHECK(d.all()[0].message == "division by zero at line 7 for unit '甲镇'");
        CHECK(d.all()[0].span.begin.line == 7);
        CHECK(d.all()[0].file == "test.kh");
    }
    CHECK(run(b.p, unit_of({Value::of_number(4)})).rules[r].amount == D("0.25"));
}

TEST_CASE("a negative deduction is an evaluation error, never a silent award", "[vm]") {
    for (auto kind : {RuleKind::deduct, RuleKind::award}) {
        ProgramBuilder b(10);
        b.slot(field_of("月数", FieldType::count));
        auto r = b.rule(0, kind, std::nullopt, 23);
        b.emit(Op::RULE, r);
        b.emit(Op::CONST, b.constant(D("0.2")));
        b.emit(Op::CONST, b.constant(12));
        b.emit(Op::LOAD, 0);
        b.emit(Op::SUB);
        b.emit(Op::MUL);  // 0.2 * (12 - 月数)
        b.emit(kind == RuleKind::deduct ? Op::DEDUCT : Op::AWARD, r);
        b.emit(Op::NODE, 0);
        b.emit(Op::HALT);
        Diagnostics d;
        REQUIRE(verify(b.p, "t.khc", d));
        CHECK_FALSE(evaluate(b.p, unit_of({Value::of_number(15)}), Explain::no, d));
        REQUIRE(d.error_count() == 1);
        CHECK(d.all()[0].message == fmt::format("rule at line 23 produced a negative {} -0.6 for unit '甲镇'",
                                                kind == RuleKind::deduct ? "deduction" : "award"));
        CHECK(d.all()[0].span.begin.line == 23);
        // Zero is fine: 月数 = 12.
        CHECK(run(b.p, unit_of({Value::of_number(12)})).rules[r].applied == 0);
    }
}

TEST_CASE("explanations record reads and arithmetic, attributed to the rule", "[vm]") {
    ProgramBuilder b(100);
    auto n = b.slot(field_of("住夜未落实", FieldType::count));
    auto cases = b.slot(list_of("案例", {field_of("扣分", FieldType::decimal)}));
    auto r0 = b.rule(0, RuleKind::deduct);
    auto r1 = b.rule(0, RuleKind::deduct);
    b.emit(Op::RULE, r0);
    b.emit(Op::CONST, b.constant(D("0.5")));
    b.emit(Op::LOAD, n);
    b.emit(Op::MUL);
    b.emit(Op::DEDUCT, r0);
    b.emit(Op::RULE, r1);
    emit_sum(b, cases, 0);
    b.emit(Op::DEDUCT, r1);
    b.emit(Op::NODE, 0);
    b.emit(Op::HALT);
    List records{Record{Value::of_number(1)}, Record{Value::of_number(D("1.5"))}};
    auto sheet = run(b.p, unit_of({Value::of_number(7), Value::of_list(records)}), Explain::yes);

    using Kind = TraceEvent::Kind;
    const auto& t = sheet.trace;
    REQUIRE(t.size() == 6);
    // r0: read 住夜未落实 = 7; 0.5 * 7 = 3.5
    CHECK(t[0].kind == Kind::read);
    CHECK(t[0].rule == r0);
    CHECK(t[0].part == TraceEvent::Part::rule);
    CHECK(t[0].slot == n);
    CHECK(t[0].record == no_index);
    CHECK(t[0].value.number == 7);
    CHECK(t[1].kind == Kind::arithmetic);
    CHECK(t[1].rule == r0);
    CHECK(t[1].op == Op::MUL);
    CHECK(t[1].lhs == D("0.5"));
    CHECK(t[1].rhs == 7);
    CHECK(t[1].result == D("3.5"));
    // r1: read the list 案例; read 案例[0].扣分 = 1; read 案例[1].扣分 = 1.5; then the sum as one
    // step (the accumulation 0 + 1 = 1, 1 + 1.5 = 2.5 is not traced)
    for (std::size_t i = 2; i < 6; ++i) CHECK(t[i].rule == r1);
    CHECK(t[2].kind == Kind::read);
    CHECK(t[2].slot == cases);
    CHECK(t[2].value.tag == Value::Tag::list);
    CHECK(t[3].kind == Kind::read);
    CHECK(t[3].slot == cases);
    CHECK(t[3].record == 0);
    CHECK(t[3].field == 0);
    CHECK(t[3].value.number == 1);
    CHECK(t[4].kind == Kind::read);
    CHECK(t[4].record == 1);
    CHECK(t[4].value.number == D("1.5"));
    CHECK(t[5].kind == Kind::list);
    CHECK(t[5].fold == TraceEvent::Fold::sum);
    CHECK(t[5].slot == cases);
    CHECK(t[5].in_scope == 2);
    CHECK(t[5].lhs == 0);
    CHECK(t[5].result == D("2.5"));
    CHECK(sheet.total() == 94);

    Diagnostics diags;
    auto plain = evaluate(b.p, unit_of({Value::of_number(7), Value::of_list(records)}), Explain::no, diags);
    REQUIRE(plain);
    CHECK(plain->trace.empty());
    CHECK(plain->total() == 94);
}

TEST_CASE("the scoresheet names the unit, its group and its file", "[vm]") {
    ProgramBuilder b(100);
    b.emit(Op::NODE, 0);
    b.emit(Op::HALT);
    auto sheet = run(b.p, unit_of({}, "城东街道"));
    CHECK(sheet.unit == "城东街道");
    CHECK(sheet.group == "镇");
    CHECK(sheet.file == "units/城东街道.txt");
    CHECK(sheet.total() == 100);
    CHECK(sheet.nodes.size() == 1);
    CHECK(sheet.rules.empty());
}

// ---- wave 2: named nodes, computed scores, extras, votes ------------------------------------

TEST_CASE("an extra child lifts its parent's upper clamp to full + the extra's cap", "[vm]") {
    // 100 points of work plus a 10-point extra bonus: the scheme may score 110, not more.
    auto build = [](Decimal work_deduction, Decimal extra_award, Decimal scheme_award) {
        ProgramBuilder b(100);
        auto work = b.node("工作", 0, 100);
        auto extra = b.node("创新工作附加", 0, 10, true);
        b.p.nodes[extra].extra = true;
        auto r0 = b.rule(work, RuleKind::deduct);
        auto r1 = b.rule(extra, RuleKind::award);
        auto r2 = b.rule(0, RuleKind::award);
        b.emit(Op::RULE, r0);
        b.emit(Op::CONST, b.constant(work_deduction));
        b.emit(Op::DEDUCT, r0);
        b.emit(Op::NODE, work);
        b.emit(Op::RULE, r1);
        b.emit(Op::CONST, b.constant(extra_award));
        b.emit(Op::AWARD, r1);
        b.emit(Op::NODE, extra);
        b.emit(Op::RULE, r2);
        b.emit(Op::CONST, b.constant(scheme_award));
        b.emit(Op::AWARD, r2);
        b.emit(Op::NODE, 0);
        b.emit(Op::HALT);
        return b.p;
    };
    auto full = run(build(0, 15, 0), unit_of({}));
    CHECK(full.nodes[2].score == 10);  // the extra node keeps its own cap
    CHECK(full.nodes[2].capped);
    CHECK(full.total() == 110);
    CHECK_FALSE(full.nodes[0].capped);

    auto over = run(build(0, 5, 20), unit_of({}));
    CHECK(over.total() == 110);  // 100 + 5 + 20 = 125, kept within 100 + 10
    CHECK(over.nodes[0].capped);

    auto partial = run(build(D("3.5"), 4, 0), unit_of({}));
    CHECK(partial.total() == D("100.5"));  // 96.5 + 4: the extra adds like any child
    CHECK_FALSE(partial.nodes[0].capped);
}

// The town-office shape: an item of 25 with a 2-point extra 上浮 inside a 100-point section of a
// 100-point scheme. The 上浮 raises every ceiling above it (allowance 2 for the item, the section
// and the total), so a near-perfect unit keeps it all the way up.
Program nested_extra_scheme(Decimal other_deduction, Decimal float_award) {
    ProgramBuilder b(100);
    auto section = b.node("考核内容", 0, 100);
    auto online = b.node("线上工作", section, 25);
    auto base = b.node("名次基本分", online, 25);
    auto lift = b.node("名次上浮", online, 2, true);
    b.p.nodes[lift].extra = true;
    auto rest = b.node("其他工作", section, 75);
    auto r0 = b.rule(lift, RuleKind::award);
    auto r1 = b.rule(rest, RuleKind::deduct);
    b.emit(Op::NODE, base);
    b.emit(Op::RULE, r0);
    b.emit(Op::CONST, b.constant(float_award));
    b.emit(Op::AWARD, r0);
    b.emit(Op::NODE, lift);
    b.emit(Op::NODE, online);
    b.emit(Op::RULE, r1);
    b.emit(Op::CONST, b.constant(other_deduction));
    b.emit(Op::DEDUCT, r1);
    b.emit(Op::NODE, rest);
    b.emit(Op::NODE, section);
    b.emit(Op::NODE, 0);
    b.emit(Op::HALT);
    return b.p;
}

TEST_CASE("an extra bonus raises every ancestor's ceiling, not only its parent's", "[vm]") {
    // Perfect otherwise, first place: 25 + 2 in the item, 102 in the section and the total.
    auto perfect = run(nested_extra_scheme(0, 2), unit_of({}));
    CHECK(perfect.nodes[2].score == 27);
    CHECK(perfect.nodes[1].score == 102);
    CHECK(perfect.total() == 102);
    CHECK_FALSE(perfect.nodes[1].capped);
    CHECK_FALSE(perfect.nodes[0].capped);

    // Near-perfect: half a point lost elsewhere, the 上浮 still counts in full.
    auto near = run(nested_extra_scheme(D("0.5"), 2), unit_of({}));
    CHECK(near.nodes[1].score == D("101.5"));
    CHECK(near.total() == D("101.5"));

    // The extra's own cap still binds (an award of 5 gives 2), and so the ceilings above it.
    auto over = run(nested_extra_scheme(0, 5), unit_of({}));
    CHECK(over.nodes[4].score == 2);
    CHECK(over.nodes[4].capped);
    CHECK(over.total() == 102);
}

TEST_CASE("allowances: an extra child adds its cap and its own allowance, other children pass theirs up", "[vm]") {
    ProgramBuilder b(100);
    auto section = b.node("一", 0, 100);
    auto item = b.node("一.1", section, 100);
    auto lift = b.node("上浮", item, 4, true);
    auto deeper = b.node("再上浮", lift, 1, true);  // an extra inside an extra
    auto other = b.node("附加", 0, 10, true);
    for (auto n : {lift, deeper, other}) b.p.nodes[n].extra = true;
    const auto allowance = bc::allowances(b.p.nodes);
    CHECK(allowance[deeper] == 0);
    CHECK(allowance[lift] == 1);
    CHECK(allowance[item] == 5);     // 4 + the 1 inside it
    CHECK(allowance[section] == 5);  // passed up unchanged
    CHECK(allowance[0] == 15);       // 5 from the section, 10 from its own extra child
    CHECK(allowance[other] == 0);
}

// A scheme of 1000 whose score is computed from a 1500-point section and a 100-point section:
// 考核组 / 1500 * 1000 * 90% + 班子 / 100 * 1000 * 10%. Evidence: the deduction from 考核组, and
// an amount added to the formula (to push it out of range).
Program computed_scheme() {
    ProgramBuilder b(1000);
    b.slot(field_of("考核组扣分", FieldType::decimal));
    b.slot(field_of("调整", FieldType::decimal));
    auto group = b.node("考核组", 0, 1500);
    auto team = b.node("班子", 0, 100);
    b.p.nodes[0].computed = true;
    b.p.nodes[group].name = "考核组";
    b.p.nodes[team].name = "班子";
    auto r0 = b.rule(group, RuleKind::deduct);
    auto score = b.rule(0, RuleKind::score);
    b.emit(Op::RULE, r0);
    b.emit(Op::LOAD, 0);
    b.emit(Op::DEDUCT, r0);
    b.emit(Op::NODE, group);
    b.emit(Op::NODE, team);
    b.emit(Op::RULE, score);
    b.emit(Op::LOAD_NODE, group);
    b.emit(Op::CONST, b.constant(1500));
    b.emit(Op::DIV);
    b.emit(Op::CONST, b.constant(900));
    b.emit(Op::MUL);
    b.emit(Op::LOAD_NODE, team);
    b.emit(Op::CONST, b.constant(100));
    b.emit(Op::DIV);
    b.emit(Op::CONST, b.constant(100));
    b.emit(Op::MUL);
    b.emit(Op::ADD);
    b.emit(Op::LOAD, 1);
    b.emit(Op::ADD);
    b.emit(Op::SCORE, score);
    b.emit(Op::NODE, 0);
    b.emit(Op::HALT);
    return b.p;
}

TEST_CASE("a computed node scores its SCORE, clamped; its children are shown but not summed", "[vm]") {
    auto p = computed_scheme();
    auto sheet = run(p, unit_of({Value::of_number(150), Value::of_number(0)}));
    CHECK(sheet.nodes[1].score == 1350);
    CHECK(sheet.nodes[2].score == 100);
    CHECK(sheet.total() == 910);  // 1350/1500*900 + 100/100*100, not 1450
    CHECK(sheet.rules[1].fired);
    CHECK(sheet.rules[1].amount == 910);
    CHECK_FALSE(sheet.nodes[0].capped);

    auto over = run(p, unit_of({Value::of_number(0), Value::of_number(D("0.5"))}));
    CHECK(over.total() == 1000);
    CHECK(over.nodes[0].capped);
    CHECK(over.rules[1].amount == D("1000.5"));

    auto under = run(p, unit_of({Value::of_number(0), Value::of_number(-2000)}));
    CHECK(under.total() == 0);
    CHECK(under.nodes[0].floored);
}

TEST_CASE("LOAD_NODE pushes a finalised node's score and explains it", "[vm]") {
    auto p = computed_scheme();
    auto sheet = run(p, unit_of({Value::of_number(300), Value::of_number(0)}), Explain::yes);
    std::vector<const TraceEvent*> nodes;
    for (const auto& e : sheet.trace)
        if (e.kind == TraceEvent::Kind::node) nodes.push_back(&e);
    REQUIRE(nodes.size() == 2);
    CHECK(nodes[0]->index == 1);
    CHECK(nodes[0]->result == 1200);
    CHECK(nodes[0]->rule == 1);
    CHECK(nodes[1]->index == 2);
    CHECK(nodes[1]->result == 100);
    CHECK(sheet.total() == 820);
}

TEST_CASE("TALLY, VOTES_TOTAL and WEIGHTED read a tally; nobody voting is an error", "[vm]") {
    auto probe = [](Op op, std::uint32_t a, std::vector<std::int64_t> counts) {
        Probe pr;
        auto type = pr.b.choice_type("测评", {"好", "较好", "一般", "较差"});
        pr.b.slot(field_of("民主测评", FieldType::votes, type));
        pr.b.table("测评系数", type, {1, D("0.8"), D("0.5"), 0});
        return pr.amount([&](ProgramBuilder& b) { b.emit(Op::LOAD, 0); b.emit(op, a); }, {votes_of(counts)});
    };
    CHECK(probe(Op::TALLY, 0, {20, 8, 2, 0}) == 20);
    CHECK(probe(Op::TALLY, 1, {20, 8, 2, 0}) == 8);
    CHECK(probe(Op::TALLY, 3, {20, 8, 2, 0}) == 0);
    CHECK(probe(Op::VOTES_TOTAL, 0, {20, 8, 2, 0}) == 30);
    CHECK(probe(Op::WEIGHTED, 0, {20, 8, 2, 0}) == Decimal{137} / Decimal{150});  // (20 + 6.4 + 1) / 30
    CHECK(probe(Op::WEIGHTED, 0, {0, 0, 3, 0}) == D("0.5"));

    Probe pr;
    auto type = pr.b.choice_type("测评", {"好", "较好", "一般", "较差"});
    pr.b.slot(field_of("民主测评", FieldType::votes, type));
    pr.b.table("测评系数", type, {1, D("0.8"), D("0.5"), 0});
    pr.b.line = 41;
    pr.b.emit(Op::RULE, pr.rule);
    pr.b.emit(Op::LOAD, 0);
    pr.b.emit(Op::WEIGHTED, 0);
    pr.b.emit(Op::DEDUCT, pr.rule);
    pr.b.emit(Op::NODE, 0);
    pr.b.emit(Op::HALT);
    Diagnostics diags;
    REQUIRE(verify(pr.b.p, "t.khc", diags));
    CHECK_FALSE(evaluate(pr.b.p, unit_of({votes_of({0, 0, 0, 0})}), Explain::no, diags));
    REQUIRE(diags.error_count() == 1);
    CHECK(diags.all()[0].message == "weighted vote at line 41 for unit '甲镇': nobody voted");
    CHECK(diags.all()[0].span.begin.line == 41);

    // A votes value without its type's counts (the loader never makes one) is an internal
    // error, not a read past the end.
    Diagnostics bad;
    CHECK_FALSE(evaluate(pr.b.p, unit_of({votes_of({3, 1})}), Explain::no, bad));
    REQUIRE(bad.all().size() == 1);
    CHECK(bad.all()[0].severity == Severity::internal);
}

// ---- wave 2: phases ------------------------------------------------------------------------

namespace {

// One unit of a population test: X (a number), W (yes/no), its group.
struct Member {
    const char* x;
    bool w = true;
    std::string group = "镇";
};

EvidenceSet population_of(const std::vector<Member>& members) {
    EvidenceSet set;
    for (std::size_t i = 0; i < members.size(); ++i)
        set.units.push_back(unit_of({Value::of_number(D(members[i].x)), Value::of_yes_no(members[i].w)},
                                    fmt::format("单位{}", i), members[i].group));
    return set;
}

// Phase 1 stores X and W; phase 2 awards one aggregate's value (a yes/no as 1 or 0) on a bonus
// node, where the test reads it back.
struct PopulationProbe {
    ProgramBuilder b{1000};
    std::uint32_t x, w, bonus, rule;
    PopulationProbe() {
        b.slot(field_of("X", FieldType::decimal));
        b.slot(field_of("W", FieldType::yes_no));
        b.line = 3;
        x = b.input("X");
        w = b.input("W");
        bonus = b.node("population", 0, 1000, true);
        rule = b.rule(bonus, RuleKind::award, std::nullopt, 9);
    }
    Program program(AggregateKind kind, Scope scope = Scope::all, bool where = false, Decimal n = 0,
                    bool ascending = false) {
        b.line = 9;
        auto agg = b.aggregate(kind, kind == AggregateKind::count ? no_index : x, scope, where ? w : no_index, n,
                               ascending);
        b.line = 3;
        b.emit(Op::LOAD, 0);
        b.emit(Op::STORE, x);
        b.emit(Op::LOAD, 1);
        b.emit(Op::STORE, w);
        b.emit(Op::BARRIER, 0);
        b.line = 9;
        b.emit(Op::RULE, rule);
        b.emit(Op::AGG, agg);
        if (kind == AggregateKind::bottom || kind == AggregateKind::top) b.emit(Op::TO_NUM);
        b.emit(Op::AWARD, rule);
        b.emit(Op::NODE, bonus);
        b.emit(Op::NODE, 0);
        b.emit(Op::HALT);
        return b.p;
    }
};

std::vector<Scoresheet> run_all(const Program& p, const EvidenceSet& set, Explain explain = Explain::no) {
    Diagnostics diags;
    bool ok = verify(p, "test.khc", diags);
    INFO(messages(diags));
    REQUIRE(ok);
    auto sheets = evaluate_all(p, set, explain, diags);
    INFO(messages(diags));
    REQUIRE(sheets);
    REQUIRE(sheets->size() == set.units.size());
    for (std::size_t u = 0; u < set.units.size(); ++u) REQUIRE((*sheets)[u].unit == set.units[u].name);
    return *sheets;
}

// Each unit's value of one aggregate, with and without explanations (they must agree).
std::vector<Decimal> values_of(const Program& p, const std::vector<Member>& members) {
    auto set = population_of(members);
    auto plain = run_all(p, set);
    auto explained = run_all(p, set, Explain::yes);
    std::vector<Decimal> out;
    for (std::size_t u = 0; u < plain.size(); ++u) {
        REQUIRE(plain[u].rules[0].fired);
        REQUIRE(plain[u].rules[0].amount == explained[u].rules[0].amount);
        out.push_back(plain[u].rules[0].amount);
    }
    return out;
}

std::vector<Decimal> decimals(std::vector<const char*> texts) {
    std::vector<Decimal> out;
    for (auto t : texts) out.push_back(D(t));
    return out;
}

}  // namespace

TEST_CASE("rank: highest first, ties share the best place (90, 85, 85, 80 -> 1, 2, 2, 4)", "[vm][phases]") {
    std::vector<Member> units{{"85"}, {"90"}, {"80"}, {"85"}, {"60.5"}};
    CHECK(values_of(PopulationProbe().program(AggregateKind::rank), units) == decimals({"2", "1", "4", "2", "5"}));
    CHECK(values_of(PopulationProbe().program(AggregateKind::rank, Scope::all, false, 0, true), units) ==
          decimals({"3", "5", "2", "3", "1"}));
}

TEST_CASE("group scope: each group is its own population; an empty group is the group \"\"", "[vm][phases]") {
    std::vector<Member> units{{"90", true, "镇"}, {"70", true, "街道"}, {"80", true, "镇"},
                              {"95", true, ""},   {"75", true, "街道"}, {"60", true, ""}, {"85", true, "镇"}};
    CHECK(values_of(PopulationProbe().program(AggregateKind::rank, Scope::group), units) ==
          decimals({"1", "2", "3", "1", "1", "2", "2"}));
    CHECK(values_of(PopulationProbe().program(AggregateKind::rank, Scope::all), units) ==
          decimals({"2", "6", "4", "1", "5", "7", "3"}));
    CHECK(values_of(PopulationProbe().program(AggregateKind::count, Scope::group), units) ==
          decimals({"3", "2", "3", "2", "2", "2", "3"}));
    CHECK(values_of(PopulationProbe().program(AggregateKind::sum, Scope::group), units) ==
          decimals({"255", "145", "255", "155", "145", "155", "255"}));
}

TEST_CASE("mean, max, min, sum, count with `where`: exact, over the units that pass", "[vm][phases]") {
    // 非农村工作指导员得平均分: everyone reads the mean of those with the role.
    std::vector<Member> units{{"10", true}, {"20", false}, {"30", true}, {"40", false}, {"50", false}, {"11", true}};
    auto mean = values_of(PopulationProbe().program(AggregateKind::mean, Scope::all, true), units);
    CHECK(mean == std::vector<Decimal>(6, Decimal{17}));
    CHECK(values_of(PopulationProbe().program(AggregateKind::mean), units)[0] == Decimal{161} / Decimal{6});
    CHECK(values_of(PopulationProbe().program(AggregateKind::max, Scope::all, true), units)[1] == 30);
    CHECK(values_of(PopulationProbe().program(AggregateKind::min, Scope::all, true), units)[1] == 10);
    CHECK(values_of(PopulationProbe().program(AggregateKind::sum, Scope::all, true), units)[4] == 51);
    CHECK(values_of(PopulationProbe().program(AggregateKind::count, Scope::all, true), units)[4] == 3);
}

TEST_CASE("a mean over no unit is an error naming the aggregate's line and each unit", "[vm][phases]") {
    for (auto kind : {AggregateKind::mean, AggregateKind::max, AggregateKind::min}) {
        std::vector<Member> units{{"10", false}, {"20", false}, {"30", false}, {"40", false}, {"50", false}};
        auto p = PopulationProbe().program(kind, Scope::all, true);
        Diagnostics diags;
        REQUIRE(verify(p, "t.khc", diags));
        CHECK_FALSE(evaluate_all(p, population_of(units), Explain::no, diags));
        REQUIRE(diags.error_count() == 5);  // every unit's failure is reported
        for (std::size_t u = 0; u < 5; ++u) {
            CHECK(diags.all()[u].message == fmt::format("`aggregate #0` at line 9 has no value for unit '单位{}': no "
                                                        "unit in its scope passes its `where`", u));
            CHECK(diags.all()[u].span.begin.line == 9);
        }
    }
    // Sum and count over nobody are 0, not errors.
    std::vector<Member> none{{"10", false}, {"20", false}};
    CHECK(values_of(PopulationProbe().program(AggregateKind::sum, Scope::all, true), none) == decimals({"0", "0"}));
    CHECK(values_of(PopulationProbe().program(AggregateKind::count, Scope::all, true), none) == decimals({"0", "0"}));
}

TEST_CASE("a rank read by a unit its `where` leaves out is an error", "[vm][phases]") {
    std::vector<Member> units{{"10", true}, {"20", false}, {"30", true}};
    auto p = PopulationProbe().program(AggregateKind::rank, Scope::all, true);
    Diagnostics diags;
    REQUIRE(verify(p, "t.khc", diags));
    CHECK_FALSE(evaluate_all(p, population_of(units), Explain::no, diags));
    REQUIRE(diags.error_count() == 1);
    CHECK(diags.all()[0].message == "`aggregate #0` at line 9 has no value for unit '单位1': its `where` does not "
                                    "hold for the unit, so it is not ranked");
}

TEST_CASE("bottom N and top N: every unit tied with the N-th is included", "[vm][phases]") {
    std::vector<Member> units{{"3"}, {"1"}, {"8"}, {"2"}, {"5"}, {"2"}, {"8"}, {"4"}};
    // 2nd lowest is 2, shared by two units: three units are in the bottom 2.
    CHECK(values_of(PopulationProbe().program(AggregateKind::bottom, Scope::all, false, 2), units) ==
          decimals({"0", "1", "0", "1", "0", "1", "0", "0"}));
    CHECK(values_of(PopulationProbe().program(AggregateKind::bottom, Scope::all, false, 1), units) ==
          decimals({"0", "1", "0", "0", "0", "0", "0", "0"}));
    // top 1: the two 8s tie for first.
    CHECK(values_of(PopulationProbe().program(AggregateKind::top, Scope::all, false, 1), units) ==
          decimals({"0", "0", "1", "0", "0", "0", "1", "0"}));
    CHECK(values_of(PopulationProbe().program(AggregateKind::top, Scope::all, false, 3), units) ==
          decimals({"0", "0", "1", "0", "1", "0", "1", "0"}));
    // Fewer units than N: all of them.
    CHECK(values_of(PopulationProbe().program(AggregateKind::bottom, Scope::all, false, 9), units) ==
          std::vector<Decimal>(8, Decimal{1}));
    CHECK(values_of(PopulationProbe().program(AggregateKind::bottom, Scope::all, false, 8), units) ==
          std::vector<Decimal>(8, Decimal{1}));
    // `where` leaves units out of the population (and out of the bottom).
    std::vector<Member> filtered{{"1", false}, {"2", true}, {"3", true}, {"4", true}, {"5", false}};
    CHECK(values_of(PopulationProbe().program(AggregateKind::bottom, Scope::all, true, 2), filtered) ==
          decimals({"0", "1", "1", "0", "0"}));
}

TEST_CASE("explanations record each AGG with its value and the units in scope", "[vm][phases]") {
    auto p = PopulationProbe().program(AggregateKind::mean, Scope::all, true);
    auto sheets = run_all(p, population_of({{"10", true}, {"20", false}, {"30", true}}), Explain::yes);
    for (const auto& sheet : sheets) {
        const TraceEvent* agg = nullptr;
        for (const auto& e : sheet.trace)
            if (e.kind == TraceEvent::Kind::aggregate) agg = &e;
        REQUIRE(agg);
        CHECK(agg->index == 0);
        CHECK(agg->result == 20);
        CHECK(agg->in_scope == 2);
        CHECK(agg->rule == 0);
    }
    for (const auto& sheet : run_all(p, population_of({{"10", true}}))) CHECK(sheet.trace.empty());
}

TEST_CASE("evaluate() alone refuses a program with barriers", "[vm][phases]") {
    auto p = PopulationProbe().program(AggregateKind::rank);
    Diagnostics diags;
    REQUIRE(verify(p, "t.khc", diags));
    CHECK_FALSE(evaluate(p, population_of({{"1"}}).units[0], Explain::no, diags));
    REQUIRE(diags.all().size() == 1);
    CHECK(diags.all()[0].severity == Severity::internal);
}

namespace {

// Graded schemes: the total is 100 - 扣分; 一票否决 vetoes to 不合格; the bonus follows the grade;
// 赌博 forfeits it.
//   优秀 >= 90, quota 20%;  良好 >= 80;  合格 >= 60;  不合格 otherwise
struct Graded {
    const char* name;
    const char* total;
    bool vetoed = false;
    bool gambling = false;
    std::string group = "镇";
};

Program graded_scheme(Scope scope = Scope::all) {
    ProgramBuilder b(100);
    b.slot(field_of("扣分", FieldType::decimal));
    b.slot(field_of("一票否决", FieldType::yes_no));
    b.slot(field_of("赌博", FieldType::yes_no));
    auto grades = b.choice_type("等次", {"优秀", "良好", "合格", "不合格"});
    b.table("等次奖金", grades, {3600, 2520, 0, 0});
    b.line = 50;
    b.grading(grades, 0,
              {{Decimal{90}, D("0.2")}, {Decimal{80}, std::nullopt}, {Decimal{60}, std::nullopt}, {std::nullopt, std::nullopt}},
              scope);
    auto veto = b.veto(3);
    auto bonus = b.money("考核奖");
    auto forfeit = b.forfeit(bonus);
    auto r = b.rule(0, RuleKind::deduct);
    b.line = 10;
    b.emit(Op::RULE, r);
    b.emit(Op::LOAD, 0);
    b.emit(Op::DEDUCT, r);
    b.emit(Op::NODE, 0);
    b.line = 55;
    b.emit(Op::LOAD, 1);
    b.emit(Op::VETO, veto);
    b.emit(Op::BARRIER, 1);
    b.line = 60;
    b.emit(Op::GRADE);
    b.emit(Op::TABLE, 0);
    b.emit(Op::MONEY, bonus);
    b.line = 61;
    b.emit(Op::LOAD, 2);
    b.emit(Op::FORFEIT, forfeit);
    b.emit(Op::HALT);
    return b.p;
}

EvidenceSet graded_units(const std::vector<Graded>& units) {
    EvidenceSet set;
    for (const auto& u : units)
        set.units.push_back(unit_of({Value::of_number(Decimal{100} - D(u.total)), Value::of_yes_no(u.vetoed),
                                     Value::of_yes_no(u.gambling)},
                                    u.name, u.group));
    return set;
}

const std::vector<Graded> ten_units{
    {"甲", "98"}, {"乙", "95"}, {"丙", "95"}, {"丁", "93"}, {"戊", "85", false, true},
    {"己", "85"}, {"庚", "70"}, {"辛", "60"}, {"壬", "59.5"}, {"癸", "99", true},
};

}  // namespace

TEST_CASE("grades: thresholds, a quota with a tie at its boundary, vetoes", "[vm][phases]") {
    auto sheets = run_all(graded_scheme(), graded_units(ten_units));
    auto grade = [&](std::size_t u) { return sheets[u].grade; };
    // 10 units in scope (the vetoed one counts): 优秀 has floor(10 × 20%) = 2 places.
    CHECK(grade(0).grade == 0);  // 98: 优秀, one place left
    CHECK(grade(0).quota_missed == no_index);
    for (std::size_t u : {1, 2}) {  // 95, 95: two tied for one place, so neither takes it
        CHECK(grade(u).grade == 1);
        CHECK(grade(u).quota_missed == 0);
        CHECK(grade(u).quota_tie);
    }
    CHECK(grade(3).grade == 1);  // 93: the band is closed below the tie, a lower score never ranks higher
    CHECK(grade(3).quota_missed == 0);
    CHECK_FALSE(grade(3).quota_tie);
    CHECK(grade(4).grade == 1);
    CHECK(grade(4).quota_missed == no_index);  // 85 never met 优秀's threshold
    CHECK(grade(6).grade == 2);
    CHECK(grade(7).grade == 2);  // 60 meets >= 60
    CHECK(grade(8).grade == 3);  // 59.5: otherwise
    CHECK(grade(8).veto == no_index);
    CHECK(grade(9).grade == 3);  // vetoed despite 99
    CHECK(grade(9).veto == 0);
    CHECK(grade(9).quota_missed == no_index);
}

TEST_CASE("a quota fits a tie that fits, and a vetoed unit takes no place", "[vm][phases]") {
    // 5 units: floor(5 × 20%) = 1 place. The vetoed 99 does not take it; 97 does.
    auto sheets = run_all(graded_scheme(), graded_units({{"甲", "97"}, {"乙", "99", true}, {"丙", "91"}, {"丁", "91"},
                                                         {"戊", "50"}}));
    CHECK(sheets[0].grade.grade == 0);
    CHECK(sheets[1].grade.grade == 3);
    CHECK(sheets[1].grade.veto == 0);
    CHECK(sheets[2].grade.grade == 1);
    CHECK(sheets[2].grade.quota_missed == 0);
    CHECK_FALSE(sheets[2].grade.quota_tie);  // the quota was already full
    // 10 units, 2 places, a tie of two at the top: both fit, and the quota is then full.
    std::vector<Graded> tie = ten_units;
    tie[0].total = "91";
    tie[9].vetoed = false;
    tie[9].total = "40";
    auto both = run_all(graded_scheme(), graded_units(tie));
    CHECK(both[1].grade.grade == 0);
    CHECK(both[2].grade.grade == 0);
    CHECK(both[1].grade.quota_missed == no_index);
    CHECK(both[3].grade.grade == 1);  // 93
    CHECK(both[3].grade.quota_missed == 0);
    CHECK_FALSE(both[3].grade.quota_tie);
    CHECK(both[0].grade.grade == 1);  // 91
    CHECK(both[9].grade.grade == 3);  // 40
}

TEST_CASE("money follows the grade; a forfeit sets it to 0 and is recorded", "[vm][phases]") {
    auto sheets = run_all(graded_scheme(), graded_units(ten_units));
    REQUIRE(sheets[0].money.size() == 1);
    CHECK(sheets[0].money[0].amount == 3600);
    CHECK(sheets[0].money[0].forfeit == no_index);
    CHECK(sheets[1].money[0].amount == 2520);
    CHECK(sheets[4].money[0].computed == 2520);  // 戊 gambled
    CHECK(sheets[4].money[0].amount == 0);
    CHECK(sheets[4].money[0].forfeit == 0);
    CHECK(sheets[9].money[0].amount == 0);
}

TEST_CASE("Scoresheet::rank by total among all units, ties sharing the best place", "[vm][phases]") {
    auto sheets = run_all(graded_scheme(), graded_units(ten_units));
    std::vector<std::uint32_t> ranks;
    for (const auto& s : sheets) ranks.push_back(s.rank);
    CHECK(ranks == std::vector<std::uint32_t>{2, 3, 3, 5, 6, 6, 8, 9, 10, 1});
    // A program without barriers is ranked too.
    ProgramBuilder b(10);
    b.slot(field_of("扣分", FieldType::decimal));
    auto r = b.rule(0, RuleKind::deduct);
    b.emit(Op::RULE, r);
    b.emit(Op::LOAD, 0);
    b.emit(Op::DEDUCT, r);
    b.emit(Op::NODE, 0);
    b.emit(Op::HALT);
    EvidenceSet set;
    for (auto d : {"1", "0", "1", "3"}) set.units.push_back(unit_of({Value::of_number(D(d))}, d));
    std::vector<std::uint32_t> simple;
    for (const auto& s : run_all(b.p, set)) simple.push_back(s.rank);
    CHECK(simple == std::vector<std::uint32_t>{2, 1, 2, 4});
}

TEST_CASE("grades among group: quotas per group", "[vm][phases]") {
    std::vector<Graded> units{{"甲", "95", false, false, "镇"}, {"乙", "94", false, false, "镇"},
                              {"丙", "93", false, false, "镇"}, {"丁", "92", false, false, "镇"},
                              {"戊", "91", false, false, "镇"}, {"己", "96", false, false, "街道"},
                              {"庚", "97", false, false, "街道"}};
    auto sheets = run_all(graded_scheme(Scope::group), graded_units(units));
    // 镇: 5 units, 1 place; 街道: 2 units, floor(0.4) = 0 places.
    std::vector<std::uint32_t> grades;
    for (const auto& s : sheets) grades.push_back(s.grade.grade);
    CHECK(grades == std::vector<std::uint32_t>{0, 1, 1, 1, 1, 1, 1});
    auto all = run_all(graded_scheme(Scope::all), graded_units(units));
    grades.clear();
    for (const auto& s : all) grades.push_back(s.grade.grade);
    CHECK(grades == std::vector<std::uint32_t>{1, 1, 1, 1, 1, 1, 0});  // 7 units, 1 place: 庚 97
}

TEST_CASE("results do not depend on the order of the units", "[vm][phases]") {
    auto check_shuffled = [](const Program& p, const EvidenceSet& set) {
        auto reference = run_all(p, set);
        std::mt19937 random(2013);
        for (int trial = 0; trial < 5; ++trial) {
            auto shuffled = set;
            std::shuffle(shuffled.units.begin(), shuffled.units.end(), random);
            auto sheets = run_all(p, shuffled);
            for (const auto& s : sheets) {
                auto it = std::find_if(reference.begin(), reference.end(), [&](const Scoresheet& r) { return r.unit == s.unit; });
                REQUIRE(it != reference.end());
                INFO(s.unit);
                CHECK(s.total() == it->total());
                CHECK(s.rank == it->rank);
                CHECK(s.grade.grade == it->grade.grade);
                CHECK(s.grade.quota_missed == it->grade.quota_missed);
                CHECK(s.grade.quota_tie == it->grade.quota_tie);
                CHECK(s.grade.veto == it->grade.veto);
                REQUIRE(s.money.size() == it->money.size());
                for (std::size_t m = 0; m < s.money.size(); ++m) CHECK(s.money[m].amount == it->money[m].amount);
                for (std::size_t r = 0; r < s.rules.size(); ++r) CHECK(s.rules[r].amount == it->rules[r].amount);
            }
        }
    };
    check_shuffled(graded_scheme(), graded_units(ten_units));
    std::vector<Member> members{{"3"}, {"1", false, "街道"}, {"8"}, {"2", true, "街道"}, {"5", false},
                                {"2"}, {"8", true, ""}, {"4", false, ""}, {"4"}};
    check_shuffled(PopulationProbe().program(AggregateKind::rank, Scope::group), population_of(members));
    check_shuffled(PopulationProbe().program(AggregateKind::bottom, Scope::all, false, 3), population_of(members));
    check_shuffled(PopulationProbe().program(AggregateKind::mean, Scope::group, true), population_of(members));
}

TEST_CASE("phase 2 reads phase 1 through a population value: rank then a computed score", "[vm][phases]") {
    // 在同类镇乡中列第三名得基本分25分，其余按名次上浮和下降: score 25 + (3 - rank X among group).
    ProgramBuilder b(30);
    b.slot(field_of("线上考核分", FieldType::decimal));
    auto x = b.input("线上考核分");
    auto rank = b.aggregate(AggregateKind::rank, x, Scope::group);
    b.p.nodes[0].computed = true;
    b.p.nodes[0].phase = 2;
    auto score = b.rule(0, RuleKind::score);
    b.emit(Op::LOAD, 0);
    b.emit(Op::STORE, x);
    b.emit(Op::BARRIER, 0);
    b.emit(Op::RULE, score);
    b.emit(Op::CONST, b.constant(25));
    b.emit(Op::CONST, b.constant(3));
    b.emit(Op::AGG, rank);
    b.emit(Op::SUB);
    b.emit(Op::ADD);
    b.emit(Op::SCORE, score);
    b.emit(Op::NODE, 0);
    b.emit(Op::HALT);
    EvidenceSet set;
    const char* values[] = {"88", "92", "75", "92", "60", "99"};
    for (std::size_t i = 0; i < 6; ++i) set.units.push_back(unit_of({Value::of_number(D(values[i]))}, values[i] + std::string("分")));
    std::vector<Decimal> totals;
    for (const auto& s : run_all(b.p, set)) totals.push_back(s.total());
    // ranks 4, 2, 5, 2, 6, 1 -> 24, 26, 23, 26, 22, 27
    CHECK(totals == decimals({"24", "26", "23", "26", "22", "27"}));
}

// ---- explanations: what each step belongs to, lists as one step, population details ---------

TEST_CASE("explanations attribute the code outside rules to its input, veto, money line or forfeit", "[vm][phases]") {
    auto sheets = run_all(graded_scheme(), graded_units({{"甲", "95"}, {"乙", "85", false, true}}), Explain::yes);
    using Part = TraceEvent::Part;
    for (const auto& sheet : sheets) {
        std::vector<std::pair<Part, std::uint32_t>> owners;
        for (const auto& e : sheet.trace) {
            REQUIRE(e.kind == TraceEvent::Kind::read);
            owners.emplace_back(e.part, e.part == Part::rule ? e.rule : e.part_index);
            if (e.part != Part::rule) CHECK(e.rule == no_index);  // never the last rule's
        }
        // 扣分 by the rule, 一票否决 by the veto, 赌博 by the forfeit (the money line reads no evidence)
        const std::vector<std::pair<Part, std::uint32_t>> expected{{Part::rule, 0}, {Part::veto, 0}, {Part::forfeit, 0}};
        CHECK(owners == expected);
    }
}

TEST_CASE("explanations: a list builtin is one step; its accumulation is not traced", "[vm]") {
    // mean(案例, r => r.扣分) as compiler/lower.cpp lays it out: a sum loop, a count loop, DIV;
    // then count(案例, r => r.扣分 > 1): a count with a condition.
    ProgramBuilder b(100);
    auto cases = b.slot(list_of("案例", {field_of("扣分", FieldType::decimal)}));
    auto r0 = b.rule(0, RuleKind::deduct);
    auto r1 = b.rule(0, RuleKind::deduct);
    b.emit(Op::RULE, r0);
    emit_sum(b, cases, 0);
    b.emit(Op::CONST, b.constant(0));
    b.emit(Op::LOAD, cases);
    b.emit(Op::ITER_BEGIN);
    auto next = b.emit(Op::ITER_NEXT);
    b.emit(Op::CONST, b.constant(1));
    b.emit(Op::ADD);
    b.loop_to(next);
    b.land(next);
    b.emit(Op::DIV);
    b.emit(Op::DEDUCT, r0);
    b.emit(Op::RULE, r1);
    b.emit(Op::CONST, b.constant(0));
    b.emit(Op::LOAD, cases);
    b.emit(Op::ITER_BEGIN);
    auto next2 = b.emit(Op::ITER_NEXT);
    b.emit(Op::FIELD, field_operand(0, 0));
    b.emit(Op::CONST, b.constant(1));
    b.emit(Op::GT);
    auto skip = b.emit(Op::JUMP_IF_FALSE);
    b.emit(Op::CONST, b.constant(1));
    b.emit(Op::ADD);
    b.land(skip);
    b.loop_to(next2);
    b.land(next2);
    b.emit(Op::DEDUCT, r1);
    b.emit(Op::NODE, 0);
    b.emit(Op::HALT);
    List records{Record{Value::of_number(1)}, Record{Value::of_number(2)}, Record{Value::of_number(D("1.5"))}};
    auto sheet = run(b.p, unit_of({Value::of_list(records)}), Explain::yes);
    CHECK(sheet.total() == D("96.5"));  // 100 - 1.5 (the mean) - 2 (two records above 1)

    std::vector<const TraceEvent*> lists, steps;
    for (const auto& e : sheet.trace) {
        if (e.kind == TraceEvent::Kind::list) lists.push_back(&e);
        if (e.kind == TraceEvent::Kind::arithmetic) steps.push_back(&e);
    }
    REQUIRE(lists.size() == 3);
    CHECK(lists[0]->fold == TraceEvent::Fold::sum);
    CHECK(lists[0]->result == D("4.5"));
    CHECK(lists[0]->in_scope == 3);
    CHECK(lists[1]->fold == TraceEvent::Fold::count);
    CHECK(lists[1]->result == 3);
    CHECK(lists[2]->fold == TraceEvent::Fold::count);
    CHECK(lists[2]->result == 2);
    CHECK(lists[2]->rule == r1);
    // No 0 + 1 = 1, 1 + 1 = 2 ...: the only arithmetic left is the mean's division.
    REQUIRE(steps.size() == 1);
    CHECK(steps[0]->op == Op::DIV);
    CHECK(steps[0]->lhs == D("4.5"));
    CHECK(steps[0]->rhs == 3);
}

TEST_CASE("explanations of bottom and rank carry the unit's value, the cut-off, the set and the ties", "[vm][phases]") {
    // bottom 2 of 5 values 1, 2, 2, 3, 4: the 2nd lowest is 2, and the tie takes 3 units in.
    std::vector<Member> members{{"3"}, {"2"}, {"1"}, {"2"}, {"4"}};
    auto bottom = run_all(PopulationProbe().program(AggregateKind::bottom, Scope::all, false, 2), population_of(members),
                          Explain::yes);
    auto agg_of = [](const Scoresheet& s) -> const TraceEvent* {
        for (const auto& e : s.trace)
            if (e.kind == TraceEvent::Kind::aggregate) return &e;
        return nullptr;
    };
    for (std::size_t u = 0; u < members.size(); ++u) {
        const TraceEvent* e = agg_of(bottom[u]);
        REQUIRE(e);
        REQUIRE(e->own);
        CHECK(*e->own == D(members[u].x));
        REQUIRE(e->cutoff);
        CHECK(*e->cutoff == 2);
        CHECK(e->selected == 3);
    }
    // rank: 3 is 2nd, the two 2s share 3rd (each tied with one other)
    auto rank = run_all(PopulationProbe().program(AggregateKind::rank), population_of(members), Explain::yes);
    CHECK(agg_of(rank[0])->result == 2);
    CHECK(agg_of(rank[0])->tied == 0);
    CHECK(agg_of(rank[1])->result == 3);
    CHECK(agg_of(rank[1])->tied == 1);
    CHECK(*agg_of(rank[1])->own == 2);
}

// ---- stage-1 population values and flags (issue 3: 诫勉 for the last three by the total) ---------

namespace {

EvidenceSet deductions_of(std::vector<const char*> deductions) {
    EvidenceSet set;
    for (std::size_t u = 0; u < deductions.size(); ++u)
        set.units.push_back(unit_of({Value::of_number(D(deductions[u]))}, fmt::format("单位{}", u)));
    return set;
}

}  // namespace

TEST_CASE("stage-1 aggregates are computed over the totals at BARRIER 1, ties at the boundary included",
          "[vm][phases][flags]") {
    // totals 90, 85, 85, 80, 95: the 2nd lowest is 85, shared, so three units are in the bottom 2
    auto sheets = run_all(Staged().b.p, deductions_of({"10", "15", "15", "20", "5"}));
    std::vector<bool> flagged;
    std::vector<Decimal> places;
    for (const auto& s : sheets) {
        REQUIRE(s.flags.size() == 1);
        flagged.push_back(s.flags[0]);
        places.push_back(s.money[0].amount);
        CHECK(s.money[1].amount == 13);  // the stage-0 mean survives BARRIER 1
    }
    CHECK(flagged == std::vector<bool>{false, true, true, true, false});
    CHECK(places == decimals({"2", "3", "3", "5", "1"}));
    // With explanations: the same, and the flag's events are attributed to it.
    auto explained = run_all(Staged().b.p, deductions_of({"10", "15", "15", "20", "5"}), Explain::yes);
    for (std::size_t u = 0; u < explained.size(); ++u) CHECK(explained[u].flags == sheets[u].flags);
    const TraceEvent* agg = nullptr;
    for (const auto& e : explained[1].trace)
        if (e.kind == TraceEvent::Kind::aggregate && e.part == TraceEvent::Part::flag) agg = &e;
    REQUIRE(agg);
    CHECK(agg->part_index == 0);
    CHECK(agg->rule == no_index);
    CHECK(agg->index == 1);
    REQUIRE(agg->own);
    CHECK(*agg->own == 85);
    REQUIRE(agg->cutoff);
    CHECK(*agg->cutoff == 85);
    CHECK(agg->selected == 3);
}

TEST_CASE("FLAG sets the unit's flag only when its condition holds, and a sheet without flags has none",
          "[vm][phases][flags]") {
    ProgramBuilder b{10};
    b.slot(field_of("赌博", FieldType::yes_no));
    auto first = b.flag("通报");
    auto second = b.flag("约谈");
    b.emit(Op::NODE, 0);
    b.emit(Op::BARRIER, 0);
    b.emit(Op::BARRIER, 1);
    b.emit(Op::LOAD, 0);
    b.emit(Op::FLAG, first);
    b.emit(Op::LOAD, 0);
    b.emit(Op::NOT);
    b.emit(Op::FLAG, second);
    b.emit(Op::HALT);
    EvidenceSet set;
    set.units.push_back(unit_of({Value::of_yes_no(true)}, "甲"));
    set.units.push_back(unit_of({Value::of_yes_no(false)}, "乙"));
    auto sheets = run_all(b.p, set);
    CHECK(sheets[0].flags == std::vector<bool>{true, false});
    CHECK(sheets[1].flags == std::vector<bool>{false, true});
    auto plain = run_all(PopulationProbe().program(AggregateKind::rank), population_of({{"1"}, {"2"}}));
    CHECK(plain[0].flags.empty());
}
