// The VM: one pass over a verified Program's code per unit.
//
// The interpreter is a template on whether it explains. Run<false> contains no trace code at
// all (every trace statement sits under `if constexpr`), so the batch path pays nothing for
// explanations: the value stack is allocated once per unit, and nothing is allocated per
// instruction beyond what exact arithmetic itself needs (never, for small numbers).
//
// The verifier has already proved every operand in range, every value of the right kind, the
// stack within its bound and every path ending at HALT; the VM relies on it and does not check
// again. The only errors left are in the data: division by zero and a negative amount.
#include "runtime/vm.hpp"

#include "runtime/verify.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace kaohe {
namespace {

using namespace bc;

// One open loop over a list.
struct Loop {
    const List* list = nullptr;
    std::size_t next = 0;     // the record ITER_NEXT produces next
    std::size_t current = 0;  // the record FIELD reads
    std::uint32_t slot = no_index;  // explanations only: the evidence slot the list came from
};

template <bool Explaining>
class Run {
public:
    Run(const Program& p, const UnitEvidence& unit, Diagnostics& diags) : p_(p), unit_(unit), diags_(diags) {}

    std::optional<Scoresheet> operator()() {
        if (unit_.values.size() != p_.evidence.size()) {
            diags_.internal(fmt::format("unit '{}' has {} evidence values, the program has {} slots", unit_.name,
                                        unit_.values.size(), p_.evidence.size()));
            return std::nullopt;
        }
        sheet_.unit = unit_.name;
        sheet_.group = unit_.group;
        sheet_.file = unit_.file;
        sheet_.rules.resize(p_.rules.size());
        sheet_.nodes.resize(p_.nodes.size());
        for (std::size_t n = 0; n < p_.nodes.size(); ++n) sheet_.nodes[n].full = p_.nodes[n].full;
        // Each instruction pushes at most one value and loops keep the depth fixed, so the
        // code's length bounds the depth as well as the verifier's limit does.
        stack_.resize(std::min(p_.code.size(), max_stack_depth) + 1);
        if (!execute()) return std::nullopt;
        return std::move(sheet_);
    }

private:
    const Program& p_;
    const UnitEvidence& unit_;
    Diagnostics& diags_;
    Scoresheet sheet_;
    std::vector<Value> stack_;
    std::size_t sp_ = 0;
    std::array<Loop, max_loop_depth> loops_{};
    std::size_t open_loops_ = 0;
    std::uint32_t rule_ = no_index;  // explanations only: the rule being evaluated

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
    void set_number(Value& v, Decimal d) {
        v.tag = Value::Tag::number;
        v.number = std::move(d);
    }

    void error(std::uint32_t line, std::string message) {
        diags_.error(p_.info.source_name, Span{SourcePos{line, 1}}, std::move(message));
    }

    void trace_read(std::uint32_t slot, std::uint32_t record, std::uint32_t field, const Value& value) {
        TraceEvent e;
        e.kind = TraceEvent::Kind::read;
        e.rule = rule_;
        e.slot = slot;
        e.record = record;
        e.field = field;
        e.value = value;
        sheet_.trace.push_back(std::move(e));
    }
    void trace_arithmetic(Op op, const Decimal& lhs, const Decimal& rhs, const Decimal& result) {
        TraceEvent e;
        e.kind = TraceEvent::Kind::arithmetic;
        e.rule = rule_;
        e.op = op;
        e.lhs = lhs;
        e.rhs = rhs;
        e.result = result;
        sheet_.trace.push_back(std::move(e));
    }

    // The evidence slot a list being iterated came from: a slot's own list, or a list nested in
    // a record of the loop around it (then that loop's slot). Explanations only.
    std::uint32_t slot_of(const List* list) const {
        for (std::size_t s = 0; s < unit_.values.size(); ++s)
            if (unit_.values[s].tag == Value::Tag::list && unit_.values[s].list.get() == list)
                return static_cast<std::uint32_t>(s);
        return open_loops_ ? loops_[open_loops_ - 1].slot : no_index;
    }

    // Pops the right operand, applies `f` to the left one in place; traces when explaining.
    template <typename F>
    void arithmetic(Op op, F f) {
        const Decimal& rhs = stack_[--sp_].number;
        Decimal& lhs = top().number;
        if constexpr (Explaining) {
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
        case Value::Tag::list: break;  // the verifier allows neither
        }
        return false;
    }

    // DEDUCT/AWARD: the rule fires with the popped amount, bounded by its cap.
    bool apply(std::uint32_t r, RuleKind kind, std::size_t pc) {
        Decimal amount = stack_[--sp_].number;
        const auto& rule = p_.rules[r];
        if (amount.is_negative()) {
            error(rule.line ? rule.line : p_.lines[pc],
                  fmt::format("rule at line {} produced a negative {} {} for unit '{}'", rule.line,
                              kind == RuleKind::deduct ? "deduction" : "award", amount.to_string(), unit_.name));
            return false;
        }
        auto& out = sheet_.rules[r];
        out.fired = true;
        out.applied = rule.cap && *rule.cap < amount ? *rule.cap : amount;
        out.capped = out.applied < amount;
        out.amount = std::move(amount);
        auto& node = sheet_.nodes[rule.node];
        (kind == RuleKind::deduct ? node.deducted : node.awarded) += out.applied;
        return true;
    }

