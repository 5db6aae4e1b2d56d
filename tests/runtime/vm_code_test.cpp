// The VM's internal form of the code (runtime/vm_code.hpp): jumps resolved, RULE dropped and
// common sequences fused without explanations, never across a place a jump lands on; and the
// fused code scoring exactly as the original does.
#include "program_builder.hpp"

#include "compiler/compile.hpp"
#include "lang/parse.hpp"
#include "runtime/verify.hpp"
#include "runtime/vm.hpp"
#include "runtime/vm_code.hpp"
#include "tests/support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <vector>

using namespace kaohe;
using namespace kaohe::test;
using vm::Fuse;
using vm::Xop;

namespace {

std::vector<Xop> ops_of(const vm::Code& code) {
    std::vector<Xop> out;
    for (const auto& in : code.instrs) out.push_back(in.op);
    return out;
}

// Ends the program with rule r's DEDUCT, the root's NODE and HALT, and verifies it.
void finish_with_deduct(ProgramBuilder& b, std::uint32_t r) {
    b.emit(Op::DEDUCT, r);
    b.emit(Op::NODE, 0);
    b.emit(Op::HALT);
    Diagnostics diags;
    REQUIRE(verify(b.p, "t.khc", diags));
}

Program example(const std::string& name) {
    const std::string path = std::string(KAOHE_SOURCE_DIR) + "/examples/" + name + "/scheme.kh";
    const std::string text = read_file(path);
    Diagnostics diags;
    auto ast = parse_scheme(text, path, diags);
    REQUIRE(ast);
    auto program = compile(*ast, text, diags);
    REQUIRE(program);
    REQUIRE(verify(*program, path, diags));
    return std::move(*program);
}

}  // namespace

TEST_CASE("without fusing, the code is the original one instruction for one, its jumps resolved", "[vm]") {
    ProgramBuilder b(10);
    b.slot(field_of("全员驻村", FieldType::yes_no));
    const auto r = b.rule(0, RuleKind::deduct);
    b.emit(Op::RULE, r);
    b.emit(Op::LOAD, 0);
    b.emit(Op::NOT);
    const auto skip = b.emit(Op::JUMP_IF_FALSE);
    b.emit(Op::CONST, b.constant(2));
    b.emit(Op::DEDUCT, r);
    b.land(skip);
    b.emit(Op::NODE, 0);
    b.emit(Op::HALT);

    const vm::Code plain = vm::lower(b.p, Fuse::no);
    CHECK(ops_of(plain) == std::vector<Xop>{Xop::RULE, Xop::LOAD, Xop::NOT, Xop::JUMP_IF_FALSE, Xop::CONST, Xop::DEDUCT,
                                            Xop::NODE, Xop::HALT, Xop::HALT});  // the last: past the end
    for (std::uint32_t pc = 0; pc < b.p.code.size(); ++pc) {
        CHECK(plain.instrs[pc].pc == pc);
        CHECK(plain.at[pc] == pc);
    }
    CHECK(plain.instrs[3].target == 6);  // the NODE

    const vm::Code fused = vm::lower(b.p, Fuse::yes);
    CHECK(ops_of(fused) == std::vector<Xop>{Xop::JUMP_IF_SLOT_YES, Xop::DEDUCT_CONST, Xop::NODE, Xop::HALT, Xop::HALT});
    CHECK(fused.instrs[0].target == 2);
    CHECK(fused.instrs[1].a == r);
    CHECK(fused.instrs[1].pc == 5);  // reports as the DEDUCT: its line is the error's
    CHECK(fused.at[0] == 0);         // the dropped RULE: where the code after it starts
}

