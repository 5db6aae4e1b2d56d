// The VM: runs a verified Program's code for each unit, in phases (opcodes.def "Phases").
//
// The interpreter is a template on whether it explains. Interpreter<false> contains no trace
// code at all (every trace statement sits under `if constexpr`), so the batch path pays nothing
// for explanations: the value stack is allocated once per interpreter, and nothing is allocated
// per instruction beyond what exact arithmetic itself needs (never, for small numbers). It runs
// the code as runtime/vm_code lowers it: jumps resolved, and for Interpreter<false> the RULE
// markers dropped and common sequences fused into one instruction each.
//
// A unit's evaluation is resumable: everything that must survive a BARRIER lives in UnitState
// (the partial scoresheet with the nodes' running sums and the rules' outcomes, the stored
// population inputs, the aggregates' values, the pc). The verifier guarantees the value stack
// is empty and no loop is open at a barrier, so nothing else needs keeping. A program without
// barriers runs each unit straight through, exactly as before phases existed. A streamed run
// (PopulationRun, at the end) keeps no UnitState: it replays each unit from pc 0 in every pass,
// installing at each barrier the values already computed, since evaluation is deterministic.
//
// The verifier has already proved every operand in range, every value of the right kind, the
// stack within its bound, every path ending at HALT and every unit passing the same barriers;
// the VM relies on it and does not check again. The only errors left are in the data: division
// by zero, a negative amount, nobody voting, an aggregate over no unit.
#include "runtime/vm.hpp"

#include "runtime/verify.hpp"
#include "runtime/vm_code.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <numeric>

namespace kaohe {
namespace {

using namespace bc;

// One open loop over a list.
struct Loop {
    const List* list = nullptr;
    std::size_t next = 0;     // the record ITER_NEXT produces next
    std::size_t current = 0;  // the record FIELD reads
    // Explanations only: the evidence slot the list came from (the outer list's when `nested`),
    // which list builtin the loop computes, and the accumulator it started from.
    std::uint32_t slot = no_index;
    bool nested = false;
    TraceEvent::Fold fold = TraceEvent::Fold::none;
    Decimal start;
};

// Explanations only: what the code after an instruction belongs to, when it is no rule.
struct Owner {
    TraceEvent::Part part = TraceEvent::Part::rule;
    std::uint32_t index = no_index;
};

// One unit's value of one aggregate, computed between phase 1 and phase 2. `defined` is false
// when there is no value (a mean over no unit, the rank of a unit its `where` leaves out): that
// is an evaluation error only if the unit's code actually reads it.
struct AggregateValue {
    Value value;
    std::uint32_t in_scope = 0;  // units in scope that pass `where`
    bool defined = false;
    // For explanations (TraceEvent): rank/bottom/top's own value, cut-off, set size, ties.
    std::optional<Decimal> own, cutoff;
    std::uint32_t selected = 0, tied = 0;
};

// Everything about one unit's evaluation that survives a barrier.
struct UnitState {
    Scoresheet sheet;
    std::size_t pc = 0;
    std::uint32_t rule = no_index;            // explanations only: the rule being evaluated
    Owner owner;                              // explanations only: what is being evaluated
    std::vector<Value> inputs;                // STORE: this unit's population inputs
    std::vector<AggregateValue> aggregates;   // AGG: this unit's aggregate values
};

enum class Stop : std::uint8_t { halt, barrier, error };

template <bool Explaining>
class Interpreter {
public:
    Interpreter(const Program& p, Diagnostics& diags)
        : p_(p), diags_(diags), code_(vm::lower(p, Explaining ? vm::Fuse::no : vm::Fuse::yes)) {
        // Each instruction pushes at most one value and loops keep the depth fixed, so the
        // code's length bounds the depth as well as the verifier's limit does.
        stack_.resize(std::min(p_.code.size(), max_stack_depth) + 1);
        // The ceilings are the same for every unit: computed once per run.
        ceiling_.reserve(p_.nodes.size());
        const auto allowance = allowances(p_.nodes);
        for (std::size_t n = 0; n < p_.nodes.size(); ++n) ceiling_.push_back(p_.nodes[n].full + allowance[n]);
        steps_.resize(p_.nodes.size());
        for (const Word w : p_.code) {  // the instructions that write `deducted` and `awarded`
            if (opcode_of(w) == Op::DEDUCT) steps_[p_.rules[operand_of(w)].node].deducts = true;
            if (opcode_of(w) == Op::AWARD) steps_[p_.rules[operand_of(w)].node].awards = true;
        }
        for (std::size_t n = 0; n < p_.nodes.size(); ++n) {
            const auto& info = p_.nodes[n];
            steps_[n].add_held = !info.held.is_zero();
            steps_[n].to_parent = info.parent != no_index && !p_.nodes[info.parent].computed;
        }
        if constexpr (Explaining) map_code();
    }

    // Prepares `s` for `unit`. False (after reporting) when the evidence does not fit the program.
    bool start(UnitState& s, const UnitEvidence& unit) {
        if (unit.values.size() != p_.evidence.size()) {
            diags_.internal(fmt::format("unit '{}' has {} evidence values, the program has {} slots", unit.name,
                                        unit.values.size(), p_.evidence.size()));
            return false;
        }
        auto& sheet = s.sheet;
        sheet.unit = unit.name;
        sheet.group = unit.group;
        sheet.file = unit.file;
        sheet.rules.resize(p_.rules.size());
        if (sheet.nodes.size() != p_.nodes.size()) {  // a fresh state (a reused one keeps `full`)
            sheet.nodes.resize(p_.nodes.size());
            for (std::size_t n = 0; n < p_.nodes.size(); ++n) sheet.nodes[n].full = p_.nodes[n].full;
        }
        sheet.money.resize(p_.money.size());      // nothing allocated without money
        sheet.flags.assign(p_.flags.size(), false);
        s.inputs.resize(p_.population_inputs.size());  // nor without population inputs
        return true;
    }

    // Runs `s` from its pc to the next BARRIER (then s.pc is just past it) or to HALT.
    Stop run(UnitState& s, const UnitEvidence& unit) {
        s_ = &s;
        unit_ = &unit;
        sp_ = 0;
        open_loops_ = 0;
        if constexpr (Explaining) {
            rule_ = s.rule;
            owner_ = s.pc == 0 ? first_owner_ : s.owner;
        }
        auto stop = execute(s.pc);
        if constexpr (Explaining) {
            s.rule = rule_;
            s.owner = owner_;
        }
        return stop;
    }

private:
    const Program& p_;
    Diagnostics& diags_;
    const vm::Code code_;  // p_.code as this interpreter runs it (runtime/vm_code.hpp)
    UnitState* s_ = nullptr;
    const UnitEvidence* unit_ = nullptr;
    std::vector<Value> stack_;
    std::size_t sp_ = 0;
    std::array<Loop, max_loop_depth> loops_{};
    std::size_t open_loops_ = 0;
    std::uint32_t rule_ = no_index;  // explanations only: the rule being evaluated
    std::vector<Decimal> ceiling_;   // per node: full + allowance (program.hpp `allowances`)
    // What finalise must do for each node, known from the program alone: a node no DEDUCT (AWARD)
    // rule names keeps `deducted` (`awarded`) at zero and a zero `held` adds nothing, so those
    // steps are skipped; the score goes up unless the node is the root or its parent is computed.
    struct NodeSteps {
        bool add_held = false, deducts = false, awards = false, to_parent = false;
    };
    std::vector<NodeSteps> steps_;
    const Decimal one_{1};           // what TO_NUM gives for yes (the fused ADD_SLOT_YES/NO add it)
    // Explanations only (map_code): what each stretch of code outside the rules evaluates, the
    // list builtin of each loop, and the accumulation steps a list summary replaces.
    Owner owner_;
    Owner first_owner_;
    std::vector<Owner> owner_after_;           // at NODE, STORE, VETO, MONEY, FORFEIT, BARRIER
    std::vector<TraceEvent::Fold> fold_at_;    // at ITER_BEGIN
    std::vector<bool> accumulates_;            // the fold's ADD/MAX/MIN, not traced

    // The lowering (compiler/lower.cpp) emits each population input, veto, money line, forfeit
    // and flag as one stretch of code ending in its STORE, VETO, MONEY, FORFEIT or FLAG, right
    // after the NODE, STORE, VETO, MONEY, FORFEIT, FLAG or BARRIER before it; rules start with
    // RULE. So the code after such an instruction belongs to the STORE/VETO/MONEY/FORFEIT/FLAG that ends the next
    // stretch (docs/bytecode.md "Explanations"): no opcode is needed to mark where they start.
    static bool ends_stretch(Op op) {
        return op == Op::NODE || op == Op::STORE || op == Op::VETO || op == Op::MONEY || op == Op::FORFEIT ||
               op == Op::FLAG || op == Op::BARRIER || op == Op::RULE || op == Op::HALT;
    }
    static Owner owner_of(Op op, std::uint32_t a) {
        switch (op) {
        case Op::STORE: return {TraceEvent::Part::input, a};
        case Op::VETO: return {TraceEvent::Part::veto, a};
        case Op::MONEY: return {TraceEvent::Part::money, a};
        case Op::FORFEIT: return {TraceEvent::Part::forfeit, a};
        case Op::FLAG: return {TraceEvent::Part::flag, a};
        default: return {TraceEvent::Part::rule, no_index};
        }
    }

