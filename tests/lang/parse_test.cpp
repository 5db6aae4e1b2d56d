// Tests as data: every tests/lang/data/good/*.kh parses with no diagnostics (and, when
// <name>.ast exists, prints as that AST); every bad/*.kh produces exactly the diagnostics in
// <name>.expected, rendered. Same for evidence files under data/evidence/{good,bad}/*.txt.
// Adding a case is adding a file. Run with KAOHE_UPDATE_GOLDEN=1 to (re)write the expected
// files, then read them before committing.
#include "lang/ast_print.hpp"
#include "lang/parse.hpp"

#include "tests/support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

using kaohe::test::read_file;
using kaohe::test::write_file;

const fs::path data_dir = fs::path(KAOHE_SOURCE_DIR) / "tests" / "lang" / "data";

bool updating() { return std::getenv("KAOHE_UPDATE_GOLDEN") != nullptr; }

std::vector<fs::path> files_in(const fs::path& dir, const std::string& ext) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ext) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::string rendered(const kaohe::Diagnostics& diags, const std::string& source) {
    std::string out;
    for (const auto& d : diags.all()) out += kaohe::render(d, source);
    return out;
}

// Compares `actual` with the file beside `input` having extension `ext` (or writes it).
void check_golden(const fs::path& input, const std::string& ext, const std::string& actual, bool required) {
    fs::path expected_path = input;
    expected_path.replace_extension(ext);
    if (updating()) {
        write_file(expected_path, actual);
        return;
    }
    if (!fs::exists(expected_path)) {
        if (required) FAIL("missing " << expected_path);
        return;
    }
    CHECK(actual == read_file(expected_path));
}

template <typename Parse, typename Print>
void check_good(const fs::path& dir, const std::string& ext, Parse parse, Print print) {
    const auto files = files_in(dir, ext);
    REQUIRE(!files.empty());
    for (const auto& f : files) {
        INFO(f);
        const std::string text = read_file(f);
        kaohe::Diagnostics diags;
        const auto result = parse(text, f.filename().string(), diags);
        CHECK(rendered(diags, text).empty());
        REQUIRE(result.has_value());
        check_golden(f, ".ast", print(*result), false);
    }
}

template <typename Parse>
void check_bad(const fs::path& dir, const std::string& ext, Parse parse, std::size_t at_least) {
    const auto files = files_in(dir, ext);
    CHECK(files.size() >= at_least);
    for (const auto& f : files) {
        INFO(f);
        const std::string text = read_file(f);
        kaohe::Diagnostics diags;
        const auto result = parse(text, f.filename().string(), diags);
        CHECK(!result.has_value());
        CHECK(diags.has_errors());
        check_golden(f, ".expected", rendered(diags, text), true);
    }
}

const auto scheme_parser = [](const std::string& text, const std::string& name, kaohe::Diagnostics& d) {
    return kaohe::parse_scheme(text, name, d);
};
const auto evidence_parser = [](const std::string& text, const std::string& name, kaohe::Diagnostics& d) {
    return kaohe::parse_evidence(text, name, d);
};
const auto print_scheme = [](const kaohe::ast::Scheme& s) { return kaohe::ast::print(s); };
const auto print_evidence = [](const kaohe::ast::EvidenceFile& e) { return kaohe::ast::print(e); };

}  // namespace

TEST_CASE("good schemes parse without diagnostics") {
    check_good(data_dir / "good", ".kh", scheme_parser, print_scheme);
}

TEST_CASE("bad schemes give exactly the expected diagnostics") {
    check_bad(data_dir / "bad", ".kh", scheme_parser, 12);
}

TEST_CASE("good evidence files parse without diagnostics") {
    check_good(data_dir / "evidence" / "good", ".txt", evidence_parser, print_evidence);
}

TEST_CASE("bad evidence files give exactly the expected diagnostics") {
    check_bad(data_dir / "evidence" / "bad", ".txt", evidence_parser, 6);
}

TEST_CASE("three independent errors in one file are three diagnostics") {
    const std::string text = read_file(data_dir / "bad" / "three_errors.kh");
    kaohe::Diagnostics diags;
    CHECK(!kaohe::parse_scheme(text, "three_errors.kh", diags));
    CHECK(diags.error_count() == 3);
}

TEST_CASE("10,000 nested nodes give one clear error, not a crash") {
    std::string text = "scheme \"deep\" {\n  total 1\n";
    for (int i = 0; i < 10000; ++i) text += "item \"x\" points 1 {\n";
    for (int i = 0; i < 10000; ++i) text += "}\n";
    text += "}\n";
    kaohe::Diagnostics diags;
    CHECK(!kaohe::parse_scheme(text, "deep.kh", diags));
    REQUIRE(diags.all().size() == 1);
    CHECK(diags.all()[0].message == "nodes are nested too deeply (the limit is 256 levels)");
    CHECK(diags.all()[0].span.begin.line == 3 + 256);
}

