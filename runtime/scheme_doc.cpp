// `kaohe doc`: one walk over the Program builds a small model of the document (header, rows,
// the parts under the table); the Markdown and HTML writers print that model, so the two formats
// cannot say different things.
#include "runtime/scheme_doc.hpp"

#include "runtime/html.hpp"
#include "runtime/report.hpp"
#include "runtime/sha256.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

namespace kaohe {
namespace {

// ---- the model --------------------------------------------------------------------------

// A rule, veto, money line, forfeit or flag as the document shows it.
struct RuleRef {
    std::string says;   // the document's words (may be empty)
    std::string code;   // the rule as written in the scheme, without its `says`, on one line
    std::string where;  // "scheme.kh:42"
};

// One row of the table: a node of the tree, or the 合计 row at the end.
struct Row {
    std::string number;  // 序号: "1", "1.2", "1.2.3"; empty on the 合计 row
    std::string label;   // 考核内容
    std::string name;    // the node's name in expressions (`考核组`), or empty
    std::string goal;    // 工作目标
    std::string points;  // 基本分: "10", "100 (+10)", "(+10)"
    std::string text;    // 具体内容与计分办法: the document's words
    std::vector<std::string> notes;  // what the scheme adds about the row: bonus, extra, parts
    std::vector<RuleRef> rules;      // the node's own rules, in source order
    std::size_t depth = 0;           // 1 for top-level nodes; 0 on the 合计 row
    bool section = false;            // a `section` (项目) row
    bool total = false;              // the 合计 row
};

// A line under the table: a statement, and the rule it comes from when there is one.
struct Line {
    std::string text;
    std::optional<RuleRef> rule;
};

struct Part {
    std::string heading;
    std::vector<Line> lines;
};

struct SchemeDoc {
    std::string title;
    std::vector<std::pair<std::string, std::string>> facts;  // 发文机关, 文号, 年度, ...
    std::vector<std::string> stamp;                          // kaohe version, scheme name and SHA-256
    std::vector<Row> rows;
    std::vector<Part> parts;
};

// ---- the walk ---------------------------------------------------------------------------

// Source text on one line: every run of white space that holds a line break becomes one space
// (a rule written over several lines reads the same in a table cell).
std::string one_line(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n') {
            std::size_t end = i;
            bool line_break = false;
            while (end < text.size() && (text[end] == ' ' || text[end] == '\t' || text[end] == '\r' || text[end] == '\n'))
                line_break |= text[end++] == '\n';
            out += line_break ? std::string(" ") : std::string(text.substr(i, end - i));
            i = end;
        } else {
            out += text[i++];
        }
    }
    return out;
}

class DocBuilder {
public:
    explicit DocBuilder(const bc::Program& program)
        : program_(program), printer_(program.info), numbers_(report::node_numbers(program)),
          rules_(report::rules_by_node(program)), extras_(report::extra_points(program)) {}

    SchemeDoc build() {
        SchemeDoc doc;
        const bc::SchemeInfo& info = program_.info;
        doc.title = info.title;
        doc.facts = facts();
        doc.stamp = {fmt::format("kaohe {}", report::kaohe_version()),
                     fmt::format("scheme: {}  sha256:{}", info.source_name, to_hex(info.source_sha256))};
        doc.rows = rows();
        for (Part part : {total_part(), population_part(), grades_part(), money_part(), flags_part(), tables_part()})
            if (!part.lines.empty()) doc.parts.push_back(std::move(part));
        return doc;
    }

private:
    // A number as the reports print it; a value no decimal shows exactly, as its fraction. When
    // the scheme's `display` places round it, the exact value follows.
    std::string number(const Decimal& value) const {
        const auto printed = printer_.print(value);
        if (!printed) return value.to_fraction_string();
        if (printed->exact) return fmt::format("{} (= {})", printed->text, value.to_string());
        return printed->text;
    }

    std::string where(std::uint32_t line) const { return fmt::format("{}:{}", program_.info.source_name, line); }

    RuleRef rule_ref(const std::string& says, const std::string& source_text, std::uint32_t line) const {
        return RuleRef{says, one_line(report::without_says(source_text)), where(line)};
    }