    // The list builtin a loop computes, from the shape compiler/lower.cpp gives each
    // (docs/bytecode.md "Explanations"); Fold::none for any other loop, which is then traced
    // step by step as before.
    TraceEvent::Fold fold_of(std::size_t begin, std::size_t& accumulator) const {
        const auto& code = p_.code;
        const std::size_t next = begin + 1;  // ITER_NEXT
        if (next >= code.size() || opcode_of(code[next]) != Op::ITER_NEXT) return TraceEvent::Fold::none;
        const std::size_t loop = next + operand_of(code[next]);  // the LOOP closing it
        if (loop >= code.size() || opcode_of(code[loop]) != Op::LOOP || loop <= next + 1) return TraceEvent::Fold::none;
        const auto jumps_to_loop = [&](std::size_t pc) { return pc + 1 + operand_of(code[pc]) == loop; };
        const Op first = opcode_of(code[next + 1]);
        if ((first == Op::AND_JUMP || first == Op::OR_JUMP) && jumps_to_loop(next + 1))
            return first == Op::AND_JUMP ? TraceEvent::Fold::all : TraceEvent::Fold::any;
        accumulator = loop - 1;
        switch (opcode_of(code[loop - 1])) {
        case Op::MAX: return TraceEvent::Fold::max;
        case Op::MIN: return TraceEvent::Fold::min;
        case Op::ADD: break;
        default: return TraceEvent::Fold::none;
        }
        // count: [condition; JUMP_IF_FALSE to LOOP]; CONST 1; ADD
        const std::size_t one = loop - 2;
        const bool adds_one = one > next && opcode_of(code[one]) == Op::CONST &&
                              p_.constants[operand_of(code[one])] == Decimal{1};
        const bool counts = adds_one && (one == next + 1 || (opcode_of(code[one - 1]) == Op::JUMP_IF_FALSE &&
                                                               jumps_to_loop(one - 1)));
        return counts ? TraceEvent::Fold::count : TraceEvent::Fold::sum;
    }

    void map_code() {
        const auto& code = p_.code;
        owner_after_.assign(code.size(), Owner{});
        fold_at_.assign(code.size(), TraceEvent::Fold::none);
        accumulates_.assign(code.size(), false);
        Owner stretch;  // the owner of the code from pc on, scanning backwards
        for (std::size_t pc = code.size(); pc-- > 0;) {
            const Op op = opcode_of(code[pc]);
            if (ends_stretch(op)) {
                owner_after_[pc] = stretch;
                stretch = owner_of(op, operand_of(code[pc]));
            }
            if (op == Op::ITER_BEGIN) {
                std::size_t accumulator = no_index;
                fold_at_[pc] = fold_of(pc, accumulator);
                if (fold_at_[pc] != TraceEvent::Fold::none && accumulator < code.size()) accumulates_[accumulator] = true;
            }
        }
        first_owner_ = stretch;
    }

    Scoresheet& sheet() { return s_->sheet; }
    Value& top() { return stack_[sp_ - 1]; }
    Value& push() { return stack_[sp_++]; }
    void push_number(const Decimal& d) {
        auto& v = push();
        v.tag = Value::Tag::number;
        v.number = d;
    }
    void push_yes_no(bool b) {
        auto& v = push();
        v.tag = Value::Tag::yes_no;
        v.yes = b;
    }
    void set_yes_no(Value& v, bool b) {
        v.tag = Value::Tag::yes_no;
        v.yes = b;
    }
    // Also drops a votes value's reference to its counts, as ITER_BEGIN drops a list's: the
    // evidence keeps them alive, and a batch typer reuses their storage for the next unit
    // (CsvUnitTyper) only when nothing else refers to it.
    void set_number(Value& v, Decimal d) {
        v.tag = Value::Tag::number;
        v.number = std::move(d);
        if (v.list) v.list.reset();  // tested first: reset() on an empty pointer still swaps
    }

    void error(std::uint32_t line, std::string message) {
        diags_.error(p_.info.source_name, Span{SourcePos{line, 1}}, std::move(message));
    }

    TraceEvent& trace(TraceEvent::Kind kind) {
        auto& e = sheet().trace.emplace_back();
        e.kind = kind;
        e.part = owner_.part;
        e.part_index = owner_.index;
        e.rule = owner_.part == TraceEvent::Part::rule ? rule_ : no_index;
        return e;
    }
    void trace_read(std::uint32_t slot, std::uint32_t record, std::uint32_t field, const Value& value,
                    bool nested = false) {
        auto& e = trace(TraceEvent::Kind::read);
        e.slot = slot;
        e.record = record;
        e.field = field;
        e.value = value;
        e.nested = nested;
    }

    // A list builtin's loop over `loop` ended with the accumulator on top of the stack.
    void trace_list(const Loop& loop) {
        auto& e = trace(TraceEvent::Kind::list);
        e.fold = loop.fold;
        e.slot = loop.slot;
        e.nested = loop.nested;
        e.in_scope = static_cast<std::uint32_t>(loop.list->size());
        e.lhs = loop.start;
        e.value = top();
        e.result = top().tag == Value::Tag::yes_no ? Decimal{top().yes ? 1 : 0} : top().number;
    }
    void trace_arithmetic(Op op, const Decimal& lhs, const Decimal& rhs, const Decimal& result) {
        auto& e = trace(TraceEvent::Kind::arithmetic);
        e.op = op;
        e.lhs = lhs;
        e.rhs = rhs;
        e.result = result;
    }

    // The evidence slot a list being iterated came from: a slot's own list, or a list nested in
    // a record of the loop around it (then that loop's slot). Explanations only.
    std::uint32_t slot_of(const List* list, bool& nested) const {
        const auto& values = unit_->values;
        nested = false;
        for (std::size_t s = 0; s < values.size(); ++s)
            if (values[s].tag == Value::Tag::list && values[s].list.get() == list) return static_cast<std::uint32_t>(s);
        nested = open_loops_ > 0;
        return open_loops_ ? loops_[open_loops_ - 1].slot : no_index;
    }

    // Pops the right operand, applies `f` to the left one in place; traces when explaining,
    // except a list builtin's accumulation step at `pc` (its loop's summary says it).
    template <typename F>
    void arithmetic(Op op, F f, std::size_t pc) {
        const Decimal& rhs = stack_[--sp_].number;
        Decimal& lhs = top().number;
        // Without explanations, ADD and SUB work in place: no temporary Decimal.
        if constexpr (!Explaining) {
            if (op == Op::ADD) {
                lhs += rhs;
                return;
            }
            if (op == Op::SUB) {
                lhs -= rhs;
                return;
            }
            if (op == Op::MUL) {  // `0.5 per (12 - 公示月数)`: operator* inline, not through `f`
                lhs = lhs * rhs;
                return;
            }
        }
        if constexpr (Explaining) {
            if (accumulates_[pc]) {
                lhs = f(lhs, rhs);
                return;
            }
            Decimal before = lhs;
            lhs = f(lhs, rhs);
            trace_arithmetic(op, before, rhs, lhs);
        } else {
            lhs = f(lhs, rhs);
        }
    }

    template <typename F>
    void compare(F f) {
        const Value& rhs = stack_[--sp_];
        Value& lhs = top();
        set_yes_no(lhs, f(lhs.number, rhs.number));
    }

    static bool equal(const Value& a, const Value& b) {
        switch (a.tag) {
        case Value::Tag::number: return a.number == b.number;
        case Value::Tag::yes_no: return a.yes == b.yes;
        case Value::Tag::choice: return a.choice == b.choice;
        case Value::Tag::text:
        case Value::Tag::list:
        case Value::Tag::votes: break;  // the verifier allows none of them
        }
        return false;
    }

    // DEDUCT/AWARD: the rule fires with `amount` (the popped value, or a fused instruction's
    // constant), bounded by its cap.
    // Inline in the interpreter's loop (a seed-000 unit applies 12 rules); the error is reported
    // out of line.
    [[gnu::always_inline]] bool apply(std::uint32_t r, RuleKind kind, std::size_t pc, const Decimal& amount) {
        const auto& rule = p_.rules[r];
        if (amount.is_negative()) [[unlikely]] {
            negative_amount(rule, kind, pc, amount);
            return false;
        }
        auto& out = sheet().rules[r];
        out.fired = true;
        out.capped = rule.cap && *rule.cap < amount;
        out.applied = out.capped ? *rule.cap : amount;
        out.amount = amount;
        auto& node = sheet().nodes[rule.node];
        (kind == RuleKind::deduct ? node.deducted : node.awarded) += out.applied;
        return true;
    }