TEST_CASE("a sequence a jump lands inside is not fused, and scores as the original", "[vm]") {
    // deduct 5 if 达标 else 2, with both paths meeting at the DEDUCT: `CONST 5; DEDUCT` must stay two.
    ProgramBuilder b(10);
    b.slot(field_of("达标", FieldType::yes_no));
    const auto r = b.rule(0, RuleKind::deduct);
    b.emit(Op::RULE, r);
    b.emit(Op::CONST, b.constant(2));
    b.emit(Op::LOAD, 0);
    const auto to_deduct = b.emit(Op::JUMP_IF_FALSE);
    b.emit(Op::POP);
    b.emit(Op::CONST, b.constant(5));
    b.land(to_deduct);
    finish_with_deduct(b, r);

    const vm::Code fused = vm::lower(b.p, Fuse::yes);
    CHECK(ops_of(fused) == std::vector<Xop>{Xop::CONST, Xop::JUMP_IF_SLOT_NO, Xop::POP, Xop::CONST, Xop::DEDUCT, Xop::NODE,
                                            Xop::HALT, Xop::HALT});
    CHECK(fused.instrs[1].target == 4);

    for (const bool met : {true, false})
        for (const auto explain : {Explain::no, Explain::yes}) {
            Diagnostics d;
            const auto sheet = evaluate(b.p, unit_of({Value::of_yes_no(met)}), explain, d);
            REQUIRE(sheet);
            CHECK(sheet->rules[r].applied == (met ? 5 : 2));
            CHECK(sheet->total() == (met ? 5 : 8));
        }
}

TEST_CASE("every fused sequence scores as its instructions do", "[vm]") {
    // One rule per fused form, each on its own node, read back from the rules' outcomes.
    ProgramBuilder b(1000);
    const auto level = b.choice_type("级别", {"国家级", "省级"});
    const auto yes_slot = b.slot(field_of("是否", FieldType::yes_no));
    const auto count_slot = b.slot(field_of("次数", FieldType::count));
    const auto choice_slot = b.slot(field_of("级别", FieldType::choice, level));
    const auto list_slot = b.slot(list_of("记录", {field_of("分", FieldType::count)}));
    std::vector<std::uint32_t> rules;
    const auto rule = [&](RuleKind kind = RuleKind::deduct) {
        rules.push_back(b.rule(0, kind));
        b.emit(Op::RULE, rules.back());
        return rules.back();
    };
    const auto k = [&](const char* d) { return b.constant(*Decimal::parse(d)); };
    auto r = rule();  // ADD_SLOT_NO, ADD_SLOT_YES: 1.5 × (missing + present) = 1.5 × 1
    b.emit(Op::CONST, k("1.5"));
    b.emit(Op::CONST, k("0"));
    b.emit(Op::LOAD, yes_slot);
    b.emit(Op::NOT);
    b.emit(Op::TO_NUM);
    b.emit(Op::ADD);
    b.emit(Op::LOAD, yes_slot);
    b.emit(Op::TO_NUM);
    b.emit(Op::ADD);
    b.emit(Op::MUL);
    b.emit(Op::DEDUCT, r);
    r = rule();  // ADD_SLOT, SUB_SLOT, MUL_SLOT, ADD_CONST: ((0.5 + 次数) - 次数 + 0.25) × 次数
    b.emit(Op::CONST, k("0.5"));
    b.emit(Op::LOAD, count_slot);
    b.emit(Op::ADD);
    b.emit(Op::LOAD, count_slot);
    b.emit(Op::SUB);
    b.emit(Op::CONST, k("0.25"));
    b.emit(Op::ADD);
    b.emit(Op::LOAD, count_slot);
    b.emit(Op::MUL);
    b.emit(Op::DEDUCT, r);
    r = rule();  // JUMP_UNLESS_SLOT_IS, DEDUCT_CONST: 3 when 级别 is 省级
    b.emit(Op::LOAD, choice_slot);
    b.emit(Op::IS, 1);
    auto skip = b.emit(Op::JUMP_IF_FALSE);
    b.emit(Op::CONST, k("3"));
    b.emit(Op::DEDUCT, r);
    b.land(skip);
    r = rule(RuleKind::award);  // JUMP_IF_SLOT_NO, AWARD_CONST: 0.7 when 是否
    b.emit(Op::LOAD, yes_slot);
    skip = b.emit(Op::JUMP_IF_FALSE);
    b.emit(Op::CONST, k("0.7"));
    b.emit(Op::AWARD, r);
    b.land(skip);
    r = rule();  // ADD_FIELD: the sum of 记录.分
    b.emit(Op::CONST, k("0"));
    b.emit(Op::LOAD, list_slot);
    b.emit(Op::ITER_BEGIN);
    const auto next = b.emit(Op::ITER_NEXT);
    b.emit(Op::FIELD, 0);
    b.emit(Op::ADD);
    b.loop_to(next);
    b.land(next);
    finish_with_deduct(b, r);

    const vm::Code fused = vm::lower(b.p, Fuse::yes);
    for (const Xop op : {Xop::ADD_SLOT_NO, Xop::ADD_SLOT_YES, Xop::ADD_SLOT, Xop::SUB_SLOT, Xop::MUL_SLOT, Xop::ADD_CONST,
                         Xop::JUMP_UNLESS_SLOT_IS, Xop::DEDUCT_CONST, Xop::JUMP_IF_SLOT_NO, Xop::AWARD_CONST,
                         Xop::ADD_FIELD}) {
        INFO(static_cast<int>(op));
        CHECK(std::count_if(fused.instrs.begin(), fused.instrs.end(), [&](const vm::Instr& in) { return in.op == op; }) == 1);
    }
    CHECK(std::none_of(fused.instrs.begin(), fused.instrs.end(), [](const vm::Instr& in) { return in.op == Xop::RULE; }));

    const List records = {{Value::of_number(2)}, {Value::of_number(*Decimal::parse("0.5"))}};
    for (const bool yes : {true, false})
        for (const std::int64_t count : {0, 3}) {
            const auto unit = unit_of({Value::of_yes_no(yes), Value::of_number(count), Value::of_choice(yes ? 1 : 0),
                                         Value::of_list(records)});
            Diagnostics d1, d2;
            const auto plain = evaluate(b.p, unit, Explain::no, d1);  // fused
            const auto explained = evaluate(b.p, unit, Explain::yes, d2);  // one for one
            REQUIRE(plain);
            REQUIRE(explained);
            const std::vector<Decimal> expected = {*Decimal::parse("1.5"), Decimal{count} * *Decimal::parse("0.75"),
                                                   yes ? 3 : 0, yes ? *Decimal::parse("0.7") : 0,
                                                   *Decimal::parse("2.5")};
            for (std::size_t i = 0; i < rules.size(); ++i) {
                CHECK(plain->rules[rules[i]].applied == expected[i]);
                CHECK(explained->rules[rules[i]].applied == expected[i]);
                CHECK(plain->rules[rules[i]].fired == explained->rules[rules[i]].fired);
            }
            CHECK(plain->total() == explained->total());
        }
}