    // 基本分 as the score sheets show 满分: "100", "100 (+10)" for a node with extra bonus points
    // below it, "(+10)" for the extra bonus node itself.
    std::string points(std::uint32_t n) const {
        const bc::NodeInfo& node = program_.nodes[n];
        if (node.extra) return "(+" + number(node.full) + ")";
        std::string out = number(node.full);
        if (!extras_[n].is_zero()) out += " (+" + number(extras_[n]) + ")";
        return out;
    }

    std::vector<std::pair<std::string, std::string>> facts() const {
        const bc::SchemeInfo& info = program_.info;
        std::vector<std::pair<std::string, std::string>> out;
        const auto add = [&](const char* what, const std::string& value) {
            if (!value.empty()) out.emplace_back(what, value);
        };
        add("发文机关", info.issuer);
        add("文号", info.document);
        add("年度", info.year);
        add("考核对象", info.assesses);
        add("组别", fmt::format("{}", fmt::join(info.groups, "、")));
        if (!program_.nodes.empty()) add("满分", points(0));
        if (info.display_places)
            add("分数显示", fmt::format("保留 {} 位小数（display {} {}）", *info.display_places, *info.display_places,
                                    report::rounding_name(info.display_mode)));
        return out;
    }

    std::vector<Row> rows() const {
        std::vector<Row> out;
        std::vector<std::size_t> depth(program_.nodes.size(), 0);
        for (std::uint32_t n = 1; n < program_.nodes.size(); ++n) {
            const bc::NodeInfo& node = program_.nodes[n];
            depth[n] = node.parent < n ? depth[node.parent] + 1 : 1;
            Row row;
            row.number = numbers_[n];
            row.label = node.label;
            row.name = node.name;
            row.goal = node.goal;
            row.points = points(n);
            row.text = node.text;
            row.depth = depth[n];
            row.section = node.kind == bc::NodeKind::section;
            if (node.bonus && node.extra)
                row.notes.push_back(fmt::format("附加分：加在上一级满分之上，加满{}分为止", number(node.full)));
            else if (node.bonus)
                row.notes.push_back(fmt::format("加分项：从0分加起，加满{}分为止", number(node.full)));
            if (!node.parts_reason.empty())
                row.notes.push_back(fmt::format("分项合计{}分：{}", number(parts(n)), node.parts_reason));
            for (std::uint32_t r : rules_[n]) {
                const bc::RuleInfo& rule = program_.rules[r];
                row.rules.push_back(rule_ref(rule.says, rule.source_text, rule.line));
            }
            out.push_back(std::move(row));
        }
        if (!program_.nodes.empty()) {
            Row total;
            total.label = "合计";
            total.points = points(0);
            total.total = true;
            out.push_back(std::move(total));
        }
        return out;
    }

    // The points of a node's children (an extra bonus child does not count: it is on top).
    Decimal parts(std::uint32_t n) const {
        Decimal sum;
        for (std::uint32_t c = n + 1; c < program_.nodes.size(); ++c)
            if (program_.nodes[c].parent == n && !program_.nodes[c].extra) sum += program_.nodes[c].full;
        return sum;
    }

    // 总分: the sum of the top-level rows, or the scheme's own `score` (and any rule at the top).
    Part total_part() const {
        Part part{"总分", {}};
        if (program_.nodes.empty()) return part;
        if (!program_.nodes[0].computed) {
            std::vector<std::string> children;
            for (std::uint32_t c = 1; c < program_.nodes.size(); ++c)
                if (program_.nodes[c].parent == 0) children.push_back(numbers_[c]);
            part.lines.push_back(Line{fmt::format("总分 = {}（各部分得分之和）", fmt::join(children, " + ")), {}});
        }
        for (std::uint32_t r : rules_[0]) {
            const bc::RuleInfo& rule = program_.rules[r];
            part.lines.push_back(Line{"", rule_ref(rule.says, rule.source_text, rule.line)});
        }
        return part;
    }