    [[gnu::cold]] [[gnu::noinline]] void negative_amount(const bc::RuleInfo& rule, RuleKind kind, std::size_t pc,
                                                         const Decimal& amount) {
        error(rule.line ? rule.line : p_.lines[pc],
              fmt::format("rule at line {} produced a negative {} {} for unit '{}'", rule.line,
                          kind == RuleKind::deduct ? "deduction" : "award", amount.to_string(), unit_->name));
    }

    // SCORE: the computed node's raw score `x` (the popped value, or a fused instruction's
    // slot). Its children do not add to it (finalise), so the node's running sum holds exactly
    // this value until its NODE clamps it.
    void set_score(std::uint32_t r, const Decimal& x) {
        auto& out = sheet().rules[r];
        out.fired = true;
        out.applied = x;
        out.amount = x;
        sheet().nodes[p_.rules[r].node].score = x;
    }

    // NODE: until now `score` has accumulated the children's scores (or, for a computed node,
    // holds its SCORE); this replaces it with the node's own, kept within [0, full + allowance]
    // (an `extra` bonus anywhere below raises the ceiling), and passes it up to the parent unless
    // the parent is computed.
    void finalise(std::uint32_t n) {
        const auto& info = p_.nodes[n];
        auto& out = sheet().nodes[n];
        // In place in out.score, no temporaries: the computed score, or the children's sum plus
        // what is held (a leaf: its full marks; a bonus: nothing), less deductions, plus awards.
        Decimal& raw = out.score;
        const NodeSteps& steps = steps_[n];
        if (!info.computed) {
            if (info.has_children) {
                if (steps.add_held) raw += info.held;
            } else if (info.bonus) {
                raw.clear();
            } else {
                raw = info.full;
            }
            if (steps.deducts) raw -= out.deducted;
            if (steps.awards) raw += out.awarded;
        }
        const Decimal& upper = ceiling_[n];
        out.floored = raw.is_negative();
        out.capped = raw > upper;
        if (out.floored) raw.clear();
        else if (out.capped) raw = upper;
        if (steps.to_parent) sheet().nodes[info.parent].score += out.score;
    }

    // The counts of the votes value on top of the stack, one per value of its choice type. The
    // evidence loader builds them from the schema; a value without the counts the instruction
    // reads (only a caller bypassing the loader can make one) is an internal error, never a bad
    // read.
    const Record* counts(std::size_t needed, bool exactly) {
        const Value& v = top();
        if (v.tag == Value::Tag::votes && v.list && v.list->size() == 1) {
            const Record& c = v.list->front();
            if (exactly ? c.size() == needed : c.size() >= needed) return &c;
        }
        diags_.internal(fmt::format("unit '{}': a votes value does not hold the {} counts of its choice type",
                                    unit_->name, needed));
        return nullptr;
    }
    static Decimal total_votes(const Record& counts) {
        Decimal total;
        for (const auto& c : counts) total += c.number;
        return total;
    }

    // WEIGHTED: Σ count × table[value] / Σ count; nobody voting is an evaluation error.
    bool weighted(std::uint32_t t, std::size_t pc) {
        const auto& values = p_.tables[t].values;
        const Record* tally = counts(values.size(), true);
        if (!tally) return false;
        const Record& c = *tally;
        Decimal total = total_votes(c), sum;
        if (total.is_zero()) {
            error(p_.lines[pc], fmt::format("weighted vote at line {} for unit '{}': nobody voted", p_.lines[pc],
                                            unit_->name));
            return false;
        }
        for (std::size_t v = 0; v < c.size(); ++v) sum += c[v].number * values[v];
        set_number(top(), sum / total);
        return true;
    }

    bool aggregate(std::uint32_t a, std::size_t pc) {
        const auto& agg = s_->aggregates[a];
        const auto& info = p_.aggregates[a];
        if (!agg.defined) {
            auto line = info.line ? info.line : p_.lines[pc];
            bool rank = info.kind == AggregateKind::rank;
            error(line, fmt::format("`{}` at line {} has no value for unit '{}': {}", info.source_text, line, unit_->name,
                                    rank ? "its `where` does not hold for the unit, so it is not ranked"
                                         : "no unit in its scope passes its `where`"));
            return false;
        }
        push().assign_used(agg.value);
        if constexpr (Explaining) {
            auto& e = trace(TraceEvent::Kind::aggregate);
            e.index = a;
            e.in_scope = agg.in_scope;
            e.value = agg.value;
            e.result = agg.value.tag == Value::Tag::yes_no ? Decimal{agg.value.yes ? 1 : 0} : agg.value.number;
            e.own = agg.own;
            e.cutoff = agg.cutoff;
            e.selected = agg.selected;
            e.tied = agg.tied;
        }
        return true;
    }

