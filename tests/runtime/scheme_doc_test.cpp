// runtime/scheme_doc: `kaohe doc` on a tiny scheme compiled here: the header and stamp, a row
// per node with its rules, escaping in both formats (| and line breaks and <), a row without a
// goal, an extra bonus node and the allowance it gives its ancestors, the parts under the table
// (total, grades with a quota and a veto, money and its forfeit, a flag, a table), and a .khc
// documenting exactly like its source. The five examples' full renderings are golden files
// (examples/*/doc/, tests/cases/cases_test.cpp).
#include "runtime/scheme_doc.hpp"

#include "compiler/bytecode_file.hpp"
#include "compiler/compile.hpp"
#include "lang/parse.hpp"
#include "runtime/report.hpp"
#include "runtime/sha256.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace kaohe;

namespace {

constexpr std::string_view tiny_scheme = R"(scheme "测试<办法>" {
  issuer   "某县委组织部"
  document "测组〔2024〕1号"
  year     2024
  assesses "各镇"
  total    100
  const 等次奖金 = table 等次 { 优秀: 3000元, 合格: 1000元, 不合格: 0元 }
  evidence {
    缺席: count 次 "缺席次数"
    违纪: yes_no "发生违纪"
    创新: count 项 "创新项目"
    人数: count 人 "人数"
  }
  section "基础工作" points 100 {
    text "基础工作共两项"
    item "学习|制度" points 60 {
      goal "全年学习不少于12次"
      deduct 2 per 缺席 cap 60 says "缺席一次扣2分|扣完为止"
    }
    item 纪律 "遵守纪律" points 40 {
      deduct 40 if 违纪 says "违纪的扣40分"
    }
  }
  section "创新附加" bonus cap 10 extra {
    item "创新工作" bonus cap 10 {
      award 2 per 创新 says "每项加2分"
    }
  }
  grades 等次 by total among all {
    优秀: >= 90, quota 20%
    合格: >= 60
    不合格: otherwise
    veto 不合格 if 违纪 says "违纪的评为不合格"
  }
  money 考核奖 = 等次奖金[等次] * 人数 says "按等次奖励"
  forfeit 考核奖 if 违纪 says "违纪的扣发考核奖"
  flag 通报 if bottom 1 by total among all says "末位通报"
}
)";

bc::Program tiny_program() {
    Diagnostics diags;
    auto ast = parse_scheme(tiny_scheme, "tiny.kh", diags);
    REQUIRE(ast);
    auto program = compile(*ast, tiny_scheme, diags);
    REQUIRE(program);
    REQUIRE_FALSE(diags.has_errors());
    return *program;
}