    // Values taken over all units (ranks, means, bottom/top N) that the rules above use.
    Part population_part() const {
        Part part{"全体单位间的数值（排名、平均、末位等）", {}};
        for (const bc::Aggregate& a : program_.aggregates)
            part.lines.push_back(Line{"", rule_ref("", a.source_text, a.line)});
        return part;
    }

    Part grades_part() const {
        const bc::Grading& grading = program_.grading;
        if (grading.choice_type >= program_.choice_types.size()) return {};
        const bc::ChoiceType& grades = program_.choice_types[grading.choice_type];
        Part part{grades.name, {}};
        std::string by = "总分";
        if (grading.node != 0 && grading.node < program_.nodes.size()) {
            const bc::NodeInfo& node = program_.nodes[grading.node];
            by = fmt::format("{} {}", numbers_[grading.node], node.name.empty() ? node.label : node.name);
        }
        const char* scope = grading.scope == bc::Scope::all ? "在全部单位中" : "在各组别内";
        part.lines.push_back(Line{fmt::format("按{}{}评定", by, scope), RuleRef{"", "", where(grading.line)}});
        for (std::size_t b = 0; b < grading.bands.size() && b < grades.values.size(); ++b) {
            const bc::GradeBand& band = grading.bands[b];
            std::string rule = band.at_least ? fmt::format("≥ {}", number(*band.at_least)) : std::string("其余");
            if (band.quota)
                rule += fmt::format("，名额不超过参评单位数的{}%（向下取整）", (*band.quota * Decimal(100)).to_string());
            part.lines.push_back(Line{fmt::format("{}：{}", grades.values[b], rule), {}});
        }
        for (const bc::Veto& veto : grading.vetoes) {
            const std::string grade = veto.grade < grades.values.size() ? grades.values[veto.grade] : std::string("?");
            part.lines.push_back(Line{"一票否决，评为" + grade, rule_ref(veto.says, veto.source_text, veto.line)});
        }
        return part;
    }

    Part money_part() const {
        Part part{"金额", {}};
        for (std::uint32_t m = 0; m < program_.money.size(); ++m) {
            const bc::Money& money = program_.money[m];
            part.lines.push_back(Line{money.name, rule_ref(money.says, money.source_text, money.line)});
            for (const bc::Forfeit& forfeit : program_.forfeits)
                if (forfeit.money == m)
                    part.lines.push_back(
                        Line{"扣发" + money.name, rule_ref(forfeit.says, forfeit.source_text, forfeit.line)});
        }
        return part;
    }

    Part flags_part() const {
        Part part{"标记", {}};
        for (const bc::Flag& flag : program_.flags)
            part.lines.push_back(Line{flag.name, rule_ref(flag.says, flag.source_text, flag.line)});
        return part;
    }

    // The scheme's tables from choices to numbers (推广分, 等次奖金), which its rules look up.
    Part tables_part() const {
        Part part{"分值表", {}};
        for (const bc::Table& table : program_.tables) {
            const bc::ChoiceType* type =
                table.choice_type < program_.choice_types.size() ? &program_.choice_types[table.choice_type] : nullptr;
            std::vector<std::string> entries;
            for (std::size_t v = 0; v < table.values.size(); ++v) {
                const std::string key = type && v < type->values.size() ? type->values[v] : fmt::format("#{}", v);
                entries.push_back(fmt::format("{} {}", key, table_value(table, table.values[v])));
            }
            const std::string title = type ? fmt::format("{}（{}）", table.name, type->name) : table.name;
            part.lines.push_back(Line{fmt::format("{}：{}", title, fmt::join(entries, "，")), {}});
        }
        return part;
    }

    std::string table_value(const bc::Table& table, const Decimal& value) const {
        switch (table.unit) {
        case bc::Unit::money: return number(value) + "元";
        case bc::Unit::percent: return (value * Decimal(100)).to_string() + "%";
        default: return number(value);
        }
    }

    const bc::Program& program_;
    report::NumberPrinter printer_;
    std::vector<std::string> numbers_;
    std::vector<std::vector<std::uint32_t>> rules_;
    std::vector<Decimal> extras_;
};

