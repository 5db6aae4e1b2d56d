// Internal to lang/: what parse.cpp (schemes) and evidence.cpp (evidence files) share:
// checking the raw text before parsing, and reading PEGTL parse trees.
#pragma once

#include "lang/grammar.hpp"

#include <tao/pegtl/contrib/parse_tree.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kaohe::front {

using Tree = tao::pegtl::parse_tree::node;

// Checks what must hold before parsing (size, UTF-8, no control characters) and strips a BOM.
// Returns the text to parse, or nullopt after reporting why the file cannot be parsed.
// `what` names the kind of file in messages ("scheme", "evidence").
std::optional<std::string_view> prepare_text(std::string_view text, const std::string& file, std::string_view what,
                                             Diagnostics& diags);

// True when text holds nothing but white space and comments.
bool is_blank(std::string_view text);

// Runs `parse` and reports an error it throws that no recover<> caught.
template <typename Parse>
std::unique_ptr<Tree> parse_reporting(grammar::ParseContext& ctx, Parse&& parse) {
    try {
        return parse();
    } catch (const tao::pegtl::parse_error& e) {
        const std::size_t at = e.positions().empty() ? 0 : e.positions().front().byte;
        ctx.report(at, std::string(e.message()));
        return nullptr;
    }
}

// Points `ctx` at the prepared text (and its line map, both of which must outlive the tree) and
// parses it with Grammar, keeping the nodes Selector keeps; nullptr after reporting a failure.
template <typename Grammar, template <typename...> class Selector>
std::unique_ptr<Tree> parse_tree(grammar::ParseContext& ctx, std::string_view text, const SourceMap& map,
                                 const std::string& file, Diagnostics& diags) {
    ctx.text = text;
    ctx.map = &map;
    ctx.diags = &diags;
    ctx.file = file;
    tao::pegtl::memory_input<tao::pegtl::tracking_mode::lazy> in(text.data(), text.size(), file);
    return parse_reporting(ctx, [&] {
        return tao::pegtl::parse_tree::parse<Grammar, Selector, tao::pegtl::nothing, grammar::control>(in, ctx);
    });
}

// Reading a parse tree.
class TreeReader {
public:
    explicit TreeReader(grammar::ParseContext& ctx) : ctx_(ctx) {}

    std::size_t begin(const Tree& n) const { return static_cast<std::size_t>(n.m_begin.data - ctx_.text.data()); }
    std::size_t end(const Tree& n) const { return static_cast<std::size_t>(n.m_end.data - ctx_.text.data()); }
    Span span(const Tree& n) const { return ctx_.map->span(begin(n), end(n)); }
    std::string text(const Tree& n) const { return n.string(); }

    template <typename R>
    static const Tree* child(const Tree& n) {
        for (const auto& c : n.children)
            if (c->is_type<R>()) return c.get();
        return nullptr;
    }
    template <typename R>
    static std::vector<const Tree*> children(const Tree& n) {
        std::vector<const Tree*> out;
        for (const auto& c : n.children)
            if (c->is_type<R>()) out.push_back(c.get());
        return out;
    }

    // The contents of a string literal "..." with its escapes (\" and \\) undone.
    static std::string unescape(const Tree& string_lit);

    void error(const Tree& n, std::string message, std::string suggestion = {}) {
        ctx_.diags->error(ctx_.file, span(n), std::move(message), std::move(suggestion));
        ++ctx_.errors;
    }

    grammar::ParseContext& context() { return ctx_; }
    const grammar::ParseContext& context() const { return ctx_; }

private:
    grammar::ParseContext& ctx_;
};

}  // namespace kaohe::front