    // NODE: until now `score` has accumulated the children's scores; this replaces it with the
    // node's own, kept within [0, full], and passes it up to the parent.
    void finalise(std::uint32_t n) {
        const auto& info = p_.nodes[n];
        auto& out = sheet_.nodes[n];
        Decimal base = info.has_children ? out.score + info.held : info.bonus ? Decimal{} : info.full;
        Decimal raw = base - out.deducted + out.awarded;
        out.floored = raw.is_negative();
        out.capped = raw > info.full;
        out.score = out.floored ? Decimal{} : out.capped ? info.full : std::move(raw);
        if (info.parent != no_index) sheet_.nodes[info.parent].score += out.score;
    }

    bool execute() {
        const Word* code = p_.code.data();
        std::size_t pc = 0;
        for (;;) {
            const Word w = code[pc];
            const std::uint32_t a = operand_of(w);
            switch (opcode_of(w)) {
            case Op::CONST: push_number(p_.constants[a]); break;
            case Op::BOOL: push_yes_no(a != 0); break;
            case Op::LOAD: {
                const Value& v = unit_.values[a];
                push() = v;
                if constexpr (Explaining) trace_read(a, no_index, no_index, v);
                break;
            }
            case Op::FIELD: {
                const Loop& loop = loops_[open_loops_ - 1 - (a >> 16)];
                const std::uint32_t field = a & 0xffffu;
                const Value& v = (*loop.list)[loop.current][field];
                push() = v;
                if constexpr (Explaining) trace_read(loop.slot, static_cast<std::uint32_t>(loop.current), field, v);
                break;
            }
            case Op::POP: --sp_; break;
            case Op::ADD: arithmetic(Op::ADD, [](const Decimal& x, const Decimal& y) { return x + y; }); break;
            case Op::SUB: arithmetic(Op::SUB, [](const Decimal& x, const Decimal& y) { return x - y; }); break;
            case Op::MUL: arithmetic(Op::MUL, [](const Decimal& x, const Decimal& y) { return x * y; }); break;
            case Op::DIV:
                if (stack_[sp_ - 1].number.is_zero()) {
                    error(p_.lines[pc], fmt::format("division by zero at line {} for unit '{}'", p_.lines[pc], unit_.name));
                    return false;
                }
                arithmetic(Op::DIV, [](const Decimal& x, const Decimal& y) { return x / y; });
                break;
            case Op::NEG: top().number = -top().number; break;
            case Op::MIN: arithmetic(Op::MIN, [](const Decimal& x, const Decimal& y) { return Decimal::min(x, y); }); break;
            case Op::MAX: arithmetic(Op::MAX, [](const Decimal& x, const Decimal& y) { return Decimal::max(x, y); }); break;
            case Op::EQ: {
                const Value& rhs = stack_[--sp_];
                set_yes_no(top(), equal(top(), rhs));
                break;
            }
            case Op::NE: {
                const Value& rhs = stack_[--sp_];
                set_yes_no(top(), !equal(top(), rhs));
                break;
            }
            case Op::LT: compare([](const Decimal& x, const Decimal& y) { return x < y; }); break;
            case Op::LE: compare([](const Decimal& x, const Decimal& y) { return x <= y; }); break;
            case Op::GT: compare([](const Decimal& x, const Decimal& y) { return x > y; }); break;
            case Op::GE: compare([](const Decimal& x, const Decimal& y) { return x >= y; }); break;
            case Op::NOT: top().yes = !top().yes; break;
            case Op::TO_NUM: set_number(top(), top().yes ? Decimal{1} : Decimal{}); break;
            case Op::IS: set_yes_no(top(), top().choice == a); break;
            case Op::TABLE: set_number(top(), p_.tables[a].values[top().choice]); break;
            case Op::ROUND:
                top().number = top().number.round(a & 0xffu, static_cast<Rounding>((a >> 8) & 0xffu));
                break;
            case Op::JUMP: pc += a; break;
            case Op::JUMP_IF_FALSE:
                if (!stack_[--sp_].yes) pc += a;
                break;
            case Op::AND_JUMP:
                if (!top().yes) pc += a;
                else --sp_;
                break;
            case Op::OR_JUMP:
                if (top().yes) pc += a;
                else --sp_;
                break;
            case Op::ITER_BEGIN: {
                const List* list = stack_[--sp_].list.get();
                Loop loop{list, 0, 0, no_index};
                if constexpr (Explaining) loop.slot = slot_of(list);
                loops_[open_loops_++] = loop;
                break;
            }
            case Op::ITER_NEXT: {
                Loop& loop = loops_[open_loops_ - 1];
                if (loop.next < loop.list->size()) {
                    loop.current = loop.next++;
                } else {
                    --open_loops_;
                    pc += a;
                }
                break;
            }
            case Op::LOOP: pc -= a; continue;  // lands on the ITER_NEXT itself
            case Op::RULE:
                if constexpr (Explaining) rule_ = a;
                break;
            case Op::DEDUCT:
                if (!apply(a, RuleKind::deduct, pc)) return false;
                break;
            case Op::AWARD:
                if (!apply(a, RuleKind::award, pc)) return false;
                break;
            case Op::NODE: finalise(a); break;
            case Op::HALT: return true;
            }
            ++pc;
        }
    }
};

}  // namespace

std::optional<Scoresheet> evaluate(const bc::Program& program, const UnitEvidence& unit, Explain explain,
                                   Diagnostics& diags) {
    if (explain == Explain::yes) return Run<true>(program, unit, diags)();
    return Run<false>(program, unit, diags)();
}

}  // namespace kaohe
