// The generator of the damaged and hand-crafted .khc files in tests/cases/errors/khc/, and the
// check that the checked-in files are what it makes today. Each file starts from
// tests/cases/errors/khc/scheme.kh, compiled; then one thing is broken: a header field, the
// payload's bytes (re-signed, so the checksum passes and the decoder sees them), or the Program
// itself before serializing (so the file loads and the verifier must catch it). The golden cases
// beside the files (*.case, *.expected) hold kaohe's diagnostics for each.
//
// After a change of the .khc format, regenerate the files and then their expectations:
//   KAOHE_UPDATE_GOLDEN=1 build/tests/khc_files_test && KAOHE_UPDATE_GOLDEN=1 build/tests/cases_test
#include "tests/support.hpp"

#include <catch2/catch.hpp>

#include "compiler/bytecode_file.hpp"
#include "compiler/compile.hpp"
#include "lang/parse.hpp"
#include "runtime/sha256.hpp"
#include "runtime/verify.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using kaohe::bc::Op;

namespace {

using kaohe::test::read_file;

const fs::path khc_dir = fs::path(KAOHE_SOURCE_DIR) / "tests/cases/errors/khc";

// Header layout (compiler/bytecode_file.hpp): magic 8, version u16 at 8, reserved u16 at 10,
// length u32 at 12, SHA-256 at 16, payload from 48.
constexpr std::size_t version_at = 8, reserved_at = 10, length_at = 12, checksum_at = 16, payload_at = 48;

kaohe::bc::Program base_program() {
    const fs::path scheme = khc_dir / "scheme.kh";
    const std::string text = read_file(scheme);
    kaohe::Diagnostics diags;
    auto ast = kaohe::parse_scheme(text, "scheme.kh", diags);
    REQUIRE(ast);
    auto program = kaohe::compile(*ast, text, diags);
    REQUIRE(program);
    return std::move(*program);
}

void put_u16(std::string& image, std::size_t at, std::uint16_t v) {
    image[at] = static_cast<char>(v & 0xff);
    image[at + 1] = static_cast<char>(v >> 8);
}

void put_u32(std::string& image, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) image[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

// After editing the payload: a checksum that matches again, so the damage reaches the decoder.
void resign(std::string& image) {
    const auto digest = kaohe::sha256(std::string_view(image).substr(payload_at));
    std::copy(digest.begin(), digest.end(), image.begin() + checksum_at);
}

// The address of the first instruction with opcode `op`.
std::size_t first(const kaohe::bc::Program& p, Op op) {
    for (std::size_t i = 0; i < p.code.size(); ++i)
        if (kaohe::bc::opcode_of(p.code[i]) == op) return i;
    FAIL("the base scheme has no " << kaohe::bc::op_info(op).name);
    return 0;
}

struct Crafted {
    const char* file;
    std::function<std::string(kaohe::bc::Program)> make;
};

std::vector<Crafted> crafted_files() {
    using kaohe::bc::encode;
    using kaohe::serialize;
    return {
        {"valid.khc", [](kaohe::bc::Program p) { return serialize(p); }},
        // ---- the header
        {"bad_magic.khc", [](kaohe::bc::Program p) { auto s = serialize(p); s[5] = 'X'; return s; }},
        {"truncated_header.khc", [](kaohe::bc::Program p) { return serialize(p).substr(0, 20); }},
        {"wrong_version.khc", [](kaohe::bc::Program p) { auto s = serialize(p); put_u16(s, version_at, 999); return s; }},
        {"reserved_field.khc", [](kaohe::bc::Program p) { auto s = serialize(p); put_u16(s, reserved_at, 7); return s; }},
        {"huge_length.khc", [](kaohe::bc::Program p) { auto s = serialize(p); put_u32(s, length_at, 0xffffffffu); return s; }},
        {"truncated_payload.khc", [](kaohe::bc::Program p) { auto s = serialize(p); s.resize(s.size() - 10); return s; }},
        {"trailing_bytes.khc", [](kaohe::bc::Program p) { return serialize(p) + "junk"; }},
        {"bit_flip.khc", [](kaohe::bc::Program p) { auto s = serialize(p); s[payload_at + (s.size() - payload_at) / 2] ^= 0x10; return s; }},
        // ---- the payload, re-signed
        {"bad_section_tag.khc", [](kaohe::bc::Program p) { auto s = serialize(p); s[payload_at] = 0x7f; resign(s); return s; }},
        // The title's length (the first field after the info tag) says 4 GiB.
        {"huge_string_length.khc", [](kaohe::bc::Program p) { auto s = serialize(p); put_u32(s, payload_at + 1, 0xfffffff0u); resign(s); return s; }},
        // ---- the Program, serialized as is: the file loads, the verifier must refuse it
        {"bad_jump.khc", [](kaohe::bc::Program p) { p.code[first(p, Op::JUMP_IF_FALSE)] = encode(Op::JUMP_IF_FALSE, 1000); return serialize(p); }},
        {"stack_underflow.khc", [](kaohe::bc::Program p) {
             // CONST right after the JUMP_IF_FALSE, which left the stack empty, becomes a POP.
             p.code[first(p, Op::JUMP_IF_FALSE) + 1] = encode(Op::POP);
             return serialize(p);
         }},
        {"constant_out_of_range.khc", [](kaohe::bc::Program p) { p.code[first(p, Op::CONST)] = encode(Op::CONST, 99); return serialize(p); }},
        {"unknown_opcode.khc", [](kaohe::bc::Program p) { p.code[first(p, Op::NOT)] = 0xee; return serialize(p); }},
        {"type_confusion.khc", [](kaohe::bc::Program p) {
             // NOT applied to the count 次数 (slot 1) instead of the yes/no 制度 (slot 0).
             p.code[first(p, Op::LOAD)] = encode(Op::LOAD, 1);
             return serialize(p);
         }},
        {"no_halt.khc", [](kaohe::bc::Program p) { p.code.pop_back(); p.lines.pop_back(); return serialize(p); }},
        {"bad_node_parent.khc", [](kaohe::bc::Program p) { p.nodes.at(2).parent = 3; return serialize(p); }},
    };
}

}  // namespace

TEST_CASE("crafted .khc files: the checked-in files are what the generator makes") {
    const bool update = std::getenv("KAOHE_UPDATE_GOLDEN") != nullptr;
    const kaohe::bc::Program base = base_program();
    for (const Crafted& c : crafted_files()) {
        DYNAMIC_SECTION(c.file) {
            const std::string bytes = c.make(base);
            const fs::path file = khc_dir / c.file;
            if (update) {
                std::ofstream(file, std::ios::binary) << bytes;
                continue;
            }
            INFO("stale: regenerate with KAOHE_UPDATE_GOLDEN=1 build/tests/khc_files_test (see its header)");
            REQUIRE(fs::exists(file));
            CHECK(read_file(file) == bytes);
        }
    }
}

TEST_CASE("crafted .khc files: each damaged one is refused by the loader or the verifier") {
    const kaohe::bc::Program base = base_program();
    for (const Crafted& c : crafted_files()) {
        if (std::string_view(c.file) == "valid.khc") continue;
        DYNAMIC_SECTION(c.file) {
            const std::string bytes = c.make(base);
            kaohe::Diagnostics diags;
            const auto program = kaohe::deserialize(bytes, c.file, diags);
            const bool accepted = program && kaohe::verify(*program, c.file, diags);
            CHECK(!accepted);
            CHECK(diags.has_errors());
        }
    }
}
