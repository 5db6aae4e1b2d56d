// HTML building blocks shared by every HTML kaohe writes (`kaohe doc --format html`, `kaohe run
// --format html`): escaping, and one self-contained page: no network, no external file, one
// stylesheet that reads well on screen and prints on A4.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kaohe::html {

// Text as HTML character data or a double-quoted attribute value: & < > " ' escaped. The input
// is UTF-8 (every kaohe string is) and passes through unchanged otherwise.
std::string escape(std::string_view text);

// Like escape(), and each line break becomes <br>: for multi-line cells (a clause's text).
std::string escape_lines(std::string_view text);

struct Page {
    std::string lang = "zh-CN";
    std::string title;                 // <title>, plain text (escaped here)
    std::vector<std::string> stamp;    // plain-text lines shown in the page footer (version, SHA-256s)
    std::string extra_css;             // appended to the shared stylesheet
    std::string body;                  // HTML, already escaped by the caller
    std::string script;                // optional inline JavaScript (no external script is ever loaded)
};

// The whole document: doctype, <meta charset="utf-8">, a Content-Security-Policy by which the
// browser fetches nothing and runs no script but the page's own (named by its SHA-256), the
// shared stylesheet (CJK fonts, tables with borders, numbers right-aligned in `td.num`,
// `@page { size: A4 }`, rows never split across pages), the body, and the stamp in a
// <footer class="stamp">.
std::string render(const Page& page);

}  // namespace kaohe::html
