// A tiny assembler for hand-built Programs, shared by the runtime tests: add tables and nodes,
// emit instructions with their source lines, and patch forward jumps to where they land.
#pragma once

#include "compiler/program.hpp"
#include "runtime/evidence.hpp"

#include <string>
#include <vector>

namespace kaohe::test {

using namespace kaohe::bc;

inline FieldSpec field_of(std::string name, FieldType type, std::uint32_t choice_type = no_index) {
    FieldSpec f;
    f.name = std::move(name);
    f.label = f.name;
    f.type = type;
    f.choice_type = choice_type;
    if (type == FieldType::count) f.unit = Unit::count;
    return f;
}

inline FieldSpec list_of(std::string name, std::vector<FieldSpec> fields) {
    auto f = field_of(std::move(name), FieldType::list);
    f.fields = std::move(fields);
    return f;
}

struct ProgramBuilder {
    Program p;
    std::uint32_t line = 1;  // the source line given to the next emitted instruction

    // Node 0, the scheme, worth `total`.
    explicit ProgramBuilder(Decimal total = 100) {
        p.info.title = "test scheme";
        p.info.source_name = "test.kh";
        NodeInfo root;
        root.label = "scheme";
        root.kind = NodeKind::scheme;
        root.full = std::move(total);
        p.nodes.push_back(root);
    }

    std::uint32_t constant(Decimal d) {
        p.constants.push_back(std::move(d));
        return static_cast<std::uint32_t>(p.constants.size() - 1);
    }
    std::uint32_t choice_type(std::string name, std::vector<std::string> values) {
        p.choice_types.push_back({std::move(name), std::move(values)});
        return static_cast<std::uint32_t>(p.choice_types.size() - 1);
    }
    std::uint32_t slot(FieldSpec f) {
        p.evidence.push_back(std::move(f));
        return static_cast<std::uint32_t>(p.evidence.size() - 1);
    }
    std::uint32_t table(std::string name, std::uint32_t type, std::vector<Decimal> values) {
        Table t;
        t.name = std::move(name);
        t.choice_type = type;
        t.values = std::move(values);
        p.tables.push_back(std::move(t));
        return static_cast<std::uint32_t>(p.tables.size() - 1);
    }
    // Nodes must be added in pre-order.
    std::uint32_t node(std::string label, std::uint32_t parent, Decimal full, bool bonus = false, Decimal held = 0) {
        NodeInfo n;
        n.label = std::move(label);
        n.kind = NodeKind::item;
        n.parent = parent;
        n.full = std::move(full);
        n.bonus = bonus;
        n.held = std::move(held);
        p.nodes[parent].has_children = true;
        p.nodes.push_back(std::move(n));
        return static_cast<std::uint32_t>(p.nodes.size() - 1);
    }
    std::uint32_t rule(std::uint32_t node, RuleKind kind, std::optional<Decimal> cap = std::nullopt,
                       std::uint32_t rule_line = 0) {
        RuleInfo r;
        r.node = node;
        r.kind = kind;
        r.cap = std::move(cap);
        r.line = rule_line;
        r.source_text = fmt_rule(p.rules.size());
        p.rules.push_back(std::move(r));
        return static_cast<std::uint32_t>(p.rules.size() - 1);
    }

