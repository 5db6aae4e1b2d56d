// The subcommands, each the pipeline of docs/architecture.md read top to bottom:
// read -> parse -> compile (or load + verify a .khc) -> load evidence -> evaluate -> report.
#include "cli/commands.hpp"

#include "cli/files.hpp"
#include "cli/stream.hpp"
#include "compiler/bytecode_file.hpp"
#include "compiler/compile.hpp"
#include "lang/limits.hpp"
#include "lang/parse.hpp"
#include "runtime/evidence.hpp"
#include "runtime/report.hpp"
#include "runtime/report_html.hpp"
#include "runtime/report_xlsx.hpp"
#include "runtime/scheme_doc.hpp"
#include "runtime/verify.hpp"
#include "runtime/vm.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

namespace kaohe::cli {
namespace {

// The first bytes of every .khc file (compiler/bytecode_file.hpp). A compiled scheme is told
// from a source by these, never by its file name.
constexpr std::string_view khc_magic{"KAOHE\x1a" "BC", 8};

// A file that starts like the magic ("KAOHE") is taken as bytecode, so a damaged magic is
// reported by the loader as such, not as a scheme source full of invalid UTF-8.
bool is_khc(std::string_view bytes) { return bytes.starts_with(khc_magic.substr(0, 5)); }

// A scheme source, or a .khc image, read from the command line.
struct SchemeInput {
    std::string path;
    std::string bytes;
    bool compiled = false;
};

std::optional<SchemeInput> read_scheme(const std::string& path, SourceTexts& texts, Diagnostics& diags) {
    auto bytes = read_input_file(path, std::max(limits::max_source_bytes, max_khc_bytes), "a file", diags);
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

// Every `--unit NAME` must name a unit of the run; a misspelt name is an error (with the
// closest unit's name), not a silently missing sheet.
bool check_unit_names(const std::vector<std::string>& names, const EvidenceSet& evidence, Diagnostics& diags) {
    std::vector<std::string> known;
    for (const UnitEvidence& unit : evidence.units) known.push_back(unit.name);
    bool ok = true;
    for (const std::string& name : names) {
        if (std::find(known.begin(), known.end(), name) != known.end()) continue;
        const std::string close = closest_name(name, known);
        diags.error("", Span{}, fmt::format("--unit '{}': no unit of that name in the evidence", name),
                    close.empty() ? std::string() : fmt::format("did you mean '{}'?", close));
        ok = false;
    }
    return ok;
}

// Writes to -o atomically, or to stdout.
bool emit(const std::string& output, const std::string& bytes, Diagnostics& diags) {
    if (!output.empty()) return write_file_atomically(output, bytes, diags);
    std::cout << bytes;
    std::cout.flush();
    return static_cast<bool>(std::cout);
}

// Inputs are never modified: an -o that names the scheme, an evidence file or a file in an
// evidence directory is refused before anything is read or written.
bool output_is_an_input(const std::string& output, const std::vector<std::string>& inputs, Diagnostics& diags) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (output.empty() || !fs::exists(output, ec)) return false;
    const auto same = [&](const fs::path& input) { return fs::equivalent(output, input, ec) && !ec; };
    for (const std::string& input : inputs) {
        bool hit = same(input);
        if (!hit && fs::is_directory(input, ec))
            for (const auto& entry : fs::directory_iterator(input, ec))
                if (same(entry.path())) hit = true;
        if (hit) {
            diags.error(output, Span{}, fmt::format("-o would overwrite the input '{}': write the output elsewhere", input));
            return true;
        }
    }
    return false;
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
    texts.set_table_encoding(options.encoding);
    std::vector<std::string> inputs = options.evidence;
    inputs.push_back(options.scheme);
    if (output_is_an_input(options.output, inputs, diags)) return finish(diags, texts);
    const auto program = load_program(options.scheme, texts, diags);
    if (!program) return std::max(finish(diags, texts), exit_input);

    // CSV results are streamed: the evidence is never held whole (cli/stream.cpp).
    if (options.format == OutputFormat::csv) {
        const bool ok = run_csv(*program, options, diags);
        return ok ? finish(diags, texts) : std::max(finish(diags, texts), exit_input);
    }

    EvidenceSet evidence;
    if (!load_evidence(*program, options.evidence, evidence, diags, options.encoding)) return std::max(finish(diags, texts), exit_input);
    if (!check_unit_names(options.units, evidence, diags)) return std::max(finish(diags, texts), exit_input);

    // Every run goes through all phases: a unit's rank, a peer mean or a grade quota needs the
    // whole population, and a run with one unit is a population of one.
    // The HTML and Excel reports always explain (every rule shows what it read).
    const bool html = options.format == OutputFormat::html, xlsx = options.format == OutputFormat::xlsx;
    const Explain explain = options.explain || html || xlsx ? Explain::yes : Explain::no;
    const auto sheets = evaluate_all(*program, evidence, explain, diags);
    if (!sheets) return std::max(finish(diags, texts), exit_input);

    const ReportOptions report_options{options.explain, options.all_sheets, options.units};
    std::optional<std::string> report;
    if (options.format == OutputFormat::json) report = write_json_report(*program, evidence, *sheets, report_options, diags);
    else if (html) report = write_html_report(*program, evidence, *sheets, report_options, diags);
    else if (xlsx) report = write_xlsx_report(*program, evidence, *sheets, report_options, diags);
    else report = write_text_report(*program, evidence, *sheets, report_options, diags);
    if (!report || !emit(options.output, *report, diags)) return std::max(finish(diags, texts), exit_input);
    return finish(diags, texts);
}

int compile_command(const std::string& scheme, const std::string& output) {
    Diagnostics diags;
    SourceTexts texts;
    if (output_is_an_input(output, {scheme}, diags)) return finish(diags, texts);
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

int doc_command(const std::string& scheme, DocFormat format, const std::string& output) {
    Diagnostics diags;
    SourceTexts texts;
    if (output_is_an_input(output, {scheme}, diags)) return finish(diags, texts);
    const auto program = load_program(scheme, texts, diags);
    if (!program) return std::max(finish(diags, texts), exit_input);
    const std::string doc = format == DocFormat::html ? write_scheme_html(*program) : write_scheme_markdown(*program);
    if (!emit(output, doc, diags)) return std::max(finish(diags, texts), exit_input);
    return finish(diags, texts);
}

}  // namespace kaohe::cli