    // Runs from the original pc `start` (code_.at maps it to its instruction). Each
    // instruction's `pc` is the original one it reports as; jumps go to `target`.
    Stop execute(std::size_t start) {
        using vm::Xop;
        const vm::Instr* code = code_.instrs.data();
        const UnitEvidence& unit = *unit_;
        for (std::size_t i = code_.at[start];;) {
            const vm::Instr& in = code[i];
            const std::size_t pc = in.pc;
            const std::uint32_t a = in.a;
            // vm::Code holds only Xops, so the switch needs no range check (its `default`); and
            // -Wswitch-enum still has the compiler warn of an Xop it does not handle.
#pragma GCC diagnostic push
#pragma GCC diagnostic warning "-Wswitch-enum"
            switch (in.op) {
            case Xop::CONST: push_number(p_.constants[a]); break;
            case Xop::BOOL: push_yes_no(a != 0); break;
            case Xop::LOAD: {
                const Value& v = unit.values[a];
                push().assign_used(v);
                if constexpr (Explaining) trace_read(a, no_index, no_index, v);
                break;
            }
            case Xop::FIELD: {
                const Loop& loop = loops_[open_loops_ - 1 - (a >> 16)];
                const std::uint32_t field = a & 0xffffu;
                const Value& v = (*loop.list)[loop.current][field];
                push().assign_used(v);
                if constexpr (Explaining)
                    trace_read(loop.slot, static_cast<std::uint32_t>(loop.current), field, v, loop.nested);
                break;
            }
            case Xop::POP: --sp_; break;
            case Xop::ADD: arithmetic(Op::ADD, [](const Decimal& x, const Decimal& y) { return x + y; }, pc); break;
            case Xop::SUB: arithmetic(Op::SUB, [](const Decimal& x, const Decimal& y) { return x - y; }, pc); break;
            case Xop::MUL: arithmetic(Op::MUL, [](const Decimal& x, const Decimal& y) { return x * y; }, pc); break;
            case Xop::DIV:
                if (stack_[sp_ - 1].number.is_zero()) {
                    error(p_.lines[pc], fmt::format("division by zero at line {} for unit '{}'", p_.lines[pc], unit.name));
                    return Stop::error;
                }
                arithmetic(Op::DIV, [](const Decimal& x, const Decimal& y) { return x / y; }, pc);
                break;
            case Xop::NEG: top().number = -top().number; break;
            case Xop::MIN: arithmetic(Op::MIN, [](const Decimal& x, const Decimal& y) { return Decimal::min(x, y); }, pc); break;
            case Xop::MAX: arithmetic(Op::MAX, [](const Decimal& x, const Decimal& y) { return Decimal::max(x, y); }, pc); break;
            case Xop::EQ: {
                const Value& rhs = stack_[--sp_];
                set_yes_no(top(), equal(top(), rhs));
                break;
            }
            case Xop::NE: {
                const Value& rhs = stack_[--sp_];
                set_yes_no(top(), !equal(top(), rhs));
                break;
            }
            case Xop::LT: compare([](const Decimal& x, const Decimal& y) { return x < y; }); break;
            case Xop::LE: compare([](const Decimal& x, const Decimal& y) { return x <= y; }); break;
            case Xop::GT: compare([](const Decimal& x, const Decimal& y) { return x > y; }); break;
            case Xop::GE: compare([](const Decimal& x, const Decimal& y) { return x >= y; }); break;
            case Xop::NOT: top().yes = !top().yes; break;
            case Xop::TO_NUM: set_number(top(), top().yes ? Decimal{1} : Decimal{}); break;
            case Xop::IS: set_yes_no(top(), top().choice == a); break;
            case Xop::TABLE: set_number(top(), p_.tables[a].values[top().choice]); break;
            case Xop::ROUND:
                top().number = top().number.round(a & 0xffu, static_cast<Rounding>((a >> 8) & 0xffu));
                break;
            case Xop::JUMP: i = in.target; continue;
            case Xop::JUMP_IF_FALSE:
                if (!stack_[--sp_].yes) {
                    i = in.target;
                    continue;
                }
                break;
            case Xop::AND_JUMP:
                if (!top().yes) {
                    i = in.target;
                    continue;
                }
                --sp_;
                break;
            case Xop::OR_JUMP:
                if (top().yes) {
                    i = in.target;
                    continue;
                }
                --sp_;
                break;
            case Xop::ITER_BEGIN: {
                // The loop reads the list through a plain pointer: the evidence (or, for a list
                // in a record, the list around it) keeps it alive until the unit is scored.
                Value& popped = stack_[--sp_];
                const List* list = popped.list.get();
                popped.list.reset();
                Loop loop;
                loop.list = list;
                if constexpr (Explaining) {
                    loop.slot = slot_of(list, loop.nested);
                    loop.fold = fold_at_[pc];
                    if (loop.fold != TraceEvent::Fold::none && sp_ > 0 && top().tag == Value::Tag::number)
                        loop.start = top().number;
                }
                loops_[open_loops_++] = loop;
                break;
            }
            case Xop::ITER_NEXT: {
                Loop& loop = loops_[open_loops_ - 1];
                if (loop.next < loop.list->size()) {
                    loop.current = loop.next++;
                } else {
                    if constexpr (Explaining)
                        if (loop.fold != TraceEvent::Fold::none) trace_list(loop);
                    --open_loops_;
                    i = in.target;
                    continue;
                }
                break;
            }
            case Xop::LOOP: i = in.target; continue;  // to the ITER_NEXT itself
            case Xop::RULE:
                if constexpr (Explaining) {
                    rule_ = a;
                    owner_ = Owner{};
                }
                break;
            case Xop::DEDUCT:
                if (!apply(a, RuleKind::deduct, pc, stack_[--sp_].number)) return Stop::error;
                break;
            case Xop::AWARD:
                if (!apply(a, RuleKind::award, pc, stack_[--sp_].number)) return Stop::error;
                break;
            case Xop::NODE:
                finalise(a);
                if constexpr (Explaining) owner_ = owner_after_[pc];
                break;
            case Xop::LOAD_NODE: {
                const Decimal& score = sheet().nodes[a].score;
                push_number(score);
                if constexpr (Explaining) {
                    auto& e = trace(TraceEvent::Kind::node);
                    e.index = a;
                    e.result = score;
                }
                break;
            }
            case Xop::SCORE: set_score(a, stack_[--sp_].number); break;
            case Xop::STORE:
                s_->inputs[a] = std::move(stack_[--sp_]);
                if constexpr (Explaining) owner_ = owner_after_[pc];
                break;
            case Xop::BARRIER:
                s_->pc = pc + 1;
                if constexpr (Explaining) owner_ = owner_after_[pc];
                return Stop::barrier;
            case Xop::AGG:
                if (!aggregate(a, pc)) return Stop::error;
                break;
            case Xop::VETO:
                if (stack_[--sp_].yes && sheet().grade.veto == no_index) sheet().grade.veto = a;
                if constexpr (Explaining) owner_ = owner_after_[pc];
                break;
            case Xop::GRADE: {
                auto& v = push();
                v.tag = Value::Tag::choice;
                v.choice = sheet().grade.grade;
                break;
            }
            case Xop::MONEY: {
                auto& m = sheet().money[a];
                m.computed = std::move(stack_[--sp_].number);
                m.amount = m.computed;
                if constexpr (Explaining) owner_ = owner_after_[pc];
                break;
            }
            case Xop::FORFEIT: {
                const auto& forfeit = p_.forfeits[a];
                auto& m = sheet().money[forfeit.money];
                if (stack_[--sp_].yes && m.forfeit == no_index) {
                    m.forfeit = a;
                    m.amount = Decimal{};
                }
                if constexpr (Explaining) owner_ = owner_after_[pc];
                break;
            }
            case Xop::FLAG:
                if (stack_[--sp_].yes) sheet().flags[a] = true;
                if constexpr (Explaining) owner_ = owner_after_[pc];
                break;
            case Xop::TALLY: {
                const Record* c = counts(std::size_t{a} + 1, false);
                if (!c) return Stop::error;
                set_number(top(), Decimal{(*c)[a].number});
                break;
            }
            case Xop::VOTES_TOTAL: {
                const Record* c = counts(0, false);
                if (!c) return Stop::error;
                set_number(top(), total_votes(*c));
                break;
            }
            case Xop::WEIGHTED:
                if (!weighted(a, pc)) return Stop::error;
                break;
            case Xop::HALT: return Stop::halt;
            // Fused sequences (runtime/vm_code.hpp), without explanations only: each does what
            // its sequence does, through the same functions, without the stack in between.
            case Xop::JUMP_IF_SLOT_YES:
                if (unit.values[a].yes) {
                    i = in.target;
                    continue;
                }
                break;
            case Xop::JUMP_IF_SLOT_NO:
                if (!unit.values[a].yes) {
                    i = in.target;
                    continue;
                }
                break;
            case Xop::JUMP_UNLESS_SLOT_IS:
                if (unit.values[a].choice != in.b) {
                    i = in.target;
                    continue;
                }
                break;
            case Xop::DEDUCT_CONST:
                if (!apply(a, RuleKind::deduct, pc, p_.constants[in.b])) return Stop::error;
                break;
            case Xop::AWARD_CONST:
                if (!apply(a, RuleKind::award, pc, p_.constants[in.b])) return Stop::error;
                break;
            case Xop::ADD_SLOT_NO:
                if (!unit.values[a].yes) top().number += one_;
                break;
            case Xop::ADD_SLOT_YES:
                if (unit.values[a].yes) top().number += one_;
                break;
            case Xop::ADD_SLOT: top().number += unit.values[a].number; break;
            case Xop::SUB_SLOT: top().number -= unit.values[a].number; break;
            case Xop::MUL_SLOT: top().number = top().number * unit.values[a].number; break;
            case Xop::ADD_CONST: top().number += p_.constants[a]; break;
            case Xop::ADD_FIELD: {
                const Loop& loop = loops_[open_loops_ - 1 - (a >> 16)];
                top().number += (*loop.list)[loop.current][a & 0xffffu].number;
                break;
            }
            case Xop::SCORE_SLOT: set_score(a, unit.values[in.b].number); break;
            default: __builtin_unreachable();
            }
#pragma GCC diagnostic pop
            ++i;
        }
    }
};

// ---- the population: aggregates, grades, ranks -----------------------------------------------
//
// These computations read and write the population through an accessor, so that one piece of
// code serves both holders of it: evaluate_all's WholeStates (every unit's whole UnitState) and
// a streamed run's PopulationRun::Impl (only what they read and what later phases need, compact;
// docs/performance.md "Schemes with population rules"). An accessor `units` provides:
//   size()                     the units
//   barrier()                  the BARRIER operand at which the units stopped
//   group(u)                   a key, ordered by <, equal for the units of a group
//   input_number(u, i), input_yes(u, i)   the STOREd population input i (a Decimal or a
//                              reference to one; a yes/no)
//   begin_stage(stage)         before the aggregates of `stage` are computed
//   put_scope(scope, a, v)     aggregate a's value for every unit of `scope`
//   put(u, a, v, code)         unit u's own value of aggregate a (rank, bottom/top), after
//                              put_scope: `code` is its place (rank) or 1 if among the N
//   graded(u), grade(u)        the graded node's score (as input_number); the GradeOutcome
//                              (holding the veto)

// Units in each scope. Scope::group partitions by the evidence `group`; units with an empty
// group form their own group "" (they are peers of each other, not of everyone).
template <typename Units>
std::vector<std::vector<std::size_t>> scopes(Scope scope, const Units& units) {
    std::vector<std::vector<std::size_t>> out;
    if (scope == Scope::all) {
        out.emplace_back(units.size());
        std::iota(out[0].begin(), out[0].end(), std::size_t{0});
        return out;
    }
    std::map<decltype(units.group(0)), std::size_t> index;
    for (std::size_t u = 0; u < units.size(); ++u) {
        auto [it, added] = index.try_emplace(units.group(u), out.size());
        if (added) out.emplace_back();
        out[it->second].push_back(u);
    }
    return out;
}

// 1 + how many of `sorted_desc` are strictly above `x`: equal values share the best place.
// `sorted_desc`: Decimals highest first, by size() and [i] (a vector, or a streamed run's packed totals).
template <typename Sorted>
std::uint32_t competition_rank(const Sorted& sorted_desc, const Decimal& x) {
    std::size_t above = 0, not_above = sorted_desc.size();  // binary search for the first not above x
    while (above < not_above) {
        const std::size_t mid = above + (not_above - above) / 2;
        if (sorted_desc[mid] > x) above = mid + 1;
        else not_above = mid;
    }
    return static_cast<std::uint32_t>(above + 1);
}

// The value of `agg` for every unit of one scope. The members' values are read where the units
// keep them and copied only to be ordered (ranks, bottom/top N), one copy at a time: between
// the passes of a streamed run the population's values are most of what the run holds.
template <typename Units>
void compute_in_scope(const Aggregate& agg, std::uint32_t index, const std::vector<std::size_t>& scope,
                      Units& units) {
    auto passes = [&](std::size_t u) { return agg.where == no_index || units.input_yes(u, agg.where); };
    std::vector<std::size_t> members;
    members.reserve(scope.size());  // not grown by doubling: a streamed run's peak is here
    for (auto u : scope)
        if (passes(u)) members.push_back(u);
    const auto in_scope = static_cast<std::uint32_t>(members.size());
    const auto value_of = [&](std::size_t m) -> decltype(auto) { return units.input_number(members[m], agg.value); };
    const auto valued = [&](Value v) {
        AggregateValue out;
        out.value = std::move(v);
        out.in_scope = in_scope;
        out.defined = true;
        return out;
    };
    AggregateValue undefined;  // no value, but with the count for the message
    undefined.in_scope = in_scope;
    switch (agg.kind) {
    case AggregateKind::count:
        return units.put_scope(scope, index, valued(Value::of_number(Decimal{static_cast<std::int64_t>(in_scope)})));
    case AggregateKind::sum:
    case AggregateKind::mean: {
        if (members.empty() && agg.kind == AggregateKind::mean) return units.put_scope(scope, index, undefined);
        Decimal sum;
        for (std::size_t m = 0; m < members.size(); ++m) sum += value_of(m);
        if (agg.kind == AggregateKind::mean) sum = sum / Decimal{static_cast<std::int64_t>(members.size())};
        return units.put_scope(scope, index, valued(Value::of_number(sum)));
    }
    case AggregateKind::max:
    case AggregateKind::min: {
        if (members.empty()) return units.put_scope(scope, index, undefined);
        Decimal best = value_of(0);
        for (std::size_t m = 1; m < members.size(); ++m)
            if (agg.kind == AggregateKind::max ? best < value_of(m) : value_of(m) < best) best = value_of(m);
        return units.put_scope(scope, index, valued(Value::of_number(best)));
    }
    case AggregateKind::rank: {
        units.put_scope(scope, index, undefined);  // a unit its `where` leaves out has no place
        // Ascending ranks the lowest first: rank the negated values highest first.
        const auto key = [&](std::size_t m) { return agg.ascending ? -value_of(m) : value_of(m); };
        std::vector<Decimal> sorted;
        sorted.reserve(members.size());
        for (std::size_t m = 0; m < members.size(); ++m) sorted.push_back(key(m));
        std::sort(sorted.begin(), sorted.end(), std::greater<>{});
        for (std::size_t m = 0; m < members.size(); ++m) {
            const Decimal k = key(m);
            const std::uint32_t place = competition_rank(sorted, k);
            AggregateValue out = valued(Value::of_number(Decimal{place}));
            out.own = value_of(m);
            const auto same = std::equal_range(sorted.begin(), sorted.end(), k, std::greater<>{});
            out.tied = static_cast<std::uint32_t>(same.second - same.first - 1);
            units.put(members[m], index, std::move(out), place);
        }
        return;
    }
    case AggregateKind::bottom:
    case AggregateKind::top: {
        units.put_scope(scope, index, valued(Value::of_yes_no(false)));
        // Fewer than N units: every one of them is among the N. Otherwise the N-th lowest (or
        // highest) value is the boundary, and every unit tied with it is included.
        bool everyone = Decimal{static_cast<std::int64_t>(members.size())} <= agg.n;
        std::optional<Decimal> boundary;
        if (!everyone) {
            std::vector<Decimal> values;
            values.reserve(members.size());
            for (std::size_t m = 0; m < members.size(); ++m) values.push_back(value_of(m));
            std::size_t nth = 0;  // n is a whole number below members.size() (verified >= 1)
            while (Decimal{static_cast<std::int64_t>(nth + 1)} < agg.n) ++nth;
            // The value a sort would put at `nth`, without sorting the rest.
            if (agg.kind == AggregateKind::bottom) std::nth_element(values.begin(), values.begin() + nth, values.end());
            else std::nth_element(values.begin(), values.begin() + nth, values.end(), std::greater<>{});
            boundary = values[nth];
        }
        const auto among = [&](std::size_t m) {
            return everyone || (agg.kind == AggregateKind::bottom ? value_of(m) <= *boundary : value_of(m) >= *boundary);
        };
        std::uint32_t selected = 0;
        for (std::size_t m = 0; m < members.size(); ++m)
            if (among(m)) ++selected;
        for (std::size_t m = 0; m < members.size(); ++m) {
            const bool in = among(m);
            AggregateValue out = valued(Value::of_yes_no(in));
            out.own = value_of(m);
            out.cutoff = boundary;
            out.selected = selected;
            units.put(members[m], index, std::move(out), in ? 1 : 0);
        }
        return;
    }
    }
}

// The aggregates of one stage (Aggregate::stage): stage 0 at BARRIER 0, stage 1 at BARRIER 1
// (over inputs stored in phase 2, e.g. the totals). The values of stage 0 stay when stage 1 is
// computed.
template <typename Units>
void compute_aggregates(const Program& p, Units& units, std::uint8_t stage) {
    units.begin_stage(stage);
    for (std::uint32_t a = 0; a < p.aggregates.size(); ++a)
        if (p.aggregates[a].stage == stage)
            for (const auto& scope : scopes(p.aggregates[a].scope, units)) compute_in_scope(p.aggregates[a], a, scope, units);
}

// Grades in one scope (opcodes.def, docs/bytecode.md "Grades"): vetoed units take their veto's
// grade and no quota place; the rest, from the highest graded score down, take the first band
// whose threshold they meet and whose quota has room. Units with equal scores are one group:
// if the group does not fit in a band's remaining places, none of it takes that band, and the
// band is then closed to every lower score too, so a lower score never gets a better grade.
template <typename Units>
void grade_scope(const Grading& g, const std::vector<std::size_t>& scope, Units& units) {
    const Decimal in_scope{static_cast<std::int64_t>(scope.size())};
    std::vector<Decimal> places(g.bands.size());  // quota places, floor(N × quota)
    for (std::size_t b = 0; b < g.bands.size(); ++b)
        if (g.bands[b].quota) places[b] = (in_scope * *g.bands[b].quota).round(0, Rounding::down);
    std::vector<std::int64_t> used(g.bands.size(), 0);
    std::vector<bool> closed(g.bands.size(), false);

    auto score = [&](std::size_t u) -> decltype(auto) { return units.graded(u); };
    std::vector<std::size_t> ranked;
    for (auto u : scope) {
        auto& grade = units.grade(u);
        if (grade.veto != no_index) grade.grade = g.vetoes[grade.veto].grade;
        else ranked.push_back(u);
    }
    std::sort(ranked.begin(), ranked.end(), [&](std::size_t x, std::size_t y) { return score(x) > score(y); });
    for (std::size_t first = 0; first < ranked.size();) {
        std::size_t last = first;
        while (last < ranked.size() && score(ranked[last]) == score(ranked[first])) ++last;
        const auto tied = static_cast<std::int64_t>(last - first);
        const Decimal& value = score(ranked[first]);
        GradeOutcome outcome;
        for (std::size_t b = 0; b < g.bands.size(); ++b) {
            const auto& band = g.bands[b];
            if (band.at_least && value < *band.at_least) continue;
            if (band.quota && (closed[b] || places[b] < Decimal{used[b] + tied})) {
                if (outcome.quota_missed == no_index) {
                    outcome.quota_missed = static_cast<std::uint32_t>(b);
                    outcome.quota_tie = !closed[b] && tied > 1 && places[b] > Decimal{used[b]};
                }
                closed[b] = true;
                continue;
            }
            used[b] += tied;
            outcome.grade = static_cast<std::uint32_t>(b);
            break;
        }
        for (std::size_t k = first; k < last; ++k) units.grade(ranked[k]) = outcome;
        first = last;
    }
}

template <typename Units>
void assign_grades(const Program& p, Units& units) {
    if (p.grading.choice_type == no_index) return;  // a BARRIER 1 without grades: nothing to assign
    for (const auto& scope : scopes(p.grading.scope, units)) grade_scope(p.grading, scope, units);
}

// Scoresheet::rank: competition rank by total among every unit of the run (a streamed run ranks
// by its kept totals the same way: PopulationRun::Stepper::sheet).
void rank_totals(std::vector<Scoresheet>& sheets) {
    std::vector<Decimal> totals;
    totals.reserve(sheets.size());
    for (const auto& s : sheets) totals.push_back(s.total());
    std::sort(totals.begin(), totals.end(), std::greater<>{});
    for (auto& s : sheets) s.rank = competition_rank(totals, s.total());
}

// Whether a BARRIER with this operand computes grades (with the stage-1 aggregates) or only the
// stage-0 aggregates.
bool grades_at(std::uint32_t barrier) { return barrier != 0; }

// After a round in which `at_barrier` of the units stopped at a barrier and the others halted:
// that barrier's population values. Shared by evaluate_all and PopulationRun.
template <typename Units>
PopulationRun::Next after_round(const Program& p, Units& units, std::size_t at_barrier, Diagnostics& diags) {
    if (at_barrier == 0) return PopulationRun::Next::done;
    if (at_barrier != units.size()) {
        diags.internal("units stopped at different phases: the program should not have passed verification");
        return PopulationRun::Next::failed;
    }
    if (!grades_at(units.barrier())) {
        compute_aggregates(p, units, 0);
    } else {
        compute_aggregates(p, units, 1);
        assign_grades(p, units);
    }
    return PopulationRun::Next::pass;
}

// The population as evaluate_all holds it: every unit's whole state.
class WholeStates {
public:
    WholeStates(const Program& p, std::vector<UnitState>& states) : p_(p), states_(states) {}
    std::size_t size() const { return states_.size(); }
    std::uint32_t barrier() const { return operand_of(p_.code[states_[0].pc - 1]); }
    std::string_view group(std::size_t u) const { return states_[u].sheet.group; }
    const Decimal& input_number(std::size_t u, std::uint32_t i) const { return states_[u].inputs[i].number; }
    bool input_yes(std::size_t u, std::uint32_t i) const { return states_[u].inputs[i].yes; }
    void begin_stage(std::uint8_t stage) {
        if (stage == 0)
            for (auto& s : states_) s.aggregates.assign(p_.aggregates.size(), AggregateValue{});
    }
    void put_scope(const std::vector<std::size_t>& scope, std::uint32_t a, const AggregateValue& v) {
        for (auto u : scope) states_[u].aggregates[a] = v;
    }
    void put(std::size_t u, std::uint32_t a, AggregateValue v, std::uint32_t /*code*/) {
        states_[u].aggregates[a] = std::move(v);
    }
    const Decimal& graded(std::size_t u) const { return states_[u].sheet.nodes[p_.grading.node].score; }
    GradeOutcome& grade(std::size_t u) { return states_[u].sheet.grade; }

private:
    const Program& p_;
    std::vector<UnitState>& states_;
};

// The finished states' score sheets, in order, with their ranks by total.
std::vector<Scoresheet> ranked_sheets(std::vector<UnitState>& states) {
    std::vector<Scoresheet> sheets;
    sheets.reserve(states.size());
    for (auto& s : states) sheets.push_back(std::move(s.sheet));
    rank_totals(sheets);
    return sheets;
}

template <bool Explaining>
std::optional<std::vector<Scoresheet>> run_all(const Program& p, const EvidenceSet& evidence, Diagnostics& diags) {
    const auto& units = evidence.units;
    Interpreter<Explaining> interp(p, diags);
    std::vector<UnitState> states(units.size());
    bool failed = false;
    for (std::size_t u = 0; u < units.size(); ++u)
        if (!interp.start(states[u], units[u])) failed = true;
    if (failed) return std::nullopt;

    // Each round runs every unit to its next barrier (or HALT). The verifier guarantees every
    // unit passes the same barriers, so after a round either all stopped at one barrier or all
    // halted; any error ends the run after the round, with every unit's errors reported.
    WholeStates population(p, states);
    for (;;) {
        std::size_t at_barrier = 0;
        for (std::size_t u = 0; u < units.size(); ++u) {
            switch (interp.run(states[u], units[u])) {
            case Stop::error: failed = true; break;
            case Stop::barrier: ++at_barrier; break;
            case Stop::halt: break;
            }
        }
        if (failed) return std::nullopt;
        switch (after_round(p, population, at_barrier, diags)) {
        case PopulationRun::Next::pass: continue;
        case PopulationRun::Next::failed: return std::nullopt;
        case PopulationRun::Next::done: break;
        }
        break;
    }
    return ranked_sheets(states);
}

template <bool Explaining>
std::optional<Scoresheet> run_one(const Program& p, const UnitEvidence& unit, Diagnostics& diags) {
    Interpreter<Explaining> interp(p, diags);
    UnitState state;
    if (!interp.start(state, unit)) return std::nullopt;
    switch (interp.run(state, unit)) {
    case Stop::halt: return std::move(state.sheet);
    case Stop::error: return std::nullopt;
    case Stop::barrier: break;
    }
    diags.internal(fmt::format("the scheme {} has population values or grades: unit '{}' cannot be evaluated alone "
                               "(evaluate_all evaluates a whole run)", p.info.source_name, unit.name));
    return std::nullopt;
}

// Makes a used UnitState ready for another unit without freeing its storage: what start()
// would give a fresh one, for the batch path.
void reset_for_next_unit(const Program& p, UnitState& s) {
    auto& sheet = s.sheet;
    // A rule that did not fire was not written (DEDUCT, AWARD and SCORE set `fired` with the
    // rest), so it still holds the defaults.
    for (auto& r : sheet.rules)
        if (r.fired) r.clear();
    for (auto& node : sheet.nodes) node.clear_scores();  // `full` stays: start() sets it, nothing changes it
    for (auto& m : sheet.money) m = MoneyOutcome{};
    sheet.flags.assign(p.flags.size(), false);
    sheet.trace.clear();
    sheet.rank = 0;
    sheet.grade = GradeOutcome{};
    s.pc = 0;
    s.rule = no_index;
}

}  // namespace

std::optional<Scoresheet> evaluate(const bc::Program& program, const UnitEvidence& unit, Explain explain,
                                   Diagnostics& diags) {
    if (explain == Explain::yes) return run_one<true>(program, unit, diags);
    return run_one<false>(program, unit, diags);
}

std::optional<std::vector<Scoresheet>> evaluate_all(const bc::Program& program, const EvidenceSet& evidence,
                                                    Explain explain, Diagnostics& diags) {
    if (explain == Explain::yes) return run_all<true>(program, evidence, diags);
    return run_all<false>(program, evidence, diags);
}

bool has_population_phase(const bc::Program& program) {
    return std::any_of(program.code.begin(), program.code.end(),
                       [](bc::Word w) { return bc::opcode_of(w) == bc::Op::BARRIER; });
}

struct BatchEvaluator::Impl {
    const Program& program;
    Diagnostics local;  // the interpreter reports here; moved to the caller's after each unit
    Interpreter<false> interp;
    UnitState state;
    bool started = false;

