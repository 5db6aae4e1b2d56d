// The .khc file: round trips, and every way a file can be damaged (each truncation, each bit
// flip, hostile counts behind a valid checksum, random payloads) is rejected with its own
// message and without a crash. Also the disassembly listing.
#include "program_builder.hpp"

#include "compiler/bytecode_file.hpp"
#include "runtime/sha256.hpp"
#include "runtime/verify.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <random>

using namespace kaohe;
using namespace kaohe::test;

namespace {

constexpr std::size_t header_size = 48;

Decimal D(const char* text) {
    auto d = Decimal::parse(text);
    REQUIRE(d);
    return *d;
}

std::string messages(const Diagnostics& diags) {
    std::string out;
    for (const auto& d : diags.all()) out += d.message + "\n";
    return out;
}

// A program that sets every field of every table, with exact fractions and a big number.
Program sample() {
    ProgramBuilder b(100);
    auto& info = b.p.info;
    info.title = "2013年度温岭市镇（街道）干部队伍建设考核";
    info.issuer = "中共温岭市委组织部";
    info.document = "温组〔2013〕89号";
    info.assesses = "镇（街道）党（工）委";
    info.year = "2013";
    info.groups = {"镇", "街道"};
    info.display_places = 2;
    info.display_mode = Rounding::half_even;
    info.source_name = "wenling.kh";
    for (std::size_t i = 0; i < info.source_sha256.size(); ++i) info.source_sha256[i] = static_cast<std::uint8_t>(i * 7);

    auto level = b.choice_type("级别", {"国家级", "省级", "无"});
    auto count = field_of("住夜未落实", FieldType::count);
    count.measure = "次";
    count.lo = Decimal{0};
    count.hi = Decimal{365};
    count.line = 12;
    count.column = 5;
    b.slot(count);
    auto points = field_of("便民中心扣分", FieldType::decimal);
    points.unit = Unit::points;
    points.lo = Decimal{0};
    points.hi = Decimal{4};
    points.step = D("0.5");
    points.default_text = "0";
    b.slot(points);
    b.slot(list_of("创新", {field_of("名称", FieldType::text), field_of("推广", FieldType::choice, level),
                            list_of("报道", {field_of("媒体", FieldType::choice, level)})}));
    b.table("推广分", level, {20, 15, 0});
    b.p.tables[0].unit = Unit::points;

    auto section = b.node("联系服务群众", 0, 60, false, D("1.5"));
    b.p.nodes[section].kind = NodeKind::section;
    b.p.nodes[section].goal = "工作目标";
    b.p.nodes[section].text = "具体内容与计分办法";
    b.p.nodes[section].line = 30;
    b.p.nodes[section].parts_reason = "原文分值之和为58.5分";
    auto clause = b.node("住夜与带班", section, D("58.5"));
    b.p.nodes[clause].kind = NodeKind::clause;
    auto bonus = b.node("创新做法", 0, 40, true);
    auto r0 = b.rule(clause, RuleKind::deduct, Decimal{8}, 33);
    b.p.rules[r0].says = "一次扣0.5分，扣完为止";
    b.p.rules[r0].source_text = "deduct 0.5 per 住夜未落实 cap 8";
    b.p.rules[r0].column = 7;
    auto r1 = b.rule(bonus, RuleKind::award);
    b.p.rules[r1].source_text = "award sum(创新, p => 推广分[p.推广])";

    b.line = 33;
    b.emit(Op::RULE, r0);
    b.emit(Op::CONST, b.constant(D("0.5")));
    b.emit(Op::LOAD, 0);
    b.emit(Op::MUL);
    b.emit(Op::CONST, b.constant(Decimal{1} / Decimal{3}));
    b.emit(Op::MUL);
    b.emit(Op::CONST, b.constant(D("1000000000000000000000000000000.25")));
    b.emit(Op::MIN);
    b.emit(Op::DEDUCT, r0);
    b.emit(Op::NODE, clause);
    b.emit(Op::NODE, section);
    b.line = 40;
    b.emit(Op::RULE, r1);
    b.emit(Op::CONST, b.constant(0));
    b.emit(Op::LOAD, 2);
    b.emit(Op::ITER_BEGIN);
    auto next = b.emit(Op::ITER_NEXT);
    b.emit(Op::FIELD, field_operand(1, 0));
    b.emit(Op::TABLE, 0);
    b.emit(Op::ADD);
    b.loop_to(next);
    b.land(next);
    b.emit(Op::AWARD, r1);
    b.emit(Op::NODE, bonus);
    b.emit(Op::NODE, 0);
    b.emit(Op::HALT);
    return b.p;
}

void check_same_field(const FieldSpec& a, const FieldSpec& b) {
    CHECK(a.name == b.name);
    CHECK(a.label == b.label);
    CHECK(a.type == b.type);
    CHECK(a.unit == b.unit);
    CHECK(a.measure == b.measure);
    CHECK(a.choice_type == b.choice_type);
    CHECK(a.lo == b.lo);
    CHECK(a.hi == b.hi);
    CHECK(a.step == b.step);
    CHECK(a.default_text == b.default_text);
    CHECK(a.line == b.line);
    CHECK(a.column == b.column);
    REQUIRE(a.fields.size() == b.fields.size());
    for (std::size_t i = 0; i < a.fields.size(); ++i) check_same_field(a.fields[i], b.fields[i]);
}

void check_same(const Program& a, const Program& b) {
    CHECK(a.info.title == b.info.title);
    CHECK(a.info.issuer == b.info.issuer);
    CHECK(a.info.document == b.info.document);
    CHECK(a.info.assesses == b.info.assesses);
    CHECK(a.info.year == b.info.year);
    CHECK(a.info.groups == b.info.groups);
    CHECK(a.info.display_places == b.info.display_places);
    CHECK(a.info.display_mode == b.info.display_mode);
    CHECK(a.info.source_name == b.info.source_name);
    CHECK(a.info.source_sha256 == b.info.source_sha256);
    REQUIRE(a.choice_types.size() == b.choice_types.size());
    for (std::size_t i = 0; i < a.choice_types.size(); ++i) {
        CHECK(a.choice_types[i].name == b.choice_types[i].name);
        CHECK(a.choice_types[i].values == b.choice_types[i].values);
    }
    REQUIRE(a.evidence.size() == b.evidence.size());
    for (std::size_t i = 0; i < a.evidence.size(); ++i) check_same_field(a.evidence[i], b.evidence[i]);
    CHECK(a.constants == b.constants);
    REQUIRE(a.tables.size() == b.tables.size());
    for (std::size_t i = 0; i < a.tables.size(); ++i) {
        CHECK(a.tables[i].name == b.tables[i].name);
        CHECK(a.tables[i].choice_type == b.tables[i].choice_type);
        CHECK(a.tables[i].unit == b.tables[i].unit);
        CHECK(a.tables[i].values == b.tables[i].values);
    }
    REQUIRE(a.nodes.size() == b.nodes.size());
    for (std::size_t i = 0; i < a.nodes.size(); ++i) {
        const auto &x = a.nodes[i], &y = b.nodes[i];
        CHECK(x.name == y.name);
        CHECK(x.extra == y.extra);
        CHECK(x.computed == y.computed);
        CHECK(x.phase == y.phase);
        CHECK(x.label == y.label);
        CHECK(x.goal == y.goal);
        CHECK(x.text == y.text);
        CHECK(x.kind == y.kind);
        CHECK(x.parent == y.parent);
        CHECK(x.bonus == y.bonus);
        CHECK(x.full == y.full);
        CHECK(x.held == y.held);
        CHECK(x.has_children == y.has_children);
        CHECK(x.line == y.line);
        CHECK(x.column == y.column);
        CHECK(x.parts_reason == y.parts_reason);
    }
    REQUIRE(a.rules.size() == b.rules.size());
    for (std::size_t i = 0; i < a.rules.size(); ++i) {
        const auto &x = a.rules[i], &y = b.rules[i];
        CHECK(x.node == y.node);
        CHECK(x.kind == y.kind);
        CHECK(x.cap == y.cap);
        CHECK(x.says == y.says);
        CHECK(x.source_text == y.source_text);
        CHECK(x.line == y.line);
        CHECK(x.column == y.column);
    }
    REQUIRE(a.population_inputs.size() == b.population_inputs.size());
    for (std::size_t i = 0; i < a.population_inputs.size(); ++i) {
        CHECK(a.population_inputs[i].source_text == b.population_inputs[i].source_text);
        CHECK(a.population_inputs[i].line == b.population_inputs[i].line);
        CHECK(a.population_inputs[i].stage == b.population_inputs[i].stage);
    }
    REQUIRE(a.aggregates.size() == b.aggregates.size());
    for (std::size_t i = 0; i < a.aggregates.size(); ++i) {
        const auto &x = a.aggregates[i], &y = b.aggregates[i];
        CHECK(x.kind == y.kind);
        CHECK(x.scope == y.scope);
        CHECK(x.ascending == y.ascending);
        CHECK(x.value == y.value);
        CHECK(x.where == y.where);
        CHECK(x.n == y.n);
        CHECK(x.source_text == y.source_text);
        CHECK(x.line == y.line);
        CHECK(x.stage == y.stage);
    }
    CHECK(a.grading.choice_type == b.grading.choice_type);
    CHECK(a.grading.node == b.grading.node);
    CHECK(a.grading.scope == b.grading.scope);
    CHECK(a.grading.line == b.grading.line);
    REQUIRE(a.grading.bands.size() == b.grading.bands.size());
    for (std::size_t i = 0; i < a.grading.bands.size(); ++i) {
        CHECK(a.grading.bands[i].at_least == b.grading.bands[i].at_least);
        CHECK(a.grading.bands[i].quota == b.grading.bands[i].quota);
    }
    REQUIRE(a.grading.vetoes.size() == b.grading.vetoes.size());
    for (std::size_t i = 0; i < a.grading.vetoes.size(); ++i) {
        const auto &x = a.grading.vetoes[i], &y = b.grading.vetoes[i];
        CHECK(x.grade == y.grade);
        CHECK(x.says == y.says);
        CHECK(x.source_text == y.source_text);
        CHECK(x.line == y.line);
    }
    REQUIRE(a.money.size() == b.money.size());
    for (std::size_t i = 0; i < a.money.size(); ++i) {
        CHECK(a.money[i].name == b.money[i].name);
        CHECK(a.money[i].says == b.money[i].says);
        CHECK(a.money[i].source_text == b.money[i].source_text);
        CHECK(a.money[i].line == b.money[i].line);
    }
    REQUIRE(a.forfeits.size() == b.forfeits.size());
    for (std::size_t i = 0; i < a.forfeits.size(); ++i) {
        CHECK(a.forfeits[i].money == b.forfeits[i].money);
        CHECK(a.forfeits[i].says == b.forfeits[i].says);
        CHECK(a.forfeits[i].source_text == b.forfeits[i].source_text);
        CHECK(a.forfeits[i].line == b.forfeits[i].line);
    }
    REQUIRE(a.flags.size() == b.flags.size());
    for (std::size_t i = 0; i < a.flags.size(); ++i) {
        CHECK(a.flags[i].name == b.flags[i].name);
        CHECK(a.flags[i].says == b.flags[i].says);
        CHECK(a.flags[i].source_text == b.flags[i].source_text);
        CHECK(a.flags[i].line == b.flags[i].line);
    }
    CHECK(a.code == b.code);
    CHECK(a.lines == b.lines);
}

// The phased program of program_builder.hpp with every new field set to something distinctive.
Program phased_sample() {
    Phased v;
    auto& p = v.b.p;
    p.nodes[1].name = "甲项";
    p.nodes[0].computed = false;
    p.population_inputs[0].source_text = "甲项";
    p.population_inputs[0].line = 71;
    p.aggregates[0].source_text = "mean 甲项 among all where W";
    p.aggregates[0].line = 72;
    p.aggregates[1].source_text = "bottom 1 by 甲项 among group";
    p.aggregates[1].n = 1;
    p.grading.line = 80;
    p.grading.scope = Scope::group;
    p.grading.vetoes[0].says = "发生一票否决事项的，评为合格";
    p.money[0].says = "优秀的奖励100元";
    p.money[0].source_text = "money 考核奖 = 奖金[等次]";
    p.forfeits[0].says = "扣发考核奖";
    p.forfeits[0].line = 90;
    p.evidence[2].label = "民主测评";
    return p;
}

// A header around `payload` with a correct length and checksum: for testing the payload decoder
// on bytes the checksum cannot catch.
std::string seal(std::string_view payload, std::uint16_t version = format_version) {
    std::string out("KAOHE\x1a" "BC", 8);
    auto put = [&](std::uint32_t v, int n) {
        for (int i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
    };
    put(version, 2);
    put(0, 2);
    put(static_cast<std::uint32_t>(payload.size()), 4);
    auto digest = sha256(payload);
    out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
    out.append(payload);
    return out;
}

// Deserializes bytes that must be rejected, and returns the one message reported.
std::string rejection(std::string_view bytes) {
    Diagnostics diags;
    auto p = deserialize(bytes, "x.khc", diags);
    CHECK_FALSE(p);
    REQUIRE(diags.all().size() == 1);
    CHECK(diags.all()[0].file == "x.khc");
    CHECK(diags.all()[0].severity == Severity::error);
    return diags.all()[0].message;
}

}  // namespace

TEST_CASE("a program survives serialize and deserialize unchanged", "[bytecode_file]") {
    auto program = sample();
    Diagnostics diags;
    REQUIRE(verify(program, "sample", diags));
    auto bytes = serialize(program);
    auto back = deserialize(bytes, "x.khc", diags);
    INFO(messages(diags));
    REQUIRE(back);
    CHECK(diags.all().empty());
    check_same(program, *back);
    CHECK(serialize(*back) == bytes);
    CHECK(verify(*back, "x.khc", diags));

    // The default (empty) program round-trips too.
    auto empty = serialize(Program{});
    auto empty_back = deserialize(empty, "x.khc", diags);
    REQUIRE(empty_back);
    CHECK(serialize(*empty_back) == empty);
}

TEST_CASE("a program with phases, grades, money, votes and flags survives the round trip", "[bytecode_file]") {
    auto program = phased_sample();
    Diagnostics diags;
    REQUIRE(verify(program, "sample", diags));
    auto bytes = serialize(program);
    auto back = deserialize(bytes, "x.khc", diags);
    INFO(messages(diags));
    REQUIRE(back);
    check_same(program, *back);
    CHECK(serialize(*back) == bytes);
    CHECK(verify(*back, "x.khc", diags));
    CHECK(back->evidence[2].type == FieldType::votes);
    CHECK(back->nodes[2].extra);
    CHECK(back->nodes[2].phase == 2);
    CHECK(back->grading.bands[0].quota == Decimal{1} / Decimal{2});
    CHECK_FALSE(back->grading.bands[2].at_least);

    // Each of the new enums is range-checked like the old ones: an aggregate kind past `top`.
    auto payload = bytes.substr(header_size);
    auto at = payload.find("mean 甲项 among all where W");
    REQUIRE(at != std::string::npos);
    // The first aggregate starts with its kind byte: after the aggregates' tag and count.
    auto tag = payload.rfind(std::string("\x0b\x02\x00\x00\x00", 5), at);
    REQUIRE(tag != std::string::npos);
    payload[tag + 5] = 8;
    CHECK(rejection(seal(payload)) ==
          fmt::format("malformed bytecode payload at byte {}: aggregate kind 8 is not one of the 8 known values", tag + 5));
}

TEST_CASE("stage-1 population values and flags survive the round trip", "[bytecode_file][flags]") {
    Staged staged;
    const Program& program = staged.b.p;
    Diagnostics diags;
    REQUIRE(verify(program, "sample", diags));
    auto bytes = serialize(program);
    auto back = deserialize(bytes, "x.khc", diags);
    INFO(messages(diags));
    REQUIRE(back);
    check_same(program, *back);
    CHECK(serialize(*back) == bytes);
    CHECK(verify(*back, "x.khc", diags));
    CHECK(back->population_inputs[1].stage == 1);
    CHECK(back->aggregates[0].stage == 0);
    CHECK(back->aggregates[1].stage == 1);
    REQUIRE(back->flags.size() == 1);
    CHECK(back->flags[0].name == "诫勉");
    CHECK(back->flags[0].line == 20);

    // The disassembly lists the flags and marks the stage-1 inputs and aggregates.
    auto listing = disassemble(*back);
    INFO(listing);
    CHECK(listing.find("  i1 total  ; line 3, stage 1\n") != std::string::npos);
    CHECK(listing.find("  a1 bottom 2 of i1 among all  ; line 3, stage 1\n") != std::string::npos);
    CHECK(listing.find("  a0 mean of i0 among all  ; line 3\n") != std::string::npos);
    CHECK(listing.find("\nflags (1)\n  g0 flag 诫勉  ; line 20\n      flag #0\n      says \"flag says\"\n") !=
          std::string::npos);
    CHECK(listing.find("FLAG                 0  ; flag #0") != std::string::npos);
    CHECK(listing.find("  ---- phase 2 ends: every unit waits here, then the stage-1 population values are computed and "
                       "grades assigned ----\n") != std::string::npos);
}

TEST_CASE("the header: magic, version, reserved, length, SHA-256 of the payload", "[bytecode_file]") {
    auto bytes = serialize(sample());
    REQUIRE(bytes.size() > header_size);
    CHECK(bytes.substr(0, 8) == std::string("KAOHE\x1a" "BC", 8));
    CHECK(static_cast<unsigned char>(bytes[8]) == format_version);
    CHECK(bytes[9] == 0);
    CHECK(bytes[10] == 0);
    CHECK(bytes[11] == 0);
    auto payload = bytes.substr(header_size);
    std::uint32_t length = 0;
    for (int i = 3; i >= 0; --i) length = (length << 8) | static_cast<unsigned char>(bytes[12 + static_cast<std::size_t>(i)]);
    CHECK(length == payload.size());
    auto digest = sha256(payload);
    CHECK(bytes.substr(16, 32) == std::string(reinterpret_cast<const char*>(digest.data()), 32));
    CHECK(seal(payload) == bytes);
}

TEST_CASE("a file cut short at any length is rejected", "[bytecode_file]") {
  for (const auto& bytes : {serialize(sample()), serialize(phased_sample())}) {
    auto payload_size = bytes.size() - header_size;
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        INFO("length " << n);
        auto message = rejection(std::string_view(bytes).substr(0, n));
        if (n < header_size)
            CHECK(message == fmt::format("truncated bytecode file: the header needs 48 bytes, file has {}", n));
        else
            CHECK(message == fmt::format("truncated bytecode file: header says {} payload bytes, file has {}",
                                         payload_size, n - header_size));
    }
    // And one byte too many.
    CHECK(rejection(bytes + "x") == fmt::format("trailing bytes in bytecode file: header says {} payload bytes, "
                                                "file has {}", payload_size, payload_size + 1));
  }
}