    // Population scoring and what comes after the totals.
    std::uint32_t input(std::string text, std::uint8_t stage = 0) {
        p.population_inputs.push_back({std::move(text), line, stage});
        return static_cast<std::uint32_t>(p.population_inputs.size() - 1);
    }
    std::uint32_t aggregate(AggregateKind kind, std::uint32_t value, Scope scope = Scope::all,
                            std::uint32_t where = no_index, Decimal n = 0, bool ascending = false) {
        Aggregate a;
        a.kind = kind;
        a.value = value;
        a.scope = scope;
        a.where = where;
        a.n = std::move(n);
        a.ascending = ascending;
        a.line = line;
        a.source_text = "aggregate #" + std::to_string(p.aggregates.size());
        p.aggregates.push_back(std::move(a));
        return static_cast<std::uint32_t>(p.aggregates.size() - 1);
    }
    // A grading by `node` over the choice type `type`, one band per grade.
    void grading(std::uint32_t type, std::uint32_t node, std::vector<GradeBand> bands, Scope scope = Scope::all) {
        p.grading.choice_type = type;
        p.grading.node = node;
        p.grading.bands = std::move(bands);
        p.grading.scope = scope;
        p.grading.line = line;
    }
    std::uint32_t veto(std::uint32_t grade) {
        p.grading.vetoes.push_back({grade, "veto says", "veto #" + std::to_string(p.grading.vetoes.size()), line});
        return static_cast<std::uint32_t>(p.grading.vetoes.size() - 1);
    }
    std::uint32_t money(std::string name) {
        p.money.push_back({std::move(name), "money says", "money source", line});
        return static_cast<std::uint32_t>(p.money.size() - 1);
    }
    std::uint32_t forfeit(std::uint32_t money) {
        p.forfeits.push_back({money, "forfeit says", "forfeit #" + std::to_string(p.forfeits.size()), line});
        return static_cast<std::uint32_t>(p.forfeits.size() - 1);
    }
    std::uint32_t flag(std::string name) {
        p.flags.push_back({std::move(name), "flag says", "flag #" + std::to_string(p.flags.size()), line});
        return static_cast<std::uint32_t>(p.flags.size() - 1);
    }

    std::size_t here() const { return p.code.size(); }
    std::size_t emit(Op op, std::uint32_t a = 0) {
        p.code.push_back(encode(op, a));
        p.lines.push_back(line);
        return p.code.size() - 1;
    }
    // Points the forward jump at `from` to the next instruction to be emitted.
    void land(std::size_t from) {
        auto a = static_cast<std::uint32_t>(here() - from - 1);
        p.code[from] = encode(opcode_of(p.code[from]), a);
    }
    // LOOP back to the ITER_NEXT at `to`.
    void loop_to(std::size_t to) { emit(Op::LOOP, static_cast<std::uint32_t>(here() - to)); }

