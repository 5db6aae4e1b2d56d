#include "runtime/vm_code.hpp"

#include <algorithm>
#include <initializer_list>
#include <optional>

namespace kaohe::vm {

// From the operand kinds opcodes.def declares: a `forward` operand jumps ahead, a `back` one back.
std::optional<std::size_t> jump_target(bc::Word w, std::size_t pc) {
    const std::uint32_t a = bc::operand_of(w);
    switch (bc::op_info(bc::opcode_of(w)).operand) {
    case bc::OperandKind::forward: return pc + 1 + a;  // ITER_NEXT's: where its loop's exit goes
    case bc::OperandKind::back: return pc - a;
    default: return std::nullopt;
    }
}

namespace {

using bc::Op;

class Lowering {
public:
    Lowering(const bc::Program& p, Fuse fuse) : code_(p.code), fuse_(fuse == Fuse::yes), landed_(code_.size() + 1) {
        for (std::size_t pc = 0; pc < code_.size(); ++pc)
            if (auto t = jump_target(code_[pc], pc)) landed_[*t] = true;
    }

    Code run() {
        out_.at.assign(code_.size() + 1, 0);
        for (std::size_t pc = 0; pc < code_.size();) pc += lower_at(pc);
        out_.at[code_.size()] = static_cast<std::uint32_t>(out_.instrs.size());
        out_.instrs.push_back(Instr{Xop::HALT, 0, 0, 0, static_cast<std::uint32_t>(code_.size())});
        for (auto& in : out_.instrs)  // original target pcs to instruction indices
            if (is_jump(in.op)) in.target = out_.at[in.target];
        return std::move(out_);
    }

private:
    const std::vector<bc::Word>& code_;
    bool fuse_;
    std::vector<bool> landed_;  // some jump lands on this pc
    Code out_;

    Op op(std::size_t pc) const { return bc::opcode_of(code_[pc]); }
    std::uint32_t operand(std::size_t pc) const { return bc::operand_of(code_[pc]); }

    // The original jumps (by their declared operand kinds) and the fused ones.
    static bool is_jump(Xop op) {
        if (static_cast<std::size_t>(op) < bc::op_count) {
            const auto kind = bc::op_info(static_cast<Op>(op)).operand;
            return kind == bc::OperandKind::forward || kind == bc::OperandKind::back;
        }
        return op == Xop::JUMP_IF_SLOT_YES || op == Xop::JUMP_IF_SLOT_NO || op == Xop::JUMP_UNLESS_SLOT_IS;
    }

    // The code at pc is `ops`, and no jump lands after its first instruction.
    bool is(std::size_t pc, std::initializer_list<Op> ops) const {
        if (pc + ops.size() > code_.size()) return false;
        std::size_t k = 0;
        for (Op o : ops) {
            if (op(pc + k) != o || (k > 0 && landed_[pc + k])) return false;
            ++k;
        }
        return true;
    }

    void emit(Xop xop, std::uint32_t a, std::uint32_t b, std::size_t target, std::size_t reports_as) {
        out_.instrs.push_back(Instr{xop, a, b, static_cast<std::uint32_t>(target), static_cast<std::uint32_t>(reports_as)});
    }

    // Lowers the instruction (or fused sequence) at pc; returns how many original ones it took.
    std::size_t lower_at(std::size_t pc) {
        const auto here = static_cast<std::uint32_t>(out_.instrs.size());
        const std::size_t taken = fuse_ ? fuse(pc) : 0;
        if (taken == 0) {
            const Op o = op(pc);
            if (fuse_ && o == Op::RULE) {  // a no-op without explanations: jumps to it go on to what follows
                out_.at[pc] = here;
                return 1;
            }
            emit(static_cast<Xop>(o), operand(pc), 0, jump_target(code_[pc], pc).value_or(0), pc);
        }
        for (std::size_t k = 0; k < std::max<std::size_t>(taken, 1); ++k) out_.at[pc + k] = here;
        return std::max<std::size_t>(taken, 1);
    }

    // Emits the fused instruction for the sequence at pc, if there is one; returns its length or 0.
    std::size_t fuse(std::size_t pc) {
        const std::uint32_t a = operand(pc);
        const auto jump_after = [&](std::size_t jif) { return jif + 1 + operand(jif); };
        if (is(pc, {Op::LOAD, Op::NOT, Op::JUMP_IF_FALSE})) {
            emit(Xop::JUMP_IF_SLOT_YES, a, 0, jump_after(pc + 2), pc);
            return 3;
        }
        if (is(pc, {Op::LOAD, Op::IS, Op::JUMP_IF_FALSE})) {
            emit(Xop::JUMP_UNLESS_SLOT_IS, a, operand(pc + 1), jump_after(pc + 2), pc);
            return 3;
        }
        if (is(pc, {Op::LOAD, Op::JUMP_IF_FALSE})) {
            emit(Xop::JUMP_IF_SLOT_NO, a, 0, jump_after(pc + 1), pc);
            return 2;
        }
        if (is(pc, {Op::LOAD, Op::NOT, Op::TO_NUM, Op::ADD})) {
            emit(Xop::ADD_SLOT_NO, a, 0, 0, pc + 3);
            return 4;
        }
        if (is(pc, {Op::LOAD, Op::TO_NUM, Op::ADD})) {
            emit(Xop::ADD_SLOT_YES, a, 0, 0, pc + 2);
            return 3;
        }
        // Two-instruction sequences: the fused one reports as the second (its line, its trace).
        struct Pair {
            Op first, second;
            Xop fused;
            bool rule_second;  // the second's operand is `a` (a rule), the first's `b`
        };
        static constexpr Pair pairs[] = {
            {Op::CONST, Op::DEDUCT, Xop::DEDUCT_CONST, true}, {Op::CONST, Op::AWARD, Xop::AWARD_CONST, true},
            {Op::LOAD, Op::SCORE, Xop::SCORE_SLOT, true},     {Op::LOAD, Op::ADD, Xop::ADD_SLOT, false},
            {Op::LOAD, Op::SUB, Xop::SUB_SLOT, false},        {Op::LOAD, Op::MUL, Xop::MUL_SLOT, false},
            {Op::CONST, Op::ADD, Xop::ADD_CONST, false},      {Op::FIELD, Op::ADD, Xop::ADD_FIELD, false},
        };
        for (const Pair& p : pairs)
            if (is(pc, {p.first, p.second})) {
                if (p.rule_second) emit(p.fused, operand(pc + 1), a, 0, pc + 1);
                else emit(p.fused, a, 0, 0, pc + 1);
                return 2;
            }
        return 0;
    }
};

}  // namespace

Code lower(const bc::Program& program, Fuse fuse) { return Lowering(program, fuse).run(); }

}  // namespace kaohe::vm