    explicit Impl(const Program& p) : program(p), interp(p, local) {}
};

BatchEvaluator::BatchEvaluator(const bc::Program& program) : impl_(std::make_unique<Impl>(program)) {}
BatchEvaluator::~BatchEvaluator() = default;

const Scoresheet* BatchEvaluator::evaluate(const UnitEvidence& unit, Diagnostics& diags) {
    Impl& m = *impl_;
    if (m.started) reset_for_next_unit(m.program, m.state);
    m.started = true;
    bool ok = m.interp.start(m.state, unit);
    if (ok) {
        switch (m.interp.run(m.state, unit)) {
        case Stop::halt: break;
        case Stop::error: ok = false; break;
        case Stop::barrier:
            m.local.internal(fmt::format("the scheme {} has population values or grades: unit '{}' cannot be "
                                         "evaluated alone (evaluate_all evaluates a whole run)",
                                         m.program.info.source_name, unit.name));
            ok = false;
            break;
        }
    }
    if (!m.local.all().empty()) {
        for (const auto& d : m.local.all()) diags.add(d);
        m.local = Diagnostics{};
    }
    return ok ? &m.state.sheet : nullptr;
}

// ---- PopulationRun ------------------------------------------------------------------------------

namespace {

// Which of a unit's values a streamed run keeps, computed once from the program.
struct Keep {
    // The population inputs the aggregates computed at one barrier read: numbers (`value`) and
    // yes/no (`where`), each a column of a unit's row.
    struct Columns {
        std::vector<std::uint32_t> numbers, yes;       // input index of each column
        std::vector<std::uint32_t> number_at, yes_at;  // per input: its column, or no_index
    };
    std::vector<std::uint32_t> barriers;  // the BARRIER operands, in the order every unit passes them
    std::vector<Columns> columns;         // per barrier
    bool groups = false;                  // an aggregate or the grading is per group
    bool grading = false;

