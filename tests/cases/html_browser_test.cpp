// The HTML report in a real browser: Debian's chromium, headless, loads `kaohe run --format
// html` of an example with no console message, takes a screenshot (build/html-browser/*.png,
// to look at), and prints it to PDF on A4 pages. The check for console messages is shown to
// fail on a page that calls an undefined function and on a report that tries to fetch from
// the network (the page's Content-Security-Policy blocks it, and says so on the console).
//
// chromium's own log (--enable-logging=stderr) carries every console message, of any level, as
// a line with ":CONSOLE"; the report logs nothing, so any such line is a failure.
//
// Where chromium is not installed (`chromium` or `chromium-browser` on PATH, or
// $KAOHE_CHROMIUM), each test warns that it was skipped and why, and passes; in CI (CI=true) a
// missing chromium fails them (.ci/deps installs it), so CI always runs them. chromium runs with a fresh profile, without its sandbox (CI runs
// as root), with no terminal, and is stopped after 60 s (a hang fails the test, it never blocks).
#include "tests/support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using kaohe::test::read_file;
using kaohe::test::run_shell;
using kaohe::test::write_file;

namespace {

const fs::path source_dir = KAOHE_SOURCE_DIR;
const fs::path out_dir = fs::path(KAOHE_BINARY).parent_path() / "html-browser";

// The chromium to run, or "" when none is installed.
std::string find_chromium() {
    if (const char* given = std::getenv("KAOHE_CHROMIUM"); given && *given) return given;
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path ? path : "");
    for (std::string dir; std::getline(dirs, dir, ':');)
        for (const char* name : {"chromium", "chromium-browser"})
            if (!dir.empty() && ::access((fs::path(dir) / name).c_str(), X_OK) == 0) return (fs::path(dir) / name).string();
    return {};
}

bool chromium_missing(const std::string& chromium) {
    if (!chromium.empty()) return false;
    kaohe::test::tool_missing("chromium is not installed (no `chromium` or `chromium-browser` on PATH, no "
                              "$KAOHE_CHROMIUM), so the HTML report was not checked in a browser; install Debian's "
                              "`chromium` package");
    return true;
}

// `kaohe run SCHEME EVIDENCE --format html -o OUT`, run in `dir`.
void write_report(const fs::path& dir, const std::string& args, const fs::path& out) {
    fs::create_directories(out_dir);
    const std::string command = "cd '" + dir.string() + "' && '" KAOHE_BINARY "' run " + args + " --format html -o '" +
                                out.string() + "' </dev/null";
    REQUIRE(run_shell(command) == 0);
    REQUIRE(fs::file_size(out) > 0);
}

struct BrowserRun {
    int exit_code = 0;
    std::string log;                       // chromium's stderr and stdout
    std::vector<std::string> console;      // the console messages in it
};

// chromium headless on `page` with `args` (--screenshot=..., --print-to-pdf=...).
BrowserRun run_chromium(const std::string& chromium, const fs::path& page, const std::string& args) {
    static int runs = 0;
    const std::string name = page.stem().string() + "-" + std::to_string(::getpid()) + "-" + std::to_string(++runs);
    const fs::path profile = out_dir / ("profile-" + name), log = out_dir / (name + ".log");
    fs::remove_all(profile);
    const std::string command = "CI=true timeout 60 '" + chromium + "' --headless=new --no-sandbox --disable-gpu " +
                                "--no-first-run --no-default-browser-check --disable-extensions --hide-scrollbars " +
                                "--user-data-dir='" + profile.string() + "' --enable-logging=stderr --v=0 " + args +
                                " 'file://" + fs::absolute(page).string() + "' >'" + log.string() + "' 2>&1 </dev/null";
    BrowserRun run;
    run.exit_code = run_shell(command);
    run.log = read_file(log);
    std::istringstream lines(run.log);
    for (std::string line; std::getline(lines, line);)
        if (line.find(":CONSOLE") != std::string::npos) run.console.push_back(line);
    fs::remove_all(profile);
    fs::remove(log);
    return run;
}

// A big-endian 32-bit number at `at`.
std::uint32_t be32(const std::string& bytes, std::size_t at) {
    std::uint32_t n = 0;
    for (std::size_t i = 0; i < 4; ++i) n = n << 8 | static_cast<unsigned char>(bytes[at + i]);
    return n;
}

// Every "/MediaBox [0 0 W H]" of a PDF.
std::vector<std::pair<double, double>> media_boxes(const std::string& pdf) {
    std::vector<std::pair<double, double>> boxes;
    for (auto at = pdf.find("/MediaBox"); at != std::string::npos; at = pdf.find("/MediaBox", at + 1)) {
        std::istringstream in(pdf.substr(pdf.find('[', at) + 1, 80));
        double x0 = 0, y0 = 0, w = 0, h = 0;
        if (in >> x0 >> y0 >> w >> h) boxes.emplace_back(w - x0, h - y0);
    }
    return boxes;
}