    Program build() const { return p; }

private:
    static std::string fmt_rule(std::size_t r) { return "rule #" + std::to_string(r); }
};

// One unit's evidence.
inline UnitEvidence unit_of(std::vector<Value> values, std::string name = "甲镇", std::string group = "镇") {
    UnitEvidence u;
    u.name = std::move(name);
    u.group = std::move(group);
    u.file = "units/" + u.name + ".txt";
    u.values = std::move(values);
    u.origins.resize(u.values.size());
    return u;
}

inline Value record_list(std::vector<Record> records) { return Value::of_list(std::move(records)); }

// A tally: one count per value of its choice type.
inline Value votes_of(std::vector<std::int64_t> counts) {
    Record r;
    for (auto c : counts) r.push_back(Value::of_number(Decimal{c}));
    auto v = Value::of_list({std::move(r)});
    v.tag = Value::Tag::votes;
    return v;
}

// A program with every phase. Its code, which the cases edit:
//    0 RULE 0           7 LOAD W           14 NODE 2           21 MONEY 0
//    1 LOAD 测评         8 STORE 1          15 NODE 0           22 LOAD W
//    2 WEIGHTED 1       9 BARRIER 0        16 LOAD 否决         23 FORFEIT 0
//    3 DEDUCT 0        10 RULE 1           17 VETO 0           24 HALT
//    4 NODE 1          11 AGG 1 (bottom)   18 BARRIER 1
//    5 LOAD_NODE 1     12 TO_NUM           19 GRADE
//    6 STORE 0         13 AWARD 1          20 TABLE 0 (奖金)
struct Phased {
    ProgramBuilder b{20};
    Phased() {
        auto grades = b.choice_type("等次", {"优秀", "良好", "合格"});
        auto opinion = b.choice_type("测评", {"好", "差"});
        b.slot(field_of("X", FieldType::decimal));
        b.slot(field_of("W", FieldType::yes_no));
        b.slot(field_of("测评", FieldType::votes, opinion));
        b.slot(field_of("否决", FieldType::yes_no));
        b.table("奖金", grades, {100, 50, 0});
        b.table("系数", opinion, {1, 0});
        auto first = b.node("甲", 0, 10);
        auto second = b.node("乙", 0, 10, true);
        b.p.nodes[second].extra = true;
        b.p.nodes[second].phase = 2;
        b.p.nodes[0].phase = 2;
        auto x = b.input("甲");
        auto w = b.input("W");
        b.aggregate(AggregateKind::mean, x, Scope::all, w);
        auto bottom = b.aggregate(AggregateKind::bottom, x, Scope::group, no_index, 1);
        b.grading(grades, 0, {{Decimal{15}, Decimal{1} / Decimal{2}}, {Decimal{10}, std::nullopt}, {}});
        auto veto = b.veto(2);
        auto money = b.money("考核奖");
        auto forfeit = b.forfeit(money);
        auto r0 = b.rule(first, RuleKind::deduct);
        auto r1 = b.rule(second, RuleKind::award);

        b.emit(Op::RULE, r0);
        b.emit(Op::LOAD, 2);
        b.emit(Op::WEIGHTED, 1);
        b.emit(Op::DEDUCT, r0);
        b.emit(Op::NODE, first);
        b.emit(Op::LOAD_NODE, first);
        b.emit(Op::STORE, x);
        b.emit(Op::LOAD, 1);
        b.emit(Op::STORE, w);
        b.emit(Op::BARRIER, 0);
        b.emit(Op::RULE, r1);
        b.emit(Op::AGG, bottom);
        b.emit(Op::TO_NUM);
        b.emit(Op::AWARD, r1);
        b.emit(Op::NODE, second);
        b.emit(Op::NODE, 0);
        b.emit(Op::LOAD, 3);
        b.emit(Op::VETO, veto);
        b.emit(Op::BARRIER, 1);
        b.emit(Op::GRADE);
        b.emit(Op::TABLE, 0);
        b.emit(Op::MONEY, money);
        b.emit(Op::LOAD, 1);
        b.emit(Op::FORFEIT, forfeit);
        b.emit(Op::HALT);
    }
};

// A program with stage-1 population values over the total and a flag (the 诫勉 of the last
// ones by the total). The total is 100 - 扣分, scored in phase 2; the input `total` is stored
// between the barriers, and the aggregates over it are computed at BARRIER 1.
//   i0 扣分 (stage 0)   a0 mean of i0 (stage 0, read after BARRIER 1: it must survive it)
//   i1 total (stage 1)  a1 bottom 2 by total (stage 1)   a2 rank by total (stage 1)
//   money 名次 = a2; money 平均扣分 = a0; flag 诫勉 if a1
//    0 LOAD 扣分     5 DEDUCT 0     10 AGG 2 (rank)     15 FLAG 0
//    1 STORE 0       6 NODE 0       11 MONEY 0          16 HALT
//    2 BARRIER 0     7 LOAD_NODE 0  12 AGG 0 (mean)
//    3 RULE 0        8 STORE 1      13 MONEY 1
//    4 LOAD 扣分     9 BARRIER 1    14 AGG 1 (bottom)
struct Staged {
    ProgramBuilder b{100};
    Staged() {
        b.slot(field_of("扣分", FieldType::decimal));
        b.line = 3;
        auto deductions = b.input("扣分");
        auto total = b.input("total", 1);
        auto mean = b.aggregate(AggregateKind::mean, deductions);
        auto bottom = b.aggregate(AggregateKind::bottom, total, Scope::all, no_index, 2);
        auto rank = b.aggregate(AggregateKind::rank, total);
        b.p.aggregates[bottom].stage = 1;
        b.p.aggregates[rank].stage = 1;
        b.p.nodes[0].phase = 2;
        auto place = b.money("名次");
        auto average = b.money("平均扣分");
        b.line = 20;
        auto flag = b.flag("诫勉");
        auto r = b.rule(0, RuleKind::deduct);
        b.line = 3;
        b.emit(Op::LOAD, 0);
        b.emit(Op::STORE, deductions);
        b.emit(Op::BARRIER, 0);
        b.line = 10;
        b.emit(Op::RULE, r);
        b.emit(Op::LOAD, 0);
        b.emit(Op::DEDUCT, r);
        b.emit(Op::NODE, 0);
        b.line = 20;
        b.emit(Op::LOAD_NODE, 0);
        b.emit(Op::STORE, total);
        b.emit(Op::BARRIER, 1);
        b.emit(Op::AGG, rank);
        b.emit(Op::MONEY, place);
        b.emit(Op::AGG, mean);
        b.emit(Op::MONEY, average);
        b.emit(Op::AGG, bottom);
        b.emit(Op::FLAG, flag);
        b.emit(Op::HALT);
    }
};

}  // namespace kaohe::test
