// The .khc file: a Program on disk.
//
// Layout (all integers little-endian):
//   magic      8 bytes  "KAOHE\x1a" "BC"
//   version    u16      format_version
//   reserved   u16      0
//   length     u32      payload length in bytes
//   checksum   32 bytes SHA-256 of the payload
//   payload    the Program's tables and code (docs/bytecode.md)
// Each header field fails with its own message; the payload is then verified (runtime/verify)
// before anything runs.
#pragma once

#include "compiler/program.hpp"
#include "lang/diagnostic.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace kaohe {

inline constexpr std::uint16_t format_version = 3;  // 2: population, grades, money, votes; 3: parts reasons, stages, flags
inline constexpr std::size_t max_khc_bytes = 64u << 20;  // 64 MiB: a 5,000-clause scheme is well under 1 MiB

std::string serialize(const bc::Program& program);

// Decodes a .khc image. Reports (under `source_name`) a bad magic, a wrong version, a wrong
// length, a checksum mismatch, or a malformed payload, and returns nullopt. Does not verify.
std::optional<bc::Program> deserialize(std::string_view bytes, const std::string& source_name, Diagnostics& diags);

// A readable listing: the tables, then each instruction with its address, operand meaning and
// scheme source line.
std::string disassemble(const bc::Program& program);

}  // namespace kaohe
