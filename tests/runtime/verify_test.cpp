// The verifier: a valid program passes; each broken variant of it is rejected with the
// expected message. The cases are a table: a name, a change to the program, the message.
#include "program_builder.hpp"

#include "runtime/verify.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <functional>

using namespace kaohe;
using namespace kaohe::test;

namespace {

std::string messages(const Diagnostics& diags) {
    std::string out;
    for (const auto& d : diags.all()) out += d.message + "\n";
    return out;
}

// A small program using most of the machinery: three nodes under the scheme, a choice, a table,
// a conditional deduction, a loop with FIELD, and an award. Its code, which the cases edit:
//    0 RULE 0          7 LOAD 驻村百晓        14 CONST 0      21 LOOP ->17
//    1 LOAD 住夜未落实  8 IS 2 (未建立)       15 LOAD 创新     22 AWARD 2
//    2 CONST 0.5       9 JUMP_IF_FALSE ->12  16 ITER_BEGIN   23 NODE 3
//    3 MUL            10 CONST 5             17 ITER_NEXT ->22  24 NODE 0
//    4 DEDUCT 0       11 DEDUCT 1            18 FIELD 0.1    25 HALT
//    5 NODE 1         12 NODE 2              19 TABLE 0
//    6 RULE 1         13 RULE 2              20 ADD
struct Valid {
    ProgramBuilder b{30};
    std::uint32_t clause1, clause2, bonus;
    std::uint32_t slot_count, slot_choice, slot_list;

    Valid() {
        clause1 = b.node("住夜与带班", 0, 10);
        clause2 = b.node("驻村百晓", 0, 10);
        bonus = b.node("创新做法", 0, 10, true);
        auto level = b.choice_type("级别", {"国家级", "省级", "无"});
        auto status = b.choice_type("状态", {"已落实", "未落实", "未建立"});
        slot_count = b.slot(field_of("住夜未落实", FieldType::count));
        slot_choice = b.slot(field_of("驻村百晓", FieldType::choice, status));
        slot_list = b.slot(list_of("创新", {field_of("名称", FieldType::text), field_of("推广", FieldType::choice, level)}));
        b.table("推广分", level, {20, 15, 0});
        auto r0 = b.rule(clause1, RuleKind::deduct);
        auto r1 = b.rule(clause2, RuleKind::deduct);
        auto r2 = b.rule(bonus, RuleKind::award);

        b.emit(Op::RULE, r0);
        b.emit(Op::LOAD, slot_count);
        b.emit(Op::CONST, b.constant(Decimal::parse("0.5").value()));
        b.emit(Op::MUL);
        b.emit(Op::DEDUCT, r0);
        b.emit(Op::NODE, clause1);

        b.emit(Op::RULE, r1);
        b.emit(Op::LOAD, slot_choice);
        b.emit(Op::IS, 2);
        auto skip = b.emit(Op::JUMP_IF_FALSE);
        b.emit(Op::CONST, b.constant(5));
        b.emit(Op::DEDUCT, r1);
        b.land(skip);
        b.emit(Op::NODE, clause2);

        b.emit(Op::RULE, r2);
        b.emit(Op::CONST, b.constant(0));
        b.emit(Op::LOAD, slot_list);
        b.emit(Op::ITER_BEGIN);
        auto next = b.emit(Op::ITER_NEXT);
        b.emit(Op::FIELD, field_operand(1, 0));
        b.emit(Op::TABLE, 0);
        b.emit(Op::ADD);
        b.loop_to(next);
        b.land(next);
        b.emit(Op::AWARD, r2);
        b.emit(Op::NODE, bonus);
        b.emit(Op::NODE, 0);
        b.emit(Op::HALT);
    }
};

// The address of the first instruction with opcode `op`.
std::size_t find(const Program& p, Op op) {
    for (std::size_t pc = 0; pc < p.code.size(); ++pc)
        if (opcode_of(p.code[pc]) == op) return pc;
    FAIL("no " << op_info(op).name);
    return 0;
}

void set(Program& p, std::size_t pc, Op op, std::uint32_t a = 0) { p.code[pc] = encode(op, a); }
void insert(Program& p, std::size_t pc, std::vector<Word> words) {
    p.code.insert(p.code.begin() + static_cast<std::ptrdiff_t>(pc), words.begin(), words.end());
    p.lines.insert(p.lines.begin() + static_cast<std::ptrdiff_t>(pc), words.size(), 1);
}

struct BadCase {
    const char* name;
    std::function<void(Program&)> change;
    const char* expected;  // the whole message of one of the reported errors
};

}  // namespace

