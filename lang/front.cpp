#include "lang/front.hpp"

#include <fmt/format.h>

namespace kaohe::grammar {

namespace {

// The extent of the token at `at`: a run of name characters, or one code point.
std::string_view token_at(std::string_view text, std::size_t at) {
    if (at >= text.size()) return {};
    std::size_t end = at;
    while (end < text.size() && continues_name(text.substr(end))) end += utf8::decode(text, end).length;
    if (end == at) end = at + utf8::decode(text, at).length;
    return text.substr(at, end - at);
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
}

// Full-width punctuation typed in a Chinese input mode where ASCII is meant.
std::string punctuation_help(std::string_view token, std::string_view message) {
    static constexpr std::pair<std::string_view, std::string_view> ascii_for[] = {
        {"：", ":"}, {"，", ","}, {"（", "("}, {"）", ")"}, {"｛", "{"}, {"｝", "}"}, {"［", "["},
        {"］", "]"}, {"＝", "="}, {"“", "\""}, {"”", "\""}, {"＋", "+"}, {"－", "-"}, {"％", "%"}};
    for (const auto& [wide, ascii] : ascii_for)
        if (token == wide && message.find(fmt::format("'{}'", ascii)) != std::string_view::npos)
            return fmt::format("'{}' is full-width punctuation: write '{}' instead", wide, ascii);
    if (!token.empty() && static_cast<unsigned char>(token[0]) >= 0x80 &&
        utf8::is_cjk_punctuation(utf8::decode(token, 0).code_point))
        return fmt::format("'{}' is full-width punctuation, which cannot be part of a name", token);
    return {};
}

}  // namespace

std::string keyword_suggestion(const ParseContext& ctx, std::size_t at) {
    const std::string_view token = token_at(ctx.text, at);
    if (token.empty() || !continues_name(token) || is_keyword(token)) return {};
    std::vector<std::string> words;
    for (const auto& k : keyword_spellings) words.emplace_back(k.spelling);
    const std::string best = closest_name(token, words);
    return best.empty() ? std::string() : fmt::format("did you mean '{}'?", best);
}

std::string expand_message(std::string_view message, const ParseContext& ctx, std::size_t at) {
    std::string out(message);
    if (out.find("{block}") != std::string::npos) {
        std::string block = "block";
        if (!ctx.open_blocks.empty()) {
            const auto& open = ctx.open_blocks.back();
            block = fmt::format("{} begun at line {}", open.word.empty() ? "block" : open.word,
                                ctx.map->position(open.byte).line);
        }
        replace_all(out, "{block}", block);
    }
    replace_all(out, "{token}", token_at(ctx.text, at));
    return out;
}

void ParseContext::report(std::size_t at, std::string message, std::string suggestion) {
    // "expected X" found at a closing bracket on a later line, or at the end of the file: point
    // just after the last thing written, where X is missing, not at the unrelated '}'.
    at = std::min(at, text.size());
    if (at == text.size() || text.find_first_not_of(" \t\r\n", at) == std::string_view::npos ||
        std::string_view("})]").find(text[at]) != std::string_view::npos) {
        const std::size_t last = at == 0 ? std::string_view::npos : text.find_last_not_of(" \t\r\n", at - 1);
        const std::size_t after = last == std::string_view::npos ? 0 : last + 1;
        if (text.substr(after, at - after).find('\n') != std::string_view::npos || at == text.size() ||
            text.find_first_not_of(" \t\r\n", at) == std::string_view::npos)
            at = after;
    }
    if (!reported_at.insert(at).second) return;  // a follow-on error at the same place
    const std::string_view token = token_at(text, at);
    if (suggestion.empty()) suggestion = punctuation_help(token, message);
    Span span{map->position(at), static_cast<std::uint32_t>(std::max<std::size_t>(utf8::length(token), 1))};
    if (token.empty() || token == "\n" || token == "\r") span.length = 1;
    // raise() appends a suggestion after a newline (see control<>::raise).
    if (const auto nl = message.find('\n'); nl != std::string::npos) {
        if (suggestion.empty()) suggestion = message.substr(nl + 1);
        message.resize(nl);
    }
    diags->error(file, span, std::move(message), std::move(suggestion));
    ++errors;
}

}  // namespace kaohe::grammar

namespace kaohe::front {

namespace {

bool is_control(unsigned char c) { return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F; }

}  // namespace

std::optional<std::string_view> prepare_text(std::string_view text, const std::string& file, std::string_view what,
                                             Diagnostics& diags) {
    if (text.size() > limits::max_source_bytes) {
        diags.error(file, {}, fmt::format("{} file is too large: {} bytes, the limit is {} bytes", what, text.size(),
                                          limits::max_source_bytes));
        return std::nullopt;
    }
    if (text.starts_with(utf8_bom)) text.remove_prefix(utf8_bom.size());
    // Notepad's "Unicode" is UTF-16: say so, rather than point at its byte order mark.
    if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF")) {
        diags.error(file, Span{}, fmt::format("{} file is UTF-16 (it starts with a UTF-16 byte order mark): save it as UTF-8", what));
        return std::nullopt;
    }
    const SourceMap map(text);
    if (const auto bad = utf8::first_invalid(text)) {
        diags.error(file, Span{map.position(*bad), 1},
                    fmt::format("invalid UTF-8 (byte 0x{:02X}): save the file as UTF-8 (not GBK)",
                                static_cast<unsigned char>(text[*bad])));
        return std::nullopt;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (is_control(c)) {
            diags.error(file, Span{map.position(i), 1},
                        fmt::format("unexpected control character U+{:04X} (is this a binary file?)", c));
            return std::nullopt;
        }
    }
    return text;
}

bool is_blank(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '#') {
            while (i < text.size() && text[i] != '\n') ++i;
        } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            return false;
        }
    }
    return true;
}

std::string TreeReader::unescape(const Tree& string_lit) {
    const std::string_view raw = string_lit.string_view();
    std::string out;
    // Without the quotes; must<string_close> guarantees the closing one.
    for (std::size_t i = 1; i + 1 < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 2 < raw.size()) ++i;
        out += raw[i];
    }
    return out;
}

}  // namespace kaohe::front
