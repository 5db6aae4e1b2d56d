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
#include <set>
#include <string>
#include <vector>

namespace kaohe {

struct ReportOptions {
    bool explain = false;  // show every rule, the evidence it read and its arithmetic
    // The text report of a run over several units is its ranking table, then the score sheets
    // asked for: every unit's (`all_sheets`, in input order) or those named in `sheets` (in the
    // order named; a name given twice prints once; a name that is no unit of the run is skipped,
    // the command checks names first). A run over one unit prints that unit's sheet. The JSON
    // report always holds the ranking of every unit, and the sheets of the units named in
    // `sheets` (in the order named), or of every unit with `all_sheets` or no name.
    bool all_sheets = false;
    std::vector<std::string> sheets{};  // (initialised, so `ReportOptions{true}` needs no more)
};

// `sheets[i]` is the score sheet of `evidence.units[i]` (from evaluate_all, so `rank`, `grade`
// and `money` are set). Return nullopt after reporting when a number cannot be printed (see
// above).
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
// Likewise for an amount of money `money` (Program::money).
void report_unprintable_money(const bc::Program& program, std::uint32_t money, std::string_view what,
                              const Decimal& value, Diagnostics& diags);

// True when the sheet has an outcome for every node, rule, money line and flag of the program
// and a grade when it grades: a sheet that does not is kaohe's bug, reported as internal.
bool matches_program(const bc::Program& program, const Scoresheet& sheet);

// The order of the ranking table: by Scoresheet::rank, ties in input order.
std::vector<std::size_t> ranking_order(const std::vector<Scoresheet>& sheets);

// True when any unit of the run gave a self-assessed score (the sheets then show 自查分).
bool has_self_scores(const EvidenceSet& evidence);

// The unit's self-assessed score of `node`, or null when it gave none.
const Decimal* self_score(const UnitEvidence* unit, std::uint32_t node);

// The grade's name (a value of the grading's choice type), or "" without grading.
std::string grade_name(const bc::Program& program, const GradeOutcome& grade);

// "", "1", "1.1", "1.1.2": each node's number in the tree (node 0, the scheme, has "").
std::vector<std::string> node_numbers(const bc::Program& program);

// The most each node can score: its points plus its allowance (100 + 10 for a node with a
// 10-point extra bonus anywhere below it), which reports show as `100 (+10)`.
std::vector<Decimal> full_with_extras(const bc::Program& program);

// Each node's allowance (bc::allowances: the points extra bonus nodes below it add to its
// ceiling; 0 for most nodes).
std::vector<Decimal> extra_points(const bc::Program& program);

// Each node's rules, in source order.
std::vector<std::vector<std::uint32_t>> rules_by_node(const bc::Program& program);

// The body of every write_*_report: a program without nodes is kaohe's bug (the verifier
// rejects one), reported as internal; otherwise `Writer(program, evidence, sheets, options,
// diags).write()`.
template <class Writer>
std::optional<std::string> write_with(const bc::Program& program, const EvidenceSet& evidence,
                                      const std::vector<Scoresheet>& sheets, const ReportOptions& options,
                                      Diagnostics& diags) {
    if (program.nodes.empty()) {
        diags.internal("the program has no nodes");
        return std::nullopt;
    }
    return Writer(program, evidence, sheets, options, diags).write();
}

// What every report of score sheets (text, JSON, HTML, Excel) works out once from the program
// and the evidence before it writes a sheet.
struct SheetLayout {
    SheetLayout(const bc::Program& program, const EvidenceSet& evidence);
    std::vector<std::string> numbers;               // node_numbers
    std::vector<std::vector<std::uint32_t>> rules;  // rules_by_node
    std::vector<Decimal> extras;                    // extra_points
    std::vector<Decimal> most;                      // full_with_extras
    bool has_bonus = false;                         // a node is a bonus node (the 加分 column)
    bool has_self = false;                          // has_self_scores (the 自查分 column)
    bool has_grades = false;                        // the scheme grades (the 等次 column)
};

// Checks each sheet against the program before a report writes it (matches_program); a sheet
// that does not match is kaohe's bug, reported once per unit as internal, and failed() is then
// true: the report must not be written.
class SheetCheck {
public:
    SheetCheck(const bc::Program& program, Diagnostics& diags) : program_(program), diags_(diags) {}
    bool operator()(const Scoresheet& sheet);
    bool failed() const { return failed_; }

private:
    const bc::Program& program_;
    Diagnostics& diags_;
    std::set<std::string> reported_;
    bool failed_ = false;
};

// The stamp every report carries, a line each: "kaohe 0.1.0", "scheme: NAME  sha256:HEX",
// "evidence: NAME  sha256:HEX" for each evidence input.
std::vector<std::string> stamp_lines(const bc::Program& program, const EvidenceSet& evidence);

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

// A node's score read by a computed score (`score 考核组 / 1500 * 1000 * 90% + ...`).
struct NodeReadView {
    std::uint32_t node = 0;
    std::string path;   // "1"
    std::string name;   // 考核组 (the node's name, or its label when it has none)
    std::string score;  // exact
    std::string text;   // "考核组 = 1350 (node 1)"
};

// A population value a rule used (phase 2).
struct AggregateView {
    std::uint32_t aggregate = 0;
    std::string kind;   // rank, mean, max, min, sum, count, bottom, top
    std::string expr;   // "rank 线上考核分 among 镇": as written, `group` replaced by the unit's group
    std::string value;  // "3", "13.25", "yes"
    std::uint32_t in_scope = 0;
    // rank, bottom, top: the value ranked (its expression and the unit's value), for bottom/top
    // the cut-off (empty when the scope has at most N units) and the size of the set, for rank
    // how many other units share the value.
    std::string input, own, cutoff;
    std::uint32_t selected = 0, tied = 0;
    // "rank 线上考核分 among 镇 = 3 (of 8 units; 线上考核分 = 92, tied with 1 other)",
    // "满意度测评分 = 88.2; bottom 5 by 满意度测评分 among all: cut-off 88.6 (the 5th lowest), ties
    // included → yes (of 12 units, 6 in the bottom set)"
    std::string text;
};

// A list builtin over a list, shown as one step: "mean over 班子评分 (7 records) = 18.5".
struct ListView {
    std::string kind;  // sum, count, max, min, any, all, mean
    std::string list;  // the list's evidence name
    std::uint32_t records = 0;
    std::string value;
    std::string text;
    std::size_t after_steps = 0;  // how many of its explanation's steps came before it
};

struct RuleExplanation {
    std::vector<ReadView> reads;
    std::vector<NodeReadView> nodes;
    std::vector<AggregateView> aggregates;
    std::vector<ListView> lists;
    std::vector<StepView> steps;
};

// A unit's trace grouped by what each step belongs to (empty vectors when the sheet was
// evaluated without explanations). Reads of phase 1's population inputs are not shown: the
// aggregates that use them are.
struct UnitExplanation {
    std::vector<RuleExplanation> rules;     // parallel to Program::rules
    std::vector<RuleExplanation> vetoes;    // parallel to Program::grading.vetoes
    std::vector<RuleExplanation> money;     // parallel to Program::money
    std::vector<RuleExplanation> forfeits;  // parallel to Program::forfeits
    std::vector<RuleExplanation> flags;     // parallel to Program::flags
};
UnitExplanation explain_unit(const bc::Program& program, const UnitEvidence& unit, const Scoresheet& sheet);

// The rules' part of explain_unit.
std::vector<RuleExplanation> explain_rules(const bc::Program& program, const UnitEvidence& unit, const Scoresheet& sheet);

// "住夜未落实 = 7 次 (台账 p.12; 城东.txt:5)"
std::string describe_read(const ReadView& read);

// ---- words and lines every human-readable report prints alike (text, HTML) ----------------

// The sheets to show for `names` (--unit): each named unit once, in the order named; a name
// that is no unit of the run is skipped (the command checks names first).
std::vector<std::size_t> named_sheets(const std::vector<Scoresheet>& sheets, const std::vector<std::string>& names);

// The sheets the JSON, HTML and Excel reports hold: every unit's (in input order) with
// `options.all_sheets` or no name given, else named_sheets(sheets, options.sheets).
std::vector<std::size_t> shown_sheets(const std::vector<Scoresheet>& sheets, const ReportOptions& options);

// The rule as written, without its `says "..."` (which reports quote in 「」 already).
std::string without_says(const std::string& source_text);

// A rule's words for a title: 「says」 when the document's words are given, else the rule as written.
std::string rule_words(const std::string& says, const std::string& source_text);

// How a rule reads in an explanation: as written, except that a computed score shows as
// `= EXPR` (the node scores that value, not its children's sum).
std::string shown_rule_text(const bc::RuleInfo& rule);

// "+1", "-0.5", "0": a difference always shows its direction (`printed` is the value printed).
std::string signed_text(const Decimal& value, const std::string& printed);

// The list summaries and arithmetic steps of an explanation in the order they happened: a list's
// summary after the steps inside its records, before the steps that use its value.
std::vector<std::string> arithmetic_texts(const RuleExplanation& why);

// What a rule (or veto, money line, forfeit, flag) read and computed, in one line: its reads,
// the node scores and population values it used, then arithmetic_texts, joined by "; ".
std::string explanation_text(const RuleExplanation& why);

// What a rule that fired took or gave: "→ −3.5", "→ +2", "→ 0", "→ 36.8" (a computed score),
// with "(capped at 8; the rule computed 12)" when its cap bound; "" when it did not fire.
std::string rule_effect(const bc::RuleInfo& rule, const RuleOutcome& outcome);

// How the text report heads a rule under --explain: "「says」 (scheme.kh:97)  `deduct 0.5 per X`"
// (the rule as written after the document's words, when both are given), with "  not applied"
// when the rule did not fire.
std::string rule_heading(const bc::Program& program, const bc::RuleInfo& rule, const RuleOutcome& outcome);

// What a rule read and computed, then what it took or gave: explanation_text, then rule_effect
// ("住夜带班未落实 = 3 次 (…); 0.5 × 3 = 1.5 → −1.5"); "" when there is nothing to say.
std::string rule_detail(const bc::RuleInfo& rule, const RuleOutcome& outcome, const RuleExplanation& why);

// "  applied" for the veto (forfeit) that decided, "  not applied" for all when none did; the
// VM records only the first that held, so after it nothing is said of the others.
const char* applied_text(std::uint32_t decided, std::uint32_t which);

// Prints a report's numbers the scheme's way (NumberPrinter). A value that cannot be printed
// is reported once per node (money line) and printed as "?"; failed() is then true and the
// report must not be written.
class ReportNumbers {
public:
    ReportNumbers(const bc::Program& program, Diagnostics& diags) : program_(program), diags_(diags), printer_(program.info) {}
    // `what` names the value in the diagnostic: "score", "full marks", ...
    PrintedNumber score(std::uint32_t node, std::string_view what, const Decimal& value);
    // An amount of money: "3600元" (or "?").
    std::string money(std::uint32_t money, std::string_view what, const Decimal& value);
    bool failed() const { return failed_; }

private:
    const bc::Program& program_;
    Diagnostics& diags_;
    NumberPrinter printer_;
    std::vector<bool> unprintable_nodes_, unprintable_money_;  // reported already
    bool failed_ = false;
};

// The notes under a node's rules: its floor (扣完为止) or cap (加满为止, with the scheme's
// `parts` reason), and the unit's self-assessed score with its origin and the difference.
// `most` is full_with_extras(program).
std::vector<std::string> node_notes(const bc::Program& program, const std::vector<Decimal>& most, std::uint32_t node,
                                    const NodeOutcome& outcome, const UnitEvidence* unit);

// Why `sheets[u]` has its grade: "总分 92 ≥ 80", "meets 优秀 (≥ 90) but ...; 总分 92 ≥ 80",
// "一票否决: 「...」 scheme.kh:35"; "" when there is nothing to say. The scheme has grades.
std::string grade_reason(const bc::Program& program, const std::vector<Scoresheet>& sheets, std::size_t u,
                         ReportNumbers& numbers);

// "考核奖: 3600元", or "考核奖: 0元 (computed 3000元; forfeited 「...」 scheme.kh:88)".
std::string money_line(const bc::Program& program, const Scoresheet& sheet, std::uint32_t m, ReportNumbers& numbers);

// "诫勉: yes 「对考核末三位的机关工作人员进行诫勉」 scheme.kh:158", or "诫勉: no".
std::string flag_line(const bc::Program& program, const Scoresheet& sheet, std::uint32_t f);

// "half_up", "half_even", "down", "up": a rounding mode as the scheme writes it (`display 2 half_up`).
const char* rounding_name(Rounding mode);

}  // namespace report
}  // namespace kaohe
