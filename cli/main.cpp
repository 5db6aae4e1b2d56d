// The kaohe command: argument parsing and the exit-code contract; the commands themselves are
// in cli/commands.cpp.
//
// Exit codes: 0 ok (warnings allowed), 1 errors in the inputs (scheme, evidence, .khc, files
// named on the command line), 2 usage (the command line cannot be parsed), 3 internal error
// (a bug in kaohe: an internal diagnostic or any exception, including running out of memory).
#include "cli/commands.hpp"
#include "cli/files.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include <exception>
#include <iostream>
#include <new>

#ifndef KAOHE_VERSION
#error "KAOHE_VERSION must be defined by the build (CMakeLists.txt)"
#endif

namespace {

using namespace kaohe::cli;

int parse_and_dispatch(int argc, char** argv) {
    CLI::App app{"kaohe: compile and run scoring schemes (考核办法) with exact arithmetic", "kaohe"};
    app.set_version_flag("--version", std::string("kaohe ") + KAOHE_VERSION);
    app.require_subcommand(1);

    std::string scheme;
    auto* check = app.add_subcommand("check", "parse, compile and verify a scheme; print its diagnostics");
    check->add_option("SCHEME", scheme, "the scheme (.kh) or a compiled .khc")->required();

    RunOptions run_options;
    std::string format = "text";
    auto* run = app.add_subcommand(
        "run", "score every unit's evidence; print the ranking (several units) or the score sheet (one unit)");
    run->add_option("SCHEME", run_options.scheme, "the scheme (.kh) or a compiled .khc")->required();
    run->add_option("EVIDENCE", run_options.evidence,
                    "evidence files, CSV tables (*.csv) or directories of *.txt files")
        ->required();
    run->add_option("--format", format,
                    "text (default), json, csv (one row per unit, streamed), html (one self-contained page, "
                    "every sheet explained), or xlsx (an Excel workbook, needs -o)")
        ->check(CLI::IsMember({"text", "json", "csv", "html", "xlsx"}));
    run->add_option("-j,--jobs", run_options.jobs, "threads for --format csv (default: every core)")
        ->check(CLI::Range(1u, 256u));
    run->add_flag("--explain", run_options.explain, "show every rule, the evidence it read and its arithmetic");
    run->add_option("--unit", run_options.units,
                    "after the ranking table, print this unit's score sheet (repeatable: --unit A --unit B)")
        ->allow_extra_args(false);
    run->add_flag("--all", run_options.all_sheets, "after the ranking table, print every unit's score sheet");
    run->add_option("-o,--output", run_options.output, "write the report to this file instead of stdout");
    std::string encoding = "auto";
    run->add_option("--encoding", encoding,
                    "how CSV tables are read: auto (default: UTF-8, or GBK when they are not UTF-8), utf-8 or gbk")
        ->check(CLI::IsMember({"auto", "utf-8", "gbk"}));

    std::string output;
    auto* compile = app.add_subcommand("compile", "compile a scheme to a .khc bytecode file");
    compile->add_option("SCHEME", scheme, "the scheme (.kh)")->required();
    compile->add_option("-o,--output", output, "the .khc file to write")->required();

    std::string khc;
    auto* disasm = app.add_subcommand("disasm", "print a compiled scheme's tables and bytecode");
    disasm->add_option("FILE", khc, "a .khc file (or a scheme, compiled first)")->required();

    std::string doc_format = "markdown";
    auto* doc = app.add_subcommand(
        "doc", "print the scheme as its published table (序号, 考核内容, 工作目标, 基本分, 具体内容与计分办法)");
    doc->add_option("SCHEME", scheme, "the scheme (.kh) or a compiled .khc")->required();
    doc->add_option("--format", doc_format, "markdown (default) or html")->check(CLI::IsMember({"markdown", "html"}));
    doc->add_option("-o,--output", output, "write the table to this file instead of stdout");

    // CLI11 reports a misspelt command as "A subcommand is required"; name it instead.
    if (argc > 1 && argv[1][0] != '-') {
        const std::vector<std::string> commands{"check", "run", "compile", "disasm", "doc"};
        if (std::find(commands.begin(), commands.end(), argv[1]) == commands.end()) {
            const std::string close = kaohe::closest_name(argv[1], commands);
            std::cerr << fmt::format("kaohe: unknown command '{}': expected check, run, compile, disasm or doc\n", argv[1]);
            if (!close.empty()) std::cerr << fmt::format("help: did you mean '{}'?\n", close);
            std::cerr << "Run with --help for more information.\n";
            return exit_usage;
        }
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version are "errors" that exit 0; everything else is a usage error.
        return app.exit(e) == 0 ? exit_ok : exit_usage;
    }

    if (*check) return check_command(scheme);
    if (*run) {
        run_options.encoding = encoding == "utf-8" ? kaohe::TextEncoding::utf8
                               : encoding == "gbk" ? kaohe::TextEncoding::gbk
                                                   : kaohe::TextEncoding::detect;
        run_options.format = format == "json" ? OutputFormat::json
                             : format == "csv"  ? OutputFormat::csv
                             : format == "html" ? OutputFormat::html
                             : format == "xlsx" ? OutputFormat::xlsx
                                                : OutputFormat::text;
        // CSV results are one row per unit: no score sheets, no explanations.
        if (run_options.format == OutputFormat::csv &&
            (run_options.explain || run_options.all_sheets || !run_options.units.empty())) {
            std::cerr << "kaohe run: --format csv writes one row per unit; --explain, --all and --unit need "
                         "--format text, json or html\n";
            return exit_usage;
        }
        // A workbook is a binary file: it goes to a file named with -o, never to a terminal or,
        // unasked, down a pipe (`-o /dev/stdout` writes it there on purpose).
        if (run_options.format == OutputFormat::xlsx && run_options.output.empty()) {
            std::cerr << "kaohe run: --format xlsx writes an Excel workbook, a binary file: name it with -o FILE "
                         "(e.g. -o result.xlsx; -o /dev/stdout to pipe it)\n";
            return exit_usage;
        }
        return run_command(run_options);
    }
    if (*compile) return compile_command(scheme, output);
    if (*disasm) return disasm_command(khc);
    if (*doc) return doc_command(scheme, doc_format == "html" ? DocFormat::html : DocFormat::markdown, output);
    return exit_usage;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return parse_and_dispatch(argc, argv);
    } catch (const std::bad_alloc&) {
        std::cerr << "kaohe: internal error: out of memory\n";
    } catch (const std::exception& e) {
        std::cerr << "kaohe: internal error: " << e.what() << "\n";
    } catch (...) {
        std::cerr << "kaohe: internal error: unknown exception\n";
    }
    return exit_internal;
}