    explicit Keep(const Program& p) {
        for (Word w : p.code)
            if (opcode_of(w) == Op::BARRIER) barriers.push_back(operand_of(w));
        // The verifier allows each operand once, BARRIER 0 before BARRIER 1.
        std::sort(barriers.begin(), barriers.end());
        grading = p.grading.choice_type != no_index;
        groups = grading && p.grading.scope == Scope::group;
        for (std::uint32_t barrier : barriers) {
            Columns c;
            c.number_at.assign(p.population_inputs.size(), no_index);
            c.yes_at.assign(p.population_inputs.size(), no_index);
            const auto add = [](std::uint32_t input, std::vector<std::uint32_t>& at, std::vector<std::uint32_t>& inputs) {
                if (input == no_index || at[input] != no_index) return;
                at[input] = static_cast<std::uint32_t>(inputs.size());
                inputs.push_back(input);
            };
            for (const Aggregate& agg : p.aggregates) {
                if (agg.stage != (grades_at(barrier) ? 1 : 0)) continue;
                add(agg.value, c.number_at, c.numbers);
                add(agg.where, c.yes_at, c.yes);
                if (agg.scope == Scope::group) groups = true;
            }
            columns.push_back(std::move(c));
        }
    }
};

// Decimals kept per unit, 16 bytes each instead of a Decimal's 32: the small form's numerator and
// denominator, or (denominator 0) the index of a value without a small form kept whole on the
// side. Different threads set different elements at once: the side is added to under a lock, and
// read only when nothing is set.
class PackedDecimals {
public:
    std::size_t size() const { return packed_.size(); }
    bool empty() const { return packed_.empty(); }
    void resize(std::size_t n) { packed_.resize(n); }
    void shrink_to_fit() { packed_.shrink_to_fit(); }
    void set(std::size_t i, const Decimal& d) {
        Packed& p = packed_[i];
        if (d.small_parts(p.num, p.den)) return;
        const std::lock_guard lock(*side_mutex_);
        p.num = static_cast<std::int64_t>(side_.size());
        p.den = 0;
        side_.push_back(d);
    }
    Decimal operator[](std::size_t i) const { return value(packed_[i]); }
    void sort_descending() {
        std::sort(packed_.begin(), packed_.end(), [&](const Packed& a, const Packed& b) { return value(a) > value(b); });
    }
    std::size_t bytes() const { return packed_.capacity() * sizeof(Packed) + side_.capacity() * sizeof(Decimal); }

private:
    struct Packed {
        std::int64_t num = 0, den = 1;
    };
    Decimal value(const Packed& p) const {
        return p.den != 0 ? Decimal::from_small_parts(p.num, p.den) : side_[static_cast<std::size_t>(p.num)];
    }
    std::vector<Packed> packed_;
    std::vector<Decimal> side_;
    std::unique_ptr<std::mutex> side_mutex_ = std::make_unique<std::mutex>();
};

// What a pass keeps of each unit where it stops at barrier `barrier`: the inputs that
// barrier's aggregates read and, where it grades, the graded score and the veto (in `grades`).
// One row per unit, in unit order.
struct Stopped {
    PackedDecimals numbers;
    std::vector<std::uint8_t> yes;
    PackedDecimals graded;
    std::vector<GradeOutcome> grades;