TEST_CASE("the verifier accepts valid programs", "[verify]") {
    Valid v;
    Diagnostics diags;
    CHECK(verify(v.b.p, "x.khc", diags));
    INFO(messages(diags));
    CHECK(diags.all().empty());

    // The smallest program: the scheme node and HALT.
    ProgramBuilder tiny;
    tiny.emit(Op::NODE, 0);
    tiny.emit(Op::HALT);
    CHECK(verify(tiny.p, "x.khc", diags));
    CHECK(diags.all().empty());
}

TEST_CASE("the verifier rejects broken programs with a precise message", "[verify]") {
    const BadCase cases[] = {
        {"bad jump target", [](Program& p) { set(p, find(p, Op::JUMP_IF_FALSE), Op::JUMP_IF_FALSE, 1000); },
         "bytecode at address 9 (JUMP_IF_FALSE): jump target 1010 is past the end of the code (26 instructions)"},
        {"jump into the middle of the path with another stack",
         [](Program& p) { set(p, find(p, Op::JUMP_IF_FALSE), Op::JUMP_IF_FALSE, 1); },
         "bytecode at address 11 (DEDUCT): paths disagree here: [a number] with 0 open loop(s), 1 node(s) finalised "
         "from address 10, [] with 0 open loop(s), 1 node(s) finalised on an earlier path"},
        {"jump offset 0", [](Program& p) { set(p, find(p, Op::JUMP_IF_FALSE), Op::JUMP_IF_FALSE, 0); },
         "bytecode at address 9 (JUMP_IF_FALSE): jump offset 0: a forward jump must skip at least one instruction"},
        {"backward JUMP (the operand wraps past the end)",
         [](Program& p) { set(p, find(p, Op::JUMP_IF_FALSE), Op::JUMP_IF_FALSE, max_operand); },
         "bytecode at address 9 (JUMP_IF_FALSE): jump target 16777225 is past the end of the code (26 instructions)"},
        {"LOOP to something other than ITER_NEXT", [](Program& p) { set(p, find(p, Op::LOOP), Op::LOOP, 2); },
         "bytecode at address 21 (LOOP): backward jump to address 19, which is not an ITER_NEXT"},
        {"LOOP before the start of the code", [](Program& p) { set(p, find(p, Op::LOOP), Op::LOOP, 100); },
         "bytecode at address 21 (LOOP): backward jump by 100 does not land before it inside the code"},
        {"stack underflow", [](Program& p) { set(p, 1, Op::POP); },
         "bytecode at address 1 (POP): stack underflow: needs 1 value(s), the stack holds 0"},
        {"stack left non-empty at HALT",
         [](Program& p) { insert(p, p.code.size() - 1, {encode(Op::CONST, 0)}); },
         "bytecode at address 26 (HALT): the stack must be empty at HALT, it holds [a number] with 0 open loop(s), "
         "4 node(s) finalised"},
        {"constant index out of range", [](Program& p) { set(p, 2, Op::CONST, 9); },
         "bytecode at address 2 (CONST): constant 9 out of range: there are 3"},
        {"slot out of range", [](Program& p) { set(p, 1, Op::LOAD, 3); },
         "bytecode at address 1 (LOAD): evidence slot 3 out of range: there are 3"},
        {"ADD on yes/no",
         [](Program& p) {
             set(p, 1, Op::BOOL, 1);
             set(p, 3, Op::ADD);
         },
         "bytecode at address 3 (ADD): the left operand must be a number, found a yes/no"},
        {"NOT on a number", [](Program& p) { set(p, 3, Op::NOT); },
         "bytecode at address 3 (NOT): the operand must be a yes/no, found a number"},
        {"IS on a number", [](Program& p) { set(p, 7, Op::CONST, 0); },
         "bytecode at address 8 (IS): the operand must be a choice, found a number"},
        {"IS past the choice type's values", [](Program& p) { set(p, 8, Op::IS, 2); p.choice_types[1].values.pop_back(); },
         "bytecode at address 8 (IS): choice value 2 out of range: 状态 has 2 values"},
        {"TABLE keyed by the wrong choice type", [](Program& p) { set(p, 8, Op::TABLE, 0); },
         "bytecode at address 8 (TABLE): table 推广分 is keyed by 级别, the key is a choice of 状态"},
        {"comparing a choice with a number", [](Program& p) { set(p, 8, Op::EQ); insert(p, 8, {encode(Op::CONST, 0)}); },
         "bytecode at address 9 (EQ): compares a choice of 状态 with a number: only two numbers, two yes/no or two "
         "choices of the same type compare"},
        {"ITER_BEGIN on a number", [](Program& p) { set(p, 15, Op::CONST, 0); },
         "bytecode at address 16 (ITER_BEGIN): the operand must be a list, found a number"},
        {"FIELD outside a loop", [](Program& p) { set(p, 1, Op::FIELD, 0); },
         "bytecode at address 1 (FIELD): FIELD outside a loop"},
        {"FIELD past the record's fields", [](Program& p) { set(p, 18, Op::FIELD, field_operand(2, 0)); },
         "bytecode at address 18 (FIELD): field 2 out of range: records of 创新 have 2 fields"},
        {"FIELD of a loop that is not open", [](Program& p) { set(p, 18, Op::FIELD, field_operand(1, 1)); },
         "bytecode at address 18 (FIELD): loop depth 1 but only 1 loop(s) open"},
        {"DEDUCT of an award rule", [](Program& p) { set(p, 4, Op::AWARD, 0); },
         "bytecode at address 4 (AWARD): rule 0 (line 0) is a deduction, not an award"},
        {"a rule never applied", [](Program& p) { set(p, 4, Op::POP); },
         "bytecode tables: rule 0 (line 0) is never applied: no DEDUCT 0"},
        {"missing NODE", [](Program& p) { set(p, 5, Op::RULE, 0); },
         "bytecode tables: node 1 (住夜与带班) is never finalised: no NODE 1"},
        {"NODE twice", [](Program& p) { set(p, 13, Op::NODE, 1); },
         "bytecode at address 13 (NODE): node 1 (住夜与带班) is finalised twice (first at address 5)"},
        {"parent finalised before its child",
         [](Program& p) {
             set(p, 5, Op::NODE, 0);
             set(p, 24, Op::NODE, 1);
         },
         "bytecode at address 5 (NODE): node 0 (scheme) is finalised before its child node 1 (住夜与带班) at address 24"},
        {"a NODE skipped on one path",
         [](Program& p) {
             // JUMP_IF_FALSE at 9 now lands after NODE 2 (and the false path joins past it).
             set(p, 9, Op::JUMP_IF_FALSE, 3);
         },
         "bytecode at address 13 (RULE): paths disagree here: [] with 0 open loop(s), 2 node(s) finalised from "
         "address 12, [] with 0 open loop(s), 1 node(s) finalised on an earlier path"},
        {"missing HALT", [](Program& p) { p.code.pop_back(); p.lines.pop_back(); },
         "bytecode at address 24 (NODE): the code must end with HALT"},
        {"empty code", [](Program& p) { p.code.clear(); p.lines.clear(); },
         "bytecode tables: the code is empty: it must end with HALT"},
        {"line table of the wrong size", [](Program& p) { p.lines.pop_back(); },
         "bytecode tables: the line table has 25 entries for 26 instructions"},
        {"unknown opcode", [](Program& p) { p.code[3] = 0xee; },
         "bytecode at address 3 (opcode 238): unknown opcode"},
        {"operand on an op that takes none", [](Program& p) { set(p, 3, Op::MUL, 1); },
         "bytecode at address 3 (MUL): takes no operand, has 1"},
        {"BOOL of 2", [](Program& p) { set(p, 1, Op::BOOL, 2); },
         "bytecode at address 1 (BOOL): yes/no operand is 2, expected 0 or 1"},
        {"ROUND past the places limit", [](Program& p) { insert(p, 4, {encode(Op::ROUND, 19)}); },
         "bytecode at address 4 (ROUND): rounds to 19 places, at most 18 allowed"},
        {"ROUND with an unknown mode", [](Program& p) { insert(p, 4, {encode(Op::ROUND, 2 | 7 << 8)}); },
         "bytecode at address 4 (ROUND): rounding mode 7 is not a Rounding mode (half_up, half_even, down, up)"},
        {"DEDUCT inside a loop",
         [](Program& p) {
             p.rules[2].kind = RuleKind::deduct;
             set(p, 18, Op::CONST, 0);
             set(p, 19, Op::DEDUCT, 2);
             set(p, 20, Op::RULE, 2);
             set(p, 22, Op::POP);
         },
         "bytecode at address 19 (DEDUCT): DEDUCT inside a loop"},
        {"rule applied after its node is finalised",
         [](Program& p) { std::swap(p.code[4], p.code[5]); },
         "bytecode at address 5 (DEDUCT): rule 0 is applied after its node 1 (住夜与带班) was finalised at address 4"},
        {"table with the wrong number of values", [](Program& p) { p.tables[0].values.pop_back(); },
         "bytecode tables: table 0 (推广分) has 2 values, but its choice type 级别 has 3"},
        {"table of an unknown choice type", [](Program& p) { p.tables[0].choice_type = 7; },
         "bytecode tables: table 0 (推广分) has choice type 7, but there are 2 choice types"},
        {"field of an unknown choice type", [](Program& p) { p.evidence[2].fields[1].choice_type = 5; },
         "bytecode tables: evidence field 创新.推广 has choice type 5, but there are 2 choice types"},
        {"rule of an unknown node", [](Program& p) { p.rules[1].node = 40; },
         "bytecode tables: rule 1 (line 0) belongs to node 40, but there are 4 nodes"},
        {"node after its parent's subtree (not pre-order)",
         [](Program& p) {
             p.nodes[3].parent = 1;  // node 2 (under 0) closed node 1's subtree
             p.nodes[1].has_children = true;
         },
         "bytecode tables: node 3 (创新做法) has parent 1, which is not an ancestor of node 2: the nodes are not in "
         "pre-order"},
        {"node whose parent follows it", [](Program& p) { p.nodes[1].parent = 2; },
         "bytecode tables: node 1 (住夜与带班) has parent 2, which does not precede it"},
        {"has_children that is not so", [](Program& p) { p.nodes[1].has_children = true; },
         "bytecode tables: node 1 (住夜与带班) says it has children, but no node names it as parent"},
    };
    for (const auto& c : cases) {
        SECTION(c.name) {
            Valid v;
            c.change(v.b.p);
            Diagnostics diags;
            CHECK_FALSE(verify(v.b.p, "x.khc", diags));
            auto all = messages(diags);
            INFO(all);
            CHECK(all.find(std::string(c.expected) + "\n") != std::string::npos);
            for (const auto& d : diags.all()) {
                CHECK(d.file == "x.khc");
                CHECK(d.span.begin.line == 0);
                CHECK(d.severity == Severity::error);
            }
        }
    }
}

