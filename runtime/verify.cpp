// The verifier. Three passes over a Program, each reporting every problem it finds:
//  1. the tables: node tree in pre-order, rule/table/field indices, table sizes, aggregates,
//     the grading's bands, money, forfeits, the stages of population inputs and aggregates;
//  2. each instruction on its own: opcode known, operand in range for its kind (driven by the
//     OpInfo table generated from opcodes.def), and the program-wide counts (each NODE once,
//     each rule's DEDUCT/AWARD/SCORE once, each STORE and MONEY once, each BARRIER at most
//     once, children finalised before parents, code ends with HALT);
//  3. abstract interpretation over every path: the value stack's depth and the type of each
//     slot, the open loops, how many nodes are finalised, inputs stored and money assigned,
//     and which barriers are passed, all required to agree wherever paths merge.
// A Program that passes cannot make the VM index out of range, underflow or overflow its stack,
// run off the end of the code, loop forever, or apply an op to the wrong kind of value.
#include "runtime/verify.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <deque>

namespace kaohe {
namespace {

using namespace bc;

// Reporting stops after this many problems: past it they are follow-on noise from the first.
constexpr std::size_t max_reported_problems = 100;

std::string_view rounding_limit_note() { return "a Rounding mode (half_up, half_even, down, up)"; }

// ---- abstract values ----------------------------------------------------------------------

// What the verifier knows about one stack slot.
struct AbstractValue {
    enum class Kind : std::uint8_t { number, yes_no, choice, list, text, votes };
    Kind kind = Kind::number;
    std::uint32_t choice_type = no_index;  // choice, votes: index into Program::choice_types
    const FieldSpec* list = nullptr;        // list: the evidence field whose `fields` are the record

    friend bool operator==(const AbstractValue& a, const AbstractValue& b) {
        if (a.kind != b.kind) return false;
        if (a.kind == Kind::choice || a.kind == Kind::votes) return a.choice_type == b.choice_type;
        if (a.kind == Kind::list) return a.list == b.list;
        return true;
    }
};

AbstractValue number() { return {}; }
AbstractValue yes_no() { return {AbstractValue::Kind::yes_no}; }

// One open loop: identified by its ITER_BEGIN's address, with the list's schema.
struct OpenLoop {
    std::uint32_t begin = 0;
    const FieldSpec* list = nullptr;
    bool has_record = false;  // an ITER_NEXT has produced a current record (FIELD may read it)
    friend bool operator==(const OpenLoop&, const OpenLoop&) = default;
};

struct State {
    std::vector<AbstractValue> stack;
    std::vector<OpenLoop> loops;
    std::uint32_t nodes_done = 0;  // NODE instructions executed on the way here
    std::uint32_t stores_done = 0; // STORE instructions executed on the way here
    std::uint32_t money_done = 0;  // MONEY instructions executed on the way here
    std::uint8_t barriers = 0;     // bit k: BARRIER k has run on the way here
    friend bool operator==(const State&, const State&) = default;
};

constexpr std::uint8_t passed_barrier(std::uint32_t k) { return static_cast<std::uint8_t>(1u << k); }

// ---- the verifier ---------------------------------------------------------------------------

class Verifier {
public:
    Verifier(const Program& p, const std::string& source_name, Diagnostics& diags)
        : p_(p), source_(source_name), diags_(diags) {}

    bool run() {
        check_tables();
        check_instructions();
        if (problems_ == 0) {
            check_paths();  // the flow pass relies on the operands being in range
            check_input_types();
        }
        return problems_ == 0;
    }

private:
    const Program& p_;
    const std::string& source_;
    Diagnostics& diags_;
    std::size_t problems_ = 0;
    std::uint32_t largest_choice_type_ = 0;

    // -- reporting --

    void report(std::string message) {
        if (problems_++ < max_reported_problems) diags_.error(source_, Span{}, std::move(message));
    }
    std::string where(std::size_t pc) const {
        auto op = p_.code[pc] & 0xffu;
        if (op >= op_count) return fmt::format("bytecode at address {} (opcode {})", pc, op);
        return fmt::format("bytecode at address {} ({})", pc, op_info(static_cast<Op>(op)).name);
    }
    void report_at(std::size_t pc, std::string_view what) { report(fmt::format("{}: {}", where(pc), what)); }
    void report_table(std::string_view what) { report(fmt::format("bytecode tables: {}", what)); }

    static const char* kind_name(AbstractValue::Kind k) {
        switch (k) {
        case AbstractValue::Kind::number: return "a number";
        case AbstractValue::Kind::yes_no: return "a yes/no";
        case AbstractValue::Kind::choice: return "a choice";
        case AbstractValue::Kind::list: return "a list";
        case AbstractValue::Kind::text: return "a text";
        case AbstractValue::Kind::votes: return "votes";
        }
        return "?";
    }
    std::string describe(const AbstractValue& v) const {
        switch (v.kind) {
        case AbstractValue::Kind::number: return "a number";
        case AbstractValue::Kind::yes_no: return "a yes/no";
        case AbstractValue::Kind::choice: return fmt::format("a choice of {}", p_.choice_types[v.choice_type].name);
        case AbstractValue::Kind::list: return fmt::format("the list {}", v.list->name);
        case AbstractValue::Kind::text: return "a text";
        case AbstractValue::Kind::votes: return fmt::format("votes of {}", p_.choice_types[v.choice_type].name);
        }
        return "?";
    }
    // The phase-related parts appear only in programs that have phases, so messages about
    // programs without them read as before.
    std::string describe(const State& s) const {
        std::string out = "[";
        for (std::size_t i = 0; i < s.stack.size(); ++i) out += (i ? ", " : "") + describe(s.stack[i]);
        out += fmt::format("] with {} open loop(s), {} node(s) finalised", s.loops.size(), s.nodes_done);
        if (!p_.population_inputs.empty()) out += fmt::format(", {} input(s) stored", s.stores_done);
        if (!p_.money.empty()) out += fmt::format(", {} money assigned", s.money_done);
        for (std::uint32_t k = 0; k < 2; ++k)
            if (s.barriers & passed_barrier(k)) out += fmt::format(", past BARRIER {}", k);
        return out;
    }

