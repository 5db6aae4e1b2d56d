// The command's contact with the file system: reading inputs (keeping their text so every
// diagnostic can show its source line), writing results atomically, printing diagnostics.
#pragma once

#include "runtime/encoding.hpp"
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
// source line. Files read by other layers (evidence) are read again on demand, once; a CSV
// table as its loader read it (a GBK table transcoded to UTF-8), so lines show as they read.
class SourceTexts {
public:
    void remember(const std::string& file, std::string text) { texts_[file] = std::move(text); }
    void set_table_encoding(TextEncoding encoding) { table_encoding_ = encoding; }
    std::string_view text_of(const std::string& file);

private:
    std::map<std::string, std::string> texts_;
    TextEncoding table_encoding_ = TextEncoding::detect;
};


// An -o file being written. A regular file (or a new one) is written as a temporary file in
// the same directory and renamed over it on commit(), so a reader never sees half a report and
// a failed run leaves the old file in place. Through a symlink, the file it points to is the
// one replaced (the link stays a link). A device or pipe (/dev/stdout) is written in place:
// renaming over it would replace the device node with a regular file.
class OutputFile {
public:
    OutputFile() = default;
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;
    ~OutputFile();  // abandons an uncommitted file

    bool open(const std::string& path, Diagnostics& diags);
    int fd() const { return fd_; }
    // Makes the written bytes the file's content; false after reporting why not.
    bool commit(Diagnostics& diags);
    // Drops what was written; the previous file, if any, stays as it was.
    void abandon();

private:
    std::string path_;  // as the user named it, for messages
    std::string temp_;  // empty when writing in place
    std::string final_;
    int fd_ = -1;
};

// Writes `bytes` to `path` through an OutputFile.
bool write_file_atomically(const std::string& path, std::string_view bytes, Diagnostics& diags);

// Prints every diagnostic to stderr, clang-style, with its source line when the text is known.
void print_diagnostics(const Diagnostics& diags, SourceTexts& texts);

// exit_internal if any internal error, exit_input if any error, else exit_ok.
int exit_code_for(const Diagnostics& diags);

}  // namespace kaohe::cli