TEST_CASE("the verifier bounds stack depth and loop nesting", "[verify]") {
    SECTION("stack deeper than max_stack_depth") {
        ProgramBuilder b;
        auto k = b.constant(1);
        for (std::size_t i = 0; i <= max_stack_depth; ++i) b.emit(Op::CONST, k);
        for (std::size_t i = 0; i <= max_stack_depth; ++i) b.emit(Op::POP);
        b.emit(Op::NODE, 0);
        b.emit(Op::HALT);
        Diagnostics diags;
        CHECK_FALSE(verify(b.p, "x.khc", diags));
        CHECK(messages(diags) == fmt::format("bytecode at address {} (CONST): the stack grows past its limit of {} values\n",
                                             max_stack_depth, max_stack_depth));
    }
    SECTION("loops nested deeper than max_loop_depth") {
        ProgramBuilder b;
        // The same list iterated inside itself, max_loop_depth + 1 deep.
        b.slot(list_of("l", {field_of("n", FieldType::count)}));
        std::vector<std::size_t> nexts;
        for (std::size_t i = 0; i <= max_loop_depth; ++i) {
            b.emit(Op::LOAD, 0);
            b.emit(Op::ITER_BEGIN);
            nexts.push_back(b.emit(Op::ITER_NEXT));
        }
        for (auto it = nexts.rbegin(); it != nexts.rend(); ++it) {
            b.loop_to(*it);
            b.land(*it);
        }
        b.emit(Op::NODE, 0);
        b.emit(Op::HALT);
        Diagnostics diags;
        CHECK_FALSE(verify(b.p, "x.khc", diags));
        auto all = messages(diags);
        INFO(all);
        CHECK(all.find(fmt::format("(ITER_BEGIN): loops nest deeper than {}", max_loop_depth)) != std::string::npos);
    }
}