    // -- pass 1: the tables --

    bool valid_choice_type(std::uint32_t t) const { return t < p_.choice_types.size(); }

    void check_field(const FieldSpec& f, std::string_view path, unsigned nesting) {
        auto name = path.empty() ? f.name : fmt::format("{}.{}", path, f.name);
        if (nesting > max_loop_depth) {
            report_table(fmt::format("evidence field {} nests lists deeper than {}", name, max_loop_depth));
            return;
        }
        if ((f.type == FieldType::choice || f.type == FieldType::votes) && !valid_choice_type(f.choice_type))
            report_table(fmt::format("evidence field {} has choice type {}, but there are {} choice types", name,
                                     f.choice_type, p_.choice_types.size()));
        if (f.type != FieldType::list && !f.fields.empty())
            report_table(fmt::format("evidence field {} is not a list but has record fields", name));
        if (f.fields.size() > 0xffffu)
            report_table(fmt::format("evidence field {} has more record fields than FIELD can address", name));
        for (const auto& sub : f.fields) check_field(sub, name, nesting + 1);
    }

    void check_tables() {
        for (const auto& c : p_.choice_types)
            largest_choice_type_ = std::max(largest_choice_type_, static_cast<std::uint32_t>(std::min<std::size_t>(c.values.size(), max_operand + 1)));
        for (const auto& f : p_.evidence) check_field(f, "", 0);
        for (std::size_t i = 0; i < p_.tables.size(); ++i) {
            const auto& t = p_.tables[i];
            if (!valid_choice_type(t.choice_type)) {
                report_table(fmt::format("table {} ({}) has choice type {}, but there are {} choice types", i, t.name,
                                         t.choice_type, p_.choice_types.size()));
            } else if (t.values.size() != p_.choice_types[t.choice_type].values.size()) {
                report_table(fmt::format("table {} ({}) has {} values, but its choice type {} has {}", i, t.name,
                                         t.values.size(), p_.choice_types[t.choice_type].name,
                                         p_.choice_types[t.choice_type].values.size()));
            }
        }
        check_nodes();
        for (std::size_t i = 0; i < p_.rules.size(); ++i) {
            const auto& r = p_.rules[i];
            if (r.node >= p_.nodes.size())
                report_table(fmt::format("rule {} (line {}) belongs to node {}, but there are {} nodes", i, r.line,
                                         r.node, p_.nodes.size()));
            if (r.cap && r.cap->is_negative())
                report_table(fmt::format("rule {} (line {}) has a negative cap {}", i, r.line, r.cap->to_string()));
            if (r.kind == RuleKind::score && r.cap)
                report_table(fmt::format("rule {} (line {}) is a score rule with a cap: a computed score is kept "
                                         "within its node's points, it has no cap", i, r.line));
        }
        check_computed_nodes();
        check_aggregates();
        check_grading();
        for (std::size_t i = 0; i < p_.forfeits.size(); ++i)
            if (p_.forfeits[i].money >= p_.money.size())
                report_table(fmt::format("forfeit {} (line {}) is of money {}, but there are {} money amounts", i,
                                         p_.forfeits[i].line, p_.forfeits[i].money, p_.money.size()));
    }

    // A computed node's rules are exactly its one score rule; no other node has a score rule.
    void check_computed_nodes() {
        std::vector<std::uint32_t> rules_of(p_.nodes.size(), 0), score_rules_of(p_.nodes.size(), 0);
        for (const auto& r : p_.rules) {
            if (r.node >= p_.nodes.size()) continue;  // reported
            ++rules_of[r.node];
            if (r.kind == RuleKind::score) ++score_rules_of[r.node];
        }
        for (std::size_t n = 0; n < p_.nodes.size(); ++n) {
            const auto& node = p_.nodes[n];
            if (node.computed && (score_rules_of[n] != 1 || rules_of[n] != 1))
                report_table(fmt::format("node {} ({}) is computed, so its rules must be exactly one score rule; it "
                                         "has {} rule(s), {} of them score rules", n, node.label, rules_of[n],
                                         score_rules_of[n]));
            if (!node.computed && score_rules_of[n] != 0)
                report_table(fmt::format("node {} ({}) has a score rule but is not computed", n, node.label));
        }
    }

    void check_aggregates() {
        auto valid_input = [&](std::uint32_t i) { return i < p_.population_inputs.size(); };
        for (std::size_t i = 0; i < p_.aggregates.size(); ++i) {
            const auto& a = p_.aggregates[i];
            auto name = fmt::format("aggregate {} (line {})", i, a.line);
            if (a.kind == AggregateKind::count) {
                if (a.value != no_index) report_table(fmt::format("{} is a count, but has value input {}", name, a.value));
            } else if (!valid_input(a.value)) {
                report_table(fmt::format("{} reads value input {}, but there are {} population inputs", name, a.value,
                                         p_.population_inputs.size()));
            }
            if (a.where != no_index && !valid_input(a.where))
                report_table(fmt::format("{} filters by input {}, but there are {} population inputs", name, a.where,
                                         p_.population_inputs.size()));
            bool takes_n = a.kind == AggregateKind::bottom || a.kind == AggregateKind::top;
            if (takes_n && (!a.n.is_integer() || a.n < Decimal{1}))
                report_table(fmt::format("{} takes the {} {} units: that must be a whole number of at least 1", name,
                                         a.kind == AggregateKind::bottom ? "bottom" : "top", a.n.to_string()));
            if (a.ascending && a.kind != AggregateKind::rank)
                report_table(fmt::format("{} is ascending, but only a rank has an order", name));
            check_stage(a, name);
        }
        for (std::size_t i = 0; i < p_.population_inputs.size(); ++i)
            if (p_.population_inputs[i].stage > 1)
                report_table(fmt::format("population input {} (line {}) has stage {}, expected 0 or 1", i,
                                         p_.population_inputs[i].line, p_.population_inputs[i].stage));
    }

