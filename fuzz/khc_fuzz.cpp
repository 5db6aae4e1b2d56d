// Fuzz target: the .khc loader, the verifier and the disassembler, on hostile bytes.
// The header's checksum would stop almost every mutation at the door, so the header of the input
// is replaced by a correct one (right version, length and SHA-256 of the rest) unless its reserved
// field's high byte is non-zero, which keeps the input as it is, for the header checks. Seeds
// are whole .khc files, so both paths start from real programs.
#include "compiler/bytecode_file.hpp"
#include "runtime/sha256.hpp"
#include "runtime/verify.hpp"
#include "runtime/vm.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace {

constexpr std::size_t header_bytes = 48;  // magic, version, reserved, length, checksum

void put_u16(std::string& out, std::uint16_t v) {
    out += static_cast<char>(v & 0xff);
    out += static_cast<char>(v >> 8);
}

void put_u32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

// A valid header for `payload`, so the fuzzer's mutations reach the payload decoder.
std::string with_header(std::string_view payload) {
    std::string out("KAOHE\x1a" "BC", 8);
    put_u16(out, kaohe::format_version);
    put_u16(out, 0);
    put_u32(out, static_cast<std::uint32_t>(payload.size()));
    const auto digest = kaohe::sha256(payload);
    out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
    out += payload;
    return out;
}

// A value of the declared type for every slot (one record per list), so a verified program can
// run: the verifier promises the VM cannot go wrong on any such unit. False for a schema this
// target does not know how to fill.
bool fill(const kaohe::bc::Program& program, const kaohe::bc::FieldSpec& spec, kaohe::Value& out, unsigned depth) {
    using kaohe::bc::FieldType;
    switch (spec.type) {
    case FieldType::yes_no: out = kaohe::Value::of_yes_no(depth % 2 == 0); return true;
    case FieldType::count:
    case FieldType::decimal: out = kaohe::Value::of_number(kaohe::Decimal(depth + 1)); return true;
    case FieldType::text: out = kaohe::Value::of_text("text"); return true;
    case FieldType::choice:
        if (spec.choice_type >= program.choice_types.size() || program.choice_types[spec.choice_type].values.empty())
            return false;
        out = kaohe::Value::of_choice(0);
        return true;
    case FieldType::list: {
        if (depth > 16) return false;
        kaohe::Record record(spec.fields.size());
        for (std::size_t i = 0; i < spec.fields.size(); ++i)
            if (!fill(program, spec.fields[i], record[i], depth + 1)) return false;
        out = kaohe::Value::of_list(kaohe::List{record});
        return true;
    }
    default: return false;
    }
}

void run_one_unit(const kaohe::bc::Program& program) {
    kaohe::UnitEvidence unit;
    unit.name = "fuzz";
    unit.file = "fuzz.txt";
    unit.values.resize(program.evidence.size());
    unit.origins.resize(program.evidence.size());
    for (std::size_t i = 0; i < program.evidence.size(); ++i)
        if (!fill(program, program.evidence[i], unit.values[i], 0)) return;
    kaohe::Diagnostics diags;
    (void)kaohe::evaluate(program, unit, kaohe::Explain::yes, diags);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::string image;
    constexpr std::size_t reserved_high_byte = 11;
    if (input.size() >= header_bytes && input[reserved_high_byte] == 0)
        image = with_header(input.substr(header_bytes));
    else
        image = std::string(input);
    kaohe::Diagnostics diags;
    const auto program = kaohe::deserialize(image, "fuzz.khc", diags);
    if (!program) return 0;
    if (!kaohe::verify(*program, "fuzz.khc", diags)) return 0;
    (void)kaohe::disassemble(*program);
    run_one_unit(*program);
    return 0;
}
