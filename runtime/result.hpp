// The result model: everything a report needs, for one unit, with no reference to the VM.
#pragma once

#include "compiler/program.hpp"
#include "runtime/decimal.hpp"
#include "runtime/value.hpp"

#include <string>
#include <vector>

namespace kaohe {

struct RuleOutcome {
    bool fired = false;   // the rule's condition held (always true for a rule without one)
    Decimal amount;       // what the rule computed, before its cap
    Decimal applied;      // after its cap (what it took from or gave to its node)
    bool capped = false;  // the cap bound: applied < amount
};

struct NodeOutcome {
    Decimal full;          // full marks (points, or the bonus cap)
    Decimal score;
    Decimal deducted;      // sum of this node's own rules' applied deductions
    Decimal awarded;       // sum of this node's own rules' applied awards
    bool floored = false;  // the score would have gone below 0 (扣完为止)
    bool capped = false;   // the score would have gone above full (加满为止)
};

// One step of an explanation, in evaluation order, attributed to the rule being evaluated.
struct TraceEvent {
    enum class Kind : std::uint8_t { read, arithmetic, node, aggregate };
    Kind kind = Kind::read;
    std::uint32_t rule = 0;
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
    const Decimal& total() const { return nodes.front().score; }
};

}  // namespace kaohe