    // A stage-0 aggregate is computed at BARRIER 0, before any stage-1 input is stored.
    void check_stage(const Aggregate& a, const std::string& name) {
        if (a.stage > 1) {
            report_table(fmt::format("{} has stage {}, expected 0 or 1", name, a.stage));
            return;
        }
        if (a.stage == 1) return;
        for (std::uint32_t input : {a.value, a.where})
            if (input < p_.population_inputs.size() && p_.population_inputs[input].stage != 0)
                report_table(fmt::format("{} is stage 0, computed at BARRIER 0, but reads input {}, which is stage 1 "
                                         "(stored only after BARRIER 0)", name, input));
    }

    std::uint32_t stage_0_inputs() const {
        return static_cast<std::uint32_t>(std::count_if(p_.population_inputs.begin(), p_.population_inputs.end(),
                                                        [](const PopulationInput& i) { return i.stage == 0; }));
    }

    // Grades: bands parallel to the choice type, thresholds strictly decreasing, the last band
    // (`otherwise`) without threshold or quota, quotas in (0, 1], vetoes naming a grade.
    void check_grading() {
        const auto& g = p_.grading;
        if (g.choice_type == no_index) {
            if (!g.bands.empty() || !g.vetoes.empty())
                report_table("there is no grading (no choice type), but it has bands or vetoes");
            return;
        }
        if (!valid_choice_type(g.choice_type)) {
            report_table(fmt::format("the grading has choice type {}, but there are {} choice types", g.choice_type,
                                     p_.choice_types.size()));
            return;
        }
        const auto& grades = p_.choice_types[g.choice_type];
        if (g.node >= p_.nodes.size())
            report_table(fmt::format("the grading is by node {}, but there are {} nodes", g.node, p_.nodes.size()));
        if (g.bands.size() != grades.values.size() || g.bands.empty()) {
            report_table(fmt::format("the grading has {} bands, but its choice type {} has {} grades", g.bands.size(),
                                     grades.name, grades.values.size()));
            return;
        }
        const std::optional<Decimal>* previous = nullptr;
        for (std::size_t b = 0; b < g.bands.size(); ++b) {
            const auto& band = g.bands[b];
            const auto& grade = grades.values[b];
            bool last = b + 1 == g.bands.size();
            if (last && (band.at_least || band.quota))
                report_table(fmt::format("the last grade {} must be `otherwise`: no threshold and no quota", grade));
            if (!last && !band.at_least)
                report_table(fmt::format("grade {} has no threshold, but only the last grade may be `otherwise`", grade));
            if (band.quota && (band.quota->sign() <= 0 || *band.quota > Decimal{1}))
                report_table(fmt::format("grade {} has quota {}, which is not in (0, 1]", grade, band.quota->to_string()));
            if (band.at_least && previous && *previous && !(*band.at_least < **previous))
                report_table(fmt::format("grade {} has threshold {}, not below the previous grade's {}", grade,
                                         band.at_least->to_string(), (*previous)->to_string()));
            previous = &band.at_least;
        }
        for (std::size_t v = 0; v < g.vetoes.size(); ++v)
            if (g.vetoes[v].grade >= grades.values.size())
                report_table(fmt::format("veto {} (line {}) gives grade {}, but {} has {} grades", v, g.vetoes[v].line,
                                         g.vetoes[v].grade, grades.name, grades.values.size()));
    }

    void check_nodes() {
        const auto& nodes = p_.nodes;
        if (nodes.empty()) {
            report_table("there are no nodes: node 0 must be the scheme");
            return;
        }
        if (nodes[0].parent != no_index) report_table("node 0 (the scheme) has a parent");
        // Pre-order: each node's parent is the previous node or one of its ancestors.
        std::vector<bool> parent_of_some(nodes.size(), false);
        for (std::size_t i = 1; i < nodes.size(); ++i) {
            auto parent = nodes[i].parent;
            if (parent >= i) {
                report_table(fmt::format("node {} ({}) has parent {}, which does not precede it", i, nodes[i].label,
                                         parent));
                continue;
            }
            parent_of_some[parent] = true;
            bool on_chain = false;
            for (std::size_t a = i - 1; a != no_index; a = nodes[a].parent) {
                if (a == parent) { on_chain = true; break; }
                if (nodes[a].parent >= a) break;  // already reported
            }
            if (!on_chain)
                report_table(fmt::format("node {} ({}) has parent {}, which is not an ancestor of node {}: the nodes "
                                         "are not in pre-order", i, nodes[i].label, parent, i - 1));
        }
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            if (nodes[i].has_children != parent_of_some[i])
                report_table(fmt::format("node {} ({}) says it {} children, but {}", i, nodes[i].label,
                                         nodes[i].has_children ? "has" : "has no",
                                         parent_of_some[i] ? "some node names it as parent" : "no node names it as parent"));
            if (nodes[i].full.is_negative() || nodes[i].held.is_negative())
                report_table(fmt::format("node {} ({}) has negative points", i, nodes[i].label));
            if (nodes[i].extra && (!nodes[i].bonus || i == 0))
                report_table(fmt::format("node {} ({}) is extra, but only a bonus node below the scheme can be", i,
                                         nodes[i].label));
            if (nodes[i].phase != 1 && nodes[i].phase != 2)
                report_table(fmt::format("node {} ({}) has phase {}, expected 1 or 2", i, nodes[i].label, nodes[i].phase));
            else if (i > 0 && nodes[i].parent < i && nodes[i].phase > nodes[nodes[i].parent].phase)
                report_table(fmt::format("node {} ({}) is phase 2, but its parent node {} is phase 1: a node above a "
                                         "population value needs it too", i, nodes[i].label, nodes[i].parent));
        }
    }