TEST_CASE("10,000 nested parentheses and prefix operators give clear errors, not a crash") {
    const std::string open(10000, '('), close(10000, ')'), minus(10000, '-');
    std::string nots;
    for (int i = 0; i < 10000; ++i) nots += "not ";
    const std::string text = "scheme \"deep\" {\n  total 1\n  const a = " + open + "1" + close + "\n  const b = " + minus +
                             "1\n  const c = " + nots + "x\n}\n";
    kaohe::Diagnostics diags;
    CHECK(!kaohe::parse_scheme(text, "deep.kh", diags));
    REQUIRE(diags.all().size() == 3);
    for (const auto& d : diags.all()) CHECK(d.message == "expression is nested too deeply (the limit is 256 levels)");
}

TEST_CASE("nesting just inside the limits parses") {
    std::string text = "scheme \"deep\" {\n  total 1\n  const a = " + std::string(200, '(') + "1" +
                       std::string(200, ')') + "\n";
    for (int i = 0; i < 200; ++i) text += "item \"x\" points 1 {\n";
    for (int i = 0; i < 200; ++i) text += "}\n";
    text += "}\n";
    kaohe::Diagnostics diags;
    CHECK(kaohe::parse_scheme(text, "deep.kh", diags));
    CHECK(diags.all().empty());
}

TEST_CASE("a BOM and CRLF line endings are accepted; columns do not count the BOM") {
    const std::string text = "\xEF\xBB\xBFscheme \"t\" {\r\n  total 1\r\n  section \"s\" points 1 {\r\n  }\r\n}\r\n";
    kaohe::Diagnostics diags;
    const auto s = kaohe::parse_scheme(text, "bom.kh", diags);
    REQUIRE(s);
    REQUIRE(s->root.children.size() == 1);
    CHECK(s->root.children[0].span.begin.line == 3);
    CHECK(s->root.children[0].span.begin.column == 3);
    CHECK(s->root.span.begin.column == 1);
}

TEST_CASE("numbers keep their text and unit; rule source text is trimmed") {
    const std::string text =
        "scheme \"t\" {\n  total 100\n  item \"i\" points 2.50 {\n    deduct 0.10分 if 80% > 0.5 # why\n  }\n}\n";
    kaohe::Diagnostics diags;
    const auto s = kaohe::parse_scheme(text, "n.kh", diags);
    REQUIRE(s);
    const auto& item = s->root.children.at(0);
    CHECK(item.points->text == "2.50");
    const auto& rule = item.rules.at(0);
    CHECK(rule.source_text == "deduct 0.10分 if 80% > 0.5");
    const auto& amount = std::get<kaohe::ast::NumberLit>(rule.amount->node);
    CHECK(amount.text == "0.10");
    CHECK(amount.unit == kaohe::ast::LiteralUnit::points);
    CHECK(kaohe::ast::print(*rule.condition) == "(> 80% 0.5)");
}

TEST_CASE("evidence values in CSV cells") {
    kaohe::Diagnostics diags;
    const kaohe::Span at{{4, 7}, 3};
    auto v = kaohe::parse_evidence_value("85%", "units.csv", at, diags);
    REQUIRE(v);
    CHECK(v->kind == kaohe::ast::RawValue::Kind::number);
    CHECK(v->text == "85");
    CHECK(v->percent);
    v = kaohe::parse_evidence_value(" -0.5 ", "units.csv", at, diags);
    REQUIRE(v);
    CHECK(v->text == "-0.5");
    v = kaohe::parse_evidence_value("未落实", "units.csv", at, diags);
    REQUIRE(v);
    CHECK(v->kind == kaohe::ast::RawValue::Kind::word);
    CHECK(v->text == "未落实");
    v = kaohe::parse_evidence_value("[]", "units.csv", at, diags);
    REQUIRE(v);
    CHECK(v->kind == kaohe::ast::RawValue::Kind::empty_list);
    CHECK(diags.all().empty());

    CHECK(!kaohe::parse_evidence_value("7 次", "units.csv", at, diags));
    REQUIRE(diags.all().size() == 1);
    CHECK(diags.all()[0].span.begin.line == 4);
    CHECK(diags.all()[0].span.begin.column == 7);
    CHECK(diags.all()[0].message == "in the value \"7 次\": unexpected text after the value");
}

namespace {

// The rule of a one-rule item, written `RULE` inside a minimal scheme, printed as an expression.
std::string parsed_amount(const std::string& rule, const std::string& part = "amount") {
    const std::string text = "scheme \"t\" {\n  total 100\n  item \"i\" points 100 {\n    " + rule + "\n  }\n}\n";
    kaohe::Diagnostics diags;
    const auto s = kaohe::parse_scheme(text, "p.kh", diags);
    std::string errors;
    for (const auto& d : diags.all()) errors += kaohe::render(d, text);
    INFO(errors);
    REQUIRE(s);
    const auto& r = s->root.children.at(0).rules.at(0);
    return kaohe::ast::print(part == "amount" ? *r.amount : *r.condition);
}

}  // namespace

