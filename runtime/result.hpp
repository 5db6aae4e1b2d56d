// The result model: everything a report needs, for one unit, with no reference to the VM.
#pragma once

#include "compiler/program.hpp"
#include "runtime/decimal.hpp"
#include "runtime/value.hpp"

#include <optional>
#include <string>
#include <vector>

namespace kaohe {

struct RuleOutcome {
    bool fired = false;   // the rule's condition held (always true for a rule without one)
    Decimal amount;       // what the rule computed, before its cap
    Decimal applied;      // after its cap (what it took from or gave to its node)
    bool capped = false;  // the cap bound: applied < amount

    // Back to the defaults, as `*this = RuleOutcome{}` but without a temporary (the batch VM
    // resets a reused score sheet between units).
    void clear() {
        fired = capped = false;
        amount.clear();
        applied.clear();
    }
};

struct NodeOutcome {
    Decimal full;          // full marks (points, or the bonus cap)
    Decimal score;
    Decimal deducted;      // sum of this node's own rules' applied deductions
    Decimal awarded;       // sum of this node's own rules' applied awards
    bool floored = false;  // the score would have gone below 0 (扣完为止)
    bool capped = false;   // the score would have gone above full (加满为止)

    // Back to the defaults except `full`, which a reused score sheet keeps.
    void clear_scores() {
        score.clear();
        deducted.clear();
        awarded.clear();
        floored = capped = false;
    }
};

// One step of an explanation, in evaluation order, attributed to the rule being evaluated (or,
// outside every rule, to the population input, veto, money line or forfeit being evaluated).
struct TraceEvent {
    enum class Kind : std::uint8_t { read, arithmetic, node, aggregate, list };
    Kind kind = Kind::read;
    std::uint32_t rule = 0;  // no_index when the event belongs to no rule (see `part`)
    // read: evidence slot (and, inside a loop, the record index and field)
    std::uint32_t slot = bc::no_index;
    std::uint32_t record = bc::no_index;
    std::uint32_t field = bc::no_index;
    Value value;
    // arithmetic: lhs op rhs = result
    bc::Op op = bc::Op::ADD;
    Decimal lhs, rhs, result;
    // node: LOAD_NODE read node `index`'s score (result); aggregate: AGG `index` gave result,
    // over `in_scope` units
    std::uint32_t index = bc::no_index;
    std::uint32_t in_scope = 0;

    // ---- added for the explanations of issue 3's polish (additive) ----
    // What the event belongs to: `rule` (then `rule` is its index), or, evaluated outside every
    // rule, a population input (STORE), a veto, a money line, a forfeit or a flag, `part_index`.
    enum class Part : std::uint8_t { rule, input, veto, money, forfeit, flag };
    Part part = Part::rule;
    std::uint32_t part_index = bc::no_index;
    // read and list: inside (or over) a list nested in a record of another list; `slot` is then
    // the outer list's, and `record` counts the inner list's records.
    bool nested = false;
    // list: a list builtin finished its loop over the list in `slot`, of `in_scope` records,
    // starting from `lhs`; `value`/`result` is what it gave. Its accumulation steps (0 + 1 = 1,
    // 1 + 1 = 2, ...) are not traced; the reads and arithmetic inside each record are.
    enum class Fold : std::uint8_t { none, sum, count, max, min, any, all };
    Fold fold = Fold::none;
    // aggregate, rank/bottom/top only: the unit's own value (`own`), for bottom/top the cut-off
    // (the N-th lowest or highest value; none when the scope has at most N units, who are then
    // all in) and how many units the set holds (`selected`, above N when ties at the cut-off are
    // included); for rank how many other units have the same value (`tied`).
    std::optional<Decimal> own, cutoff;
    std::uint32_t selected = 0;
    std::uint32_t tied = 0;
};

struct MoneyOutcome {
    Decimal amount;                          // after any forfeit
    Decimal computed;                        // what the money expression gave
    std::uint32_t forfeit = bc::no_index;    // the forfeit that applied, or none
};

struct GradeOutcome {
    std::uint32_t grade = bc::no_index;   // index into the grading's choice type; none without grading
    std::uint32_t veto = bc::no_index;    // the veto that decided it, or none
    // A higher grade whose threshold the unit met but whose quota was full (or would have been
    // exceeded by a tie at its boundary); none when the unit got the first grade it met.
    std::uint32_t quota_missed = bc::no_index;
    bool quota_tie = false;               // quota_missed because of a tie at the boundary
};

struct Scoresheet {
    std::string unit, group, file;
    std::vector<NodeOutcome> nodes;  // parallel to Program::nodes; nodes[0].score is the total
    std::vector<RuleOutcome> rules;  // parallel to Program::rules
    std::vector<TraceEvent> trace;   // empty unless evaluated with explanations
    std::uint32_t rank = 0;          // place by total among all units of the run (ties share), 1-based
    GradeOutcome grade;
    std::vector<MoneyOutcome> money; // parallel to Program::money
    std::vector<bool> flags;         // parallel to Program::flags: the unit carries flag f
    const Decimal& total() const { return nodes.front().score; }
};

}  // namespace kaohe