    // -- pass 2: each instruction --

    std::vector<std::uint32_t> node_address_;  // where each NODE is, or no_index
    std::vector<std::uint32_t> rule_address_;  // where each rule's DEDUCT/AWARD/SCORE is, or no_index
    std::vector<std::uint32_t> store_address_; // where each population input's STORE is, or no_index
    std::vector<std::uint32_t> money_address_; // where each money's MONEY is, or no_index
    std::array<std::uint32_t, 2> barrier_address_{no_index, no_index};

    static const char* rule_op_name(RuleKind k) {
        switch (k) {
        case RuleKind::deduct: return "DEDUCT";
        case RuleKind::award: return "AWARD";
        case RuleKind::score: return "SCORE";
        }
        return "?";
    }
    static const char* rule_kind_name(RuleKind k) {
        switch (k) {
        case RuleKind::deduct: return "a deduction";
        case RuleKind::award: return "an award";
        case RuleKind::score: return "a score rule";
        }
        return "?";
    }

    // Records that instruction `pc` is the one place `index` is done; reports a second one.
    void once(std::vector<std::uint32_t>& addresses, std::uint32_t index, std::size_t pc, const std::string& what,
              const char* verb) {
        if (addresses[index] != no_index)
            report_at(pc, fmt::format("{} is {} twice (first at address {})", what, verb, addresses[index]));
        else addresses[index] = static_cast<std::uint32_t>(pc);
    }

    void check_operand(std::size_t pc, const OpInfo& info, std::uint32_t a) {
        auto range = [&](std::size_t size, const char* what) {
            if (a >= size) report_at(pc, fmt::format("{} {} out of range: there are {}", what, a, size));
        };
        switch (info.operand) {
        case OperandKind::none:
            if (a != 0) report_at(pc, fmt::format("takes no operand, has {}", a));
            break;
        case OperandKind::constant: range(p_.constants.size(), "constant"); break;
        case OperandKind::slot: range(p_.evidence.size(), "evidence slot"); break;
        case OperandKind::table: range(p_.tables.size(), "table"); break;
        case OperandKind::rule: range(p_.rules.size(), "rule"); break;
        case OperandKind::node: range(p_.nodes.size(), "node"); break;
        case OperandKind::input: range(p_.population_inputs.size(), "population input"); break;
        case OperandKind::aggregate: range(p_.aggregates.size(), "aggregate"); break;
        case OperandKind::veto: range(p_.grading.vetoes.size(), "veto"); break;
        case OperandKind::money: range(p_.money.size(), "money"); break;
        case OperandKind::forfeit: range(p_.forfeits.size(), "forfeit"); break;
        case OperandKind::flag: range(p_.flags.size(), "flag"); break;
        case OperandKind::barrier:
            if (a > 1) report_at(pc, fmt::format("barrier {} is neither 0 (population values) nor 1 (grades)", a));
            break;
        case OperandKind::field:
            if ((a >> 16) >= max_loop_depth)
                report_at(pc, fmt::format("loop depth {} is past the loop limit {}", a >> 16, max_loop_depth));
            break;  // the field and the depth are checked against the open loops in the flow pass
        case OperandKind::choice:
            if (a >= largest_choice_type_)
                report_at(pc, fmt::format("choice value {} out of range: the largest choice type has {} values", a,
                                          largest_choice_type_));
            break;
        case OperandKind::boolean:
            if (a > 1) report_at(pc, fmt::format("yes/no operand is {}, expected 0 or 1", a));
            break;
        case OperandKind::round: {
            auto places = a & 0xffu, mode = (a >> 8) & 0xffu;
            if (places > Decimal::max_round_places)
                report_at(pc, fmt::format("rounds to {} places, at most {} allowed", places, Decimal::max_round_places));
            if (mode > static_cast<std::uint32_t>(Rounding::up) || (a >> 16) != 0)
                report_at(pc, fmt::format("rounding mode {} is not {}", a >> 8, rounding_limit_note()));
            break;
        }
        case OperandKind::forward:
            if (a == 0) report_at(pc, "jump offset 0: a forward jump must skip at least one instruction");
            else if (pc + 1 + a > p_.code.size())
                report_at(pc, fmt::format("jump target {} is past the end of the code ({} instructions)", pc + 1 + a,
                                          p_.code.size()));
            break;
        case OperandKind::back:
            if (a == 0 || a > pc)
                report_at(pc, fmt::format("backward jump by {} does not land before it inside the code", a));
            else if (opcode_of(p_.code[pc - a]) != Op::ITER_NEXT)
                report_at(pc, fmt::format("backward jump to address {}, which is not an ITER_NEXT", pc - a));
            break;
        }
    }