TEST_CASE("the verifier never crashes on random programs", "[verify]") {
    // Random words over a valid program's tables: whatever they are, verify() answers.
    Valid v;
    std::uint32_t state = 12345;
    auto random = [&] { state = state * 1664525u + 1013904223u; return state; };
    std::size_t accepted = 0;
    for (int trial = 0; trial < 3000; ++trial) {
        auto p = v.b.p;
        auto changes = 1 + random() % 3;
        for (std::uint32_t c = 0; c < changes; ++c) {
            auto pc = random() % p.code.size();
            auto op = random() % (op_count + 2);
            p.code[pc] = encode(static_cast<Op>(op), random() % 4 == 0 ? random() % 40 : random() % 4);
        }
        Diagnostics diags;
        if (verify(p, "x.khc", diags)) ++accepted;
        else CHECK(diags.has_errors());
    }
    CHECK(accepted < 3000);
}

// ---- wave 2: phases, population values, grades, money, votes --------------------------------


TEST_CASE("the verifier accepts a program with every phase", "[verify][phases]") {
    Phased v;
    Diagnostics diags;
    CHECK(verify(v.b.p, "x.khc", diags));
    INFO(messages(diags));
    CHECK(diags.all().empty());
}

TEST_CASE("the verifier rejects broken phases, population values, grades and money", "[verify][phases]") {
    auto k = [](Program& p) {
        p.constants.push_back(1);
        return static_cast<std::uint32_t>(p.constants.size() - 1);
    };
    const BadCase cases[] = {
        {"STORE after BARRIER 0",
         [](Program& p) {
             set(p, 7, Op::BARRIER, 0);
             set(p, 8, Op::LOAD, 1);
             set(p, 9, Op::STORE, 1);
         },
         "bytecode at address 9 (STORE): STORE of stage-0 input 1 after a BARRIER: stage-0 population inputs are "
         "stored in phase 1, before BARRIER 0"},
        {"AGG before BARRIER 0", [](Program& p) { insert(p, 5, {encode(Op::AGG, 0), encode(Op::POP)}); },
         "bytecode at address 5 (AGG): AGG before BARRIER 0: population values exist only after it"},
        {"GRADE before BARRIER 1", [](Program& p) { insert(p, 16, {encode(Op::GRADE), encode(Op::POP)}); },
         "bytecode at address 16 (GRADE): GRADE before BARRIER 1: grades exist only after it"},
        {"LOAD_NODE of a node finalised later", [](Program& p) { set(p, 5, Op::LOAD_NODE, 2); },
         "bytecode at address 5 (LOAD_NODE): reads node 2 (乙), whose score is final only at address 14"},
        {"money assigned twice",
         [&](Program& p) { insert(p, 24, {encode(Op::CONST, k(p)), encode(Op::MONEY, 0)}); },
         "bytecode at address 25 (MONEY): money 0 (考核奖) is assigned twice (first at address 21)"},
        {"money never assigned", [](Program& p) { set(p, 21, Op::POP); },
         "bytecode tables: money 0 (考核奖) is never assigned: no MONEY 0"},
        {"MONEY before the grades",
         [&](Program& p) {
             set(p, 21, Op::POP);
             insert(p, 16, {encode(Op::CONST, k(p)), encode(Op::MONEY, 0)});
         },
         "bytecode at address 17 (MONEY): MONEY before BARRIER 1: with a grading, money is assigned after the grades"},
        {"FORFEIT before its MONEY", [](Program& p) { insert(p, 19, {encode(Op::BOOL, 1), encode(Op::FORFEIT, 0)}); },
         "bytecode at address 20 (FORFEIT): forfeit 0 sets money 0 (考核奖) to 0 before it is assigned"},
        {"a second BARRIER 0", [](Program& p) { insert(p, 10, {encode(Op::BARRIER, 0)}); },
         "bytecode at address 10 (BARRIER): a second BARRIER 0 (the first is at address 9)"},
        {"BARRIER 1 before BARRIER 0",
         [](Program& p) {
             set(p, 9, Op::BARRIER, 1);
             set(p, 18, Op::BARRIER, 0);
         },
         "bytecode at address 9 (BARRIER): BARRIER 1 comes before BARRIER 0 at address 18"},
        {"graded node finalised after the grades",
         [](Program& p) { std::swap(p.code[15], p.code[18]); },
         "bytecode at address 15 (BARRIER): grades are assigned here, but the graded node 0 (scheme) is finalised "
         "after it, at address 18"},
        {"BARRIER 2", [](Program& p) { set(p, 9, Op::BARRIER, 2); },
         "bytecode at address 9 (BARRIER): barrier 2 is neither 0 (population values) nor 1 (grades)"},
        {"a value left on the stack at a barrier", [&](Program& p) { insert(p, 9, {encode(Op::CONST, k(p))}); },
         "bytecode at address 10 (BARRIER): the stack must be empty and no loop open at a BARRIER, there is [a number] "
         "with 0 open loop(s), 1 node(s) finalised, 2 input(s) stored, 0 money assigned"},
        {"a STORE skipped on one path",
         [](Program& p) { insert(p, 7, {encode(Op::BOOL, 1), encode(Op::JUMP_IF_FALSE, 2)}); },
         "bytecode at address 11 (BARRIER): 1 of 2 stage-0 population inputs stored on some path to BARRIER 0: a "
         "STORE is skipped or comes after it"},
        {"SCORE of a deduction", [](Program& p) { set(p, 3, Op::SCORE, 0); },
         "bytecode at address 3 (SCORE): rule 0 (line 0) is a deduction, not a score rule"},
        {"a computed node with a deduction", [](Program& p) { p.nodes[1].computed = true; },
         "bytecode tables: node 1 (甲) is computed, so its rules must be exactly one score rule; it has 1 rule(s), 0 "
         "of them score rules"},
        {"WEIGHTED of a number", [&](Program& p) { set(p, 1, Op::CONST, k(p)); },
         "bytecode at address 2 (WEIGHTED): the operand must be votes, found a number"},
        {"WEIGHTED by a table of another type", [](Program& p) { set(p, 2, Op::WEIGHTED, 0); },
         "bytecode at address 2 (WEIGHTED): table 奖金 is keyed by 等次, the votes are of 测评"},
        {"TALLY past the votes' values", [](Program& p) { set(p, 2, Op::TALLY, 2); },
         "bytecode at address 2 (TALLY): choice value 2 out of range: 测评 has 2 values"},
        {"VETO after the grades",
         [](Program& p) {
             set(p, 16, Op::BARRIER, 1);
             set(p, 17, Op::LOAD, 3);
             set(p, 18, Op::VETO, 0);
         },
         "bytecode at address 18 (VETO): VETO after BARRIER 1: vetoes decide grades, which are assigned there"},
        {"a grading without BARRIER 1", [](Program& p) { set(p, 18, Op::RULE, 0); },
         "bytecode tables: there is a grading but no BARRIER 1, where grades are assigned"},
        {"thresholds not decreasing", [](Program& p) { p.grading.bands[1].at_least = Decimal{15}; },
         "bytecode tables: grade 良好 has threshold 15, not below the previous grade's 15"},
        {"a last grade with a threshold", [](Program& p) { p.grading.bands[2].at_least = Decimal{1}; },
         "bytecode tables: the last grade 合格 must be `otherwise`: no threshold and no quota"},
        {"a quota above 1", [](Program& p) { p.grading.bands[0].quota = Decimal{3} / Decimal{2}; },
         "bytecode tables: grade 优秀 has quota 1.5, which is not in (0, 1]"},
        {"a quota of 0", [](Program& p) { p.grading.bands[0].quota = Decimal{0}; },
         "bytecode tables: grade 优秀 has quota 0, which is not in (0, 1]"},
        {"bands not parallel to the grades", [](Program& p) { p.grading.bands.pop_back(); },
         "bytecode tables: the grading has 2 bands, but its choice type 等次 has 3 grades"},
        {"a veto of an unknown grade", [](Program& p) { p.grading.vetoes[0].grade = 3; },
         "bytecode tables: veto 0 (line 1) gives grade 3, but 等次 has 3 grades"},
        {"an aggregate of an unknown input", [](Program& p) { p.aggregates[0].value = 7; },
         "bytecode tables: aggregate 0 (line 1) reads value input 7, but there are 2 population inputs"},
        {"an aggregate filtered by a number", [](Program& p) { p.aggregates[0].where = 0; },
         "bytecode tables: aggregate 0 (line 1) filters by input 0, which is stored as a number: it must be a yes/no"},
        {"bottom 0", [](Program& p) { p.aggregates[1].n = Decimal{0}; },
         "bytecode tables: aggregate 1 (line 1) takes the bottom 0 units: that must be a whole number of at least 1"},
        {"an extra node that is not a bonus", [](Program& p) { p.nodes[1].extra = true; },
         "bytecode tables: node 1 (甲) is extra, but only a bonus node below the scheme can be"},
        {"a phase-2 node under a phase-1 parent", [](Program& p) { p.nodes[0].phase = 1; },
         "bytecode tables: node 2 (乙) is phase 2, but its parent node 0 is phase 1: a node above a population value "
         "needs it too"},
        {"a forfeit of unknown money", [](Program& p) { p.forfeits[0].money = 3; },
         "bytecode tables: forfeit 0 (line 1) is of money 3, but there are 1 money amounts"},
        {"an input never stored", [](Program& p) { set(p, 8, Op::POP); },
         "bytecode tables: population input 1 (line 1) is never stored: no STORE 1"},
        {"population input out of range", [](Program& p) { set(p, 8, Op::STORE, 2); },
         "bytecode at address 8 (STORE): population input 2 out of range: there are 2"},
        {"veto out of range", [](Program& p) { set(p, 17, Op::VETO, 1); },
         "bytecode at address 17 (VETO): veto 1 out of range: there are 1"},
    };
    for (const auto& c : cases) {
        SECTION(c.name) {
            Phased v;
            c.change(v.b.p);
            Diagnostics diags;
            CHECK_FALSE(verify(v.b.p, "x.khc", diags));
            auto all = messages(diags);
            INFO(all);
            CHECK(all.find(std::string(c.expected) + "\n") != std::string::npos);
        }
    }
}

