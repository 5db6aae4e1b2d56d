// The VM on hand-built Programs: every instruction, the scoring rules of nodes and rules, the
// evaluation errors, and explanations. Every program is verified before it runs, as in kaohe.
#include "program_builder.hpp"

#include "runtime/verify.hpp"
#include "runtime/vm.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <functional>

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
    REQUIRE(t.size() == 7);
    // r0: read 住夜未落实 = 7; 0.5 * 7 = 3.5
    CHECK(t[0].kind == Kind::read);
    CHECK(t[0].rule == r0);
    CHECK(t[0].slot == n);
    CHECK(t[0].record == no_index);
    CHECK(t[0].value.number == 7);
    CHECK(t[1].kind == Kind::arithmetic);
    CHECK(t[1].rule == r0);
    CHECK(t[1].op == Op::MUL);
    CHECK(t[1].lhs == D("0.5"));
    CHECK(t[1].rhs == 7);
    CHECK(t[1].result == D("3.5"));
    // r1: read the list 案例; read 案例[0].扣分 = 1; 0 + 1 = 1; read 案例[1].扣分 = 1.5; 1 + 1.5 = 2.5
    for (std::size_t i = 2; i < 7; ++i) CHECK(t[i].rule == r1);
    CHECK(t[2].kind == Kind::read);
    CHECK(t[2].slot == cases);
    CHECK(t[2].value.tag == Value::Tag::list);
    CHECK(t[3].kind == Kind::read);
    CHECK(t[3].slot == cases);
    CHECK(t[3].record == 0);
    CHECK(t[3].field == 0);
    CHECK(t[3].value.number == 1);
    CHECK(t[4].kind == Kind::arithmetic);
    CHECK(t[4].op == Op::ADD);
    CHECK(t[4].result == 1);
    CHECK(t[5].record == 1);
    CHECK(t[5].value.number == D("1.5"));
    CHECK(t[6].lhs == 1);
    CHECK(t[6].rhs == D("1.5"));
    CHECK(t[6].result == D("2.5"));
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