    void check_instructions() {
        const auto& code = p_.code;
        if (p_.lines.size() != code.size())
            report_table(fmt::format("the line table has {} entries for {} instructions", p_.lines.size(), code.size()));
        if (code.empty()) {
            report_table("the code is empty: it must end with HALT");
            return;
        }
        node_address_.assign(p_.nodes.size(), no_index);
        rule_address_.assign(p_.rules.size(), no_index);
        store_address_.assign(p_.population_inputs.size(), no_index);
        money_address_.assign(p_.money.size(), no_index);
        for (std::size_t pc = 0; pc < code.size(); ++pc) {
            auto raw = code[pc] & 0xffu;
            if (raw >= op_count) {
                report_at(pc, "unknown opcode");
                continue;
            }
            auto op = opcode_of(code[pc]);
            auto a = operand_of(code[pc]);
            check_operand(pc, op_info(op), a);
            if (op == Op::NODE && a < p_.nodes.size()) {
                if (node_address_[a] != no_index)
                    report_at(pc, fmt::format("node {} ({}) is finalised twice (first at address {})", a,
                                              p_.nodes[a].label, node_address_[a]));
                else node_address_[a] = static_cast<std::uint32_t>(pc);
            }
            if ((op == Op::DEDUCT || op == Op::AWARD || op == Op::SCORE) && a < p_.rules.size()) {
                auto expected = op == Op::DEDUCT ? RuleKind::deduct : op == Op::AWARD ? RuleKind::award : RuleKind::score;
                if (p_.rules[a].kind != expected)
                    report_at(pc, fmt::format("rule {} (line {}) is {}, not {}", a, p_.rules[a].line,
                                              rule_kind_name(p_.rules[a].kind), rule_kind_name(expected)));
                once(rule_address_, a, pc, fmt::format("rule {} (line {})", a, p_.rules[a].line), "applied");
            }
            if (op == Op::STORE && a < p_.population_inputs.size())
                once(store_address_, a, pc, fmt::format("population input {} (line {})", a, p_.population_inputs[a].line),
                     "stored");
            if (op == Op::MONEY && a < p_.money.size())
                once(money_address_, a, pc, fmt::format("money {} ({})", a, p_.money[a].name), "assigned");
            if (op == Op::BARRIER && a < 2) {
                if (barrier_address_[a] != no_index)
                    report_at(pc, fmt::format("a second BARRIER {} (the first is at address {})", a, barrier_address_[a]));
                else barrier_address_[a] = static_cast<std::uint32_t>(pc);
            }
        }
        if (opcode_of(code.back()) != Op::HALT || (code.back() & 0xffu) >= op_count)
            report_at(code.size() - 1, "the code must end with HALT");
        check_order();
    }

    // Outside loops the code runs in address order (the flow pass guarantees it), so address
    // order is execution order: children must be finalised before their parents, and each
    // rule must be applied before its node is finalised.
    void check_order() {
        for (std::size_t n = 0; n < p_.nodes.size(); ++n) {
            if (node_address_[n] == no_index) {
                report_table(fmt::format("node {} ({}) is never finalised: no NODE {}", n, p_.nodes[n].label, n));
                continue;
            }
            auto parent = p_.nodes[n].parent;
            if (parent < p_.nodes.size() && node_address_[parent] != no_index && node_address_[parent] < node_address_[n])
                report_at(node_address_[parent], fmt::format("node {} ({}) is finalised before its child node {} ({}) "
                                                             "at address {}", parent, p_.nodes[parent].label, n,
                                                             p_.nodes[n].label, node_address_[n]));
        }
        for (std::size_t r = 0; r < p_.rules.size(); ++r) {
            if (rule_address_[r] == no_index) {
                report_table(fmt::format("rule {} (line {}) is never applied: no {} {}", r, p_.rules[r].line,
                                         rule_op_name(p_.rules[r].kind), r));
                continue;
            }
            auto node = p_.rules[r].node;
            if (node < p_.nodes.size() && node_address_[node] != no_index && node_address_[node] < rule_address_[r])
                report_at(rule_address_[r], fmt::format("rule {} is applied after its node {} ({}) was finalised at "
                                                        "address {}", r, node, p_.nodes[node].label,
                                                        node_address_[node]));
        }
        for (std::size_t i = 0; i < p_.population_inputs.size(); ++i)
            if (store_address_[i] == no_index)
                report_table(fmt::format("population input {} (line {}) is never stored: no STORE {}", i,
                                         p_.population_inputs[i].line, i));
        for (std::size_t m = 0; m < p_.money.size(); ++m)
            if (money_address_[m] == no_index)
                report_table(fmt::format("money {} ({}) is never assigned: no MONEY {}", m, p_.money[m].name, m));
        if (barrier_address_[0] != no_index && barrier_address_[1] != no_index &&
            barrier_address_[1] < barrier_address_[0])
            report_at(barrier_address_[1], fmt::format("BARRIER 1 comes before BARRIER 0 at address {}",
                                                       barrier_address_[0]));
        // Grades are assigned at BARRIER 1 from the graded node's score: it must be final there.
        const auto& g = p_.grading;
        if (g.choice_type != no_index) {
            if (barrier_address_[1] == no_index)
                report_table("there is a grading but no BARRIER 1, where grades are assigned");
            else if (g.node < p_.nodes.size() && node_address_[g.node] != no_index &&
                     node_address_[g.node] > barrier_address_[1])
                report_at(barrier_address_[1], fmt::format("grades are assigned here, but the graded node {} ({}) is "
                                                           "finalised after it, at address {}", g.node,
                                                           p_.nodes[g.node].label, node_address_[g.node]));
        }
    }

    // -- pass 3: every path --

    std::vector<std::optional<State>> states_;
    std::vector<bool> merge_reported_;
    std::deque<std::size_t> work_;

    AbstractValue type_of(const FieldSpec& f) const {
        switch (f.type) {
        case FieldType::yes_no: return yes_no();
        case FieldType::count:
        case FieldType::decimal: return number();
        case FieldType::choice: return {AbstractValue::Kind::choice, f.choice_type, nullptr};
        case FieldType::list: return {AbstractValue::Kind::list, no_index, &f};
        case FieldType::text: return {AbstractValue::Kind::text};
        case FieldType::votes: return {AbstractValue::Kind::votes, f.choice_type, nullptr};
        }
        return number();
    }

