// Report writers: score sheets as aligned text (for people at a terminal) and as JSON (for
// programs). Both are deterministic: the same Program, evidence and options give byte-identical
// output. No timestamps, no paths other than the names the inputs were given under, and every
// report is stamped with the kaohe version, the scheme's source name and SHA-256 (as stored in
// the Program, so a compiled .khc reports exactly like its scheme) and each evidence input's
// name and SHA-256.
//
// Numbers: with the scheme's `display P MODE`, every printed score is rounded to P places with
// that mode; without it, every printed score must be a terminating decimal and one that is not
// (31/3) is an error diagnostic naming the node. Numbers are never binary floats, in JSON too.
#pragma once

#include "compiler/program.hpp"
#include "lang/diagnostic.hpp"
#include "runtime/evidence.hpp"
#include "runtime/result.hpp"

#include <optional>
#include <string>
#include <vector>

namespace kaohe {

struct ReportOptions {
    bool explain = false;  // show every rule, the evidence it read and its arithmetic
};

// `sheets[i]` is the score sheet of `evidence.units[i]`. Return nullopt after reporting when a
// number cannot be printed (see above).
std::optional<std::string> write_text_report(const bc::Program& program, const EvidenceSet& evidence,
                                             const std::vector<Scoresheet>& sheets, const ReportOptions& options,
                                             Diagnostics& diags);
std::optional<std::string> write_json_report(const bc::Program& program, const EvidenceSet& evidence,
                                             const std::vector<Scoresheet>& sheets, const ReportOptions& options,
                                             Diagnostics& diags);

// ---- building blocks shared by the writers ----------------------------------------------

namespace report {

// The version every report carries.
const char* kaohe_version();

// A printed number: its text, and the exact value as a fraction when the declared display
// rounding changed it.
struct PrintedNumber {
    std::string text;
    std::optional<std::string> exact;
};

// Prints numbers the way the scheme declares (`display P MODE`) or exactly.
class NumberPrinter {
public:
    explicit NumberPrinter(const bc::SchemeInfo& info) : info_(info) {}
    // nullopt when the value does not terminate and the scheme declares no display precision.
    std::optional<PrintedNumber> print(const Decimal& value) const;

private:
    const bc::SchemeInfo& info_;
};

// Reports that `value` (the node's `what`, e.g. "score") cannot be printed exactly.
void report_unprintable(const bc::Program& program, std::uint32_t node, std::string_view what, const Decimal& value,
                        Diagnostics& diags);

// "", "1", "1.1", "1.1.2": each node's number in the tree (node 0, the scheme, has "").
std::vector<std::string> node_numbers(const bc::Program& program);

// Each node's rules, in source order.
std::vector<std::vector<std::uint32_t>> rules_by_node(const bc::Program& program);

// One evidence read of a rule, ready to show.
struct ReadView {
    std::string name;   // 住夜未落实, or 创新做法[2].推广 inside a loop
    std::string value;  // "7 次", "85%", "yes", "省级"
    std::string exact;  // the value alone, for JSON: "7", "0.85", "yes", "省级"
    const FactOrigin* origin = nullptr;
    std::uint32_t record = bc::no_index;  // 0-based, or no_index
    std::string field;
};

// One arithmetic step: "0.5 × 7 = 3.5".
struct StepView {
    std::string op;  // the opcode's name, e.g. MUL
    std::string lhs, rhs, result;
    std::string text;
};

struct RuleExplanation {
    std::vector<ReadView> reads;
    std::vector<StepView> steps;
};

// Groups a sheet's trace by rule (empty vectors when the sheet was evaluated without explanations).
std::vector<RuleExplanation> explain_rules(const bc::Program& program, const UnitEvidence& unit, const Scoresheet& sheet);

// "住夜未落实 = 7 次 (台账 p.12; 城东.txt:5)"
std::string describe_read(const ReadView& read);

}  // namespace report
}  // namespace kaohe
