// The verifier. Three passes over a Program, each reporting every problem it finds:
//  1. the tables: node tree in pre-order, rule/table/field indices, table sizes;
//  2. each instruction on its own: opcode known, operand in range for its kind (driven by the
//     OpInfo table generated from opcodes.def), and the program-wide counts (each NODE once,
//     each rule's DEDUCT/AWARD once, children finalised before parents, code ends with HALT);
//  3. abstract interpretation over every path: the value stack's depth and the type of each
//     slot, the open loops, and how many nodes are finalised, all required to agree wherever
//     paths merge.
// A Program that passes cannot make the VM index out of range, underflow or overflow its stack,
// run off the end of the code, loop forever, or apply an op to the wrong kind of value.
#include "runtime/verify.hpp"

#include <fmt/format.h>

#include <algorithm>
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
    enum class Kind : std::uint8_t { number, yes_no, choice, list, text };
    Kind kind = Kind::number;
    std::uint32_t choice_type = no_index;  // choice: index into Program::choice_types
    const FieldSpec* list = nullptr;        // list: the evidence field whose `fields` are the record

    friend bool operator==(const AbstractValue& a, const AbstractValue& b) {
        if (a.kind != b.kind) return false;
        if (a.kind == Kind::choice) return a.choice_type == b.choice_type;
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
    friend bool operator==(const State&, const State&) = default;
};

// ---- the verifier ---------------------------------------------------------------------------

class Verifier {
public:
    Verifier(const Program& p, const std::string& source_name, Diagnostics& diags)
        : p_(p), source_(source_name), diags_(diags) {}

    bool run() {
        check_tables();
        check_instructions();
        if (problems_ == 0) check_paths();  // the flow pass relies on the operands being in range
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
        }
        return "?";
    }
    std::string describe(const State& s) const {
        std::string out = "[";
        for (std::size_t i = 0; i < s.stack.size(); ++i) out += (i ? ", " : "") + describe(s.stack[i]);
        out += fmt::format("] with {} open loop(s), {} node(s) finalised", s.loops.size(), s.nodes_done);
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
        if (f.type == FieldType::choice && !valid_choice_type(f.choice_type))
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
        }
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
        }
    }

    // -- pass 2: each instruction --

    std::vector<std::uint32_t> node_address_;  // where each NODE is, or no_index
    std::vector<std::uint32_t> rule_address_;  // where each rule's DEDUCT/AWARD is, or no_index

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
            if ((op == Op::DEDUCT || op == Op::AWARD) && a < p_.rules.size()) {
                auto expected = op == Op::DEDUCT ? RuleKind::deduct : RuleKind::award;
                if (p_.rules[a].kind != expected)
                    report_at(pc, fmt::format("rule {} (line {}) is {}, not {}", a, p_.rules[a].line,
                                              p_.rules[a].kind == RuleKind::deduct ? "a deduction" : "an award",
                                              expected == RuleKind::deduct ? "a deduction" : "an award"));
                if (rule_address_[a] != no_index)
                    report_at(pc, fmt::format("rule {} (line {}) is applied twice (first at address {})", a,
                                              p_.rules[a].line, rule_address_[a]));
                else rule_address_[a] = static_cast<std::uint32_t>(pc);
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
                                         p_.rules[r].kind == RuleKind::deduct ? "DEDUCT" : "AWARD", r));
                continue;
            }
            auto node = p_.rules[r].node;
            if (node < p_.nodes.size() && node_address_[node] != no_index && node_address_[node] < rule_address_[r])
                report_at(rule_address_[r], fmt::format("rule {} is applied after its node {} ({}) was finalised at "
                                                        "address {}", r, node, p_.nodes[node].label,
                                                        node_address_[node]));
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

    void check_paths() {
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
            if (!(lhs == rhs) || lhs.kind == AbstractValue::Kind::list || lhs.kind == AbstractValue::Kind::text) {
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
        case Op::HALT:
            if (!stack.empty()) report_at(pc, fmt::format("the stack must be empty at HALT, it holds {}", describe(s)));
            else if (!s.loops.empty()) report_at(pc, fmt::format("{} loop(s) still open at HALT", s.loops.size()));
            else if (s.nodes_done != p_.nodes.size())
                report_at(pc, fmt::format("{} of {} nodes finalised on some path to HALT: a NODE is skipped",
                                          s.nodes_done, p_.nodes.size()));
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