    // Records `s` as the state on entry to `target`, or checks it against the one recorded.
    void flow(std::size_t from, std::size_t target, State s) {
        if (target >= p_.code.size()) {
            report_at(from, "execution runs past the end of the code");
            return;
        }
        // ITER_NEXT produces the innermost loop's record itself: whether one existed before
        // does not matter there, and ignoring it lets the first entry and the LOOP agree.
        if (opcode_of(p_.code[target]) == Op::ITER_NEXT && !s.loops.empty()) s.loops.back().has_record = false;
        auto& slot = states_[target];
        if (!slot) {
            slot = std::move(s);
            work_.push_back(target);
        } else if (!(*slot == s) && !merge_reported_[target]) {
            merge_reported_[target] = true;
            report_at(target, fmt::format("paths disagree here: {} from address {}, {} on an earlier path",
                                          describe(s), from, describe(*slot)));
        }
    }

    // The type each population input is stored with (each has one STORE, so one type).
    std::vector<std::optional<AbstractValue>> input_type_;

    // Aggregates read numbers, filter by yes/no: checked against the types the STOREs gave.
    void check_input_types() {
        auto expect = [&](std::size_t a, std::uint32_t input, AbstractValue::Kind kind, const char* role) {
            if (input >= input_type_.size() || !input_type_[input] || input_type_[input]->kind == kind) return;
            report_table(fmt::format("aggregate {} (line {}) {} input {}, which is stored as {}: it must be {}", a,
                                     p_.aggregates[a].line, role, input, describe(*input_type_[input]),
                                     kind_name(kind)));
        };
        for (std::size_t a = 0; a < p_.aggregates.size(); ++a) {
            const auto& agg = p_.aggregates[a];
            if (agg.kind != AggregateKind::count) expect(a, agg.value, AbstractValue::Kind::number, "reads");
            if (agg.where != no_index) expect(a, agg.where, AbstractValue::Kind::yes_no, "filters by");
        }
    }

    void check_paths() {
        input_type_.assign(p_.population_inputs.size(), std::nullopt);
        states_.assign(p_.code.size(), std::nullopt);
        merge_reported_.assign(p_.code.size(), false);
        flow(0, 0, State{});
        while (!work_.empty() && problems_ < max_reported_problems) {
            auto pc = work_.front();
            work_.pop_front();
            step(pc, *states_[pc]);
        }
    }

