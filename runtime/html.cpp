#include "runtime/html.hpp"

#include "runtime/sha256.hpp"

namespace kaohe::html {
namespace {

// Screen and print: CJK-first font stacks available on Windows, macOS and Linux; A4 pages with
// 15 mm margins; table rows and headings kept whole across page breaks; header rows repeated.
constexpr std::string_view stylesheet = R"css(
:root { color-scheme: light; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "SimSun", sans-serif;
       font-size: 10.5pt; line-height: 1.45; color: #111; margin: 1.5em auto; max-width: 60em; padding: 0 1em; }
h1 { font-size: 16pt; margin: 0 0 .3em; }
h2 { font-size: 13pt; margin: 1.2em 0 .4em; page-break-after: avoid; break-after: avoid; }
h3 { font-size: 11pt; margin: 1em 0 .3em; page-break-after: avoid; break-after: avoid; }
p.meta { margin: .1em 0; color: #333; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; }
th, td { border: 1px solid #888; padding: .25em .45em; vertical-align: top; text-align: left; }
th { background: #eee; font-weight: 600; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.muted { color: #555; }
code, .mono { font-family: "Noto Sans Mono CJK SC", "DejaVu Sans Mono", Consolas, monospace; font-size: 9.5pt; }
footer.stamp { margin-top: 2em; border-top: 1px solid #aaa; padding-top: .4em; color: #444;
               font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 8pt; word-break: break-all; }
@page { size: A4; margin: 15mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 9.5pt; }
  a { color: inherit; text-decoration: none; }
  .no-print { display: none; }
  section.sheet { page-break-before: always; break-before: page; }
}
)css";

// RFC 4648 base64, for a CSP digest.
std::string base64(const Sha256Digest& bytes) {
    constexpr std::string_view digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const auto at = [&](std::size_t i) -> std::uint32_t { return i < bytes.size() ? bytes[i] : 0; };
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::uint32_t n = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
        out += digits[(n >> 18) & 63];
        out += digits[(n >> 12) & 63];
        out += i + 1 < bytes.size() ? digits[(n >> 6) & 63] : '=';
        out += i + 2 < bytes.size() ? digits[n & 63] : '=';
    }
    return out;
}

// The page's script element text, as render() writes it.
std::string script_text(const Page& page) { return "\n" + page.script + "\n"; }

// The browser enforces "no network": nothing may be fetched (default-src 'none'), the inline
// stylesheet may apply, and the page's own script, named by its digest, is the only one that
// runs (markup that slipped through escaping could run none).
std::string content_security_policy(const Page& page) {
    std::string policy = "default-src 'none'; style-src 'unsafe-inline'; script-src ";
    policy += page.script.empty() ? "'none'" : "'sha256-" + base64(sha256(script_text(page))) + "'";
    return policy;
}

}  // namespace

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string escape_lines(std::string_view text) {
    std::string out;
    std::size_t start = 0;
    while (true) {
        const std::size_t end = text.find('\n', start);
        out += escape(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) break;
        out += "<br>";
        start = end + 1;
    }
    return out;
}

std::string render(const Page& page) {
    std::string out;
    out += "<!DOCTYPE html>\n<html lang=\"" + escape(page.lang) + "\">\n<head>\n<meta charset=\"utf-8\">\n";
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out += "<meta http-equiv=\"Content-Security-Policy\" content=\"" + escape(content_security_policy(page)) + "\">\n";
    out += "<title>" + escape(page.title) + "</title>\n<style>";
    out += stylesheet;
    out += page.extra_css;
    out += "</style>\n</head>\n<body>\n";
    out += page.body;
    if (!page.stamp.empty()) {
        out += "<footer class=\"stamp\">\n";
        for (const std::string& line : page.stamp) out += "<div>" + escape(line) + "</div>\n";
        out += "</footer>\n";
    }
    if (!page.script.empty()) out += "<script>" + script_text(page) + "</script>\n";
    out += "</body>\n</html>\n";
    return out;
}

}  // namespace kaohe::html
