// runtime/html: escaping and the page skeleton every HTML output shares.
#include "runtime/html.hpp"

#include <catch2/catch.hpp>

using namespace kaohe;

TEST_CASE("html::escape escapes markup and quotes, keeps UTF-8") {
    CHECK(html::escape("a < b && c > \"d\" 'e'") == "a &lt; b &amp;&amp; c &gt; &quot;d&quot; &#39;e&#39;");
    CHECK(html::escape("扣完为止，一次扣0.5分") == "扣完为止，一次扣0.5分");
    CHECK(html::escape("") == "");
}

TEST_CASE("html::escape_lines turns line breaks into <br>") {
    CHECK(html::escape_lines("一<\n二") == "一&lt;<br>二");
    CHECK(html::escape_lines("a\n") == "a<br>");
    CHECK(html::escape_lines("no break") == "no break");
}

TEST_CASE("html::render: self-contained page with charset, A4 print rules, escaped title and stamp") {
    html::Page page;
    page.title = "考核 <表>";
    page.stamp = {"kaohe 0.1.0", "scheme s.kh sha256:<x>"};
    page.body = "<p>x</p>\n";
    const std::string out = html::render(page);
    CHECK(out.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    CHECK(out.find("<meta charset=\"utf-8\">") != std::string::npos);
    CHECK(out.find("<title>考核 &lt;表&gt;</title>") != std::string::npos);
    CHECK(out.find("@page { size: A4") != std::string::npos);
    CHECK(out.find("<div>scheme s.kh sha256:&lt;x&gt;</div>") != std::string::npos);
    CHECK(out.find("<p>x</p>") != std::string::npos);
    CHECK(out.find("<script") == std::string::npos);  // no script unless asked for
    // Self-contained: nothing is fetched.
    CHECK(out.find("http://") == std::string::npos);
    CHECK(out.find("https://") == std::string::npos);
    CHECK(out.find(" src=") == std::string::npos);
    page.script = "document.title;";
    CHECK(html::render(page).find("<script>\ndocument.title;\n</script>") != std::string::npos);
}

TEST_CASE("html::render: the browser may fetch nothing and run only the page's own script") {
    html::Page page;
    page.body = "<p>x</p>\n";
    CHECK(html::render(page).find("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;; "
                                  "style-src &#39;unsafe-inline&#39;; script-src &#39;none&#39;\">") != std::string::npos);
    // The script is named by the base64 SHA-256 of the element's text, "\ndocument.title;\n"
    // (the digest computed independently, with Python's hashlib and base64).
    page.script = "document.title;";
    CHECK(html::render(page).find("script-src &#39;sha256-disG9GQIkt18iZ5VDcvmO5e+JXJCws605dNfkRtPr84=&#39;\">") !=
          std::string::npos);
}