TEST_CASE("in every example, fused jumps land where the original ones do", "[vm]") {
    for (const char* name : {"wenling-2013", "xinzhuang-2017", "wenzhou-party-building", "dinghai-2021", "town-office-posts"}) {
        INFO(name);
        const Program p = example(name);
        for (const Fuse fuse : {Fuse::no, Fuse::yes}) {
            const vm::Code code = vm::lower(p, fuse);
            REQUIRE(code.at.size() == p.code.size() + 1);
            REQUIRE(code.instrs.back().op == Xop::HALT);
            if (fuse == Fuse::no) REQUIRE(code.instrs.size() == p.code.size() + 1);
            else CHECK(code.instrs.size() < p.code.size());
            for (std::size_t pc = 0; pc < p.code.size(); ++pc) {
                const auto target = vm::jump_target(p.code[pc], pc);
                if (!target) continue;
                const vm::Instr& jump = code.instrs[code.at[pc]];
                REQUIRE(jump.target < code.instrs.size());
                CHECK(jump.target == code.at[*target]);
                // It lands on the original target itself, or (RULE dropped) on what follows it.
                const std::size_t lands = code.instrs[jump.target].pc;
                CHECK(lands >= *target);
                for (std::size_t skipped = *target; skipped < lands && skipped < p.code.size(); ++skipped)
                    CHECK(opcode_of(p.code[skipped]) == Op::RULE);
            }
            // A unit resumes after each BARRIER at the instruction the original pc maps to.
            for (std::size_t pc = 0; pc < p.code.size(); ++pc)
                if (opcode_of(p.code[pc]) == Op::BARRIER) CHECK(code.instrs[code.at[pc + 1]].pc >= pc + 1);
        }
    }
}