TEST_CASE("every single-bit flip is rejected with the message for the field it hits", "[bytecode_file]") {
    auto bytes = serialize(ProgramBuilder(5).p);
    auto payload_size = static_cast<std::uint32_t>(bytes.size() - header_size);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            auto flipped = bytes;
            flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
            INFO("byte " << i << " bit " << bit);
            auto message = rejection(flipped);
            if (i < 8) {
                CHECK(message == "not a kaohe bytecode file (bad magic)");
            } else if (i < 10) {
                auto version = format_version ^ (1u << (bit + 8 * (i - 8)));
                CHECK(message == fmt::format("bytecode format version {}, this kaohe reads version {}: recompile the "
                                             "scheme", version, format_version));
            } else if (i < 12) {
                CHECK(message == fmt::format("bytecode header reserved field is {}, expected 0: the file is corrupted",
                                             1u << (bit + 8 * (i - 10))));
            } else if (i < 16) {
                auto length = payload_size ^ (1u << (bit + 8 * (i - 12)));
                if (length > max_khc_bytes)
                    CHECK(message == fmt::format("bytecode file too large: header says {} payload bytes, the limit is {}",
                                                 length, max_khc_bytes));
                else if (length > payload_size)
                    CHECK(message == fmt::format("truncated bytecode file: header says {} payload bytes, file has {}",
                                                 length, payload_size));
                else
                    CHECK(message == fmt::format("trailing bytes in bytecode file: header says {} payload bytes, file "
                                                 "has {}", length, payload_size));
            } else {
                CHECK(message == "bytecode checksum mismatch: the file is corrupted");
            }
        }
    }
}

