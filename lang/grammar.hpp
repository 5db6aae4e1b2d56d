// The grammars of scheme files and evidence files (docs/language.md), as PEGTL 3 rules.
// Internal to lang/: include only from lang/*.cpp. Everyone else sees lang/parse.hpp.
//
// Conventions:
//  - Every token rule eats the white space and comments after it (`_`), so a rule reads as
//    the sequence of its tokens.
//  - Inside must<> each rule has an error_message<> (bottom of this file); a rule that can fail
//    inside a must<> without one does not compile (control<>::raise static_asserts).
//  - Syntax only: no name resolution, no points arithmetic. Numbers stay text.
//  - Error recovery: block members are wrapped in recover<>, which records the error and skips
//    the rest of the member, so one file reports several independent errors.
#pragma once

#include "lang/diagnostic.hpp"
#include "lang/limits.hpp"
#include "lang/source.hpp"

#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/analyze_traits.hpp>

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace kaohe::grammar {

namespace pegtl = tao::pegtl;
using namespace tao::pegtl;  // NOLINT: the grammar reads as PEG

// ---- keywords (generated from lang/keywords.def) -----------------------------------------

enum class Keyword : unsigned char {
#define KEYWORD(id, spelling) id,
#include "lang/keywords.def"
};

struct KeywordSpelling {
    Keyword id;
    std::string_view spelling;
};

inline constexpr KeywordSpelling keyword_spellings[] = {
#define KEYWORD(id, spelling) {Keyword::id, spelling},
#define KEYWORD_SPELLING(id, spelling) {Keyword::id, spelling},
#include "lang/keywords.def"
};

inline bool is_keyword(std::string_view word) {
    for (const auto& k : keyword_spellings)
        if (k.spelling == word) return true;
    return false;
}

// A name continues with a letter, digit, '_' or non-ASCII non-punctuation code point.
inline bool continues_name(std::string_view rest) {
    if (rest.empty()) return false;
    const unsigned char c = static_cast<unsigned char>(rest[0]);
    if (c < 0x80) return std::isalnum(c) != 0 || c == '_';
    const utf8::Decoded d = utf8::decode(rest, 0);
    return d.valid && !utf8::is_cjk_punctuation(d.code_point);
}

// Length in bytes of the keyword spelled at the start of `rest` (with `id`, or any keyword
// when `any`), or 0. A keyword must not run on into a name: `counts` is a name.
inline std::size_t keyword_length(std::string_view rest, Keyword id, bool any) {
    std::size_t best = 0;
    for (const auto& k : keyword_spellings) {
        if ((!any && k.id != id) || !rest.starts_with(k.spelling)) continue;
        if (!continues_name(rest.substr(k.spelling.size()))) best = std::max(best, k.spelling.size());
    }
    return best;
}

inline constexpr std::size_t longest_keyword = [] {
    std::size_t n = 0;
    for (const auto& k : keyword_spellings) n = std::max(n, k.spelling.size());
    return n;
}();

template <typename ParseInput>
std::string_view lookahead(ParseInput& in, std::size_t wanted) {
    const std::size_t available = in.size(wanted);
    return {in.current(), std::min(available, wanted)};
}

// The keyword `K` in any of its spellings.
template <Keyword K>
struct kw {
    using rule_t = kw;
    using subs_t = empty_list;
    template <typename ParseInput>
    static bool match(ParseInput& in) {
        const std::size_t n = keyword_length(lookahead(in, longest_keyword + 4), K, false);
        if (n == 0) return false;
        in.bump(n);
        return true;
    }
};

// Any keyword (for "a keyword cannot be a name").
struct any_keyword {
    using rule_t = any_keyword;
    using subs_t = empty_list;
    template <typename ParseInput>
    static bool match(ParseInput& in) {
        const std::size_t n = keyword_length(lookahead(in, longest_keyword + 4), Keyword::use, true);
        if (n == 0) return false;
        in.bump(n);
        return true;
    }
};

// ---- parse context: limits, open blocks, errors ------------------------------------------

// State shared by the custom rules below; passed to every parse as the last state.
struct ParseContext {
    std::string_view text;  // what is being parsed (after a BOM)
    const SourceMap* map = nullptr;
    Diagnostics* diags = nullptr;
    std::string file;
    unsigned node_depth = 0;
    unsigned expression_depth = 0;
    struct OpenBlock {
        std::string word;  // scheme, evidence, section, item, clause
        std::size_t byte;
    };
    std::vector<OpenBlock> open_blocks;
    std::set<std::size_t> reported_at;  // byte offsets with an error already: no cascades
    std::set<std::size_t> failed_calls;  // where a call was tried and did not match (see once<>)
    std::size_t errors = 0;

    // Records a syntax error at byte `at` unless one was already recorded there.
    void report(std::size_t at, std::string message, std::string suggestion = {});
};

inline ParseContext* pick_context(ParseContext& c, ParseContext*) { return &c; }
template <typename T>
ParseContext* pick_context(T&, ParseContext* found) { return found; }

template <typename... States>
ParseContext& context_of(States&... st) {
    ParseContext* found = nullptr;
    ((found = pick_context(st, found)), ...);
    return *found;
}

template <typename ParseInput>
std::size_t byte_offset(const ParseInput& in, const ParseContext& ctx) {
    return static_cast<std::size_t>(in.current() - ctx.text.data());
}

// Matches R with one more level of `Depth` (a member of ParseContext); past `Limit`, a
// clear error instead of a stack overflow.
template <typename R, unsigned ParseContext::*Depth, unsigned Limit>
struct depth_guard {
    using rule_t = depth_guard;
    using subs_t = type_list<R>;
    template <apply_mode A, rewind_mode M, template <typename...> class Action,
              template <typename...> class Control, typename ParseInput, typename... States>
    static bool match(ParseInput& in, States&&... st) {
        ParseContext& ctx = context_of(st...);
        if (ctx.*Depth >= Limit) {
            throw parse_error(Depth == &ParseContext::node_depth
                                  ? "nodes are nested too deeply (the limit is 256 levels)"
                                  : "expression is nested too deeply (the limit is 256 levels)",
                              in);
        }
        ++(ctx.*Depth);
        struct Restore {
            unsigned& depth;
            ~Restore() { --depth; }
        } restore{ctx.*Depth};
        return Control<R>::template match<A, M, Action, Control>(in, st...);
    }
};

// Matches R, remembering where it failed: tried again at the same place, it fails at once.
// For rules whose failure depends only on the text (no must<> inside that can fail instead of
// throwing). `mean (mean (mean (x) among all) among all) among all` is first tried as a call at
// each level, which fails only at `among`; without this, every level would parse its inside
// twice, 2^depth in all.
template <typename R>
struct once {
    using rule_t = once;
    using subs_t = type_list<R>;
    template <apply_mode A, rewind_mode M, template <typename...> class Action,
              template <typename...> class Control, typename ParseInput, typename... States>
    static bool match(ParseInput& in, States&&... st) {
        ParseContext& ctx = context_of(st...);
        const std::size_t at = byte_offset(in, ctx);
        if (ctx.failed_calls.contains(at)) return false;
        if (Control<R>::template match<A, M, Action, Control>(in, st...)) return true;
        ctx.failed_calls.insert(at);
        return false;
    }
};

// Matches R as a block opened by the word at the current position (for "expected '}' to close
// the item begun at line 12").
template <typename R>
struct open_block {
    using rule_t = open_block;
    using subs_t = type_list<R>;
    template <apply_mode A, rewind_mode M, template <typename...> class Action,
              template <typename...> class Control, typename ParseInput, typename... States>
    static bool match(ParseInput& in, States&&... st) {
        ParseContext& ctx = context_of(st...);
        const std::string_view ahead = lookahead(in, 16);
        std::size_t n = 0;
        while (n < ahead.size() && (std::isalpha(static_cast<unsigned char>(ahead[n])) != 0)) ++n;
        ctx.open_blocks.push_back({std::string(ahead.substr(0, n)), byte_offset(in, ctx)});
        struct Pop {
            std::vector<ParseContext::OpenBlock>& blocks;
            ~Pop() { blocks.pop_back(); }
        } pop{ctx.open_blocks};
        return Control<R>::template match<A, M, Action, Control>(in, st...);
    }
};

// Where to resume after an error in a block member that began at `start` and failed at `error`:
// past the member's own braces, at the start of the next line (or before the '}' that closes
// the enclosing block). Strings and comments are skipped so their braces do not count.
inline std::size_t resume_in_block(std::string_view text, std::size_t start, std::size_t error) {
    int depth = 0;
    std::size_t i = start;
    while (i < text.size()) {
        const char c = text[i];
        if (c == '"') {
            std::size_t j = i + 1;
            for (; j < text.size() && text[j] != '"' && text[j] != '\n'; ++j)
                if (text[j] == '\\' && j + 1 < text.size() && text[j + 1] != '\n') ++j;
            // An unterminated string is probably a missing quote: its braces are code.
            i = (j < text.size() && text[j] == '"') ? j + 1 : i + 1;
            continue;
        }
        if (c == '#') {
            while (i < text.size() && text[i] != '\n') ++i;
            continue;
        }
        if (c == '{') ++depth;
        if (c == '}') {
            if (depth == 0) return i;
            --depth;
        }
        if (c == '\n' && depth == 0 && i >= error) return i + 1;
        ++i;
    }
    return text.size();
}

// Evidence files are one fact a line: resume at the next line.
inline std::size_t resume_at_next_line(std::string_view text, std::size_t /*start*/, std::size_t error) {
    const std::size_t nl = text.find('\n', error);
    return nl == std::string_view::npos ? text.size() : nl + 1;
}

using resume_function = std::size_t (*)(std::string_view, std::size_t, std::size_t);

// Matches Member; on a syntax error inside it, records the error, skips to where `Resume` says
// and succeeds, so the enclosing block goes on with its next member.
template <typename Member, resume_function Resume = resume_in_block>
struct recover {
    using rule_t = recover;
    using subs_t = type_list<Member>;
    template <apply_mode A, rewind_mode M, template <typename...> class Action,
              template <typename...> class Control, typename ParseInput, typename... States>
    static bool match(ParseInput& in, States&&... st) {
        ParseContext& ctx = context_of(st...);
        const auto start = in.iterator();
        const std::size_t start_byte = byte_offset(in, ctx);
        try {
            return Control<Member>::template match<A, M, Action, Control>(in, st...);
        } catch (const parse_error& e) {
            const std::size_t error_byte = e.positions().empty() ? start_byte : e.positions().front().byte;
            ctx.report(error_byte, std::string(e.message()));
            const std::size_t resume = std::max(Resume(ctx.text, start_byte, error_byte), start_byte);
            in.iterator() = start;
            in.bump(resume - start_byte);
            return true;
        }
    }
};

// ---- lexical structure ---------------------------------------------------------------------

struct comment : seq<one<'#'>, star<not_one<'\n'>>> {};
struct space_or_comment : sor<one<' ', '\t', '\r', '\n'>, comment> {};
// White space and comments, skipped after every token.
struct _ : star<space_or_comment> {};

// CJK and full-width punctuation (utf8::is_cjk_punctuation) ends a name: 住夜未落实，扣 is the
// name 住夜未落实 followed by a full-width comma.
struct cjk_punctuation
    : pegtl::utf8::ranges<0x3000, 0x303F, 0xFF01, 0xFF0F, 0xFF1A, 0xFF20, 0xFF3B, 0xFF40, 0xFF5B, 0xFF65, 0xFE30, 0xFE4F,
                   0x2010, 0x2027, 0x2030, 0x205E, 0x00A0, 0x00A0, 0xFEFF, 0xFEFF> {};
// A name starts with an ASCII letter, '_' or any non-ASCII code point that is not punctuation
// (U+00B7 middle dot is allowed), and goes on with the same or ASCII digits.
struct name_start : sor<ranges<'a', 'z', 'A', 'Z', '_'>, seq<not_at<cjk_punctuation>, pegtl::utf8::range<0x80, 0x10FFFF>>> {};
struct name_char : sor<name_start, digit> {};
struct name_chars : seq<name_start, star<name_char>> {};
// A user's name: not a keyword.
struct name : seq<not_at<any_keyword>, name_chars> {};
struct name_tok : seq<name, _> {};

struct escaped : one<'"', '\\'> {};
struct escape : seq<one<'\\'>, must<escaped>> {};
struct string_char : sor<escape, not_one<'"', '\\', '\n', '\r'>> {};
struct string_close : one<'"'> {};
struct string_lit : seq<one<'"'>, star<string_char>, must<string_close>> {};
struct string_tok : seq<string_lit, _> {};

struct unit_suffix : sor<TAO_PEGTL_STRING("分"), TAO_PEGTL_STRING("元"), one<'%'>> {};
// Digits with an optional fraction: a '.' needs digits after it, except in a range (0..4).
struct fraction_digits : plus<digit> {};
struct number : seq<plus<digit>, opt<one<'.'>, not_at<one<'.'>>, must<fraction_digits>>> {};
// A number ends there: `1.2.3`, `1e5`, `0x10` and `2分分` are malformed numbers, not a number
// followed by something else (which would only give a puzzling "expected '{'" further on).
struct number_end : not_at<sor<name_char, seq<one<'.'>, digit>>> {};
struct number_lit : seq<number, opt<unit_suffix>, must<number_end>> {};
struct number_tok : seq<number_lit, _> {};
struct minus_sign : one<'-'> {};

template <char... C>
struct sym : seq<one<C...>, _> {};
struct colon : sym<':'> {};
struct comma : sym<','> {};
struct equals : seq<one<'='>, not_at<one<'=', '>'>>, _> {};
struct open_brace : sym<'{'> {};
struct close_brace : sym<'}'> {};
struct open_bracket : sym<'['> {};
struct close_bracket : sym<']'> {};
struct open_paren : sym<'('> {};
struct close_paren : sym<')'> {};
struct dot_dot : seq<TAO_PEGTL_STRING(".."), _> {};

template <Keyword K>
struct key : seq<kw<K>, _> {};

// ---- expressions -----------------------------------------------------------------------------
// Precedence, loosest first: when, or, and, not, comparison/is, + -, * / ×, unary -,
// postfix [index] .field, primary.
//
// Population expressions (rank X among group, mean X among all where C, bottom 5 by X among all)
// are primaries that begin with their keyword, like `when`:
//  - X is an additive expression (a sum of products): `rank 得分 among group`,
//    `mean a + b among all` is the mean of a + b. A comparison or condition as X needs parentheses.
//  - N (bottom/top) is a postfix expression: a number, a constant, or parentheses.
//  - `where C` takes a whole condition and so extends as far as an expression can:
//    `mean X among all where 是指导员 and 在岗` filters on both. Inside a larger expression, put a
//    population with `where` in parentheses: `(mean X among all where C) + 1`.
//  - Without `where`, a population ends at its scope (or `ascending`), so it is an ordinary operand:
//    `25 + (3 - rank 线上考核分 among group) * 1`, `rank X among group <= 3`.
// The list builtins spelled like population words stay calls: `mean(L, p => e)`, `count(L)`,
// `max(L, p => e)`. A call is written with '(' after the name; `mean (a + b) among all` (a call's
// shape followed by `among`) is the population form.

struct expression;
struct expression_tok;

struct rounding_word : sor<kw<Keyword::half_up>, kw<Keyword::half_even>, kw<Keyword::down>, kw<Keyword::up>> {};
struct yes_no_word : sor<kw<Keyword::yes>, kw<Keyword::no>> {};
// A name used as a value: an evidence field, a constant, a lambda parameter, a choice value,
// a rounding mode (round(x, 2, half_up)), yes/no, or `total`.
// `total` (not followed by '(', which is the votes builtin) is the whole scheme's score, readable
// after the totals: in veto, money, forfeit and flag lines (`bottom 3 by total among all`).
struct total_word : kw<Keyword::total> {};
struct name_ref : sor<name, rounding_word, yes_no_word, total_word> {};

struct paren_close : close_paren {};
struct parenthesised : seq<open_paren, must<expression_tok>, must<paren_close>> {};

// p => body, only as an argument of a list builtin.
struct arrow : seq<TAO_PEGTL_STRING("=>"), _> {};
struct lambda_param : name {};
struct lambda : seq<lambda_param, _, arrow, must<expression_tok>> {};
struct argument : sor<lambda, expression_tok> {};
struct call_close : close_paren {};
struct arguments : opt<list<argument, comma>> {};
// Keywords that are also builtins' names: count(L), total(V), mean(L, p => e), max, min, sum, all.
struct builtin_keyword : sor<kw<Keyword::count>, kw<Keyword::total>, kw<Keyword::mean>, kw<Keyword::max>,
                             kw<Keyword::min>, kw<Keyword::sum>, kw<Keyword::all>> {};
// A builtin call: the callee is a name (or a builtin keyword) followed by '('. Not followed by
// `among`: `mean (a + b) among all` is a population expression (below).
struct callee : sor<builtin_keyword, name> {};
struct call : seq<callee, _, open_paren, arguments, must<call_close>, not_at<kw<Keyword::among>>> {};

struct table_key : name {};
struct table_entry : seq<table_key, _, must<colon>, must<expression_tok>> {};
struct table_close : close_brace {};
struct table_key_type : name {};
struct table_lit : seq<key<Keyword::table>, opt<table_key_type, _>, must<open_brace>,
                       opt<list<table_entry, comma>, opt<comma>>, must<table_close>> {};

struct when_keyword : key<Keyword::when> {};
struct then_keyword : key<Keyword::then> {};
struct else_keyword : key<Keyword::else_> {};
struct when_arm : seq<when_keyword, must<expression_tok>, must<then_keyword>, must<expression_tok>> {};
struct when_else : seq<else_keyword, must<expression_tok>> {};
struct when_expr : seq<plus<when_arm>, must<when_else>> {};

// ---- population expressions (phase 2) ----
struct additive;
struct postfix;
struct scope_word : sor<kw<Keyword::all>, kw<Keyword::group>> {};
struct population_scope : seq<scope_word, _> {};
struct population_among : seq<key<Keyword::among>, must<population_scope>> {};
struct population_value : seq<additive> {};           // X
struct population_n : seq<postfix, _> {};             // bottom/top N
struct population_where : seq<expression_tok> {};      // where C
struct where_clause : seq<key<Keyword::where>, must<population_where>> {};
struct ascending_word : key<Keyword::ascending> {};
// rank, bottom and top order every unit of their scope; only the aggregates filter.
struct where_not_allowed : any {};
struct no_where : opt<at<kw<Keyword::where>>, raise<where_not_allowed>> {};
// rank X among group|all [ascending]
struct rank_word : key<Keyword::rank> {};
struct rank_expr : seq<rank_word, must<population_value>, must<population_among>, opt<ascending_word>, no_where> {};
// mean|max|min|sum X among group|all [where C]
struct aggregate_word : sor<kw<Keyword::mean>, kw<Keyword::max>, kw<Keyword::min>, kw<Keyword::sum>> {};
struct aggregate_expr : seq<aggregate_word, _, must<population_value>, must<population_among>, opt<where_clause>> {};
// count among group|all [where C]
struct count_word : key<Keyword::count> {};
struct count_expr : seq<count_word, must<population_among>, opt<where_clause>> {};
// bottom|top N by X among group|all
struct extreme_word : sor<kw<Keyword::bottom>, kw<Keyword::top>> {};
struct extreme_by : key<Keyword::by> {};
struct extreme_expr : seq<extreme_word, _, must<population_n>, must<extreme_by>, must<population_value>,
                          must<population_among>, no_where> {};
struct population_inner : sor<rank_expr, aggregate_expr, count_expr, extreme_expr> {};
// One level of expression depth each: `rank rank rank ...` recurses without parentheses.
struct population : depth_guard<population_inner, &ParseContext::expression_depth, limits::max_expression_depth> {};

struct primary : sor<number_lit, table_lit, when_expr, once<call>, population, parenthesised, name_ref> {};

struct index_close : close_bracket {};
struct index_suffix : seq<one<'['>, _, must<expression_tok>, must<index_close>> {};
struct member_field : name {};
struct member_suffix : seq<one<'.'>, not_at<one<'.'>>, must<member_field>> {};
// No space before [ or . : 推广分[p.推广]
struct postfix : seq<primary, star<sor<index_suffix, member_suffix>>> {};

struct negate_op : one<'-'> {};
struct unary;
// Each prefix operator is one level of expression depth: ------1 recurses.
struct unary_operand : depth_guard<unary, &ParseContext::expression_depth, limits::max_expression_depth> {};
struct unary : sor<seq<negate_op, _, must<unary_operand>>, postfix> {};
struct unary_tok : seq<unary, _> {};

struct mul_op : sor<one<'*', '/'>, pegtl::utf8::one<0xD7>> {};
struct multiplicative : seq<unary_tok, star<mul_op, _, must<unary_tok>>> {};

struct add_op : seq<one<'+', '-'>, not_at<one<'>'>>> {};
struct additive : seq<multiplicative, star<add_op, _, must<multiplicative>>> {};

struct compare_op : sor<TAO_PEGTL_STRING("=="), TAO_PEGTL_STRING("!="), TAO_PEGTL_STRING("<="),
                        TAO_PEGTL_STRING(">="), one<'<'>, seq<one<'>'>>> {};
struct comparison_rhs : additive {};
struct choice_name : name {};
struct choice_close : close_brace {};
struct choice_set : sor<seq<open_brace, list<seq<choice_name, _>, comma>, must<choice_close>>, seq<choice_name, _>> {};
struct is_not : key<Keyword::not_> {};
// subject is A / is not A / is {A, B}
struct is_test : seq<key<Keyword::is>, opt<is_not>, must<choice_set>> {};
struct comparison : seq<additive, opt<sor<seq<compare_op, _, must<comparison_rhs>>, is_test>>> {};

struct not_op : key<Keyword::not_> {};
struct negation;
struct negation_operand : depth_guard<negation, &ParseContext::expression_depth, limits::max_expression_depth> {};
struct negation : sor<seq<not_op, must<negation_operand>>, comparison> {};
struct and_op : key<Keyword::and_> {};
struct conjunction : seq<negation, star<and_op, must<negation>>> {};
struct or_op : key<Keyword::or_> {};
struct disjunction : seq<conjunction, star<or_op, must<conjunction>>> {};

struct expression : depth_guard<disjunction, &ParseContext::expression_depth, limits::max_expression_depth> {};
// `among` right after a whole expression belongs to no population word: `mean (a) * 2 among all`
// (the call mean(a) times 2), or a misspelt `rnak X among all`. Say so there, not a line later.
struct stray_among : any {};
struct expression_tok : seq<expression, _, opt<at<kw<Keyword::among>>, raise<stray_among>>> {};

// ---- types and evidence ------------------------------------------------------------------------

struct signed_number : seq<opt<minus_sign>, number_lit> {};
struct range_high : number_lit {};
struct range : seq<signed_number, _, must<dot_dot>, must<range_high>, _> {};
struct within_clause : seq<key<Keyword::within>, must<range>> {};
struct step_value : number_tok {};
struct step_clause : seq<key<Keyword::step>, must<step_value>> {};

struct type_expr;
struct yes_no_type : key<Keyword::yes_no> {};
struct measure_word : name {};
struct count_type : seq<key<Keyword::count>, opt<measure_word, _>, opt<within_clause>> {};
struct decimal_type : key<Keyword::decimal> {};
struct points_type : key<Keyword::points> {};
struct money_type : key<Keyword::money> {};
struct percent_type : key<Keyword::percent> {};
struct number_type : seq<sor<decimal_type, points_type, money_type, percent_type>, opt<within_clause>, opt<step_clause>> {};
struct choice_value : name {};
struct choice_values_close : close_brace {};
struct choice_values : seq<must<open_brace>, list<seq<choice_value, _>, comma>, opt<comma>, must<choice_values_close>> {};
struct choice_type : seq<key<Keyword::choice>, choice_values> {};
struct record_field_name : name {};
struct record_field : seq<record_field_name, _, must<colon>, must<type_expr>> {};
struct record_fields_close : close_brace {};
struct list_type : seq<key<Keyword::list>, must<key<Keyword::of>>, must<open_brace>, list<record_field, comma>,
                       opt<comma>, must<record_fields_close>> {};
struct text_type : key<Keyword::text> {};
// votes { 好, 较好, 一般, 较差 } or votes TypeName: a tally, one count per value
struct votes_type_name : name {};
struct votes_of : sor<seq<at<one<'{'>>, choice_values>, seq<votes_type_name, _>> {};
struct votes_type : seq<key<Keyword::votes>, must<votes_of>> {};
struct named_type : seq<name, _> {};
struct type_expr : sor<yes_no_type, count_type, number_type, choice_type, list_type, text_type, votes_type,
                       named_type> {};

struct empty_list_lit : seq<one<'['>, _, one<']'>> {};
struct default_word : sor<yes_no_word, name> {};
struct default_value : sor<seq<opt<minus_sign>, number_lit>, empty_list_lit, default_word> {};
struct default_clause : seq<key<Keyword::default_>, must<default_value>, _> {};
struct label : string_tok {};
struct evidence_name : name {};
struct evidence_decl : seq<evidence_name, _, must<colon>, must<type_expr>, opt<default_clause>, opt<label>> {};
// `count: yes_no` : a keyword where a name should be.
struct keyword_as_name : seq<any_keyword, _, one<':'>> {};
struct keyword_as_evidence_name : seq<at<keyword_as_name>, raise<keyword_as_name>> {};
struct unexpected_in_evidence : any {};
struct evidence_member : sor<evidence_decl, keyword_as_evidence_name, raise<unexpected_in_evidence>> {};
struct evidence_close : close_brace {};
struct evidence_body : seq<must<open_brace>, star<not_at<one<'}'>>, not_at<eof>, recover<evidence_member>, _>,
                           must<evidence_close>> {};
struct evidence_block : open_block<seq<key<Keyword::evidence>, evidence_body>> {};

// ---- declarations and header -------------------------------------------------------------------

struct type_name : name {};
struct type_decl : seq<key<Keyword::type>, must<type_name>, _, must<equals>, must<type_expr>> {};
struct const_name : name {};
struct const_decl : seq<key<Keyword::const_>, must<const_name>, _, must<equals>, must<expression_tok>> {};

struct issuer_field : seq<key<Keyword::issuer>, must<string_tok>> {};
struct document_field : seq<key<Keyword::document>, must<string_tok>> {};
struct year_field : seq<key<Keyword::year>, must<number_tok>> {};
struct assesses_field : seq<key<Keyword::assesses>, must<string_tok>> {};
struct group_name : name {};
struct groups_close : close_brace {};
struct groups_field : seq<key<Keyword::groups>, must<open_brace>, list<seq<group_name, _>, comma>, opt<comma>,
                          must<groups_close>> {};
struct display_places : number_tok {};
struct rounding_mode : seq<rounding_word, _> {};
struct display_field : seq<key<Keyword::display>, must<display_places>, opt<rounding_mode>> {};
struct total_field : seq<key<Keyword::total>, must<number_tok>> {};
struct header_field : sor<issuer_field, document_field, year_field, assesses_field, groups_field, display_field,
                          total_field> {};

// ---- rules ----------------------------------------------------------------------------------------

struct deduct_keyword : key<Keyword::deduct> {};
struct award_keyword : key<Keyword::award> {};
struct rule_keyword : sor<deduct_keyword, award_keyword> {};
struct rule_amount : expression_tok {};
struct missing_name : name {};
struct missing_close : close_bracket {};
struct per_missing : seq<key<Keyword::missing>, must<open_bracket>, list<seq<missing_name, _>, comma>,
                         must<missing_close>> {};
struct per_quantity : expression_tok {};
struct per_what : sor<per_missing, per_quantity> {};
struct per_clause : seq<key<Keyword::per>, must<per_what>> {};
struct if_keyword : key<Keyword::if_> {};
struct unless_keyword : key<Keyword::unless> {};
struct rule_condition : expression_tok {};
struct condition_clause : seq<sor<if_keyword, unless_keyword>, must<rule_condition>> {};
struct cap_amount : expression_tok {};
struct cap_clause : seq<key<Keyword::cap>, must<cap_amount>> {};
struct says_clause : seq<key<Keyword::says>, must<string_tok>> {};
// deduct AMOUNT [within LO..HI] [per Q | per missing [A, B]] [if C | unless C] [cap N] [says "..."]
struct rule_stmt : seq<rule_keyword, must<rule_amount>, opt<within_clause>, opt<per_clause>,
                       opt<condition_clause>, opt<cap_clause>, opt<says_clause>> {};

// score EXPR [says "..."]: the node's computed score. It takes no within/per/if/unless/cap: a
// condition goes inside the expression (score when C then A else B).
struct score_keyword : key<Keyword::score> {};
struct score_amount : expression_tok {};
struct score_qualifier_word : sor<kw<Keyword::within>, kw<Keyword::per>, kw<Keyword::if_>, kw<Keyword::unless>,
                                  kw<Keyword::cap>> {};
struct score_qualifier : any {};
struct score_stmt : seq<score_keyword, must<score_amount>, opt<at<score_qualifier_word>, raise<score_qualifier>>,
                        opt<says_clause>> {};

// ---- the scoring tree -------------------------------------------------------------------------------

struct node;
struct node_kind : sor<kw<Keyword::section>, kw<Keyword::item>, kw<Keyword::clause>> {};
struct node_name : name {};
struct node_label : string_tok {};
struct points_value : number_tok {};
struct extra_on_points : any {};
struct points_marks
    : seq<key<Keyword::points>, must<points_value>, opt<at<kw<Keyword::extra>>, raise<extra_on_points>>> {};
struct bonus_cap_value : number_tok {};
// bonus cap N [extra]: `extra` puts the node on top of its parent's full marks
struct extra_marker : key<Keyword::extra> {};
struct bonus_marks : seq<key<Keyword::bonus>, must<key<Keyword::cap>>, must<bonus_cap_value>, opt<extra_marker>> {};
struct node_marks : sor<points_marks, bonus_marks> {};
struct parts_value : number_tok {};
struct parts_reason : string_tok {};
// parts N because "...": the children add up to N, and the document says why.
struct parts_clause : seq<key<Keyword::parts>, must<parts_value>, must<key<Keyword::because>>, must<parts_reason>> {};
struct goal_field : seq<key<Keyword::goal>, must<string_tok>> {};
struct text_field : seq<key<Keyword::text>, must<string_tok>> {};
struct unexpected_in_node : any {};
struct node_member
    : sor<rule_stmt, score_stmt, node, goal_field, text_field, parts_clause, raise<unexpected_in_node>> {};
struct node_close : close_brace {};
struct node_body : seq<must<open_brace>, star<not_at<one<'}'>>, not_at<eof>, recover<node_member>, _>, must<node_close>> {};
// `item score "..."`: a keyword where the node's name would be.
struct keyword_as_node_name : seq<at<any_keyword, _, one<'"'>>, raise<keyword_as_name>> {};
struct node_inner : seq<node_kind, _, opt<node_name, _>, opt<keyword_as_node_name>, must<node_label>,
                        must<node_marks>, opt<parts_clause>, node_body> {};
// section / item / clause [NAME] "label" points N { ... }
struct node : depth_guard<open_block<node_inner>, &ParseContext::node_depth, limits::max_node_depth> {};

// ---- after the totals: grades, money, forfeits -----------------------------------------------------

// grades 等次 by total|NODE [among all|group] { 优秀: >= 90, quota 15%  ...  不合格: otherwise  veto ... }
struct grading_name : name {};
struct grading_by_word : key<Keyword::by> {};
struct grading_by : sor<kw<Keyword::total>, name> {};
struct grading_scope : seq<key<Keyword::among>, must<population_scope>> {};
struct band_name : name {};
struct at_least_op : seq<TAO_PEGTL_STRING(">="), _> {};
struct band_threshold : number_tok {};
struct quota_value : number_tok {};
struct quota_clause : seq<key<Keyword::quota>, must<quota_value>> {};
struct band_quota : sor<seq<comma, must<quota_clause>>, quota_clause> {};
struct band_otherwise : key<Keyword::otherwise> {};
struct band_at_least : seq<at_least_op, must<band_threshold>, opt<band_quota>> {};
struct band_rule : sor<band_otherwise, band_at_least> {};
struct grade_band : seq<band_name, _, must<colon>, must<band_rule>> {};
struct veto_grade : name {};
struct veto_if : key<Keyword::if_> {};
struct veto_condition : expression_tok {};
struct veto_stmt
    : seq<key<Keyword::veto>, must<veto_grade>, _, must<veto_if>, must<veto_condition>, opt<says_clause>> {};
struct unexpected_in_grades : any {};
struct grades_member : sor<veto_stmt, grade_band, raise<unexpected_in_grades>> {};
struct grades_close : close_brace {};
struct grades_body : seq<must<open_brace>, star<not_at<one<'}'>>, not_at<eof>, recover<grades_member>, _>,
                         must<grades_close>> {};
struct grading_decl : open_block<seq<key<Keyword::grades>, must<grading_name>, _, must<grading_by_word>,
                                     must<grading_by>, _, opt<grading_scope>, grades_body>> {};

// money 考核奖 = EXPR [says "..."]
struct money_name : name {};
struct money_equals : equals {};
struct money_amount : expression_tok {};
struct money_decl : seq<key<Keyword::money>, must<money_name>, _, must<money_equals>, must<money_amount>,
                        opt<says_clause>> {};

// forfeit 考核奖 if COND [says "..."]
struct forfeit_money : name {};
struct forfeit_if : key<Keyword::if_> {};
struct forfeit_condition : expression_tok {};
struct forfeit_decl : seq<key<Keyword::forfeit>, must<forfeit_money>, _, must<forfeit_if>, must<forfeit_condition>,
                          opt<says_clause>> {};

// flag 诫勉 if COND [says "..."]
struct flag_name : name {};
struct flag_if : key<Keyword::if_> {};
struct flag_condition : expression_tok {};
struct flag_decl : seq<key<Keyword::flag>, must<flag_name>, _, must<flag_if>, must<flag_condition>, opt<says_clause>> {};

// ---- the file ---------------------------------------------------------------------------------------

// Order in the scheme block: header fields, `type`, `const` and `evidence` before the first node
// (checked by the builder); nodes; `score` (the whole scheme's computed score), `grades`, `money`
// `forfeit` and `flag` anywhere: before, between or after the nodes.
struct misplaced_rule : any {};
struct rule_at_top_level : seq<at<rule_keyword>, raise<misplaced_rule>> {};
struct unexpected_in_scheme : any {};
struct scheme_member : sor<header_field, type_decl, const_decl, evidence_block, node, score_stmt, grading_decl,
                           money_decl, forfeit_decl, flag_decl, rule_at_top_level, raise<unexpected_in_scheme>> {};
struct scheme_title : string_tok {};
struct scheme_close : close_brace {};
struct scheme_body : seq<must<open_brace>, star<not_at<one<'}'>>, not_at<eof>, recover<scheme_member>, _>,
                         must<scheme_close>> {};
struct scheme_block : seq<key<Keyword::scheme>, must<scheme_title>, scheme_body> {};
struct module_name : name {};
struct use_decl : seq<key<Keyword::use>, must<module_name>, _> {};
// Declarations outside the scheme block: a library module (stdlib/*.kh) is only these.
struct library_decl : sor<type_decl, const_decl> {};
struct end_of_file : eof {};
struct top_member : sor<use_decl, library_decl, open_block<scheme_block>> {};
struct scheme_file : seq<_, star<recover<top_member>, _>, must<end_of_file>> {};

// ---- evidence files -----------------------------------------------------------------------------------
// One fact a line; white space inside a line is blanks only.

namespace evidence {

struct blank : star<one<' ', '\t'>> {};
struct line_comment : seq<one<'#'>, star<not_one<'\n'>>> {};
struct line_end : seq<blank, opt<line_comment>, sor<seq<opt<one<'\r'>>, one<'\n'>>, eof>> {};
// A word that is not a name's prefix: `unit "x"`, but `units: 3` is a fact.
template <typename Word>
struct word : seq<Word, not_at<name_char>> {};

struct number_value : seq<opt<one<'-'>>, number, opt<one<'%'>>> {};
struct word_value : name_chars {};
struct empty_list_value : seq<one<'['>, blank, one<']'>> {};
struct value;
struct colon_sign;
struct field_name : name_chars {};
struct field_value : seq<value> {};
struct record_field : seq<field_name, blank, must<colon_sign>, blank, must<field_value>, blank> {};
struct record_close : one<'}'> {};
struct record_value
    : seq<one<'{'>, blank, opt<list<record_field, seq<one<','>, blank>>>, must<record_close>> {};
struct string_value : string_lit {};
struct value : depth_guard<sor<number_value, string_value, empty_list_value, record_value, word_value>,
                           &ParseContext::expression_depth, limits::max_expression_depth> {};

struct source_string : string_lit {};
struct source_clause : seq<word<TAO_PEGTL_STRING("source")>, blank, must<source_string>> {};
struct fact_name : name_chars {};
struct append_sign : TAO_PEGTL_STRING("+=") {};
struct colon_sign : one<':'> {};
struct fact_value : seq<value> {};
struct fact : seq<fact_name, blank, sor<append_sign, colon_sign>, blank, must<fact_value>, blank, opt<source_clause>> {};
struct unit_name : string_lit {};
struct unit_stmt : seq<word<TAO_PEGTL_STRING("unit")>, blank, must<unit_name>> {};
struct group_name : name_chars {};
struct group_stmt : seq<word<TAO_PEGTL_STRING("group")>, blank, must<group_name>> {};
// self 1.2: 4.5 [source "..."]: the unit's own score (自查分) for node number 1.2. A fact named
// `self` is still a fact (`self: 3`): the fact is tried first, and a number follows `self ` here.
struct self_number : plus<digit> {};
struct self_path_end : not_at<sor<name_char, one<'.'>>> {};
struct self_path : seq<self_number, star<one<'.'>, must<self_number>>, must<self_path_end>> {};
struct self_value : number_value {};
struct self_colon : one<':'> {};
struct self_stmt : seq<word<TAO_PEGTL_STRING("self")>, blank, must<self_path>, blank, must<self_colon>, blank,
                       must<self_value>, blank, opt<source_clause>> {};
struct bad_line : any {};
struct end_of_line : line_end {};
struct statement : seq<sor<fact, unit_stmt, group_stmt, self_stmt, raise<bad_line>>, must<end_of_line>> {};
struct newline : seq<opt<one<'\r'>>, one<'\n'>> {};
struct empty_line : seq<blank, opt<line_comment>, newline> {};
struct statement_line : seq<blank, not_at<sor<one<'#'>, newline, eof>>, recover<statement, resume_at_next_line>> {};
// The last line may end without a newline.
struct file : seq<star<sor<empty_line, statement_line>>, blank, opt<line_comment>, eof> {};

// One CSV cell: a value alone.
struct cell_end : seq<blank, eof> {};
struct cell : seq<blank, must<value>, must<cell_end>> {};

}  // namespace evidence

// ---- error messages ---------------------------------------------------------------------------------
// `{block}` is replaced by the innermost open block ("item begun at line 12"),
// `{token}` by the text at the error.

template <typename Rule>
inline constexpr const char* error_message = nullptr;

#define KAOHE_ERROR(rule, text) \
    template <>                 \
    inline constexpr const char* error_message<rule> = text;

KAOHE_ERROR(escaped, "unknown escape in string: only \\\" and \\\\ are allowed")
KAOHE_ERROR(string_close, "unterminated string: expected '\"' before the end of the line")
KAOHE_ERROR(string_tok, "expected a string in quotes")
KAOHE_ERROR(number_tok, "expected a number")
KAOHE_ERROR(fraction_digits, "expected digits after the decimal point")
KAOHE_ERROR(number_end, "malformed number: write digits with at most one decimal point (12, 0.5), optionally followed by 分, 元 or %")
KAOHE_ERROR(colon, "expected ':'")
KAOHE_ERROR(equals, "expected '='")
KAOHE_ERROR(open_brace, "expected '{'")
KAOHE_ERROR(open_bracket, "expected '['")
KAOHE_ERROR(dot_dot, "expected '..' between the bounds of a range, as in 0..4")
KAOHE_ERROR(expression_tok, "expected an expression")
KAOHE_ERROR(paren_close, "expected ')' to close '('")
KAOHE_ERROR(call_close, "expected ',' or ')' in the call's arguments")
KAOHE_ERROR(population_value, "expected the value the population expression is over, as in rank 得分 among group")
KAOHE_ERROR(population_among,
            "expected 'among group' or 'among all': a population expression says which units it is over")
KAOHE_ERROR(population_scope, "expected 'group' (the unit's peer group) or 'all' (every unit in the run) after 'among'")
KAOHE_ERROR(population_where, "expected a condition after 'where'")
KAOHE_ERROR(population_n, "expected how many units, as in bottom 5 by 得分 among all")
KAOHE_ERROR(extreme_by, "expected 'by' and the value units are ordered by, as in bottom 5 by 得分 among all")
KAOHE_ERROR(where_not_allowed,
            "'where' filters mean, max, min, sum and count; rank, bottom and top order every unit of their scope")
KAOHE_ERROR(stray_among,
            "'among' here follows no population expression (rank, mean, max, min, sum, count, bottom or top X among ...)"
            "\nto take the mean of a parenthesised value, write it right after the word: mean (a * 2) among all")
KAOHE_ERROR(table_close, "expected ',' or '}' after a table entry (entries are written KEY: VALUE)")
KAOHE_ERROR(then_keyword, "expected 'then' after the condition of 'when'")
KAOHE_ERROR(when_else, "expected 'else' (or another 'when') to finish the 'when' expression")
KAOHE_ERROR(index_close, "expected ']' to close the index")
KAOHE_ERROR(member_field, "expected a field name after '.'")
KAOHE_ERROR(unary_operand, "expected a value after '-'")
KAOHE_ERROR(unary_tok, "expected a value after the operator")
KAOHE_ERROR(multiplicative, "expected a value after the operator")
KAOHE_ERROR(comparison_rhs, "expected a value after the comparison")
KAOHE_ERROR(choice_set, "expected a choice value or {A, B} after 'is'")
KAOHE_ERROR(choice_close, "expected ',' or '}' in the set of choices")
KAOHE_ERROR(negation_operand, "expected a condition after 'not'")
KAOHE_ERROR(negation, "expected a condition after 'and'")
KAOHE_ERROR(conjunction, "expected a condition after 'or'")
KAOHE_ERROR(range, "expected a range LO..HI, as in 0..4")
KAOHE_ERROR(range_high, "expected the upper bound of the range after '..'")
KAOHE_ERROR(step_value, "expected a number after 'step'")
KAOHE_ERROR(choice_values_close, "expected ',' or '}' in the list of choices")
KAOHE_ERROR(key<Keyword::of>, "expected 'of' after 'list' (list of { FIELD: TYPE, ... })")
KAOHE_ERROR(record_fields_close, "expected ',' or '}' in the record's fields (FIELD: TYPE)")
KAOHE_ERROR(type_expr,
            "expected a type: yes_no, count, decimal, points, money, percent, choice { ... }, list of { ... }, "
            "votes { ... }, text or a type name")
KAOHE_ERROR(votes_of,
            "expected the values voted on after 'votes': { 好, 较好, 一般, 较差 } or a choice type's name")
KAOHE_ERROR(default_value, "expected a default value (a number, yes, no, a choice value or [])")
KAOHE_ERROR(keyword_as_name, "'{token}' is a keyword and cannot be used as a name")
KAOHE_ERROR(unexpected_in_evidence, "expected an evidence declaration (NAME: TYPE \"label\") or '}'")
KAOHE_ERROR(evidence_close, "expected '}' to close the {block}")
KAOHE_ERROR(type_name, "expected the type's name after 'type'")
KAOHE_ERROR(const_name, "expected the constant's name after 'const'")
KAOHE_ERROR(groups_close, "expected ',' or '}' in the list of groups")
KAOHE_ERROR(display_places, "expected the number of decimal places after 'display'")
KAOHE_ERROR(rule_amount, "expected the amount after 'deduct' or 'award'")
KAOHE_ERROR(score_amount, "expected the node's score, an expression, after 'score'")
KAOHE_ERROR(score_qualifier,
            "'score' takes an expression and 'says' only: '{token}' belongs to deduct/award"
            "\nput a condition inside the expression: score when C then A else B")
KAOHE_ERROR(missing_close, "expected ',' or ']' in the list after 'per missing'")
KAOHE_ERROR(per_what, "expected a quantity or 'missing [...]' after 'per'")
KAOHE_ERROR(rule_condition, "expected a condition after 'if' or 'unless'")
KAOHE_ERROR(cap_amount, "expected the amount after 'cap'")
KAOHE_ERROR(node_label,
            "expected the node's label, a string in quotes (after an optional name: item 党建 \"党建工作\")")
KAOHE_ERROR(extra_on_points,
            "'extra' is for a bonus node (bonus cap N extra); a node with points is part of its parent's full marks")
KAOHE_ERROR(points_value, "expected a number after 'points'")
KAOHE_ERROR(key<Keyword::cap>, "expected 'cap' after 'bonus' (bonus cap N)")
KAOHE_ERROR(bonus_cap_value, "expected a number after 'bonus cap'")
KAOHE_ERROR(node_marks, "expected 'points N' or 'bonus cap N' after the node's label")
KAOHE_ERROR(parts_value, "expected a number after 'parts'")
KAOHE_ERROR(key<Keyword::because>, "expected 'because \"...\"' after 'parts N': say why the parts differ")
KAOHE_ERROR(parts_reason, "expected the reason, a string in quotes, after 'because'")
KAOHE_ERROR(unexpected_in_node, "expected a rule (deduct/award/score), a node (section/item/clause) or '}'")
KAOHE_ERROR(node_close, "expected '}' to close the {block}")
KAOHE_ERROR(misplaced_rule,
            "a rule (deduct/award) must be inside a node (section/item/clause), not at the top level of the scheme"
            "\nat the top level, 'score EXPR' gives the whole scheme a computed score")
KAOHE_ERROR(unexpected_in_scheme,
            "expected a header field, 'type', 'const', 'evidence', a node (section/item/clause), 'score', 'grades', "
            "'money', 'forfeit', 'flag' or '}'")
KAOHE_ERROR(grading_name, "expected the grades' name after 'grades', as in grades 等次 by total among all { ... }")
KAOHE_ERROR(grading_by_word, "expected 'by total' or 'by NODE' after the grades' name: what the grades are given by")
KAOHE_ERROR(grading_by, "expected 'total' or a node's name after 'by'")
KAOHE_ERROR(band_rule, "expected '>= N' (the least score for this grade, optionally ', quota P%') or 'otherwise'")
KAOHE_ERROR(band_threshold, "expected the least score for this grade after '>='")
KAOHE_ERROR(quota_clause, "expected 'quota P%' after ',', as in 优秀: >= 90, quota 15%")
KAOHE_ERROR(quota_value, "expected the quota, a percent, after 'quota', as in quota 15%")
KAOHE_ERROR(veto_grade, "expected the grade a veto gives after 'veto', as in veto 不合格 if C")
KAOHE_ERROR(veto_if, "expected 'if' and the condition after the veto's grade: veto 不合格 if C")
KAOHE_ERROR(veto_condition, "expected a condition after 'if'")
KAOHE_ERROR(unexpected_in_grades, "expected a grade band (NAME: >= N or NAME: otherwise), 'veto' or '}'")
KAOHE_ERROR(grades_close, "expected '}' to close the {block}")
KAOHE_ERROR(money_name, "expected the amount's name after 'money', as in money 考核奖 = 等次奖金[等次]")
KAOHE_ERROR(money_equals, "expected '=' after the amount's name: money NAME = EXPR")
KAOHE_ERROR(money_amount, "expected the amount, an expression, after '='")
KAOHE_ERROR(forfeit_money, "expected the name of a 'money' amount after 'forfeit'")
KAOHE_ERROR(forfeit_if, "expected 'if' and the condition after the amount's name: forfeit 考核奖 if C")
KAOHE_ERROR(forfeit_condition, "expected a condition after 'if'")
KAOHE_ERROR(flag_name, "expected the flag's name after 'flag', as in flag 诫勉 if bottom 3 by total among all")
KAOHE_ERROR(flag_if, "expected 'if' and the condition after the flag's name: flag 诫勉 if C")
KAOHE_ERROR(flag_condition, "expected a condition after 'if'")
KAOHE_ERROR(scheme_title, "expected the scheme's title, a string in quotes, after 'scheme'")
KAOHE_ERROR(scheme_close, "expected '}' to close the {block}")
KAOHE_ERROR(module_name, "expected a module name after 'use'")
KAOHE_ERROR(end_of_file, "expected 'use', 'type', 'const' or `scheme \"title\" { ... }`")

KAOHE_ERROR(evidence::colon_sign, "expected ':' after the field's name")
KAOHE_ERROR(evidence::field_value, "expected a value after ':'")
KAOHE_ERROR(evidence::record_close, "expected ',' or '}' in the record ({ FIELD: VALUE, ... })")
KAOHE_ERROR(evidence::source_string, "expected a string in quotes after 'source'")
KAOHE_ERROR(evidence::fact_value, "expected a value (a number, yes/no, a word, a string, [] or { ... })")
KAOHE_ERROR(evidence::unit_name, "expected the unit's name, a string in quotes, after 'unit'")
KAOHE_ERROR(evidence::group_name, "expected the group's name after 'group'")
KAOHE_ERROR(evidence::bad_line,
            "expected a fact (NAME: VALUE or NAME += { ... }), 'unit \"...\"', 'group NAME' or 'self N.N: SCORE'")
KAOHE_ERROR(evidence::self_path, "expected the node's number after 'self', as in self 1.2: 4.5")
KAOHE_ERROR(evidence::self_number, "expected a number after '.' in the node's number, as in self 1.2: 4.5")
KAOHE_ERROR(evidence::self_path_end, "malformed node number: write numbers separated by dots, as in self 1.2: 4.5")
KAOHE_ERROR(evidence::self_colon, "expected ':' after the node's number, as in self 1.2: 4.5")
KAOHE_ERROR(evidence::self_value, "expected the self-assessed score, a number, after ':'")
KAOHE_ERROR(evidence::end_of_line, "expected the end of the line (one fact a line; `source \"...\"` may follow the value)")
KAOHE_ERROR(evidence::value, "expected a value (a number, yes/no, a word, a string or [])")
KAOHE_ERROR(evidence::cell_end, "unexpected text after the value")

#undef KAOHE_ERROR

// Replaces the placeholders of a message (see above).
std::string expand_message(std::string_view message, const ParseContext& ctx, std::size_t at);

// "did you mean 'deduct'?" when the word at `at` is a misspelt keyword, else "".
std::string keyword_suggestion(const ParseContext& ctx, std::size_t at);

// Errors where a member of a block was expected: a misspelt keyword is likely.
template <typename Rule>
inline constexpr bool suggests_keyword = false;
template <>
inline constexpr bool suggests_keyword<unexpected_in_node> = true;
template <>
inline constexpr bool suggests_keyword<unexpected_in_scheme> = true;
template <>
inline constexpr bool suggests_keyword<type_expr> = true;
template <>
inline constexpr bool suggests_keyword<end_of_file> = true;
template <>
inline constexpr bool suggests_keyword<unexpected_in_grades> = true;

// PEGTL control: raise() throws a parse_error with the rule's message. A rule without one does
// not compile when it can be raised.
template <typename Rule>
struct control : normal<Rule> {
    template <typename ParseInput, typename... States>
    [[noreturn]] static void raise(const ParseInput& in, States&&... st) {
        static_assert(error_message<Rule> != nullptr, "every rule inside must<> needs an error_message");
        const ParseContext& ctx = context_of(st...);
        const std::size_t at = byte_offset(in, ctx);
        std::string message = expand_message(error_message<Rule>, ctx, at);
        if constexpr (suggests_keyword<Rule>) {
            // ParseContext::report() splits the suggestion off again.
            if (const std::string help = keyword_suggestion(ctx, at); !help.empty()) message += "\n" + help;
        }
        throw parse_error(message, in);
    }
};

}  // namespace kaohe::grammar

// analyze() needs to know what the custom rules consume.
namespace tao::pegtl {
template <typename Name, kaohe::grammar::Keyword K>
struct analyze_traits<Name, kaohe::grammar::kw<K>> : analyze_any_traits<> {};
template <typename Name>
struct analyze_traits<Name, kaohe::grammar::any_keyword> : analyze_any_traits<> {};
template <typename Name, typename R, unsigned kaohe::grammar::ParseContext::*Depth, unsigned Limit>
struct analyze_traits<Name, kaohe::grammar::depth_guard<R, Depth, Limit>> : analyze_seq_traits<R> {};
template <typename Name, typename R>
struct analyze_traits<Name, kaohe::grammar::open_block<R>> : analyze_seq_traits<R> {};
template <typename Name, typename R>
struct analyze_traits<Name, kaohe::grammar::once<R>> : analyze_seq_traits<R> {};
// After an error recover<> may skip nothing only at a '}' or the end, which the loops around it
// exclude; for the analysis it consumes what its member consumes.
template <typename Name, typename R, kaohe::grammar::resume_function F>
struct analyze_traits<Name, kaohe::grammar::recover<R, F>> : analyze_seq_traits<R> {};
}  // namespace tao::pegtl