TEST_CASE("population expressions parse as a reader expects") {
    // X is an additive expression; the population is an operand of what surrounds it.
    CHECK(parsed_amount("score 25 + (3 - rank 线上考核分 among group) * 1") ==
          "(+ 25 (* (- 3 (among-group rank 线上考核分)) 1))");
    CHECK(parsed_amount("score rank a + b * 2 among all ascending <= 3") ==
          "(<= (among-all rank (+ a (* b 2)) ascending) 3)");
    // `where` takes the whole condition, to the end of the expression.
    CHECK(parsed_amount("score when 是指导员 then 指导员得分 else mean 指导员得分 among all where 是指导员") ==
          "(when [是指导员 指导员得分] else (among-all mean 指导员得分 where 是指导员))");
    CHECK(parsed_amount("score mean x among group where a and b or c") ==
          "(among-group mean x where (or (and a b) c))");
    CHECK(parsed_amount("score (mean x among group where a) + 1") == "(+ (among-group mean x where a) 1)");
    CHECK(parsed_amount("deduct 5 if bottom 5 by 满意度测评分 among all says \"末5位\"", "condition") ==
          "(among-all bottom 5 满意度测评分)");
    CHECK(parsed_amount("deduct 1 if top 满额 by x among group and not y", "condition") ==
          "(and (among-group top 满额 x) (not y))");
    CHECK(parsed_amount("score count among group where 是指导员") == "(among-group count where 是指导员)");
    CHECK(parsed_amount("score max x among all - min x among all") ==
          "(- (among-all max x) (among-all min x))");
}

TEST_CASE("list builtins spelled like population words stay calls") {
    CHECK(parsed_amount("score mean(班子评分, r => r.党建工作)") == "(call mean 班子评分 (=> r (. r 党建工作)))");
    CHECK(parsed_amount("score count(L) + count(L, p => p.x > 1)") ==
          "(+ (call count L) (call count L (=> p (> (. p x) 1))))");
    CHECK(parsed_amount("score sum(L, p => p.x) + max(L, p => p.x) - min (L, p => p.x)") ==
          "(- (+ (call sum L (=> p (. p x))) (call max L (=> p (. p x)))) (call min L (=> p (. p x))))");
    CHECK(parsed_amount("award 1 if all(L, p => p.x > 0)", "condition") == "(call all L (=> p (> (. p x) 0)))");
    CHECK(parsed_amount("score total(民主测评) + weighted(民主测评, 系数)") ==
          "(+ (call total 民主测评) (call weighted 民主测评 系数))");
    // A call's shape followed by `among` is the population form over a parenthesised value.
    CHECK(parsed_amount("score mean (a + b) among all") == "(among-all mean (+ a b))");
}

TEST_CASE("a self-assessed score's CSV cell is a number") {
    kaohe::Diagnostics diags;
    const auto v = kaohe::parse_evidence_value("4.5", "units.csv", kaohe::Span{{2, 9}, 3}, diags);
    REQUIRE(v);
    CHECK(v->kind == kaohe::ast::RawValue::Kind::number);
    CHECK(v->text == "4.5");
}

TEST_CASE("self lines and vote tallies in evidence files") {
    const std::string text = "unit \"甲\"\nself 1.2: 4.5 source \"自查表\"\n民主测评: { 好: 20, 较好: 8 }\n";
    kaohe::Diagnostics diags;
    const auto e = kaohe::parse_evidence(text, "e.txt", diags);
    REQUIRE(e);
    REQUIRE(e->facts.size() == 2);
    CHECK(e->facts[0].name.empty());
    CHECK(e->facts[0].self_path == "1.2");
    CHECK(e->facts[0].value.text == "4.5");
    CHECK(e->facts[0].source == "自查表");
    CHECK(e->facts[1].name == "民主测评");
    CHECK(e->facts[1].self_path.empty());
    CHECK(!e->facts[1].append);
    REQUIRE(e->facts[1].value.kind == kaohe::ast::RawValue::Kind::record);
    REQUIRE(e->facts[1].value.fields.size() == 2);
    CHECK(e->facts[1].value.fields[1].name == "较好");
    CHECK(e->facts[1].value.fields[1].value.text == "8");
}

TEST_CASE("nested population-or-call words parse in linear time, with one diagnostic") {
    // Each `mean (` is first tried as a call, which fails only at `among`. Without remembering
    // that (grammar::once), 40 levels would take 2^40 parses: this test would not finish.
    constexpr int levels = 40;
    std::string rule = "score ";
    for (int i = 0; i < levels; ++i) rule += "mean (";
    rule += "x";
    for (int i = 0; i < levels; ++i) rule += ") among all";
    const std::string text = "scheme \"t\" {\n  total 1\n  item \"i\" points 1 {\n    " + rule + "\n  }\n}\n";
    kaohe::Diagnostics diags;
    CHECK(!kaohe::parse_scheme(text, "nested.kh", diags));
    REQUIRE(diags.all().size() == 1);
    CHECK(diags.all()[0].message.starts_with("a population expression cannot be inside another one's"));
}