TEST_CASE("wrong version and bad magic", "[bytecode_file]") {
    auto bytes = serialize(sample());
    auto payload = bytes.substr(header_size);
    // A version 1 file (before population scoring) is refused, not misread.
    CHECK(rejection(seal(payload, 2)) == "bytecode format version 2, this kaohe reads version 3: recompile the scheme");
    CHECK(rejection(seal(payload, 0)) == "bytecode format version 0, this kaohe reads version 3: recompile the scheme");
    CHECK(rejection(seal(payload, 4)) == "bytecode format version 4, this kaohe reads version 3: recompile the scheme");
    CHECK(rejection("scheme \"2013年度考核\" {\n  total 100\n}\n") == "not a kaohe bytecode file (bad magic)");
    CHECK(rejection("\x7f" "ELF") == "not a kaohe bytecode file (bad magic)");
    CHECK(rejection("") == "truncated bytecode file: the header needs 48 bytes, file has 0");
}

TEST_CASE("a malformed payload behind a valid checksum is rejected at its byte", "[bytecode_file]") {
    auto empty = serialize(Program{}).substr(header_size);
    // Program{}'s payload: info section at 0 (tag 1, five empty strings, no groups, no display,
    // half_up, empty source name, zero digest: 63 bytes), then the choice types tag at 63 and
    // their count at 64.
    REQUIRE(empty[63] == 2);

    SECTION("a count of 2^32 - 1 does not allocate") {
        auto bad = empty;
        for (std::size_t i = 64; i < 68; ++i) bad[i] = '\xff';
        CHECK(rejection(seal(bad)) == fmt::format("malformed bytecode payload at byte 64: choice type count 4294967295 "
                                                  "needs at least {} bytes, only {} remain",
                                                  4294967295ull * 8, bad.size() - 68));
    }
    SECTION("a string longer than the payload") {
        auto bad = empty;
        bad[4] = '\x7f';  // the title's length, high byte
        CHECK(rejection(seal(bad)) == fmt::format("malformed bytecode payload at byte 1: title count 2130706432 needs "
                                                  "at least 2130706432 bytes, only {} remain", bad.size() - 5));
    }
    SECTION("a wrong section tag") {
        auto bad = empty;
        bad[63] = 9;
        CHECK(rejection(seal(bad)) ==
              "malformed bytecode payload at byte 63: expected the choice types section (tag 2), found tag 9");
    }
    SECTION("an enum value out of range") {
        auto bad = empty;
        bad[26] = 4;  // the display rounding mode
        CHECK(rejection(seal(bad)) ==
              "malformed bytecode payload at byte 26: display rounding mode 4 is not one of the 4 known values");
    }
    SECTION("a flag that is neither 0 nor 1") {
        auto bad = empty;
        bad[25] = 2;  // display places present?
        CHECK(rejection(seal(bad)) == "malformed bytecode payload at byte 25: display places flag is 2, expected 0 or 1");
    }
    SECTION("bytes after the program") {
        CHECK(rejection(seal(empty + "abc")) ==
              fmt::format("malformed bytecode payload at byte {}: 3 bytes after the end of the program", empty.size()));
    }
    SECTION("a payload cut short") {
        CHECK(rejection(seal(empty.substr(0, empty.size() - 1))) ==
              fmt::format("malformed bytecode payload at byte {}: line count needs 4 bytes, only 3 remain",
                          empty.size() - 4));
    }
    SECTION("a number that is not one") {
        Program p;
        p.constants = {Decimal{7}};
        auto payload = serialize(p).substr(header_size);
        auto at = payload.find('7');
        REQUIRE(at != std::string::npos);
        payload[at] = 'x';
        CHECK(rejection(seal(payload)) ==
              fmt::format("malformed bytecode payload at byte {}: constant 'x' is not a number", at - 4));
    }
    SECTION("record fields nested past the limit") {
        Program p;
        FieldSpec f = list_of("l", {});
        for (int i = 0; i < 40; ++i) f = list_of("l", {f});
        p.evidence = {f};
        auto message = rejection(serialize(p));
        CHECK(message.find("record fields nest deeper than 32 levels") != std::string::npos);
    }
}