bool has(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("scheme doc, Markdown: header, stamp, one row per node with its rules and lines") {
    const bc::Program program = tiny_program();
    const std::string md = write_scheme_markdown(program);
    CHECK(md.starts_with("# 测试\\<办法\\>\n\n- 发文机关：某县委组织部\n- 文号：测组〔2024〕1号\n- 年度：2024\n"
                         "- 考核对象：各镇\n- 满分：100 (+10)\n"));
    CHECK(has(md, "`kaohe " + std::string(report::kaohe_version()) + "` · `scheme: tiny.kh  sha256:" +
                      to_hex(sha256(tiny_scheme)) + "`\n"));
    CHECK(has(md, "| 序号 | 考核内容 | 工作目标 | 基本分 | 具体内容与计分办法 |\n|---|---|---|---:|---|\n"));
    // A section row: bold label, its points, its text; no goal, no rules.
    CHECK(has(md, "\n| 1 | **基础工作** | | 100 | 基础工作共两项 |\n"));
    // `|` escaped in the label and in the says; the rule as written (its `says` quoted apart), its line.
    CHECK(has(md, "\n| 1.1 | 学习\\|制度 | 全年学习不少于12次 | 60 | 「缺席一次扣2分\\|扣完为止」 "
                  "`deduct 2 per 缺席 cap 60` (tiny.kh:18) |\n"));
    // A named node without goal or text: the name under the label, the goal cell empty.
    CHECK(has(md, "\n| 1.2 | 遵守纪律<br>`纪律` | | 40 | 「违纪的扣40分」 `deduct 40 if 违纪` (tiny.kh:21) |\n"));
    // The extra bonus: (+10) as on the score sheets, and what it means.
    CHECK(has(md, "\n| 2 | **创新附加** | | (+10) | 附加分：加在上一级满分之上，加满10分为止 |\n"));
    CHECK(has(md, "\n| 2.1 | 创新工作 | | 10 | 加分项：从0分加起，加满10分为止<br>「每项加2分」 "
                  "`award 2 per 创新` (tiny.kh:26) |\n"));
    CHECK(has(md, "\n| | **合计** | | 100 (+10) | |\n"));
    // Under the table.
    CHECK(has(md, "\n## 总分\n\n- 总分 = 1 + 2（各部分得分之和）\n"));
    CHECK(has(md, "\n## 等次\n\n- 按总分在全部单位中评定 (tiny.kh:29)\n- 优秀：≥ 90，名额不超过参评单位数的20%（向下取整）\n"
                  "- 合格：≥ 60\n- 不合格：其余\n- 一票否决，评为不合格：「违纪的评为不合格」 `veto 不合格 if 违纪` (tiny.kh:33)\n"));
    CHECK(has(md, "\n## 金额\n\n- 考核奖：「按等次奖励」 `money 考核奖 = 等次奖金[等次] * 人数` (tiny.kh:35)\n"
                  "- 扣发考核奖：「违纪的扣发考核奖」 `forfeit 考核奖 if 违纪` (tiny.kh:36)\n"));
    CHECK(has(md, "\n## 标记\n\n- 通报：「末位通报」 `flag 通报 if bottom 1 by total among all` (tiny.kh:37)\n"));
    CHECK(has(md, "- `bottom 1 by total among all` (tiny.kh:37)\n"));
    CHECK(has(md, "\n## 分值表\n\n- 等次奖金（等次）：优秀 3000元，合格 1000元，不合格 0元\n"));
}

TEST_CASE("scheme doc: text with | < & * and line breaks stays text in both formats") {
    bc::Program program = tiny_program();
    program.nodes[1].text = "第一行 a|b <b>x</b> & *强调*\n第二行";
    program.nodes[2].goal = "目标\n二";
    program.rules[0].says = "扣2分 <script>";
    const std::string md = write_scheme_markdown(program);
    CHECK(has(md, "| 第一行 a\\|b \\<b\\>x\\</b\\> \\& \\*强调\\*<br>第二行 |\n"));
    CHECK(has(md, "| 目标<br>二 |"));
    CHECK(has(md, "「扣2分 \\<script\\>」"));
    // Every line of the table is one row: a line break never splits one.
    std::size_t table_lines = 0;
    for (std::size_t at = md.find("\n|"); at != std::string::npos; at = md.find("\n|", at + 1)) ++table_lines;
    CHECK(table_lines == 2 + program.nodes.size());  // head, rule, a row per node (合计 for node 0)

    const std::string html = write_scheme_html(program);
    CHECK(has(html, "<p>第一行 a|b &lt;b&gt;x&lt;/b&gt; &amp; *强调*<br>第二行</p>"));
    CHECK(has(html, "<td class=\"goal\">目标<br>二</td>"));
    CHECK(has(html, "「扣2分 &lt;script&gt;」"));
    CHECK_FALSE(has(html, "<script>"));
}

TEST_CASE("scheme doc, HTML: the same rows and parts as the Markdown, one self-contained page") {
    const bc::Program program = tiny_program();
    const std::string html = write_scheme_html(program);
    CHECK(html.starts_with("<!DOCTYPE html>"));
    CHECK(has(html, "<title>测试&lt;办法&gt;</title>"));
    CHECK(has(html, "<h1>测试&lt;办法&gt;</h1>\n<p class=\"meta\">发文机关：某县委组织部</p>\n"));
    CHECK(has(html, "<th class=\"no\">序号</th><th class=\"label\">考核内容</th><th class=\"goal\">工作目标</th>"
                    "<th class=\"num\">基本分</th><th class=\"content\">具体内容与计分办法</th>"));
    CHECK(has(html, "<tr class=\"depth-2\"><td class=\"no\">1.2</td><td class=\"label\">遵守纪律<br><code>纪律</code></td>"
                    "<td class=\"goal\"></td><td class=\"num\">40</td><td class=\"content\"><ul class=\"rules\"><li>"
                    "<span class=\"says\">「违纪的扣40分」</span> <code>deduct 40 if 违纪</code> "
                    "<span class=\"where\">(tiny.kh:21)</span></li></ul></td></tr>\n"));
    CHECK(has(html, "<tr class=\"depth-1 section\"><td class=\"no\">2</td><td class=\"label\">创新附加</td>"
                    "<td class=\"goal\"></td><td class=\"num\">(+10)</td>"));
    CHECK(has(html, "<tr class=\"total\"><td class=\"no\"></td><td class=\"label\">合计</td><td class=\"goal\"></td>"
                    "<td class=\"num\">100 (+10)</td>"));
    CHECK(has(html, "<h2>等次</h2>\n<ul>\n<li>按总分在全部单位中评定 <span class=\"where\">(tiny.kh:29)</span></li>\n"));
    CHECK(has(html, "<li>扣发考核奖：<span class=\"says\">「违纪的扣发考核奖」</span> <code>forfeit 考核奖 if 违纪</code>"));
    CHECK(has(html, "<footer class=\"stamp\">\n<div>kaohe " + std::string(report::kaohe_version()) +
                        "</div>\n<div>scheme: tiny.kh  sha256:" + to_hex(sha256(tiny_scheme)) + "</div>\n"));
    // Every rule's line is in both formats.
    const std::string md = write_scheme_markdown(program);
    for (const bc::RuleInfo& rule : program.rules) {
        const std::string where = "(tiny.kh:" + std::to_string(rule.line) + ")";
        CHECK(has(md, where));
        CHECK(has(html, where));
    }
}

TEST_CASE("scheme doc: points print as the reports print them; a .khc documents like its source") {
    bc::Program program = tiny_program();
    // With `display 2 half_up`, 60 prints 60.00 as on the score sheets, and a value the display
    // rounds shows its exact value too.
    program.info.display_places = 2;
    program.nodes[3].full = *Decimal::parse("40.125");  // 1.2 遵守纪律
    const std::string md = write_scheme_markdown(program);
    CHECK(has(md, "- 分数显示：保留 2 位小数（display 2 half\\_up）\n"));
    CHECK(has(md, "| 1.1 | 学习\\|制度 | 全年学习不少于12次 | 60.00 |"));
    CHECK(has(md, "| 1.2 | 遵守纪律<br>`纪律` | | 40.13 (= 40.125) |"));

    // Deterministic, and the same from the compiled bytecode.
    const bc::Program source = tiny_program();
    Diagnostics diags;
    const auto loaded = deserialize(serialize(source), "tiny.khc", diags);
    REQUIRE(loaded);
    CHECK(write_scheme_markdown(source) == write_scheme_markdown(*loaded));
    CHECK(write_scheme_html(source) == write_scheme_html(*loaded));
    CHECK(write_scheme_markdown(source) == write_scheme_markdown(source));
}