// The page objects of a PDF ("/Type /Page", not "/Type /Pages").
std::size_t page_count(const std::string& pdf) {
    std::size_t n = 0;
    for (auto at = pdf.find("/Type /Page"); at != std::string::npos; at = pdf.find("/Type /Page", at + 1))
        if (at + 11 >= pdf.size() || pdf[at + 11] != 's') ++n;
    return n;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) out += line + "\n";
    return out;
}

}  // namespace

TEST_CASE("browser: chromium shows the HTML report of wenling-2013 with no console message, screenshot taken") {
    const std::string chromium = find_chromium();
    if (chromium_missing(chromium)) return;
    const fs::path report = out_dir / "wenling-2013.html", png = out_dir / "wenling-2013.png";
    write_report(source_dir / "examples/wenling-2013", "scheme.kh evidence", report);
    fs::remove(png);
    const BrowserRun run = run_chromium(chromium, report, "--window-size=1240,1754 --screenshot='" + png.string() + "'");
    INFO(run.log);
    CHECK(run.exit_code == 0);
    CHECK(run.console.empty());
    // A PNG of the window's size, with something on it (a blank page of this size is ~10 kB).
    REQUIRE(fs::exists(png));
    const std::string bytes = read_file(png);
    REQUIRE(bytes.size() > 24);
    CHECK(bytes.substr(0, 8) == "\x89PNG\r\n\x1a\n");
    CHECK(be32(bytes, 16) == 1240);
    CHECK(be32(bytes, 20) == 1754);
    CHECK(bytes.size() > 60000);
}

TEST_CASE("browser: the HTML report prints on A4, each unit's sheet on its own pages") {
    const std::string chromium = find_chromium();
    if (chromium_missing(chromium)) return;
    const fs::path report = out_dir / "wenling-2013-print.html", pdf = out_dir / "wenling-2013.pdf";
    write_report(source_dir / "examples/wenling-2013", "scheme.kh evidence", report);
    fs::remove(pdf);
    const BrowserRun run = run_chromium(chromium, report, "--no-pdf-header-footer --print-to-pdf='" + pdf.string() + "'");
    INFO(run.log);
    CHECK(run.exit_code == 0);
    CHECK(run.console.empty());
    REQUIRE(fs::exists(pdf));
    const std::string bytes = read_file(pdf);
    CHECK(bytes.rfind("%PDF-", 0) == 0);
    // The ranking, then five sheets each starting a page, every explanation opened for print.
    CHECK(page_count(bytes) >= 6);
    const auto boxes = media_boxes(bytes);
    REQUIRE(!boxes.empty());
    for (const auto& [w, h] : boxes) {
        CHECK(std::abs(w - 595.3) < 1.0);  // A4: 210 mm × 297 mm in points
        CHECK(std::abs(h - 841.9) < 1.0);
    }
}

TEST_CASE("browser: hostile unit names, labels and source notes stay text (nothing runs, nothing is fetched)") {
    const std::string chromium = find_chromium();
    if (chromium_missing(chromium)) return;
    const fs::path report = out_dir / "hostile.html";
    write_report(source_dir / "tests/runtime/data/report-html", "scheme.kh evidence", report);
    const BrowserRun run = run_chromium(chromium, report, "--dump-dom");
    INFO(run.log);
    CHECK(run.exit_code == 0);
    CHECK(run.console.empty());
    // The unit name, as text in the page.
    CHECK(run.log.find("&lt;script&gt;undefined_fn()&lt;/script&gt;") != std::string::npos);
}

TEST_CASE("browser: the console check fails on a script error and on a fetch the page's policy blocks") {
    const std::string chromium = find_chromium();
    if (chromium_missing(chromium)) return;
    fs::create_directories(out_dir);
    // A page with a deliberate error.
    const fs::path broken = out_dir / "script-error.html";
    write_file(broken, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>x</title></head><body><p>x</p>"
                       "<script>undefined_fn()</script></body></html>\n");
    const BrowserRun error = run_chromium(chromium, broken, "--dump-dom");
    INFO(error.log);
    CHECK(error.exit_code == 0);
    REQUIRE(!error.console.empty());
    CHECK(joined(error.console).find("undefined_fn is not defined") != std::string::npos);

    // The report with an image from the network and a script of its own slipped in: the policy
    // blocks both, and says so on the console.
    const fs::path report = out_dir / "tampered.html";
    write_report(source_dir / "examples/wenling-2013", "scheme.kh evidence --unit 城东街道", report);
    std::string page = read_file(report);
    const auto body = page.find("<body>");
    REQUIRE(body != std::string::npos);
    page.insert(body + 6, "<img src=\"https://example.com/logo.png\"><script>undefined_fn()</script>");
    write_file(report, page);
    const BrowserRun blocked = run_chromium(chromium, report, "--dump-dom");
    INFO(blocked.log);
    CHECK(blocked.exit_code == 0);
    const std::string console = joined(blocked.console);
    CHECK(console.find("https://example.com/logo.png") != std::string::npos);
    CHECK(console.find("Content Security Policy") != std::string::npos);
    CHECK(console.find("undefined_fn is not defined") == std::string::npos);  // blocked, never ran
}
