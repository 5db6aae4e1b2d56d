// The HTML report: the text report's content (runtime/report.cpp, the same building blocks and
// words) laid out as one page, every explanation a <details> that opens where the rule is.
#include "runtime/report_html.hpp"

#include "runtime/html.hpp"
#include "runtime/sha256.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace kaohe {
namespace {

using html::escape;

// Added to html.hpp's stylesheet: the score sheet's rows by depth, the explanations, and print
// rules (every sheet on a new page with its unit's name repeated at the top of each page, an
// explanation kept whole, the disclosure triangles and buttons left out).
constexpr std::string_view report_css = R"css(
body { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
header.report p.meta { font-size: 10pt; }
p.tools { margin: .6em 0 0; }
p.tools button { font: inherit; font-size: 9pt; padding: .15em .7em; margin-right: .4em; cursor: pointer; }
table.ranking { width: auto; min-width: 36em; }
table.ranking th:first-child { width: 3em; }
table.ranking td.flag { text-align: center; }
table.ranking a, h2 a { color: inherit; }
section.sheet { margin-top: 2.2em; }
section.sheet h2 { border-bottom: 2px solid #333; padding-bottom: .15em; }
section.sheet h2 .sub { font-size: 10.5pt; font-weight: normal; color: #555; margin-left: .6em; }
table.scores { table-layout: fixed; }
table.scores col.no { width: 3.8em; }
table.scores col.full { width: 5.6em; }
table.scores col.full.extras { width: 8.4em; }
table.scores col.num { width: 4.4em; }
table.scores td.no { white-space: nowrap; color: #333; }
table.scores tr.section > td { background: #f3f3f3; font-weight: 600; }
table.scores tr.total > td { font-weight: 700; border-top: 2px solid #333; background: #f3f3f3; }
table.scores td.label.d2 { padding-left: 1.3em; }
table.scores td.label.d3 { padding-left: 2.4em; }
table.scores td.label.d4 { padding-left: 3.5em; }
table.scores td.label .doc-text { font-weight: normal; font-size: 9pt; color: #555; margin-top: .15em; }
table.scores td.lost { color: #a00; }
table.scores tr.explained { break-inside: auto; page-break-inside: auto; }
tr.running { display: none; }
tr.running th { background: #fff; border: none; border-bottom: 1px solid #888; font-weight: normal; color: #444; }
div.why { margin: .3em 0 .1em; font-weight: normal; }
details { margin: .2em 0; padding: .05em .5em; border-left: 3px solid #bbb; background: #fafafa;
          break-inside: avoid; page-break-inside: avoid; }
details.deduct.fired { border-left-color: #b22; }
details.award.fired { border-left-color: #287a3e; }
details.score.fired, details.money { border-left-color: #2a5db0; }
details.veto.fired, details.forfeit.fired, details.flag.fired { border-left-color: #b22; }
details.idle { color: #555; }
summary { cursor: pointer; }
summary .effect { margin-left: .8em; font-weight: 600; white-space: nowrap; font-variant-numeric: tabular-nums; }
details.deduct.fired summary .effect { color: #a00; }
details.award.fired summary .effect { color: #1d6b31; }
summary .status { margin-left: .8em; color: #666; font-size: 9pt; }
details dl { display: grid; grid-template-columns: 3.2em 1fr; gap: .1em .6em; margin: .3em 0 .2em; font-size: 9.5pt; }
details dt { color: #666; }
details dd { margin: 0; }
details ul, details ol { margin: 0; padding-left: 1.3em; }
.source { background: #fff3c4; padding: 0 .25em; border-radius: 2px; }
.at { color: #555; font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 8.5pt; }
p.note { margin: .2em 0; font-size: 9.5pt; color: #333; }
div.outcome ul { margin: .3em 0; padding-left: 1.2em; }
div.outcome li { margin: .15em 0; }
@media print {
  section.sheet { margin-top: 0; }
  section.sheet > h2, section.sheet > p.meta { display: none; }
  tr.running { display: table-row; }
  tr.running th { font-size: 10.5pt; padding: 0 0 .3em; }
  summary { list-style: none; cursor: auto; }
  summary::-webkit-details-marker { display: none; }
}
)css";

// Every <details> opens before printing (printed reports show every explanation); the two
// buttons open or close them all on screen.
constexpr std::string_view report_script = R"js(
(function () {
  function setAll(open) {
    document.querySelectorAll('details').forEach(function (d) { d.open = open; });
  }
  window.addEventListener('beforeprint', function () { setAll(true); });
  document.querySelectorAll('button[data-details]').forEach(function (button) {
    button.addEventListener('click', function () { setAll(button.getAttribute('data-details') === 'open'); });
  });
})();)js";

// A flag's cell in the ranking table when the unit carries it (as in the text report).
constexpr std::string_view flag_mark = "✓";

// A number cell; a display-rounded number shows its exact value on hover.
std::string number_cell(const report::PrintedNumber& number, std::string_view classes = "num") {
    if (number.exact)
        return fmt::format("<td class=\"{}\" title=\"= {}\">{}</td>", classes, escape(*number.exact), escape(number.text));
    return fmt::format("<td class=\"{}\">{}</td>", classes, escape(number.text));
}

const char* kind_class(bc::NodeKind kind) {
    switch (kind) {
    case bc::NodeKind::scheme: return "total";
    case bc::NodeKind::section: return "section";
    case bc::NodeKind::item: return "item";
    case bc::NodeKind::clause: return "clause";
    }
    return "item";
}

const char* rule_class(bc::RuleKind kind) {
    switch (kind) {
    case bc::RuleKind::deduct: return "deduct";
    case bc::RuleKind::award: return "award";
    case bc::RuleKind::score: return "score";
    }
    return "deduct";
}

// "applied", "not applied" or "" (report::applied_text without its indentation).
std::string status_text(std::uint32_t decided, std::uint32_t which) {
    std::string_view text = report::applied_text(decided, which);
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    return std::string(text);
}

// One term of a definition list, when it has anything to say.
std::string term(std::string_view name, const std::string& html) {
    return html.empty() ? std::string() : fmt::format("<dt>{}</dt><dd>{}</dd>", name, html);
}

// `scheme.kh:42` and the rule as written.
std::string scheme_line(const bc::Program& program, std::uint32_t line, const std::string& written) {
    std::string out = fmt::format("<code class=\"at\">{}:{}</code>", escape(program.info.source_name), line);
    if (!written.empty()) out += fmt::format(" <code>{}</code>", escape(written));
    return out;
}

// An evidence read: its name and value, its `source` note and where it was read.
std::string read_item(const report::ReadView& read) {
    std::string out = fmt::format("<li>{} = <strong>{}</strong>", escape(read.name), escape(read.value));
    if (read.origin) {
        if (!read.origin->source.empty()) out += fmt::format(" <span class=\"source\">{}</span>", escape(read.origin->source));
        if (read.origin->line == 0) out += " <span class=\"at\">scheme default</span>";
        else out += fmt::format(" <span class=\"at\">{}:{}</span>", escape(read.origin->file), read.origin->line);
    }
    return out + "</li>";
}

std::string list_items(const std::vector<std::string>& texts, std::string_view tag) {
    if (texts.empty()) return {};
    std::string out = fmt::format("<{}>", tag);
    for (const std::string& text : texts) out += "<li>" + escape(text) + "</li>";
    return out + fmt::format("</{}>", tag);
}

// What a rule (veto, money line, forfeit, flag) read and computed, as terms: 证据 (evidence
// read), 引用 (node scores), 统计 (population values), 计算 (list summaries and arithmetic).
std::string explanation_terms(const report::RuleExplanation& why) {
    std::string reads;
    if (!why.reads.empty()) {
        reads = "<ul>";
        for (const auto& read : why.reads) reads += read_item(read);
        reads += "</ul>";
    }
    std::vector<std::string> nodes, aggregates;
    for (const auto& node : why.nodes) nodes.push_back(node.text);
    for (const auto& agg : why.aggregates) aggregates.push_back(agg.text);
    return term("证据", reads) + term("引用", list_items(nodes, "ul")) + term("统计", list_items(aggregates, "ul")) +
           term("计算", list_items(report::arithmetic_texts(why), "ol"));
}

std::string details(std::string_view classes, const std::string& summary, const std::string& terms) {
    return fmt::format("<details class=\"{}\"><summary>{}</summary><dl>{}</dl></details>\n", classes, summary, terms);
}

class HtmlReport {
public:
    HtmlReport(const bc::Program& program, const EvidenceSet& evidence, const std::vector<Scoresheet>& sheets,
               const ReportOptions& options, Diagnostics& diags)
        : program_(program), evidence_(evidence), sheets_(sheets), diags_(diags), printed_(program, diags),
          layout_(program, evidence), check_(program, diags), shown_(report::shown_sheets(sheets, options)) {}

    std::optional<std::string> write() {
        html::Page page;
        page.title = program_.info.title;
        page.body = header() + ranking();
        for (std::size_t u : shown_) page.body += sheet(u);
        page.stamp = report::stamp_lines(program_, evidence_);
        page.extra_css = report_css;
        page.script = report_script;
        if (check_.failed() || printed_.failed()) return std::nullopt;
        return html::render(page);
    }

private:
    std::string header() const {
        const bc::SchemeInfo& info = program_.info;
        std::string out = "<header class=\"report\">\n<h1>" + escape(info.title) + "</h1>\n";
        std::vector<std::string> meta;
        if (!info.document.empty()) meta.push_back(escape(info.document));
        if (!info.issuer.empty()) meta.push_back(escape(info.issuer));
        if (!meta.empty()) out += fmt::format("<p class=\"meta\">{}</p>\n", fmt::join(meta, " · "));
        out += fmt::format("<p class=\"meta\">考核结果：{} 个单位，评分表 {} 份</p>\n", sheets_.size(), shown_.size());
        out += "<p class=\"tools no-print\"><button type=\"button\" data-details=\"open\">展开全部说明</button>"
               "<button type=\"button\" data-details=\"close\">收起全部说明</button></p>\n";
        return out + "</header>\n";
    }

    std::string anchor(std::size_t u) const { return fmt::format("unit-{}", u + 1); }

    // ---- the ranking table ----
    std::string ranking() {
        std::string out = "<section class=\"ranking\">\n<h2>排名</h2>\n<table class=\"ranking\">\n<thead><tr>"
                          "<th class=\"num\">名次</th><th>单位</th><th>组别</th><th class=\"num\">总分</th>";
        if (layout_.has_grades) out += "<th>" + escape(program_.choice_types[program_.grading.choice_type].name) + "</th>";
        for (const bc::Money& m : program_.money) out += "<th class=\"num\">" + escape(m.name) + "</th>";
        for (const bc::Flag& f : program_.flags) out += "<th>" + escape(f.name) + "</th>";
        out += "</tr></thead>\n<tbody>\n";
        for (std::size_t u : report::ranking_order(sheets_)) {
            const Scoresheet& sheet = sheets_[u];
            if (!check_(sheet)) continue;
            const bool linked = std::find(shown_.begin(), shown_.end(), u) != shown_.end();
            out += fmt::format("<tr><td class=\"num\">{}</td><td>", sheet.rank);
            out += linked ? fmt::format("<a href=\"#{}\">{}</a>", anchor(u), escape(sheet.unit)) : escape(sheet.unit);
            out += "</td><td>" + escape(sheet.group) + "</td>";
            out += number_cell(printed_.score(0, "total", sheet.total()));
            if (layout_.has_grades) out += "<td>" + escape(report::grade_name(program_, sheet.grade)) + "</td>";
            for (std::uint32_t m = 0; m < program_.money.size(); ++m)
                out += "<td class=\"num\">" + escape(printed_.money(m, "amount", sheet.money[m].amount)) + "</td>";
            for (std::uint32_t f = 0; f < program_.flags.size(); ++f)
                out += fmt::format("<td class=\"flag\">{}</td>", sheet.flags[f] ? flag_mark : "");
            out += "</tr>\n";
        }
        return out + "</tbody>\n</table>\n</section>\n";
    }

    // ---- a unit's score sheet ----
    std::size_t columns() const { return 5 + (layout_.has_self ? 2 : 0) + (layout_.has_bonus ? 1 : 0); }

    std::string sheet(std::size_t u) {
        const Scoresheet& sheet = sheets_[u];
        const UnitEvidence* unit = u < evidence_.units.size() ? &evidence_.units[u] : nullptr;
        std::string out = fmt::format("<section class=\"sheet\" id=\"{}\">\n<h2>{}<span class=\"sub\">评分表</span></h2>\n",
                                      anchor(u), escape(sheet.unit));
        std::vector<std::string> meta;
        if (!sheet.group.empty()) meta.push_back("组别: " + escape(sheet.group));
        meta.push_back("证据: <span class=\"at\">" + escape(sheet.file) + "</span>");
        const std::string about = fmt::format("{}", fmt::join(meta, " · "));
        out += "<p class=\"meta\">" + about + "</p>\n";
        if (!check_(sheet)) return out + "</section>\n";
        report::UnitExplanation why;
        if (unit) why = report::explain_unit(program_, *unit, sheet);

        // 标准分 is wider where it may read "100.00 (+2.00)".
        const bool extras = std::any_of(layout_.extras.begin(), layout_.extras.end(), [](const Decimal& e) { return !e.is_zero(); });
        out += fmt::format("<table class=\"scores\">\n<colgroup><col class=\"no\"><col><col class=\"full{}\">",
                           extras ? " extras" : "");
        for (std::size_t c = 4; c <= columns(); ++c) out += "<col class=\"num\">";
        out += "</colgroup>\n<thead>\n";
        // Printed, this row heads every page of the sheet (in place of the heading above).
        out += fmt::format("<tr class=\"running\"><th colspan=\"{}\"><strong>{}</strong> 评分表 · {}</th></tr>\n", columns(),
                           escape(sheet.unit), about);
        out += "<tr><th class=\"no\">序号</th><th>项目</th><th class=\"num\">标准分</th>";
        if (layout_.has_self) out += "<th class=\"num\">自查分</th><th class=\"num\">差额</th>";
        out += "<th class=\"num\">扣分</th>";
        if (layout_.has_bonus) out += "<th class=\"num\">加分</th>";
        out += "<th class=\"num\">得分</th></tr>\n</thead>\n<tbody>\n";
        for (std::uint32_t n = 1; n < program_.nodes.size(); ++n) out += node_row(n, sheet, unit, why.rules);
        out += node_row(0, sheet, unit, why.rules);
        out += "</tbody>\n</table>\n";
        out += outcome(u, why);
        return out + "</section>\n";
    }

    // 标准分: "100", "100 (+10)" for a node with extra bonus children, "(+10)" for such a child.
    std::string full_cell(std::uint32_t n, const NodeOutcome& o) {
        report::PrintedNumber full = printed_.score(n, "full marks", o.full);
        if (program_.nodes[n].extra) full.text = "(+" + full.text + ")";
        else if (!layout_.extras[n].is_zero()) full.text += " (+" + printed_.score(n, "extra points", layout_.extras[n]).text + ")";
        return number_cell(full);
    }

    // The node's row: its number, its label with the document's text and, under them, its rules
    // and notes; then its numbers.
    std::string node_row(std::uint32_t n, const Scoresheet& sheet, const UnitEvidence* unit,
                         const std::vector<report::RuleExplanation>& explanations) {
        const bc::NodeInfo& info = program_.nodes[n];
        const NodeOutcome& o = sheet.nodes[n];
        const auto depth = n == 0 ? 0 : std::count(layout_.numbers[n].begin(), layout_.numbers[n].end(), '.') + 1;
        const std::string why = rules_and_notes(n, sheet, unit, explanations);
        std::string out = fmt::format("<tr class=\"{}{}\"><td class=\"no\">{}</td><td class=\"label d{}\">",
                                      kind_class(info.kind), why.empty() ? "" : " explained", escape(layout_.numbers[n]), depth);
        out += n == 0 ? std::string("合计") : escape(info.label);
        if (n != 0 && !info.text.empty()) out += "<div class=\"doc-text\">" + html::escape_lines(info.text) + "</div>";
        out += why + "</td>" + full_cell(n, o);
        if (layout_.has_self) {
            if (const Decimal* self = report::self_score(unit, n)) {
                out += number_cell(printed_.score(n, "self-assessed score", *self));
                const Decimal difference = *self - o.score;
                report::PrintedNumber shown = printed_.score(n, "self-assessment difference", difference);
                shown.text = report::signed_text(difference, shown.text);
                out += number_cell(shown);
            } else {
                out += "<td></td><td></td>";
            }
        }
        // 扣分: points not scored, of the most the node could score; 加分: a bonus node's score.
        const Decimal lost = o.full + layout_.extras[n] - o.score;
        out += info.bonus ? std::string("<td></td>")
                          : number_cell(printed_.score(n, "deduction", lost), lost.is_zero() ? "num" : "num lost");
        if (layout_.has_bonus) out += info.bonus ? number_cell(printed_.score(n, "award", o.score)) : std::string("<td></td>");
        return out + number_cell(printed_.score(n, "score", o.score)) + "</tr>\n";
    }

    // Under a node's label: each of its rules, then its floor, cap and self-assessed score.
    std::string rules_and_notes(std::uint32_t n, const Scoresheet& sheet, const UnitEvidence* unit,
                    const std::vector<report::RuleExplanation>& explanations) {
        std::string out;
        for (std::uint32_t r : layout_.rules[n]) {
            if (r >= sheet.rules.size()) continue;
            out += rule_details(r, sheet.rules[r], r < explanations.size() ? &explanations[r] : nullptr);
        }
        for (const std::string& note : report::node_notes(program_, layout_.most, n, sheet.nodes[n], unit))
            out += "<p class=\"note\">" + escape(note) + "</p>\n";
        return out.empty() ? out : "\n<div class=\"why\">\n" + out + "</div>";
    }

    // The clause a rule belongs to: "1.1.2 label", or the scheme's title for node 0.
    std::string clause(std::uint32_t n) const {
        if (n == 0 || n >= program_.nodes.size()) return escape(program_.info.title);
        return escape(layout_.numbers[n]) + " " + escape(program_.nodes[n].label);
    }

    std::string rule_details(std::uint32_t r, const RuleOutcome& outcome, const report::RuleExplanation* why) {
        const bc::RuleInfo& rule = program_.rules[r];
        const std::string written = report::shown_rule_text(rule);
        const std::string words = rule.says.empty() ? written : fmt::format("「{}」", rule.says);
        std::string amount = "not applied";
        if (outcome.fired) {
            if (rule.kind == bc::RuleKind::score) amount = "= " + outcome.amount.to_string();
            else if (outcome.applied.is_zero()) amount = "0";
            else amount = (rule.kind == bc::RuleKind::deduct ? "−" : "+") + outcome.applied.to_string();
        }
        const std::string summary = fmt::format("<span class=\"words\">{}</span><span class=\"{}\">{}</span>", escape(words),
                                                outcome.fired ? "effect" : "status", escape(amount));
        std::string terms = term("条款", clause(rule.node)) + term("规则", scheme_line(program_, rule.line, written));
        if (why) terms += explanation_terms(*why);
        terms += term("结果", escape(outcome.fired ? report::rule_effect(rule, outcome) : std::string("not applied")));
        const char* state = !outcome.fired ? "idle" : rule.kind != bc::RuleKind::score && outcome.applied.is_zero() ? "nil" : "fired";
        return details(fmt::format("rule {} {}", rule_class(rule.kind), state), summary, terms);
    }

    // ---- rank, grade, money and flags, under the table ----
    std::string outcome(std::size_t u, const report::UnitExplanation& why) {
        const Scoresheet& sheet = sheets_[u];
        std::vector<std::string> items;
        if (sheets_.size() > 1) items.push_back(fmt::format("名次: {} (of {} units)", sheet.rank, sheets_.size()));
        if (layout_.has_grades) {
            const std::string reason = report::grade_reason(program_, sheets_, u, printed_);
            std::string item = "等次: <strong>" + escape(report::grade_name(program_, sheet.grade)) + "</strong>";
            if (!reason.empty()) item += " (" + escape(reason) + ")";
            const auto& vetoes = program_.grading.vetoes;
            for (std::uint32_t v = 0; v < vetoes.size() && v < why.vetoes.size(); ++v)
                item += condition_details("veto", vetoes[v].says, vetoes[v].source_text, vetoes[v].line,
                                          status_text(sheet.grade.veto, v), why.vetoes[v]);
            items.push_back(item);
        }
        for (std::uint32_t m = 0; m < program_.money.size(); ++m) items.push_back(money_item(sheet, m, why));
        for (std::uint32_t f = 0; f < program_.flags.size(); ++f) {
            const bc::Flag& flag = program_.flags[f];
            std::string item = escape(report::flag_line(program_, sheet, f));
            if (f < why.flags.size())
                item += condition_details("flag", flag.says, flag.source_text, flag.line,
                                          sheet.flags[f] ? "applied" : "not applied", why.flags[f]);
            items.push_back(item);
        }
        if (items.empty()) return {};
        std::string out = "<div class=\"outcome\">\n<h3>考核结果</h3>\n<ul>\n";
        for (const std::string& item : items) out += "<li>" + item + "</li>\n";
        return out + "</ul>\n</div>\n";
    }

    // A veto, forfeit or flag: its words, whether it applied, its scheme line and condition.
    std::string condition_details(std::string_view kind, const std::string& says, const std::string& source_text,
                                  std::uint32_t line, const std::string& status, const report::RuleExplanation& why) {
        std::string summary = fmt::format("{} <span class=\"words\">{}</span>", kind, escape(report::rule_words(says, source_text)));
        if (!status.empty()) summary += "<span class=\"status\">" + escape(status) + "</span>";
        const std::string terms = term("规则", scheme_line(program_, line, report::without_says(source_text))) + explanation_terms(why);
        return details(fmt::format("{}{}", kind, status == "applied" ? " fired" : " idle"), summary, terms);
    }

    // "考核奖: 3600元", its expression and what it read and computed, and each of its forfeits.
    std::string money_item(const Scoresheet& sheet, std::uint32_t m, const report::UnitExplanation& why) {
        const bc::Money& info = program_.money[m];
        std::string item = escape(report::money_line(program_, sheet, m, printed_));
        if (m >= why.money.size()) return item;
        const std::string computed = printed_.money(m, "computed amount", sheet.money[m].computed);
        const std::string summary = fmt::format("<span class=\"words\">{}</span><span class=\"effect\">→ {}</span>",
                                                escape(report::rule_words(info.says, info.source_text)), escape(computed));
        item += details("money", summary,
                        term("规则", scheme_line(program_, info.line, report::without_says(info.source_text))) +
                            explanation_terms(why.money[m]) + term("结果", escape("→ " + computed)));
        for (std::uint32_t f = 0; f < program_.forfeits.size() && f < why.forfeits.size(); ++f) {
            const bc::Forfeit& forfeit = program_.forfeits[f];
            if (forfeit.money != m) continue;
            item += condition_details("forfeit", forfeit.says, forfeit.source_text, forfeit.line,
                                      status_text(sheet.money[m].forfeit, f), why.forfeits[f]);
        }
        return item;
    }

    const bc::Program& program_;
    const EvidenceSet& evidence_;
    const std::vector<Scoresheet>& sheets_;
    Diagnostics& diags_;
    report::ReportNumbers printed_;
    const report::SheetLayout layout_;
    report::SheetCheck check_;
    std::vector<std::size_t> shown_;  // the units whose sheets the page holds, in that order
};

}  // namespace

std::optional<std::string> write_html_report(const bc::Program& program, const EvidenceSet& evidence,
                                             const std::vector<Scoresheet>& sheets, const ReportOptions& options,
                                             Diagnostics& diags) {
    return report::write_with<HtmlReport>(program, evidence, sheets, options, diags);
}

}  // namespace kaohe
