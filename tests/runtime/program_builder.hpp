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
inline UnitEvidence unit_of(std::vector<Value> values, std::string name = "甲镇") {
    UnitEvidence u;
    u.name = std::move(name);
    u.group = "镇";
    u.file = "units/" + u.name + ".txt";
    u.values = std::move(values);
    u.origins.resize(u.values.size());
    return u;
}

inline Value record_list(std::vector<Record> records) { return Value::of_list(std::move(records)); }

}  // namespace kaohe::test
