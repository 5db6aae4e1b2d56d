// The HTML report (runtime/report_html.hpp), from a scheme and evidence compiled and evaluated
// in process: text from the inputs is escaped everywhere (tests/runtime/data/report-html puts
// markup in every place a report shows), every rule opens to its clause, its scheme line, the
// evidence it read with its `source` note and its arithmetic, the stamp is there, the sheets
// are those asked for, numbers print as in the text report, and the output is deterministic.
// The page in a real browser: tests/cases/html_browser_test.cpp.
#include "runtime/report_html.hpp"

#include "compiler/compile.hpp"
#include "lang/parse.hpp"
#include "runtime/sha256.hpp"
#include "runtime/vm.hpp"

#include "tests/support.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace kaohe;

namespace {

using kaohe::test::read_file;

const std::filesystem::path data = std::filesystem::path(KAOHE_SOURCE_DIR) / "tests/runtime/data";

std::size_t count(const std::string& text, std::string_view what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

// A scheme and its evidence, compiled and evaluated with explanations (as `kaohe run --format
// html` does). Paths are relative to the fixture's directory, as given on a command line.
struct Run {
    bc::Program program;
    EvidenceSet evidence;
    std::vector<Scoresheet> sheets;

    Run(const std::filesystem::path& dir, const std::vector<std::string>& evidence_paths, Explain explain = Explain::yes) {
        const auto cwd = std::filesystem::current_path();
        std::filesystem::current_path(dir);
        const std::string text = read_file("scheme.kh");
        Diagnostics diags;
        auto ast = parse_scheme(text, "scheme.kh", diags);
        REQUIRE(ast);
        auto compiled = compile(*ast, text, diags);
        REQUIRE(compiled);
        program = std::move(*compiled);
        REQUIRE(load_evidence(program, evidence_paths, evidence, diags));
        auto evaluated = evaluate_all(program, evidence, explain, diags);
        REQUIRE(evaluated);
        sheets = std::move(*evaluated);
        std::filesystem::current_path(cwd);
        CHECK(!diags.has_errors());
    }

    std::string html(const ReportOptions& options = {}) const {
        Diagnostics diags;
        auto out = write_html_report(program, evidence, sheets, options, diags);
        REQUIRE(out);
        CHECK(diags.all().empty());
        return *out;
    }
};

}  // namespace

TEST_CASE("HTML report: markup in unit names, labels, the document's words and source notes is escaped") {
    const Run run(data / "report-html", {"evidence"});
    const std::string out = run.html();
    // The page's own script is the only one; no markup from the inputs survives as markup.
    CHECK(count(out, "<script") == 1);
    CHECK(out.find("undefined_fn()</script>") == std::string::npos);
    CHECK(out.find("<img") == std::string::npos);
    CHECK(out.find("<b>") == std::string::npos);
    CHECK(out.find("<i>") == std::string::npos);
    CHECK(out.find("<a href=\"https") == std::string::npos);
    CHECK(out.find("<!-- comment") == std::string::npos);
    CHECK(out.find("<style>body") == std::string::npos);
    CHECK(out.find("</td></tr></table><script>") == std::string::npos);
    // ... and all of it is there as text.
    const std::string script = "&lt;script&gt;undefined_fn()&lt;/script&gt;";
    CHECK(out.find("<title>考核 &lt;b&gt;办法&lt;/b&gt; &amp; &quot;引号&quot; &#39;x&#39;</title>") != std::string::npos);
    CHECK(out.find("<a href=\"#unit-1\">" + script + "</a>") != std::string::npos);          // the ranking
    CHECK(out.find("<h2>" + script + "<span class=\"sub\">评分表</span></h2>") != std::string::npos);  // the sheet
    CHECK(out.find("城东 &amp; &lt;b&gt;街道&lt;/b&gt;") != std::string::npos);
    CHECK(out.find("<p class=\"meta\">温组〔2013〕89号 &lt;/title&gt;" + script + " · " + script + "</p>") !=
          std::string::npos);
    CHECK(out.find(script + " 一<div class=\"doc-text\">原文 &lt;img src=x onerror=undefined_fn()&gt;</div>") !=
          std::string::npos);  // a label and the document's text
    CHECK(out.find("「一次扣0.5分 " + script + "」") != std::string::npos);                        // says
    CHECK(out.find("<span class=\"source\">&lt;/span&gt;" + script + "</span>") != std::string::npos);  // a source note
    CHECK(out.find("&lt;style&gt;body{display:none}&lt;/style&gt;") != std::string::npos);
    CHECK(out.find("&lt;!-- comment") != std::string::npos);
}

TEST_CASE("HTML report: every rule opens to its clause, scheme line, evidence with its source note, arithmetic") {
    const Run run(std::filesystem::path(KAOHE_SOURCE_DIR) / "examples/wenling-2013", {"evidence"});
    const std::string out = run.html();
    // The ranking first, then a sheet per unit.
    const auto ranking = out.find("<section class=\"ranking\">");
    const auto first_sheet = out.find("<section class=\"sheet\"");
    REQUIRE(ranking != std::string::npos);
    REQUIRE(first_sheet != std::string::npos);
    CHECK(ranking < first_sheet);
    CHECK(count(out, "<section class=\"sheet\"") == run.sheets.size());
    // One <details> per rule per unit, each with its clause and scheme line.
    std::size_t details = 0;
    for (const auto& sheet : run.sheets) details += sheet.rules.size();
    CHECK(count(out, "<details class=\"rule ") == details);
    CHECK(count(out, "<dt>条款</dt>") == details);
    CHECK(count(out, "<dt>规则</dt><dd><code class=\"at\">scheme.kh:") >= details);
    CHECK(count(out, "<dt>证据</dt>") > 0);
    CHECK(count(out, "<dt>计算</dt>") > 0);
    CHECK(out.find("<span class=\"at\">evidence/") != std::string::npos);  // file:line of each read
    // The stamp: version, the scheme's and every evidence input's SHA-256.
    CHECK(out.find("<div>kaohe " + std::string(report::kaohe_version()) + "</div>") != std::string::npos);
    CHECK(out.find("<div>scheme: scheme.kh  sha256:" + to_hex(run.program.info.source_sha256) + "</div>") !=
          std::string::npos);
    for (const auto& input : run.evidence.inputs)
        CHECK(out.find("<div>evidence: " + input.file + "  sha256:" + to_hex(input.sha256) + "</div>") !=
              std::string::npos);
    // Printing opens every explanation.
    CHECK(out.find("window.addEventListener('beforeprint'") != std::string::npos);
    // Deterministic.
    CHECK(run.html() == out);
}

TEST_CASE("HTML report: --unit shows the named sheets in the order named, the ranking keeps every unit") {
    const Run run(data / "report-html", {"evidence"});
    ReportOptions options;
    options.sheets = {"城东 & <b>街道</b>", "城东 & <b>街道</b>"};
    const std::string out = run.html(options);
    CHECK(count(out, "<section class=\"sheet\"") == 1);
    CHECK(out.find("<section class=\"sheet\" id=\"unit-2\">") != std::string::npos);
    // Both units are ranked; only the unit shown is linked.
    CHECK(out.find("<a href=\"#unit-2\">") != std::string::npos);
    CHECK(out.find("<a href=\"#unit-1\">") == std::string::npos);
    CHECK(out.find("<td>&lt;script&gt;undefined_fn()&lt;/script&gt;</td>") != std::string::npos);
    options.all_sheets = true;
    CHECK(count(run.html(options), "<section class=\"sheet\"") == 2);
}

TEST_CASE("HTML report: numbers print as in the text report, and an unprintable one is the text report's error") {
    const Run run(data / "report-html", {"evidence"});
    const std::string out = run.html();
    // 3 × 0.5 = 1.5 taken from the clause of 6 (the text report's row: `6   1.5   4.5`).
    CHECK(out.find("<td class=\"num\">6</td><td class=\"num lost\">1.5</td><td></td><td class=\"num\">4.5</td>") !=
          std::string::npos);

    // A score of 10/3 cannot be printed without `display`: the same diagnostic, and no report.
    auto sheets = run.sheets;
    sheets[0].nodes[0].score = Decimal(10) / Decimal(3);
    Diagnostics html_diags, text_diags;
    CHECK_FALSE(write_html_report(run.program, run.evidence, sheets, {}, html_diags));
    CHECK_FALSE(write_text_report(run.program, run.evidence, sheets, {}, text_diags));
    REQUIRE(html_diags.all().size() == 1);
    REQUIRE(text_diags.all().size() == 1);
    CHECK(html_diags.all()[0].message == text_diags.all()[0].message);
    CHECK(html_diags.all()[0].message.find("10/3") != std::string::npos);
}