// ---- stage-1 population values and flags ---------------------------------------------------------

TEST_CASE("the verifier accepts stage-1 population values and flags", "[verify][phases][flags]") {
    Staged v;
    Diagnostics diags;
    CHECK(verify(v.b.p, "x.khc", diags));
    INFO(messages(diags));
    CHECK(diags.all().empty());
}

TEST_CASE("the verifier rejects stage-1 values and flags out of their phase", "[verify][phases][flags]") {
    const BadCase cases[] = {
        {"a stage-1 STORE before BARRIER 0",
         [](Program& p) {
             set(p, 1, Op::STORE, 1);  // total's input, stored in phase 1
             set(p, 8, Op::STORE, 0);
         },
         "bytecode at address 1 (STORE): STORE of stage-1 input 1 before BARRIER 0: stage-1 population inputs are "
         "stored in phase 2, between BARRIER 0 and BARRIER 1"},
        {"a stage-1 STORE after BARRIER 1", [](Program& p) { std::swap(p.code[8], p.code[9]); std::swap(p.code[7], p.code[8]); },
         "bytecode at address 9 (STORE): STORE of stage-1 input 1 after BARRIER 1: stage-1 population inputs are "
         "stored in phase 2, between BARRIER 0 and BARRIER 1"},
        {"a stage-1 AGG before BARRIER 1", [](Program& p) { insert(p, 7, {encode(Op::AGG, 1), encode(Op::POP)}); },
         "bytecode at address 7 (AGG): AGG of stage-1 aggregate 1 before BARRIER 1: it is computed there"},
        {"a stage-0 aggregate over a stage-1 input", [](Program& p) { p.aggregates[1].stage = 0; },
         "bytecode tables: aggregate 1 (line 3) is stage 0, computed at BARRIER 0, but reads input 1, which is stage 1 "
         "(stored only after BARRIER 0)"},
        {"stage 2", [](Program& p) { p.aggregates[2].stage = 2; },
         "bytecode tables: aggregate 2 (line 3) has stage 2, expected 0 or 1"},
        {"an input of stage 2", [](Program& p) { p.population_inputs[1].stage = 2; },
         "bytecode tables: population input 1 (line 3) has stage 2, expected 0 or 1"},
        {"a stage-1 input not stored by BARRIER 1",
         [](Program& p) { insert(p, 7, {encode(Op::BOOL, 1), encode(Op::JUMP_IF_FALSE, 2)}); },
         "bytecode at address 11 (BARRIER): 1 of 2 population inputs stored on some path to BARRIER 1: a STORE is "
         "skipped or comes after it"},
        {"FLAG before BARRIER 1", [](Program& p) { insert(p, 7, {encode(Op::BOOL, 1), encode(Op::FLAG, 0)}); },
         "bytecode at address 8 (FLAG): FLAG before BARRIER 1: flags are decided after the totals and the grades"},
        {"FLAG of a number", [](Program& p) { set(p, 14, Op::AGG, 2); },
         "bytecode at address 15 (FLAG): the condition must be a yes/no, found a number"},
        {"flag out of range", [](Program& p) { set(p, 15, Op::FLAG, 1); },
         "bytecode at address 15 (FLAG): flag 1 out of range: there are 1"},
    };
    for (const auto& c : cases) {
        SECTION(c.name) {
            Staged v;
            c.change(v.b.p);
            Diagnostics diags;
            CHECK_FALSE(verify(v.b.p, "x.khc", diags));
            auto all = messages(diags);
            INFO(all);
            CHECK(all.find(std::string(c.expected) + "\n") != std::string::npos);
        }
    }
}