    void resize(std::size_t units, const Keep& keep, std::size_t barrier) {
        const Keep::Columns& c = keep.columns[barrier];
        numbers.resize(units * c.numbers.size());
        yes.resize(units * c.yes.size());
        if (keep.grading && grades_at(keep.barriers[barrier])) {
            graded.resize(units);
            grades.resize(units);
        }
    }
    // Unit `u`'s row, from its state stopped at the barrier.
    void record(std::size_t u, const Program& p, const Keep& keep, std::size_t barrier, const UnitState& s) {
        const Keep::Columns& c = keep.columns[barrier];
        for (std::size_t k = 0; k < c.numbers.size(); ++k) numbers.set(u * c.numbers.size() + k, s.inputs[c.numbers[k]].number);
        for (std::size_t k = 0; k < c.yes.size(); ++k) yes[u * c.yes.size() + k] = s.inputs[c.yes[k]].yes ? 1 : 0;
        if (!graded.empty()) {
            graded.set(u, s.sheet.nodes[p.grading.node].score);
            grades[u] = s.sheet.grade;
        }
    }
    void shrink_to_fit() {
        numbers.shrink_to_fit();
        yes.shrink_to_fit();
        graded.shrink_to_fit();
        grades.shrink_to_fit();
    }
    std::size_t bytes() const {
        return numbers.bytes() + yes.capacity() + graded.bytes() + grades.capacity() * sizeof(GradeOutcome);
    }
};

// Group names interned to small numbers, in order of first appearance.
struct GroupNames {
    std::vector<std::string> names;
    std::map<std::string, std::uint32_t, std::less<>> ids;
    std::uint32_t id(std::string_view name) {
        auto it = ids.find(name);
        if (it != ids.end()) return it->second;
        const auto id = static_cast<std::uint32_t>(names.size());
        names.emplace_back(name);
        ids.emplace(names.back(), id);
        return id;
    }
    std::size_t bytes() const {
        std::size_t b = names.capacity() * sizeof(std::string);
        // Each name twice (the vector's, the map's key), with a map node's links and colour.
        for (const auto& n : names) b += 2 * (n.capacity() > 15 ? n.capacity() + 1 : 0) + sizeof(std::string) + 40;
        return b;
    }
};

bool per_unit(AggregateKind kind) {
    return kind == AggregateKind::rank || kind == AggregateKind::bottom || kind == AggregateKind::top;
}

}  // namespace

// The population as a streamed run keeps it: the accessor the population computations work
// through (see "the population" above), holding per unit only a group number, the current
// barrier's inputs, its rank and bottom/top values, its grade, and at the end its total.
struct PopulationRun::Impl {
    const Program& program;
    Keep keep;
    std::size_t units_ = 0;
    std::size_t computed = 0;                 // barriers whose values are computed: pass computed + 1 runs
    GroupNames groups;
    std::vector<std::uint32_t> group_of;      // per unit, when keep.groups
    // The running pass's barrier's inputs: in pass 1 each chunk's rows as its Batch made them
    // (never moved into one vector: grown by doubling it would hold up to twice the rows, three
    // times while it moved), in later passes one part allocated once for every unit.
    std::vector<Stopped> stopped;
    std::vector<std::size_t> stopped_first;   // the first unit of each part
    std::vector<std::vector<AggregateValue>> scope_values;  // per aggregate: per scope (1, or per group)
    std::vector<std::vector<std::uint32_t>> codes;          // per rank/bottom/top aggregate: per unit
    std::vector<GradeOutcome> grades;         // per unit, once graded
    PackedDecimals totals;                    // the last pass's totals; at done, highest first
    std::size_t peak = 0;

    explicit Impl(const Program& p)
        : program(p), keep(p), scope_values(p.aggregates.size()), codes(p.aggregates.size()) {}

    bool totals_pass() const { return computed == keep.barriers.size(); }

    // ---- the accessor
    std::size_t size() const { return units_; }
    std::uint32_t barrier() const { return keep.barriers[computed]; }
    std::uint32_t group(std::size_t u) const { return group_of[u]; }
    Decimal input_number(std::size_t u, std::uint32_t i) const {
        const auto& c = keep.columns[computed];
        const auto [part, row] = rows_of(u);
        return part.numbers[row * c.numbers.size() + c.number_at[i]];
    }
    bool input_yes(std::size_t u, std::uint32_t i) const {
        const auto& c = keep.columns[computed];
        const auto [part, row] = rows_of(u);
        return part.yes[row * c.yes.size() + c.yes_at[i]] != 0;
    }
    void begin_stage(std::uint8_t stage) {
        for (std::size_t a = 0; a < program.aggregates.size(); ++a) {
            const Aggregate& agg = program.aggregates[a];
            if (agg.stage != stage) continue;
            scope_values[a].assign(agg.scope == Scope::group ? groups.names.size() : 1, AggregateValue{});
            if (per_unit(agg.kind)) codes[a].assign(units_, 0);
        }
    }
    std::size_t scope_of(std::size_t u, std::uint32_t a) const {
        return program.aggregates[a].scope == Scope::group ? group_of[u] : 0;
    }
    void put_scope(const std::vector<std::size_t>& scope, std::uint32_t a, const AggregateValue& v) {
        if (scope.empty()) return;
        scope_values[a][scope_of(scope.front(), a)] = v;
        if (per_unit(program.aggregates[a].kind))
            for (auto u : scope) codes[a][u] = 0;
    }
    void put(std::size_t u, std::uint32_t a, const AggregateValue&, std::uint32_t code) { codes[a][u] = code; }
    Decimal graded(std::size_t u) const {
        const auto [part, row] = rows_of(u);
        return part.graded[row];
    }
    GradeOutcome& grade(std::size_t u) {
        const auto [part, row] = rows_of(u);
        return const_cast<Stopped&>(part).grades[row];  // the part is this run's own
    }
    // The part holding unit u's row, and the row's place in it.
    std::pair<const Stopped&, std::size_t> rows_of(std::size_t u) const {
        if (stopped.size() == 1) return {stopped[0], u};
        const auto k = static_cast<std::size_t>(std::upper_bound(stopped_first.begin(), stopped_first.end(), u) -
                                                stopped_first.begin() - 1);
        return {stopped[k], u - stopped_first[k]};
    }