TEST_CASE("random payloads never crash the decoder or the verifier", "[bytecode_file]") {
  for (const auto& program : {sample(), phased_sample()}) {
    auto payload = serialize(program).substr(header_size);
    std::mt19937 random(20130589);
    std::size_t decoded = 0;
    for (int trial = 0; trial < 4000; ++trial) {
        auto bad = payload;
        auto edits = 1 + random() % 4;
        for (std::uint32_t e = 0; e < edits; ++e) {
            auto at = random() % bad.size();
            switch (random() % 3) {
            case 0: bad[at] = static_cast<char>(random()); break;           // any byte
            case 1: bad[at] = static_cast<char>(bad[at] ^ (1 << random() % 8)); break;  // a bit
            case 2: bad.resize(at); break;                                  // cut
            }
            if (bad.empty()) break;
        }
        Diagnostics diags;
        auto program = deserialize(seal(bad), "x.khc", diags);
        if (program) {
            ++decoded;
            verify(*program, "x.khc", diags);  // any answer, no crash
            (void)disassemble(*program);
        } else {
            CHECK(diags.all().size() == 1);
            CHECK(diags.all()[0].message.rfind("malformed bytecode payload at byte ", 0) == 0);
        }
    }
    CHECK(decoded > 0);  // some edits (inside strings) still decode
  }
}

