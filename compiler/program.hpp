// The compiled scheme: what the compiler produces, what a .khc file holds, what the verifier
// checks and what the VM runs. Self-contained: running a Program needs no AST and no source.
//
// A Program carries the evidence schema (so evidence is validated against the .khc alone),
// the scoring tree as a node table in pre-order (node 0 is the whole scheme), the rule table,
// constants, choice tables, and one flat code array evaluated once per unit.
#pragma once

#include "runtime/decimal.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kaohe::bc {

enum class Op : std::uint8_t {
#define OPCODE(name, pops, pushes, operand, meaning) name,
#include "compiler/opcodes.def"
#undef OPCODE
};

enum class OperandKind : std::uint8_t {
    none, constant, slot, field, table, choice, boolean, round, forward, back, rule, node,
    input, aggregate, barrier, veto, money, forfeit, flag
};

struct OpInfo {
    const char* name;
    std::uint8_t pops;
    std::uint8_t pushes;
    OperandKind operand;
    const char* meaning;
};

inline constexpr OpInfo op_info_table[] = {
#define OPCODE(name, pops, pushes, operand, meaning) {#name, pops, pushes, OperandKind::operand, meaning},
#include "compiler/opcodes.def"
#undef OPCODE
};
inline constexpr std::size_t op_count = std::size(op_info_table);
inline const OpInfo& op_info(Op op) { return op_info_table[static_cast<std::size_t>(op)]; }

// One instruction word: opcode in bits 0..7, operand in bits 8..31.
using Word = std::uint32_t;
inline constexpr std::uint32_t max_operand = (1u << 24) - 1;  // 24 bits, explicit in the encoding
inline constexpr Word encode(Op op, std::uint32_t a = 0) { return static_cast<Word>(op) | (a << 8); }
inline constexpr Op opcode_of(Word w) { return static_cast<Op>(w & 0xffu); }
inline constexpr std::uint32_t operand_of(Word w) { return w >> 8; }

// Operand packing for FIELD and ROUND (see opcodes.def).
inline constexpr std::uint32_t field_operand(std::uint32_t field, std::uint32_t depth) { return field | (depth << 16); }
inline constexpr std::uint32_t round_operand(std::uint32_t places, Rounding mode) {
    return places | (static_cast<std::uint32_t>(mode) << 8);
}

inline constexpr std::uint32_t no_index = 0xffffffffu;

// ---- units of measure -------------------------------------------------------------------
enum class Unit : std::uint8_t { none, points, money, count, percent };

// ---- evidence schema --------------------------------------------------------------------
// votes: a tally, one count per value of choice_type (a Value of tag votes)
enum class FieldType : std::uint8_t { yes_no, count, decimal, choice, list, text, votes };

struct ChoiceType {
    std::string name;                 // the declared type name, or the evidence name for an inline choice
    std::vector<std::string> values;  // in declared order; a choice value is its index here
};

struct FieldSpec {
    std::string name;
    std::string label;                 // the document's words
    FieldType type = FieldType::yes_no;
    Unit unit = Unit::none;            // decimal: points, money, percent or none; count: count
    std::string measure;               // count: 次, 例, 个月, 天 ...
    std::uint32_t choice_type = no_index;
    std::optional<Decimal> lo, hi, step;   // declared range and step (inclusive)
    std::optional<std::string> default_text;  // `default ...` as written; retyped by the loader
    std::vector<FieldSpec> fields;     // list: the record's fields
    std::uint32_t line = 0, column = 0;  // declaration in the scheme source
};

// A table from the values of one choice type to numbers, e.g. 推广分.
struct Table {
    std::string name;
    std::uint32_t choice_type = no_index;
    Unit unit = Unit::points;
    std::vector<Decimal> values;  // one per choice value, in the choice type's order
};

// ---- the scoring tree -------------------------------------------------------------------
enum class NodeKind : std::uint8_t { scheme, section, item, clause };

struct NodeInfo {
    std::string name;            // `item 党建 "..."`: the node's name in expressions, or empty
    std::string label;           // the document's text for this row
    std::string goal, text;      // 工作目标, 具体内容与计分办法 (may be empty)
    NodeKind kind = NodeKind::item;
    std::uint32_t parent = no_index;  // node 0 (the scheme) has none; nodes are in pre-order
    bool bonus = false;          // `bonus cap N`: starts at 0, awards up to `full`
    bool extra = false;          // bonus on top of the parent: raises the ceilings above it (allowances)
    bool computed = false;       // has a `score` rule: score = clamp(that value, 0, full + allowance)
    std::uint8_t phase = 1;      // 2 when the node (or a descendant) reads a population value
    Decimal full;                // points (or the bonus cap): the most this node can score
    // Points held by the node's own rules: full - parts when the scheme declares `parts` below
    // full, else 0. Base of a node with children = sum of child scores + held.
    Decimal held;
    bool has_children = false;
    std::uint32_t line = 0, column = 0;
    // `parts N because "..."`: why the children's points do not add up to `full` (empty when the
    // scheme declares no `parts`). Reports give it when the node is capped at its points.
    std::string parts_reason;
};

