// The command's contact with the file system: reading inputs (keeping their text so every
// diagnostic can show its source line), writing results atomically, printing diagnostics.
#pragma once

#include "runtime/input_file.hpp"

#include "lang/diagnostic.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace kaohe::cli {

// Exit codes of the kaohe command (docs/cli.md).
inline constexpr int exit_ok = 0;        // success (warnings allowed)
inline constexpr int exit_input = 1;     // an error in the inputs: scheme, evidence, .khc, missing files
inline constexpr int exit_usage = 2;     // the command line itself is wrong
inline constexpr int exit_internal = 3;  // kaohe is wrong: an internal error or an unexpected exception

// The texts of the files read so far, by the name diagnostics use, so a diagnostic can show its
// source line. Files read by other layers (evidence) are read again on demand, once.
class SourceTexts {
public:
    void remember(const std::string& file, std::string text) { texts_[file] = std::move(text); }
    std::string_view text_of(const std::string& file);

private:
    std::map<std::string, std::string> texts_;
};


// Writes `bytes` to `path` atomically: a temporary file in the same directory, then rename, so
// a reader never sees half a report and a failed run leaves the old file in place.
bool write_file_atomically(const std::string& path, std::string_view bytes, Diagnostics& diags);

// Prints every diagnostic to stderr, clang-style, with its source line when the text is known.
void print_diagnostics(const Diagnostics& diags, SourceTexts& texts);

// exit_internal if any internal error, exit_input if any error, else exit_ok.
int exit_code_for(const Diagnostics& diags);

}  // namespace kaohe::cli
