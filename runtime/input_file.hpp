// Reading an input file whole, with a size limit: the one way kaohe reads schemes, .khc files
// and evidence. Every failure is a diagnostic on the file (never an exception).
#pragma once

#include "lang/diagnostic.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kaohe {

// Reads `path` into memory. `expected` names what the caller wants, for the messages
// ("a file", "an evidence file"); a directory, an unopenable or unreadable file, or one over
// `limit` bytes (checked before reading and again after, for a file that grew or a pipe) is
// reported and gives nullopt.
std::optional<std::string> read_input_file(const std::string& path, std::uintmax_t limit, std::string_view expected,
                                           Diagnostics& diags);

}  // namespace kaohe
