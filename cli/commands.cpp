// The subcommands, each the pipeline of docs/architecture.md read top to bottom:
// read -> parse -> compile (or load + verify a .khc) -> load evidence -> evaluate -> report.
#include "cli/commands.hpp"

#include "cli/files.hpp"
#include "compiler/bytecode_file.hpp"
#include "compiler/compile.hpp"
#include "lang/limits.hpp"
#include "lang/parse.hpp"
#include "runtime/evidence.hpp"
#include "runtime/report.hpp"
#include "runtime/verify.hpp"
#include "runtime/vm.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>

namespace kaohe::cli {
namespace {

// The first bytes of every .khc file (compiler/bytecode_file.hpp). A compiled scheme is told
// from a source by these, never by its file name.
constexpr std::string_view khc_magic{"KAOHE\x1a" "BC", 8};

bool is_khc(std::string_view bytes) { return bytes.substr(0, khc_magic.size()) == khc_magic; }

// A scheme source, or a .khc image, read from the command line.
struct SchemeInput {
    std::string path;
    std::string bytes;
    bool compiled = false;
};

std::optional<SchemeInput> read_scheme(const std::string& path, SourceTexts& texts, Diagnostics& diags) {
    auto bytes = read_input_file(path, std::max(limits::max_source_bytes, max_khc_bytes), diags);
    if (!bytes) return std::nullopt;
    SchemeInput in{path, std::move(*bytes), false};
    in.compiled = is_khc(in.bytes);
    const std::size_t limit = in.compiled ? max_khc_bytes : limits::max_source_bytes;
    if (in.bytes.size() > limit) {
        diags.error(path, Span{}, fmt::format("file is {} bytes, over the limit of {} bytes", in.bytes.size(), limit));
        return std::nullopt;
    }
    if (!in.compiled) texts.remember(path, in.bytes);
    return in;
}

// parse -> compile, for a scheme source.
std::optional<bc::Program> compile_source(const SchemeInput& in, Diagnostics& diags) {
    auto ast = parse_scheme(in.bytes, in.path, diags);
    if (!ast) return std::nullopt;
    return compile(*ast, in.bytes, diags);
}

// A Program ready to run: compiled from source or loaded from a .khc, and verified either way.
std::optional<bc::Program> load_program(const std::string& path, SourceTexts& texts, Diagnostics& diags) {
    auto in = read_scheme(path, texts, diags);
    if (!in) return std::nullopt;
    auto program = in->compiled ? deserialize(in->bytes, path, diags) : compile_source(*in, diags);
    if (!program || diags.has_errors()) return std::nullopt;
    if (!verify(*program, path, diags)) return std::nullopt;
    return program;
}

std::optional<std::vector<Scoresheet>> evaluate_units(const bc::Program& program, const EvidenceSet& evidence,
                                                      Explain explain, Diagnostics& diags) {
    std::vector<Scoresheet> sheets;
    sheets.reserve(evidence.units.size());
    for (const UnitEvidence& unit : evidence.units) {
        auto sheet = evaluate(program, unit, explain, diags);
        if (sheet) sheets.push_back(std::move(*sheet));
    }
    if (sheets.size() != evidence.units.size()) return std::nullopt;
    return sheets;
}

// Writes to -o atomically, or to stdout.
bool emit(const std::string& output, const std::string& bytes, Diagnostics& diags) {
    if (!output.empty()) return write_file_atomically(output, bytes, diags);
    std::cout << bytes;
    std::cout.flush();
    return static_cast<bool>(std::cout);
}

int finish(const Diagnostics& diags, SourceTexts& texts) {
    print_diagnostics(diags, texts);
    return exit_code_for(diags);
}

}  // namespace

int check_command(const std::string& scheme) {
    Diagnostics diags;
    SourceTexts texts;
    const bool ok = load_program(scheme, texts, diags).has_value();
    print_diagnostics(diags, texts);
    if (!ok || diags.has_errors()) return exit_code_for(diags) == exit_ok ? exit_input : exit_code_for(diags);
    const std::size_t warnings = diags.warning_count();
    if (warnings == 0) std::cout << fmt::format("{}: ok\n", scheme);
    else std::cout << fmt::format("{}: ok ({} warning{})\n", scheme, warnings, warnings == 1 ? "" : "s");
    return exit_ok;
}

int run_command(const RunOptions& options) {
    Diagnostics diags;
    SourceTexts texts;
    const auto program = load_program(options.scheme, texts, diags);
    if (!program) return std::max(finish(diags, texts), exit_input);

    EvidenceSet evidence;
    if (!load_evidence(*program, options.evidence, evidence, diags)) return std::max(finish(diags, texts), exit_input);

    const Explain explain = options.explain ? Explain::yes : Explain::no;
    const auto sheets = evaluate_units(*program, evidence, explain, diags);
    if (!sheets) return std::max(finish(diags, texts), exit_input);

    const ReportOptions report_options{options.explain};
    const auto report = options.format == OutputFormat::json
                            ? write_json_report(*program, evidence, *sheets, report_options, diags)
                            : write_text_report(*program, evidence, *sheets, report_options, diags);
    if (!report || !emit(options.output, *report, diags)) return std::max(finish(diags, texts), exit_input);
    return finish(diags, texts);
}

int compile_command(const std::string& scheme, const std::string& output) {
    Diagnostics diags;
    SourceTexts texts;
    auto in = read_scheme(scheme, texts, diags);
    if (in && in->compiled) diags.error(scheme, Span{}, "is already a compiled .khc file");
    std::optional<bc::Program> program;
    if (in && !in->compiled) program = compile_source(*in, diags);
    if (program && verify(*program, scheme, diags) && !diags.has_errors())
        write_file_atomically(output, serialize(*program), diags);
    const int code = finish(diags, texts);
    return program || code != exit_ok ? code : exit_input;
}

int disasm_command(const std::string& file) {
    Diagnostics diags;
    SourceTexts texts;
    const auto program = load_program(file, texts, diags);
    if (program) {
        std::cout << disassemble(*program);
        std::cout.flush();
    }
    const int code = finish(diags, texts);
    return program || code != exit_ok ? code : exit_input;
}

}  // namespace kaohe::cli
