// The checked scheme: what the passes learn about an ast::Scheme, kept beside it (the AST itself
// is never mutated). Each pass fills its part, in this order:
//
//   resolve  modules (the stdlib the scheme uses), choice_types (with the grades'),
//            evidence (the final FieldSpecs), constants (declared), bindings of every NameRef
//            (named nodes and the grade included), evidence_used, grading, forfeit_money
//   types    facts of every expression (type, unit, and what lowering needs), constant values,
//            tables
//   check    nodes (full marks, held points, extras, score rule per node, pre-order)
//   phases   nodes[i].phase
//   lower    reads all of it
//
// Invariants (asserted in debug builds by lower): after resolve, every NameRef in the scheme has a
// binding; after types, every expression lowering visits has facts.
#pragma once

#include "compiler/builtins.hpp"
#include "compiler/program.hpp"
#include "lang/ast.hpp"
#include "runtime/decimal.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <variant>
#include <vector>

namespace kaohe::checked {

// The measure word of a vote count (民主测评.好, total(民主测评)).
inline constexpr std::string_view votes_measure = "票";
// The measure words of population counts: a place (rank) and a number of units (count).
inline constexpr std::string_view rank_measure = "名";
inline constexpr std::string_view units_measure = "个";

// The type of an expression. Numbers carry their unit of measure.
struct Type {
    enum class Kind : std::uint8_t {
        error,         // already reported: produces no further errors (no cascades)
        number,        // unit says which
        yes_no,
        choice,        // a value of choice_types[choice_type]
        choice_value,  // a bare choice value name (only legal where compared with a choice)
        list,          // list of records; record describes the records
        record,        // the record a lambda parameter stands for
        text,
        table,         // a table constant; only legal as the table of T[K]
        rounding,      // half_up, half_even, down, up: only legal as round()'s third argument
        votes,         // a tally: a count per value of choice_types[choice_type]
    };
    Kind kind = Kind::error;
    bc::Unit unit = bc::Unit::none;
    std::string measure;  // count: its measure word
    // A bare number literal (or a constant or table of them): takes the other side's unit.
    bool literal = false;
    std::uint32_t choice_type = bc::no_index;  // choice; table: its key type
    const bc::FieldSpec* record = nullptr;     // list and record: the list's spec (fields = the record)

    static Type error() { return {}; }
    static Type number(bc::Unit u, std::string measure = {}) {
        Type t;
        t.kind = Kind::number;
        t.unit = u;
        t.measure = std::move(measure);
        return t;
    }
    static Type literal_number() {
        Type t = number(bc::Unit::none);
        t.literal = true;
        return t;
    }
    static Type of(Kind k) {
        Type t;
        t.kind = k;
        return t;
    }
    bool is_error() const { return kind == Kind::error; }
    bool is_number() const { return kind == Kind::number; }
};

// What a name refers to, decided by resolve.
struct Binding {
    // node: a named node's score (index = its pre-order number); grade: the unit's grade (the
    // grades NAME, in money and forfeit lines only)
    enum class Kind : std::uint8_t { evidence, constant, param, choice_value, boolean, rounding, node, grade };
    Kind kind = Kind::evidence;
    std::uint32_t index = 0;  // evidence slot, constant index, 0/1 for no/yes, a Rounding, a node
    std::uint32_t depth = 0;  // param: how many loops out from the innermost (0 = innermost)
    const ast::Lambda* binder = nullptr;  // param: the lambda that binds it
};

// What lowering needs to know about one expression, beyond its type. Set by types.
struct Facts {
    Type type;
    // Member: field index (of a votes tally: the value counted); Index/TableLit and weighted():
    // table; choice_value: value
    std::uint32_t index = bc::no_index;
    std::optional<Builtin> builtin;      // Call
    std::vector<std::uint32_t> choices;  // IsChoice: the tested values' indices
    std::uint32_t places = 0;            // round(): places
};

struct Constant {
    const ast::ConstDecl* decl = nullptr;
    bool is_table = false;
    // set by types:
    Type type;
    std::optional<Decimal> value;         // a number constant, folded
    std::uint32_t table = bc::no_index;  // a table constant
};

// Per node, in pre-order (node 0 is the scheme). Set by check.
struct NodeFacts {
    const ast::Node* node = nullptr;
    std::uint32_t parent = bc::no_index;
    std::optional<Decimal> full;  // points or bonus cap; nullopt when missing or malformed
    Decimal held;                 // full - parts when `parts` is below full, else 0
    // Its allowance (bc::allowances): the points `extra` bonus nodes below it add to its ceiling,
    // Σ over its children of (cap + allowance, for an extra child) or (allowance, for any other
    // child). It scores up to full + extras.
    Decimal extras;
    std::uint32_t end = 0;        // one past its last descendant (pre-order): descendants are (index, end)
    const ast::Rule* score = nullptr;  // its `score` rule, if any (NodeInfo::computed)
    std::uint8_t phase = 1;       // set by phases: 2 when it (or a descendant) reads a population value
};

// The scheme's grading, as resolve finds it (docs/language.md "Grades, money ...").
struct Grading {
    std::uint32_t choice_type = bc::no_index;  // the grades; no_index: no grading (or in error)
    std::uint32_t node = 0;                    // graded by this node's score (0: the total)
    std::vector<std::uint32_t> veto_grades;    // per veto: the grade it gives (no_index: in error)
};

struct Scheme {
    const ast::Scheme* ast = nullptr;
    std::string file;