    // Unit u's value of aggregate a, as compute_in_scope gave it (without what only
    // explanations read: a streamed run explains nothing).
    AggregateValue value(std::size_t u, std::uint32_t a) const {
        AggregateValue v = scope_values[a][scope_of(u, a)];
        switch (program.aggregates[a].kind) {
        case AggregateKind::rank:
            if (codes[a][u] != 0) {
                v.value = Value::of_number(Decimal{codes[a][u]});
                v.defined = true;
            }
            break;
        case AggregateKind::bottom:
        case AggregateKind::top: v.value = Value::of_yes_no(codes[a][u] != 0); break;
        default: break;
        }
        return v;
    }

    // Unit u's values of the BARRIER `barrier` just passed, into its state: what after_round
    // gave every unit's state there in evaluate_all.
    void install(std::size_t u, std::uint32_t barrier, UnitState& s) const {
        const std::uint8_t stage = grades_at(barrier) ? 1 : 0;
        if (stage == 0) s.aggregates.assign(program.aggregates.size(), AggregateValue{});
        for (std::uint32_t a = 0; a < program.aggregates.size(); ++a)
            if (program.aggregates[a].stage == stage) s.aggregates[a] = value(u, a);
        if (stage == 1 && keep.grading) s.sheet.grade = grades[u];
    }

    std::size_t bytes() const {
        std::size_t b = group_of.capacity() * sizeof(std::uint32_t) + groups.bytes() +
                        stopped.capacity() * sizeof(Stopped) + stopped_first.capacity() * sizeof(std::size_t) +
                        grades.capacity() * sizeof(GradeOutcome) + totals.bytes();
        for (const auto& s : scope_values) b += s.capacity() * sizeof(AggregateValue);
        for (const auto& c : codes) b += c.capacity() * sizeof(std::uint32_t);
        for (const auto& part : stopped) b += part.bytes();
        return b;
    }
    void note_peak() { peak = std::max(peak, bytes()); }
};

struct PopulationRun::Batch::Impl {
    std::size_t units = 0;
    GroupNames groups;
    std::vector<std::uint32_t> group_of;  // into `groups`, remapped into the run's on append
    Stopped stopped;
};

PopulationRun::Batch::Batch() : impl_(std::make_unique<Impl>()) {}
PopulationRun::Batch::~Batch() = default;
PopulationRun::Batch::Batch(Batch&&) noexcept = default;
PopulationRun::Batch& PopulationRun::Batch::operator=(Batch&&) noexcept = default;
std::size_t PopulationRun::Batch::size() const { return impl_->units; }

struct PopulationRun::Stepper::Impl {
    const Program& program;
    Keep keep;
    Diagnostics local;  // the interpreter reports here; moved to the caller's after each unit
    Interpreter<false> interp;
    UnitState state;
    bool started = false;
    explicit Impl(const Program& p) : program(p), keep(p), interp(p, local) {}

    // Runs `unit` from the start on the reused state, through `barriers` barriers (installing
    // unit `index`'s values of `run` at each), to the next barrier or to HALT.
    Stop replay(const PopulationRun::Impl* run, std::size_t index, const UnitEvidence& unit, std::size_t barriers) {
        if (started) reset_for_next_unit(program, state);
        started = true;
        if (!interp.start(state, unit)) return Stop::error;
        for (std::size_t passed = 0;; ++passed) {
            const Stop stop = interp.run(state, unit);
            if (stop != Stop::barrier || passed == barriers) return stop;
            run->install(index, operand_of(program.code[state.pc - 1]), state);
        }
    }
    Step report(Stop stop, Diagnostics& diags) {
        if (!local.all().empty()) {
            for (const auto& d : local.all()) diags.add(d);
            local = Diagnostics{};
        }
        switch (stop) {
        case Stop::halt: return Step::halt;
        case Stop::barrier: return Step::barrier;
        case Stop::error: break;
        }
        return Step::error;
    }
};

PopulationRun::Stepper::Stepper(const bc::Program& program) : impl_(std::make_unique<Impl>(program)) {}
PopulationRun::Stepper::~Stepper() = default;

PopulationRun::Step PopulationRun::Stepper::first(Batch& batch, const UnitEvidence& unit, Diagnostics& diags) {
    Impl& m = *impl_;
    auto& b = *batch.impl_;
    const std::size_t u = b.units++;  // a row for every unit, so later passes find each by its place
    if (m.keep.groups) b.group_of.push_back(b.groups.id(unit.group));
    b.stopped.resize(b.units, m.keep, 0);
    const Stop stop = m.replay(nullptr, 0, unit, 0);
    if (stop == Stop::barrier) b.stopped.record(u, m.program, m.keep, 0, m.state);
    return m.report(stop, diags);
}

PopulationRun::Step PopulationRun::Stepper::replay(PopulationRun& run, std::size_t index, const UnitEvidence& unit,
                                                   Diagnostics& diags) {
    Impl& m = *impl_;
    PopulationRun::Impl& r = *run.impl_;
    const Stop stop = m.replay(&r, index, unit, r.computed);
    if (stop == Stop::barrier && !r.totals_pass()) r.stopped[0].record(index, m.program, r.keep, r.computed, m.state);
    if (stop == Stop::halt && r.totals_pass()) r.totals.set(index, m.state.sheet.total());
    return m.report(stop, diags);
}

const Scoresheet* PopulationRun::Stepper::sheet(const PopulationRun& run, std::size_t index, const UnitEvidence& unit,
                                                Diagnostics& diags) {
    Impl& m = *impl_;
    const PopulationRun::Impl& r = *run.impl_;
    Stop stop = m.replay(&r, index, unit, r.keep.barriers.size());
    if (stop == Stop::barrier) {
        m.local.internal(fmt::format("unit '{}' stopped at a barrier after its last one", unit.name));
        stop = Stop::error;
    }
    if (m.report(stop, diags) != Step::halt) return nullptr;
    m.state.sheet.rank = competition_rank(r.totals, m.state.sheet.total());
    return &m.state.sheet;
}

PopulationRun::PopulationRun(const bc::Program& program) : impl_(std::make_unique<Impl>(program)) {}
PopulationRun::~PopulationRun() = default;

void PopulationRun::append(Batch& batch) {
    Impl& r = *impl_;
    auto& b = *batch.impl_;
    for (std::uint32_t g : b.group_of) r.group_of.push_back(r.groups.id(b.groups.names[g]));
    r.stopped_first.push_back(r.units_);
    b.stopped.shrink_to_fit();  // a chunk's rows, grown one by one
    r.stopped.push_back(std::move(b.stopped));
    r.units_ += b.units;
    r.note_peak();
    b = Batch::Impl{};
}

std::size_t PopulationRun::units() const { return impl_->units_; }

PopulationRun::Next PopulationRun::end_pass(std::size_t at_barrier, Diagnostics& diags) {
    Impl& r = *impl_;
    r.note_peak();
    if (r.totals_pass()) {  // every unit ran to its end: the ranks by total
        if (at_barrier != 0) {
            diags.internal("units stopped at a barrier after the last one: the program should not have passed verification");
            return Next::failed;
        }
        r.totals.sort_descending();
        return Next::done;
    }
    const Next next = after_round(r.program, r, at_barrier, diags);
    if (next == Next::done && r.units_ != 0) {
        diags.internal("units halted before a barrier: the program should not have passed verification");
        return Next::failed;
    }
    if (next != Next::pass) return next;
    // This barrier's inputs have been read; its grades are kept. The next pass keeps the next
    // barrier's inputs, or the totals.
    if (r.stopped.size() == 1) {
        r.grades = std::move(r.stopped[0].grades);
    } else if (!r.stopped.empty() && !r.stopped[0].grades.empty()) {  // graded at the first barrier
        r.grades.reserve(r.units_);
        for (std::size_t u = 0; u < r.units_; ++u) r.grades.push_back(r.grade(u));
    }
    std::vector<Stopped>().swap(r.stopped);
    std::vector<std::size_t>().swap(r.stopped_first);
    r.group_of.shrink_to_fit();
    ++r.computed;
    if (r.totals_pass()) r.totals.resize(r.units_);
    else {
        r.stopped.emplace_back().resize(r.units_, r.keep, r.computed);
        r.stopped_first.push_back(0);
    }
    r.note_peak();
    return Next::pass;
}

std::size_t PopulationRun::retained_bytes() const { return impl_->peak; }

}  // namespace kaohe
