// The form in which the VM runs a verified Program's code (runtime/vm.cpp): the same
// instructions with their jumps resolved to absolute indices, and, for runs without
// explanations, the no-op RULE markers dropped and the most common short sequences fused into
// one instruction each (docs/performance.md, "The interpreter's code").
//
// Nothing here is checked again or written to a .khc file: it is made from code the verifier has
// accepted, when an interpreter is made, and each fused instruction does exactly what its
// sequence did, through the same VM functions. Every instruction keeps the pc of the original
// instruction whose line an error reports (and, when explaining, whose trace it is), and `at`
// maps every original pc that execution can reach by a jump, a barrier or the start to its
// instruction, so a unit's resumable state (UnitState::pc) stays an original pc.
#pragma once

#include "compiler/program.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace kaohe::vm {

enum class Xop : std::uint8_t {
#define OPCODE(name, pops, pushes, operand, meaning) name,
#include "compiler/opcodes.def"
#undef OPCODE
    // Fused sequences (`a`, `b` as said; `target` the jump's instruction index):
    JUMP_IF_SLOT_YES,     // LOAD a; NOT; JUMP_IF_FALSE  — jump when slot a (yes/no) says yes
    JUMP_IF_SLOT_NO,      // LOAD a; JUMP_IF_FALSE       — jump when slot a says no
    JUMP_UNLESS_SLOT_IS,  // LOAD a; IS b; JUMP_IF_FALSE — jump unless slot a (a choice) is b
    DEDUCT_CONST,         // CONST b; DEDUCT a
    AWARD_CONST,          // CONST b; AWARD a
    ADD_SLOT_NO,          // LOAD a; NOT; TO_NUM; ADD    — add 1 when slot a says no
    ADD_SLOT_YES,         // LOAD a; TO_NUM; ADD         — add 1 when slot a says yes
    ADD_SLOT,             // LOAD a; ADD
    SUB_SLOT,             // LOAD a; SUB
    MUL_SLOT,             // LOAD a; MUL
    ADD_CONST,            // CONST a; ADD
    ADD_FIELD,            // FIELD a; ADD
    SCORE_SLOT,           // LOAD b; SCORE a
};

struct Instr {
    Xop op = Xop::HALT;
    std::uint32_t a = 0;       // the operand (as in the original instruction, or as said above)
    std::uint32_t b = 0;       // a fused instruction's second operand
    std::uint32_t target = 0;  // jumps (JUMP, JUMP_IF_FALSE, AND_JUMP, OR_JUMP, ITER_NEXT's exit, LOOP)
    std::uint32_t pc = 0;      // the original instruction this one reports as
};

struct Code {
    std::vector<Instr> instrs;      // ends with a HALT past the program's own end
    std::vector<std::uint32_t> at;  // original pc -> its instruction (code.size() + 1 entries)
};

// Where the instruction `w` at `pc` can jump to, as a pc, or nothing when it does not jump.
std::optional<std::size_t> jump_target(bc::Word w, std::size_t pc);

enum class Fuse : bool { no = false, yes = true };

// The program's code as the VM runs it. With Fuse::no, one instruction per original one (the
// explaining VM traces each); with Fuse::yes, RULE dropped and sequences fused where no jump
// lands inside them.
Code lower(const bc::Program& program, Fuse fuse);

}  // namespace kaohe::vm
