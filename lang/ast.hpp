// The scheme AST: what the parser produces from a .kh file, before any name is resolved.
//
// Phase guarantees (checked in debug builds by compiler/check.cpp):
//  - After parsing: every node has a non-empty span; numbers are kept as their source text
//    (exactness: nothing has gone through a binary float); names are unresolved strings.
//  - After resolution (compiler/resolve): every NameRef names an evidence field, a constant,
//    a lambda parameter or a choice value; the AST itself is not mutated, the resolver's
//    tables live in compiler/checked.hpp.
// No trivia (whitespace, comments) is stored; only spans.
#pragma once

#include "lang/diagnostic.hpp"

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace kaohe::ast {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// A unit written after a number literal: 2分, 3600元, 80%. `none` for a bare number.
enum class LiteralUnit : std::uint8_t { none, points, money, percent };

struct NumberLit {
    std::string text;  // digits with optional '.', exactly as written (no sign, no unit)
    LiteralUnit unit = LiteralUnit::none;
};

struct NameRef {
    std::string name;
};

// record.field, e.g. p.推广 inside a lambda over a list of records
struct Member {
    ExprPtr object;
    std::string field;
    Span field_span;
};

// table[key]: a table constant (or literal) indexed by a choice value
struct Index {
    ExprPtr table;
    ExprPtr key;
};

enum class UnaryOp : std::uint8_t { negate, logical_not };
struct Unary {
    UnaryOp op;
    ExprPtr operand;
};

enum class BinaryOp : std::uint8_t { add, sub, mul, div, eq, ne, lt, le, gt, ge, logical_and, logical_or };
struct Binary {
    BinaryOp op;
    ExprPtr lhs, rhs;
};

// subject is 未建立  /  subject is not {未建立, 未落实}
struct IsChoice {
    ExprPtr subject;
    std::vector<std::string> choices;
    std::vector<Span> choice_spans;
    bool negated = false;
};

// p => body; only legal as an argument of a list builtin (sum, count, max, min, any, all)
struct Lambda {
    std::string param;
    Span param_span;
    ExprPtr body;
};

// A builtin call: max_of(a, b, ...), min_of, round(x, 2, half_up), sum(list, p => e),
// count(list[, p => cond]), max(list, p => e), min(list, p => e), any/all(list, p => cond).
// The callee is resolved against compiler/builtins.def, not against user names.
struct Call {
    std::string callee;
    Span callee_span;
    std::vector<ExprPtr> args;
};

// when c1 then v1 when c2 then v2 else v3  (the first true condition wins)
struct When {
    struct Arm {
        ExprPtr condition;
        ExprPtr value;
    };
    std::vector<Arm> arms;
    ExprPtr otherwise;
};

// table [TypeName] { 国家级: 20, 省级: 15, ... }  keys are choice values
struct TableLit {
    std::string key_type;  // optional; empty when inferred from the keys
    struct Entry {
        std::string key;
        Span key_span;
        ExprPtr value;
    };
    std::vector<Entry> entries;
};

// A population expression (phase 2): `rank X among group`, `mean X among all where C`,
// `count among group`, `bottom 5 by X among all` ... (docs/language.md "Population scoring").
enum class PopulationKind : std::uint8_t { rank, mean, max, min, sum, count, bottom, top };
enum class PopulationScope : std::uint8_t { all, group };
struct Population {
    PopulationKind kind = PopulationKind::rank;
    ExprPtr value;              // X (null for count)
    ExprPtr n;                  // bottom/top N (a constant whole number)
    PopulationScope scope = PopulationScope::all;
    bool ascending = false;     // rank ... ascending
    ExprPtr where;              // optional filter
};

struct Expr {
    Span span;
    std::variant<NumberLit, NameRef, Member, Index, Unary, Binary, IsChoice, Lambda, Call, When, TableLit, Population>
        node;
};

// ---- evidence and types -------------------------------------------------------------------

enum class TypeKind : std::uint8_t {
    yes_no,   // yes / no
    count,    // non-negative whole number, with its measure word (次, 例, 个月, 天, 项)
    decimal,  // plain exact decimal (no unit)
    points,   // exact decimal in 分
    money,    // exact decimal in 元
    percent,  // written 85% (or 85); the value is 0.85
    choice,   // one of named values, written inline: choice { a, b, c }
    named,    // a reference to a `type X = ...` declaration
    list,     // list of { field: type, ... }
    text,     // free text (names of practices, notes); never used in arithmetic
    votes,    // votes { a, b } or votes TypeName: a count per value (choices / type_name say which)
};

struct Range {
    NumberLit lo, hi;  // inclusive; may carry a sign via `negative_lo`
    bool negative_lo = false;
    Span span;
};

struct TypeExpr;
struct Field {
    std::string name;
    Span span;
    std::unique_ptr<TypeExpr> type;
};

struct TypeExpr {
    Span span;
    TypeKind kind = TypeKind::yes_no;
    std::string measure;               // count: the measure word, e.g. 次
    std::vector<std::string> choices;  // choice: values in declared order
    std::vector<Span> choice_spans;
    std::string type_name;             // named: the referenced type
    std::vector<Field> fields;         // list: record fields
    std::optional<Range> within;       // count/decimal/points/money/percent
    std::optional<NumberLit> step;     // decimal/points/money/percent
};

// A literal value as written in a default: `default 0`, `default no`, `default []`, `default 未建立`
struct DefaultValue {
    Span span;
    std::string text;  // the token as written; `[]` for the empty list
    bool negative = false;
};

struct EvidenceDecl {
    Span span;
    std::string name;
    TypeExpr type;
    std::optional<DefaultValue> default_value;
    std::string label;  // the document's own words for this fact
};

struct TypeDecl {
    Span span;
    std::string name;
    TypeExpr type;  // choice { ... } (the only kind a named type may be, for now)
};

struct ConstDecl {
    Span span;
    std::string name;
    ExprPtr value;  // a number or a table literal; must be constant
};

// ---- the scoring tree -----------------------------------------------------------------

// score: `score EXPR`, the node's computed score (its children are inputs, not summed)
enum class RuleKind : std::uint8_t { deduct, award, score };

struct Rule {
    Span span;
    RuleKind kind = RuleKind::deduct;
    ExprPtr amount;                     // the amount (per occurrence when `per` is present)
    std::optional<Range> within;        // `within lo..hi`: a discretionary amount must lie here
    ExprPtr per;                        // `per EXPR`: multiply by this count
    std::vector<std::string> per_missing;  // `per missing [A, B]`: multiply by how many are `no`
    std::vector<Span> per_missing_spans;
    ExprPtr condition;                  // `if EXPR` / `unless EXPR`
    bool unless = false;
    ExprPtr cap;                        // `cap EXPR`: this rule takes at most this much
    std::string says;                   // `says "..."`: the document's own words
    std::string source_text;            // the rule as written, for explanations
};

// section / item / clause: the words differ only for the reader; any depth is allowed.
enum class NodeKind : std::uint8_t { scheme, section, item, clause };

struct Node {
    Span span;
    NodeKind kind = NodeKind::item;
    std::string name;                  // optional: `item 党建 "党建工作" ...`; its score in expressions
    Span name_span;
    std::string label;                 // the document's text for this row
    std::optional<NumberLit> points;   // `points N`: full marks; deductions start from here
    std::optional<NumberLit> bonus_cap;  // `bonus cap N`: starts at 0, awards up to N
    bool extra = false;                // `bonus cap N extra`: on top of the parent's full marks
    // `parts N because "..."`: the children's points add up to N, not to this node's points,
    // because the document says so. N < points: the rest is held by this node's own rules.
    // N > points: the children's sum is capped at points.
    std::optional<NumberLit> parts;
    std::string parts_reason;
    Span parts_span;
    std::string goal;  // `goal "..."`: 工作目标
    std::string text;  // `text "..."`: 具体内容与计分办法, the document's full wording
    std::vector<Rule> rules;
    std::vector<Node> children;
};

// ---- the whole file ---------------------------------------------------------------------

enum class RoundingMode : std::uint8_t { half_up, half_even, down, up };

struct Header {
    std::string title;
    std::string issuer;
    std::string document;
    std::optional<NumberLit> year;
    std::string assesses;
    std::vector<std::string> groups;
    // `display 2 half_up`: print to 2 places, rounding half up (四舍五入). Without it, every
    // printed value must be exact as a terminating decimal or it is a diagnostic.
    std::optional<unsigned> display_places;
    RoundingMode display_mode = RoundingMode::half_up;
    Span span;
};

// ---- after the totals: grades, money, forfeits, flags ---------------------------------

struct GradeBand {
    Span span;
    std::string name;
    std::optional<NumberLit> at_least;  // `>= 90`; absent for `otherwise`
    std::optional<NumberLit> quota;     // `quota 15%` (a percent literal)
    bool otherwise = false;
};

struct Veto {
    Span span;
    std::string grade;
    Span grade_span;
    ExprPtr condition;
    std::string says;
    std::string source_text;
};

// grades 等次 by total among all { 优秀: >= 90, quota 15% ... 不合格: otherwise  veto ... }
struct Grading {
    Span span;
    std::string name;           // the choice type the grades form, e.g. 等次
    std::string by;             // "total" or a node name
    Span by_span;
    PopulationScope scope = PopulationScope::all;
    std::vector<GradeBand> bands;  // best first; the last one is `otherwise`
    std::vector<Veto> vetoes;
};

// money 考核奖 = EXPR says "..."
struct MoneyDecl {
    Span span;
    std::string name;
    ExprPtr amount;
    std::string says;
    std::string source_text;
};

// forfeit 考核奖 if COND says "..."
struct Forfeit {
    Span span;
    std::string money;
    Span money_span;
    ExprPtr condition;
    std::string says;
    std::string source_text;
};

// flag 诫勉 if COND says "...": after the totals, the unit carries the flag when COND holds (a
// consequence that is neither a grade nor money, e.g. 诫勉 for the last three)
struct Flag {
    Span span;
    std::string name;
    Span name_span;
    ExprPtr condition;
    std::string says;
    std::string source_text;
};

struct Use {
    Span span;
    std::string module;  // stdlib module name, e.g. levels
};

struct Scheme {
    std::string file;  // source name, for diagnostics
    std::vector<Use> uses;
    Header header;
    std::vector<TypeDecl> types;
    std::vector<ConstDecl> constants;
    std::vector<EvidenceDecl> evidence;
    Node root;  // kind == scheme; points == `total`; label == header.title
    std::optional<Grading> grading;
    std::vector<MoneyDecl> money;
    std::vector<Forfeit> forfeits;
    std::vector<Flag> flags;
};

}  // namespace kaohe::ast