// The points a node may score above its `full` because of `extra` bonus nodes below it:
// allowance(n) = Σ over n's children of (full + allowance, for an extra child) or (allowance,
// for any other child). A node's ceiling is full + allowance(n); an extra bonus thus raises
// every ancestor's ceiling, so the 上浮 of an item reaches the total. Nodes are in pre-order
// (a child comes after its parent), so one pass from the last node accumulates each subtree.
inline std::vector<Decimal> allowances(const std::vector<NodeInfo>& nodes) {
    std::vector<Decimal> allowance(nodes.size());
    for (std::size_t n = nodes.size(); n-- > 1;) {
        const NodeInfo& node = nodes[n];
        if (node.parent >= n) continue;  // not a tree in pre-order (the verifier rejects it)
        if (node.extra) allowance[node.parent] += node.full + allowance[n];
        else if (!allowance[n].is_zero()) allowance[node.parent] += allowance[n];
    }
    return allowance;
}

enum class RuleKind : std::uint8_t { deduct, award, score };

struct RuleInfo {
    std::uint32_t node = 0;
    RuleKind kind = RuleKind::deduct;
    std::optional<Decimal> cap;   // `cap N`: the most this rule takes or gives
    std::string says;             // the document's own words
    std::string source_text;      // the rule as written in the scheme
    std::uint32_t line = 0, column = 0;
};

// ---- population (phase 2) ---------------------------------------------------------------
// A value every unit computes (STORE) for the aggregates to read: in phase 1 (stage 0), or in
// phase 2 (stage 1: it reads a value known only after phase 2, e.g. the total containing a mean).
struct PopulationInput {
    std::string source_text;  // the expression as written
    std::uint32_t line = 0;
    std::uint8_t stage = 0;   // 0: STOREd before BARRIER 0; 1: STOREd between BARRIER 0 and 1
};

enum class AggregateKind : std::uint8_t { rank, mean, max, min, sum, count, bottom, top };
enum class Scope : std::uint8_t { all, group };

struct Aggregate {
    AggregateKind kind = AggregateKind::rank;
    Scope scope = Scope::all;
    bool ascending = false;               // rank: lowest first
    std::uint32_t value = no_index;       // the PopulationInput ranked/averaged (no_index for count)
    std::uint32_t where = no_index;       // a yes/no PopulationInput filtering the units, or none
    Decimal n;                            // bottom/top: how many
    std::string source_text;
    std::uint32_t line = 0;
    // When it is computed (opcodes.def "Phases"): 0 at BARRIER 0, over stage-0 inputs, readable
    // in phase 2; 1 at BARRIER 1 (with the grades), over inputs of either stage, readable only
    // after it (money, forfeit and flag lines).
    std::uint8_t stage = 0;
};

// ---- after the totals -----------------------------------------------------------------------
struct GradeBand {
    std::optional<Decimal> at_least;  // none for `otherwise` (the last band)
    std::optional<Decimal> quota;     // a fraction: 15% is 0.15
};

struct Veto {
    std::uint32_t grade = 0;  // index into the grading's choice type
    std::string says, source_text;
    std::uint32_t line = 0;
};

struct Grading {
    std::uint32_t choice_type = no_index;  // the grades, best first; no_index: no grading
    std::uint32_t node = 0;                // graded by this node's score (0: the total)
    Scope scope = Scope::all;
    std::vector<GradeBand> bands;          // parallel to the choice type's values
    std::vector<Veto> vetoes;
    std::uint32_t line = 0;
};

struct Money {
    std::string name, says, source_text;
    std::uint32_t line = 0;
};

struct Forfeit {
    std::uint32_t money = 0;
    std::string says, source_text;
    std::uint32_t line = 0;
};

// flag 诫勉 if C: after the totals, a unit for which C holds carries the flag (a consequence that
// is neither a grade nor money).
struct Flag {
    std::string name, says, source_text;
    std::uint32_t line = 0;
};

struct SchemeInfo {
    std::string title, issuer, document, assesses;
    std::string year;                     // as written, may be empty
    std::vector<std::string> groups;
    std::optional<unsigned> display_places;
    Rounding display_mode = Rounding::half_up;
    std::string source_name;              // the scheme file as named when compiled
    std::array<std::uint8_t, 32> source_sha256{};  // of the scheme source text
};

struct Program {
    SchemeInfo info;
    std::vector<ChoiceType> choice_types;
    std::vector<FieldSpec> evidence;  // the unit's evidence slots; LOAD A reads evidence[A]
    std::vector<Decimal> constants;
    std::vector<Table> tables;
    std::vector<NodeInfo> nodes;      // pre-order; nodes[0] is the scheme
    std::vector<RuleInfo> rules;      // in source order
    std::vector<PopulationInput> population_inputs;
    std::vector<Aggregate> aggregates;
    Grading grading;                  // grading.choice_type == no_index: the scheme has no grades
    std::vector<Money> money;
    std::vector<Forfeit> forfeits;
    std::vector<Flag> flags;          // FLAG A sets flags[A] on the unit (after BARRIER 1)
    std::vector<Word> code;           // ends with HALT
    std::vector<std::uint32_t> lines; // lines[i] = scheme source line of code[i]
};

}  // namespace kaohe::bc