// Between a line's text and its rule: "考核奖：「…」 `money …` (scheme.kh:88)", but
// "按总分在全部单位中评定 (scheme.kh:90)" when the rule is only a line.
std::string separator(const Line& line) {
    if (line.text.empty()) return {};
    return line.rule && (!line.rule->says.empty() || !line.rule->code.empty()) ? "：" : " ";
}

constexpr const char* column_heads[] = {"序号", "考核内容", "工作目标", "基本分", "具体内容与计分办法"};

// ---- Markdown ---------------------------------------------------------------------------

// Plain text inside Markdown (a table cell, a list item, a heading): every ASCII character
// Markdown gives a meaning to is backslash-escaped (so `*90%+…*` stays text, `|` does not end
// the cell, `<b>` is not HTML), and a line break becomes <br>.
std::string md_text(std::string_view text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
        case '\\': case '`': case '*': case '_': case '[': case ']': case '<': case '>':
        case '|': case '~': case '&': case '#':
            out += '\\';
            out += c;
            break;
        case '\n': out += "<br>"; break;
        case '\r': break;
        default: out += c;
        }
    }
    return out;
}

// Source text as a code span: fenced by more backticks than it contains, `|` escaped (a GitHub
// table splits cells before it reads code spans), on one line.
std::string md_code(std::string_view text) {
    std::size_t longest = 0, run = 0;
    for (const char c : text) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    std::string body;
    for (const char c : one_line(text)) {
        if (c == '|') body += '\\';
        body += c;
    }
    if (!body.empty() && (body.front() == '`' || body.back() == '`')) body = " " + body + " ";
    const std::string fence(longest + 1, '`');
    return fence + body + fence;
}

std::string md_rule(const RuleRef& rule) {
    std::vector<std::string> pieces;
    if (!rule.says.empty()) pieces.push_back("「" + md_text(rule.says) + "」");
    if (!rule.code.empty()) pieces.push_back(md_code(rule.code));
    pieces.push_back("(" + md_text(rule.where) + ")");
    return fmt::format("{}", fmt::join(pieces, " "));
}

std::string md_row(const Row& row) {
    std::string label = md_text(row.label);
    if (row.section || row.total) label = "**" + label + "**";
    if (!row.name.empty()) label += "<br>" + md_code(row.name);
    std::vector<std::string> content;
    if (!row.text.empty()) content.push_back(md_text(row.text));
    for (const std::string& note : row.notes) content.push_back(md_text(note));
    for (const RuleRef& rule : row.rules) content.push_back(md_rule(rule));
    const std::vector<std::string> cells{md_text(row.number), label, md_text(row.goal), md_text(row.points),
                                         fmt::format("{}", fmt::join(content, "<br>"))};
    std::string out = "|";
    for (const std::string& cell : cells) out += cell.empty() ? " |" : " " + cell + " |";
    return out + "\n";
}

std::string markdown(const SchemeDoc& doc) {
    std::string out = "# " + md_text(doc.title) + "\n\n";
    for (const auto& [what, value] : doc.facts) out += fmt::format("- {}：{}\n", what, md_text(value));
    if (!doc.facts.empty()) out += "\n";
    std::vector<std::string> stamp;
    for (const std::string& line : doc.stamp) stamp.push_back(md_code(line));
    out += fmt::format("{}\n\n", fmt::join(stamp, " · "));
    out += fmt::format("| {} |\n|---|---|---|---:|---|\n", fmt::join(column_heads, " | "));
    for (const Row& row : doc.rows) out += md_row(row);
    for (const Part& part : doc.parts) {
        out += "\n## " + md_text(part.heading) + "\n\n";
        for (const Line& line : part.lines) {
            std::string item = md_text(line.text);
            if (line.rule) item += separator(line) + md_rule(*line.rule);
            out += "- " + item + "\n";
        }
    }
    return out;
}

// ---- HTML -------------------------------------------------------------------------------