    std::vector<bc::ChoiceType> choice_types;
    std::vector<bc::FieldSpec> evidence;               // declaration order = slot order
    std::vector<const ast::EvidenceDecl*> evidence_decls;
    std::vector<bool> evidence_used;
    std::vector<Constant> constants;                   // declaration order

    std::unordered_map<const ast::Expr*, Binding> bindings;  // every NameRef
    std::unordered_map<const ast::Expr*, Facts> facts;       // every typed expression
    std::vector<bc::Table> tables;
    std::unordered_map<const ast::TableLit*, std::uint32_t> table_of_literal;

    std::vector<NodeFacts> nodes;  // pre-order
    Grading grading;
    std::vector<std::uint32_t> forfeit_money;  // per forfeit: the money it sets to 0 (no_index: in error)

    // The stdlib modules the scheme uses (`use levels`), parsed from the embedded text. Their
    // declarations come before the scheme's own; the pointers above may point into them.
    std::vector<std::unique_ptr<ast::Scheme>> modules;

    std::optional<std::uint32_t> find_evidence(std::string_view name) const {
        for (std::uint32_t i = 0; i < evidence.size(); ++i)
            if (evidence[i].name == name) return i;
        return std::nullopt;
    }
    const Facts* facts_of(const ast::Expr& e) const {
        auto it = facts.find(&e);
        return it == facts.end() ? nullptr : &it->second;
    }
};

// "did you mean 'X'?" for the closest candidate, or "" when none is close.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

// A number literal's exact value (80% is 0.8), or nullopt when the text is not a number.
std::optional<Decimal> literal_value(const ast::NumberLit& lit);

// The Decimal of a range bound as written (with its sign).
std::optional<Decimal> range_lo(const ast::Range& r);
std::optional<Decimal> range_hi(const ast::Range& r);

// The reader's word for a node kind: "section", "item", "clause", "scheme".
const char* node_word(ast::NodeKind kind);
// The keyword that starts a population expression of this kind ("rank", "mean", ...).
const char* population_word(ast::PopulationKind kind);

// Calls f(expr) for every expression of a rule, in source order (amount, per, condition, cap).
template <class F>
void for_each_rule_expr(const ast::Rule& rule, F&& f) {
    if (rule.amount) f(*rule.amount);
    if (rule.per) f(*rule.per);
    if (rule.condition) f(*rule.condition);
    if (rule.cap) f(*rule.cap);
}

// Calls f(child) for every direct subexpression of e, in source order.
template <class F>
void for_each_child(const ast::Expr& e, F&& f) {
    auto each = [&](const ast::ExprPtr& p) {
        if (p) f(*p);
    };
    std::visit(
        [&](const auto& n) {
            using N = std::decay_t<decltype(n)>;
            if constexpr (std::is_same_v<N, ast::Member>) each(n.object);
            else if constexpr (std::is_same_v<N, ast::Index>) { each(n.table); each(n.key); }
            else if constexpr (std::is_same_v<N, ast::Unary>) each(n.operand);
            else if constexpr (std::is_same_v<N, ast::Binary>) { each(n.lhs); each(n.rhs); }
            else if constexpr (std::is_same_v<N, ast::IsChoice>) each(n.subject);
            else if constexpr (std::is_same_v<N, ast::Lambda>) each(n.body);
            else if constexpr (std::is_same_v<N, ast::Call>) { for (const auto& a : n.args) each(a); }
            else if constexpr (std::is_same_v<N, ast::When>) {
                for (const auto& arm : n.arms) { each(arm.condition); each(arm.value); }
                each(n.otherwise);
            } else if constexpr (std::is_same_v<N, ast::TableLit>) {
                for (const auto& entry : n.entries) each(entry.value);
            } else if constexpr (std::is_same_v<N, ast::Population>) {
                each(n.n);
                each(n.value);
                each(n.where);
            }
        },
        e.node);
}

// Calls f(expr) for every expression after the totals: veto conditions, money amounts, forfeit
// conditions and flag conditions, in that order (the order lowering emits them).
template <class F>
void for_each_after_total_expr(const ast::Scheme& scheme, F&& f) {
    if (scheme.grading)
        for (const auto& veto : scheme.grading->vetoes)
            if (veto.condition) f(*veto.condition);
    for (const auto& money : scheme.money)
        if (money.amount) f(*money.amount);
    for (const auto& forfeit : scheme.forfeits)
        if (forfeit.condition) f(*forfeit.condition);
    for (const auto& flag : scheme.flags)
        if (flag.condition) f(*flag.condition);
}

// Calls f(node) for every node, pre-order.
template <class F>
void for_each_node(const ast::Node& node, F&& f) {
    f(node);
    for (const auto& child : node.children) for_each_node(child, f);
}

}  // namespace kaohe::checked