TEST_CASE("the disassembly lists the tables and each instruction with its meaning and line", "[bytecode_file]") {
    auto text = disassemble(sample());
    INFO(text);
    auto has = [&](std::string_view s) { return text.find(s) != std::string::npos; };
    CHECK(has(fmt::format("kaohe bytecode, format version {}\n", format_version)));
    CHECK(has("scheme    \"2013年度温岭市镇（街道）干部队伍建设考核\"\n"));
    CHECK(has("display   2 half_even\n"));
    CHECK(has("  c0 级别: 国家级, 省级, 无\n"));
    CHECK(has("  s0 住夜未落实: count 次 within 0..365 \"住夜未落实\"  ; line 12\n"));
    CHECK(has("  s1 便民中心扣分: points within 0..4 step 0.5 default 0 \"便民中心扣分\"  ; line 0\n"));
    CHECK(has("      .1 推广: choice 级别 \"推广\"  ; line 0\n"));
    CHECK(has("  k1 = 1/3\n"));
    CHECK(has("  t0 推广分 (级别, points) { 国家级: 20, 省级: 15, 无: 0 }\n"));
    CHECK(has("  n1     item \"联系服务群众\"") == false);  // it is a section
    CHECK(has("  n1     section \"联系服务群众\" points 60 held 1.5  ; line 30\n"
              "          parts because \"原文分值之和为58.5分\"\n"));
    CHECK(has("  n2       clause \"住夜与带班\" points 58.5  ; line 0\n"));
    CHECK(has("  n3     item \"创新做法\" bonus cap 40  ; line 0\n"));
    CHECK(has("  r0 n2 deduct cap 8  ; line 33\n      deduct 0.5 per 住夜未落实 cap 8\n      says \"一次扣0.5分，扣完为止\"\n"));
    CHECK(has("code (24 instructions)\n"));
    CHECK(has("  0000  RULE                 0  ; deduct 0.5 per 住夜未落实 cap 8  ; line 33\n"));
    CHECK(has("  0001  CONST                0  ; 0.5  ; line 33\n"));
    CHECK(has("  0002  LOAD                 0  ; 住夜未落实  ; line 33\n"));
    CHECK(has("  0003  MUL                     ; line 33\n"));
    CHECK(has("  0009  NODE                 2  ; 住夜与带班  ; line 33\n"));
    CHECK(has("  0015  ITER_NEXT            4  ; -> 0020  ; line 40\n"));
    CHECK(has("  0016  FIELD              0.1  ; 推广  ; line 40\n"));
    CHECK(has("  0017  TABLE                0  ; 推广分  ; line 40\n"));
    CHECK(has("  0019  LOOP                 4  ; -> 0015  ; line 40\n"));
    CHECK(has("  0023  HALT                    ; line 40\n"));
    // Every opcode name comes from the table in opcodes.def.
    for (auto op : {Op::RULE, Op::CONST, Op::LOAD, Op::MUL, Op::MIN, Op::DEDUCT, Op::NODE, Op::ITER_BEGIN,
                    Op::ITER_NEXT, Op::FIELD, Op::TABLE, Op::ADD, Op::LOOP, Op::AWARD, Op::HALT})
        CHECK(has(fmt::format("  {}  ", op_info(op).name)));
}

