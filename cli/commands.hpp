// The kaohe subcommands. Each returns the process exit code (cli/files.hpp) and prints its
// diagnostics to stderr; results go to stdout or to the -o file.
#pragma once

#include "runtime/encoding.hpp"

#include <string>
#include <vector>

namespace kaohe::cli {

enum class OutputFormat { text, json, csv, html, xlsx };

struct RunOptions {
    std::string scheme;                 // a .kh scheme or a .khc file (told apart by its magic bytes)
    std::vector<std::string> evidence;  // files, *.csv tables, directories of *.txt
    OutputFormat format = OutputFormat::text;
    bool explain = false;
    bool all_sheets = false;            // --all: every unit's score sheet after the ranking table
    std::vector<std::string> units;     // --unit NAME (repeatable): these units' score sheets
    std::string output;                 // empty: stdout
    unsigned jobs = 0;                  // -j: threads for --format csv (0: every core)
    TextEncoding encoding = TextEncoding::detect;  // --encoding: how CSV tables are read
};

int check_command(const std::string& scheme);
int run_command(const RunOptions& options);
int compile_command(const std::string& scheme, const std::string& output);
int disasm_command(const std::string& file);

enum class DocFormat { markdown, html };
// `kaohe doc`: the scheme (or .khc) as its published table (runtime/scheme_doc.hpp).
int doc_command(const std::string& scheme, DocFormat format, const std::string& output);

}  // namespace kaohe::cli