// What the doc adds to the shared stylesheet: column widths, section and total rows, the rule
// lists inside cells, and the indentation of deeper rows.
constexpr std::string_view doc_css = R"css(
table.scheme th, table.scheme td.no { white-space: nowrap; }
table.scheme th.content { width: 40%; }
table.scheme td.label { min-width: 6em; }
table.scheme td.goal { font-size: 9.5pt; }
table.scheme tr.section td { background: #f3f3f3; }
table.scheme tr.section td.label, table.scheme tr.total td { font-weight: 600; }
table.scheme tr.total td { border-top: 2px solid #444; }
table.scheme tr.depth-2 td.label { padding-left: 1.2em; }
table.scheme tr.depth-3 td.label { padding-left: 2.1em; }
table.scheme tr.depth-4 td.label { padding-left: 3em; }
td.content p { margin: 0 0 .3em; }
td.content p.note, .where { color: #555; }
ul.rules { margin: .2em 0 0; padding-left: 1.1em; }
ul.rules li { margin: .15em 0; }
.where { white-space: nowrap; }
)css";

std::string html_rule(const RuleRef& rule) {
    std::vector<std::string> pieces;
    if (!rule.says.empty()) pieces.push_back("<span class=\"says\">「" + html::escape_lines(rule.says) + "」</span>");
    if (!rule.code.empty()) pieces.push_back("<code>" + html::escape(rule.code) + "</code>");
    pieces.push_back("<span class=\"where\">(" + html::escape(rule.where) + ")</span>");
    return fmt::format("{}", fmt::join(pieces, " "));
}

std::string html_row(const Row& row) {
    std::string classes = row.total ? "total" : fmt::format("depth-{}", std::min<std::size_t>(row.depth, 4));
    if (row.section) classes += " section";
    std::string label = html::escape_lines(row.label);
    if (!row.name.empty()) label += "<br><code>" + html::escape(row.name) + "</code>";
    std::string content;
    if (!row.text.empty()) content += "<p>" + html::escape_lines(row.text) + "</p>";
    for (const std::string& note : row.notes) content += "<p class=\"note\">" + html::escape_lines(note) + "</p>";
    if (!row.rules.empty()) {
        content += "<ul class=\"rules\">";
        for (const RuleRef& rule : row.rules) content += "<li>" + html_rule(rule) + "</li>";
        content += "</ul>";
    }
    return fmt::format("<tr class=\"{}\"><td class=\"no\">{}</td><td class=\"label\">{}</td><td class=\"goal\">{}</td>"
                       "<td class=\"num\">{}</td><td class=\"content\">{}</td></tr>\n",
                       classes, html::escape(row.number), label, html::escape_lines(row.goal), html::escape(row.points),
                       content);
}

std::string html_page(const SchemeDoc& doc) {
    std::string body = "<h1>" + html::escape(doc.title) + "</h1>\n";
    for (const auto& [what, value] : doc.facts)
        body += fmt::format("<p class=\"meta\">{}：{}</p>\n", html::escape(what), html::escape(value));
    body += "<table class=\"scheme\">\n<thead><tr>";
    const char* head_classes[] = {"no", "label", "goal", "num", "content"};
    for (std::size_t c = 0; c < std::size(column_heads); ++c)
        body += fmt::format("<th class=\"{}\">{}</th>", head_classes[c], column_heads[c]);
    body += "</tr></thead>\n<tbody>\n";
    for (const Row& row : doc.rows) body += html_row(row);
    body += "</tbody>\n</table>\n";
    for (const Part& part : doc.parts) {
        body += "<h2>" + html::escape(part.heading) + "</h2>\n<ul>\n";
        for (const Line& line : part.lines) {
            std::string item = html::escape_lines(line.text);
            if (line.rule) item += separator(line) + html_rule(*line.rule);
            body += "<li>" + item + "</li>\n";
        }
        body += "</ul>\n";
    }
    html::Page page;
    page.title = doc.title;
    page.stamp = doc.stamp;
    page.extra_css = std::string(doc_css);
    page.body = std::move(body);
    return html::render(page);
}

}  // namespace

std::string write_scheme_markdown(const bc::Program& program) { return markdown(DocBuilder(program).build()); }

std::string write_scheme_html(const bc::Program& program) { return html_page(DocBuilder(program).build()); }

}  // namespace kaohe