TEST_CASE("the disassembler shows out-of-range operands instead of indexing with them", "[bytecode_file]") {
    Program p;
    p.code = {encode(Op::CONST, 5), encode(Op::LOAD, 9), encode(Op::RULE, 3), encode(Op::LOOP, 9), 0xee};
    auto text = disassemble(p);
    CHECK(text.find("<constant 5 out of range>") != std::string::npos);
    CHECK(text.find("<slot 9 out of range>") != std::string::npos);
    CHECK(text.find("<rule 3 out of range>") != std::string::npos);
    CHECK(text.find("<back jump 9 out of range>") != std::string::npos);
    CHECK(text.find("unknown opcode 238") != std::string::npos);
    CHECK(text.find("; line ?") != std::string::npos);
}

TEST_CASE("the disassembly shows phases, barriers, population values, grades and money", "[bytecode_file]") {
    auto text = disassemble(phased_sample());
    INFO(text);
    auto has = [&](std::string_view s) { return text.find(s) != std::string::npos; };
    CHECK(has("  s2 测评: votes 测评 \"民主测评\"  ; line 0\n"));
    CHECK(has("  n0   scheme \"scheme\" points 20 phase 2  ; line 0\n"));
    CHECK(has("  n1     item 甲项 \"甲\" points 10  ; line 0\n"));
    CHECK(has("  n2     item \"乙\" bonus cap 10 extra phase 2  ; line 0\n"));
    CHECK(has("population inputs (2)\n  i0 甲项  ; line 71\n  i1 W  ; line 1\n"));
    CHECK(has("aggregates (2)\n  a0 mean of i0 among all where i1  ; line 72\n      mean 甲项 among all where W\n"));
    CHECK(has("  a1 bottom 1 of i0 among group  ; line 1\n"));
    CHECK(has("grading 等次 by n0 \"scheme\" among group  ; line 80\n  优秀: >= 15, quota 0.5\n  良好: >= 10\n"
              "  合格: otherwise\n  v0 veto 合格  ; line 1\n"));
    CHECK(has("      says \"发生一票否决事项的，评为合格\"\n"));
    CHECK(has("money (1)\n  m0 考核奖  ; line 1\n      money 考核奖 = 奖金[等次]\n      says \"优秀的奖励100元\"\n"));
    CHECK(has("forfeits (1)\n  f0 forfeit 考核奖  ; line 90\n"));
    CHECK(has("  0002  WEIGHTED             1  ; 系数  ; line 1\n"));
    CHECK(has("  0005  LOAD_NODE            1  ; 甲  ; line 1\n"));
    CHECK(has("  0006  STORE                0  ; i0 甲项  ; line 1\n"));
    CHECK(has("  ---- phase 1 ends: every unit waits here, then the population values are computed ----\n"
              "  0009  BARRIER              0  ; population values  ; line 1\n"));
    CHECK(has("  0011  AGG                  1  ; bottom 1 by 甲项 among group  ; line 1\n"));
    CHECK(has("  0017  VETO                 0  ; veto #0  ; line 1\n"));
    CHECK(has("  ---- phase 2 ends: every unit waits here, then grades are assigned ----\n"
              "  0018  BARRIER              1  ; grades  ; line 1\n"));
    CHECK(has("  0019  GRADE                   ; line 1\n"));
    CHECK(has("  0021  MONEY                0  ; 考核奖  ; line 1\n"));
    CHECK(has("  0023  FORFEIT              0  ; forfeit #0  ; line 1\n"));
}