    // Checks one instruction against the state on entry and passes the result to its successors.
    void step(std::size_t pc, State s) {
        auto op = opcode_of(p_.code[pc]);
        auto a = operand_of(p_.code[pc]);
        const auto& info = op_info(op);
        auto& stack = s.stack;
        if (stack.size() < info.pops) {
            report_at(pc, fmt::format("stack underflow: needs {} value(s), the stack holds {}", info.pops, stack.size()));
            return;
        }
        // Pops the top value, which must be of `kind`; false (after reporting) when it is not.
        auto pop = [&](AbstractValue::Kind kind, const char* role) -> std::optional<AbstractValue> {
            auto v = stack.back();
            if (v.kind != kind) {
                report_at(pc, fmt::format("{} must be {}, found {}", role, kind_name(kind), describe(v)));
                return std::nullopt;
            }
            stack.pop_back();
            return v;
        };
        auto push = [&](AbstractValue v) { stack.push_back(v); };
        auto next = pc + 1;
        auto target = pc + 1 + a;  // for forward operands
        auto outside_loops = [&](const char* what) {
            if (s.loops.empty()) return true;
            report_at(pc, fmt::format("{} inside a loop", what));
            return false;
        };

        switch (op) {
        case Op::CONST: push(number()); break;
        case Op::BOOL: push(yes_no()); break;
        case Op::LOAD: push(type_of(p_.evidence[a])); break;
        case Op::FIELD: {
            auto field = a & 0xffffu, depth = a >> 16;
            if (depth >= s.loops.size()) {
                report_at(pc, s.loops.empty() ? std::string("FIELD outside a loop")
                                              : fmt::format("loop depth {} but only {} loop(s) open", depth, s.loops.size()));
                return;
            }
            const auto& loop = s.loops[s.loops.size() - 1 - depth];
            if (!loop.has_record) {
                report_at(pc, "FIELD before the loop's ITER_NEXT has produced a record");
                return;
            }
            if (field >= loop.list->fields.size()) {
                report_at(pc, fmt::format("field {} out of range: records of {} have {} fields", field, loop.list->name,
                                          loop.list->fields.size()));
                return;
            }
            push(type_of(loop.list->fields[field]));
            break;
        }
        case Op::POP: stack.pop_back(); break;
        case Op::ADD:
        case Op::SUB:
        case Op::MUL:
        case Op::DIV:
        case Op::MIN:
        case Op::MAX:
            if (!pop(AbstractValue::Kind::number, "the right operand") || !pop(AbstractValue::Kind::number, "the left operand"))
                return;
            push(number());
            break;
        case Op::NEG:
        case Op::ROUND:
            if (!pop(AbstractValue::Kind::number, "the operand")) return;
            push(number());
            break;
        case Op::EQ:
        case Op::NE: {
            auto rhs = stack[stack.size() - 1], lhs = stack[stack.size() - 2];
            if (!(lhs == rhs) || lhs.kind == AbstractValue::Kind::list || lhs.kind == AbstractValue::Kind::text ||
                lhs.kind == AbstractValue::Kind::votes) {
                report_at(pc, fmt::format("compares {} with {}: only two numbers, two yes/no or two choices of the "
                                          "same type compare", describe(lhs), describe(rhs)));
                return;
            }
            stack.resize(stack.size() - 2);
            push(yes_no());
            break;
        }
        case Op::LT:
        case Op::LE:
        case Op::GT:
        case Op::GE:
            if (!pop(AbstractValue::Kind::number, "the right operand") || !pop(AbstractValue::Kind::number, "the left operand"))
                return;
            push(yes_no());
            break;
        case Op::NOT:
            if (!pop(AbstractValue::Kind::yes_no, "the operand")) return;
            push(yes_no());
            break;
        case Op::TO_NUM:
            if (!pop(AbstractValue::Kind::yes_no, "the operand")) return;
            push(number());
            break;
        case Op::IS: {
            auto c = pop(AbstractValue::Kind::choice, "the operand");
            if (!c) return;
            const auto& type = p_.choice_types[c->choice_type];
            if (a >= type.values.size()) {
                report_at(pc, fmt::format("choice value {} out of range: {} has {} values", a, type.name, type.values.size()));
                return;
            }
            push(yes_no());
            break;
        }
        case Op::TABLE: {
            auto c = pop(AbstractValue::Kind::choice, "the key");
            if (!c) return;
            const auto& table = p_.tables[a];
            if (c->choice_type != table.choice_type) {
                report_at(pc, fmt::format("table {} is keyed by {}, the key is a choice of {}", table.name,
                                          p_.choice_types[table.choice_type].name, p_.choice_types[c->choice_type].name));
                return;
            }
            push(number());
            break;
        }
        case Op::JUMP: flow(pc, target, std::move(s)); return;
        case Op::JUMP_IF_FALSE:
            if (!pop(AbstractValue::Kind::yes_no, "the condition")) return;
            flow(pc, target, s);
            break;
        case Op::AND_JUMP:
        case Op::OR_JUMP:
            if (stack.back().kind != AbstractValue::Kind::yes_no) {
                report_at(pc, fmt::format("the condition must be a yes/no, found {}", describe(stack.back())));
                return;
            }
            flow(pc, target, s);  // the jump keeps the value
            stack.pop_back();     // falling through drops it
            break;
        case Op::ITER_BEGIN: {
            auto list = pop(AbstractValue::Kind::list, "the operand");
            if (!list) return;
            if (s.loops.size() >= max_loop_depth) {
                report_at(pc, fmt::format("loops nest deeper than {}", max_loop_depth));
                return;
            }
            s.loops.push_back({static_cast<std::uint32_t>(pc), list->list, false});
            break;
        }
        case Op::ITER_NEXT: {
            if (s.loops.empty()) {
                report_at(pc, "ITER_NEXT with no open loop");
                return;
            }
            // Every instruction of a loop lies after its ITER_BEGIN: that is what makes a loop's
            // lifetime a forward stretch of code, and the whole program terminate.
            if (s.loops.back().begin >= pc) {
                report_at(pc, fmt::format("ITER_NEXT before its loop's ITER_BEGIN at address {}", s.loops.back().begin));
                return;
            }
            auto done = s;
            done.loops.pop_back();
            flow(pc, target, std::move(done));
            s.loops.back().has_record = true;
            break;
        }
        case Op::LOOP:
            if (s.loops.empty()) {
                report_at(pc, "LOOP with no open loop");
                return;
            }
            flow(pc, pc - a, std::move(s));  // the merge check ties it to this loop's ITER_NEXT
            return;
        case Op::RULE: break;
        case Op::DEDUCT:
        case Op::AWARD:
            if (!outside_loops(info.name) || !pop(AbstractValue::Kind::number, "the amount")) return;
            break;
        case Op::NODE:
            if (!outside_loops("NODE")) return;
            ++s.nodes_done;
            break;
        case Op::LOAD_NODE:
            // NODEs run outside loops, each once on every path (HALT checks the count) and in
            // address order: one at a lower address has run on every path that gets here.
            if (node_address_[a] > pc) {
                report_at(pc, fmt::format("reads node {} ({}), whose score is final only at address {}", a,
                                          p_.nodes[a].label, node_address_[a]));
                return;
            }
            push(number());
            break;
        case Op::SCORE:
            if (!outside_loops("SCORE") || !pop(AbstractValue::Kind::number, "the score")) return;
            break;
        case Op::STORE: {
            if (!outside_loops("STORE")) return;
            // A stage-0 input is stored in phase 1, a stage-1 input in phase 2 (opcodes.def "Phases").
            if (p_.population_inputs[a].stage == 0 && s.barriers != 0) {
                report_at(pc, fmt::format("STORE of stage-0 input {} after a BARRIER: stage-0 population inputs are "
                                          "stored in phase 1, before BARRIER 0", a));
                return;
            }
            if (p_.population_inputs[a].stage == 1 && s.barriers != passed_barrier(0)) {
                report_at(pc, fmt::format("STORE of stage-1 input {} {}: stage-1 population inputs are stored in phase "
                                          "2, between BARRIER 0 and BARRIER 1", a,
                                          s.barriers & passed_barrier(1) ? "after BARRIER 1" : "before BARRIER 0"));
                return;
            }
            auto v = stack.back();
            if (v.kind != AbstractValue::Kind::number && v.kind != AbstractValue::Kind::yes_no) {
                report_at(pc, fmt::format("a population input must be a number or a yes/no, found {}", describe(v)));
                return;
            }
            input_type_[a] = v;
            stack.pop_back();
            ++s.stores_done;
            break;
        }
        case Op::BARRIER:
            if (!stack.empty() || !s.loops.empty()) {
                report_at(pc, fmt::format("the stack must be empty and no loop open at a BARRIER, there is {}",
                                          describe(s)));
                return;
            }
            if (s.barriers & (a == 0 ? passed_barrier(0) | passed_barrier(1) : passed_barrier(1))) {
                report_at(pc, fmt::format("BARRIER {} after {}", a, (s.barriers & passed_barrier(1)) ? "BARRIER 1" : "BARRIER 0"));
                return;
            }
            if (a == 0 && s.stores_done != stage_0_inputs())  // reported, and the path goes on
                report_at(pc, fmt::format("{} of {} stage-0 population inputs stored on some path to BARRIER 0: a "
                                          "STORE is skipped or comes after it", s.stores_done, stage_0_inputs()));
            if (a == 1 && s.stores_done != p_.population_inputs.size())
                report_at(pc, fmt::format("{} of {} population inputs stored on some path to BARRIER 1: a STORE is "
                                          "skipped or comes after it", s.stores_done, p_.population_inputs.size()));
            s.barriers |= passed_barrier(a);
            break;
        case Op::AGG:
            if (!(s.barriers & passed_barrier(0))) {
                report_at(pc, "AGG before BARRIER 0: population values exist only after it");
                return;
            }
            if (p_.aggregates[a].stage == 1 && !(s.barriers & passed_barrier(1))) {
                report_at(pc, fmt::format("AGG of stage-1 aggregate {} before BARRIER 1: it is computed there", a));
                return;
            }
            push(p_.aggregates[a].kind == AggregateKind::bottom || p_.aggregates[a].kind == AggregateKind::top
                     ? yes_no() : number());
            break;
        case Op::VETO:
            if (!outside_loops("VETO") || !pop(AbstractValue::Kind::yes_no, "the condition")) return;
            if (s.barriers & passed_barrier(1)) {
                report_at(pc, "VETO after BARRIER 1: vetoes decide grades, which are assigned there");
                return;
            }
            break;
        case Op::GRADE:
            if (p_.grading.choice_type == no_index) {
                report_at(pc, "GRADE, but the scheme has no grading");
                return;
            }
            if (!(s.barriers & passed_barrier(1))) {
                report_at(pc, "GRADE before BARRIER 1: grades exist only after it");
                return;
            }
            push({AbstractValue::Kind::choice, p_.grading.choice_type, nullptr});
            break;
        case Op::MONEY:
            if (!outside_loops("MONEY") || !pop(AbstractValue::Kind::number, "the amount")) return;
            if (p_.grading.choice_type != no_index && !(s.barriers & passed_barrier(1))) {
                report_at(pc, "MONEY before BARRIER 1: with a grading, money is assigned after the grades");
                return;
            }
            ++s.money_done;
            break;
        case Op::FORFEIT: {
            if (!outside_loops("FORFEIT") || !pop(AbstractValue::Kind::yes_no, "the condition")) return;
            // MONEY, like NODE, runs once on every path in address order.
            auto m = p_.forfeits[a].money;
            if (money_address_[m] > pc) {
                report_at(pc, fmt::format("forfeit {} sets money {} ({}) to 0 before it is assigned", a, m, p_.money[m].name));
                return;
            }
            break;
        }
        case Op::FLAG:
            if (!outside_loops("FLAG") || !pop(AbstractValue::Kind::yes_no, "the condition")) return;
            if (!(s.barriers & passed_barrier(1))) {
                report_at(pc, "FLAG before BARRIER 1: flags are decided after the totals and the grades");
                return;
            }
            break;
        case Op::TALLY: {
            auto v = pop(AbstractValue::Kind::votes, "the operand");
            if (!v) return;
            const auto& type = p_.choice_types[v->choice_type];
            if (a >= type.values.size()) {
                report_at(pc, fmt::format("choice value {} out of range: {} has {} values", a, type.name, type.values.size()));
                return;
            }
            push(number());
            break;
        }
        case Op::VOTES_TOTAL:
            if (!pop(AbstractValue::Kind::votes, "the operand")) return;
            push(number());
            break;
        case Op::WEIGHTED: {
            auto v = pop(AbstractValue::Kind::votes, "the operand");
            if (!v) return;
            const auto& table = p_.tables[a];
            if (v->choice_type != table.choice_type) {
                report_at(pc, fmt::format("table {} is keyed by {}, the votes are of {}", table.name,
                                          p_.choice_types[table.choice_type].name, p_.choice_types[v->choice_type].name));
                return;
            }
            push(number());
            break;
        }
        case Op::HALT:
            if (!stack.empty()) report_at(pc, fmt::format("the stack must be empty at HALT, it holds {}", describe(s)));
            else if (!s.loops.empty()) report_at(pc, fmt::format("{} loop(s) still open at HALT", s.loops.size()));
            else if (s.nodes_done != p_.nodes.size())
                report_at(pc, fmt::format("{} of {} nodes finalised on some path to HALT: a NODE is skipped",
                                          s.nodes_done, p_.nodes.size()));
            else if (s.stores_done != p_.population_inputs.size())
                report_at(pc, fmt::format("{} of {} population inputs stored on some path to HALT: a STORE is skipped",
                                          s.stores_done, p_.population_inputs.size()));
            else if (s.money_done != p_.money.size())
                report_at(pc, fmt::format("{} of {} money amounts assigned on some path to HALT: a MONEY is skipped",
                                          s.money_done, p_.money.size()));
            else
                // Every unit passes the same barriers, so the VM can wait for all of them there.
                for (std::uint32_t k = 0; k < 2; ++k)
                    if (barrier_address_[k] != no_index && !(s.barriers & passed_barrier(k)))
                        report_at(pc, fmt::format("a path reaches HALT without passing BARRIER {} at address {}", k,
                                                  barrier_address_[k]));
            return;
        }
        if (stack.size() > max_stack_depth) {
            report_at(pc, fmt::format("the stack grows past its limit of {} values", max_stack_depth));
            return;
        }
        flow(pc, next, std::move(s));
    }
};

}  // namespace

bool verify(const bc::Program& program, const std::string& source_name, Diagnostics& diags) {
    return Verifier(program, source_name, diags).run();
}

}  // namespace kaohe
