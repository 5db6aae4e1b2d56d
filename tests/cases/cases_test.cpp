// The golden-case driver: every `*.case` file under tests/cases/ and examples/ is one run of
// the kaohe binary, compared with the `*.expected` file beside it. Adding a case is adding two
// files.
//
// A .case file:
//   # comments
//   cd: ..                       (optional; directory to run in, relative to the case file)
//   args: run scheme.kh evidence/ --explain
// A .expected file:
//   exit: 1
//   --- stdout
//   ...
//   --- stderr
//   ...
// With KAOHE_UPDATE_GOLDEN=1 in the environment, the .expected files are (re)written instead
// of compared; review the diff before committing it.
#include "tests/support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <utility>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace {

using kaohe::test::read_file;

struct Case {
    fs::path file;
    fs::path dir;
    std::string args;
};

Case read_case(const fs::path& file) {
    Case c{file, file.parent_path(), {}};
    std::istringstream in(read_file(file));
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("cd:", 0) == 0) c.dir = (file.parent_path() / line.substr(line.find_first_not_of(' ', 3))).lexically_normal();
        if (line.rfind("args:", 0) == 0) c.args = line.substr(line.find_first_not_of(' ', 5));
    }
    return c;
}

std::vector<fs::path> find_cases() {
    std::vector<fs::path> found;
    for (const char* root : {"tests/cases", "examples"}) {
        const fs::path base = fs::path(KAOHE_SOURCE_DIR) / root;
        if (!fs::exists(base)) continue;
        for (const auto& entry : fs::recursive_directory_iterator(base))
            if (entry.is_regular_file() && entry.path().extension() == ".case") found.push_back(entry.path());
    }
    std::sort(found.begin(), found.end());
    return found;
}

struct Outcome {
    int exit_code = 0;
    std::string out, err;
    std::string transcript() const {  // in the .expected format
        return "exit: " + std::to_string(exit_code) + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
};

Outcome run_case(const Case& c) {
    const fs::path tmp = fs::temp_directory_path() / ("kaohe-case-" + std::to_string(::getpid()));
    fs::create_directories(tmp);
    const std::string out = (tmp / "stdout").string(), err = (tmp / "stderr").string();
    const std::string command = "cd '" + c.dir.string() + "' && '" KAOHE_BINARY "' " + c.args + " >'" + out +
                                "' 2>'" + err + "' </dev/null";
    const int status = std::system(command.c_str());
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    Outcome outcome{code, read_file(out), read_file(err)};
    fs::remove_all(tmp);
    return outcome;
}

}  // namespace

TEST_CASE("golden cases: kaohe's output equals the checked-in expectation") {
    const auto cases = find_cases();
    REQUIRE(!cases.empty());
    const bool update = std::getenv("KAOHE_UPDATE_GOLDEN") != nullptr;
    for (const auto& file : cases) {
        const Case c = read_case(file);
        const fs::path expected_file = fs::path(file).replace_extension(".expected");
        DYNAMIC_SECTION(fs::relative(file, KAOHE_SOURCE_DIR).string()) {
            REQUIRE(!c.args.empty());
            const std::string actual = run_case(c).transcript();
            if (update) {
                std::ofstream(expected_file, std::ios::binary) << actual;
                continue;
            }
            REQUIRE(fs::exists(expected_file));
            CHECK(actual == read_file(expected_file));
        }
    }
}

// Running the compiled bytecode gives byte-identical output to running the scheme source.
TEST_CASE("golden cases: every example's .khc runs byte-identically to its scheme") {
    const fs::path examples = fs::path(KAOHE_SOURCE_DIR) / "examples";
    const fs::path tmp = fs::temp_directory_path() / ("kaohe-khc-" + std::to_string(::getpid()));
    fs::create_directories(tmp);
    int checked = 0;
    for (const auto& entry : fs::directory_iterator(examples)) {
        const fs::path scheme = entry.path() / "scheme.kh";
        if (!fs::exists(scheme)) continue;
        DYNAMIC_SECTION(entry.path().filename().string()) {
            const Case base{scheme, entry.path(), {}};
            const std::string khc = (tmp / "scheme.khc").string();
            Case compile = base;
            compile.args = "compile scheme.kh -o '" + khc + "'";
            REQUIRE(run_case(compile).exit_code == 0);
            for (const char* format : {"text", "json", "html"}) {
                Case from_source = base, from_khc = base;
                from_source.args = std::string("run scheme.kh evidence --explain --format ") + format;
                from_khc.args = "run '" + khc + "' evidence --explain --format " + format;
                // stdout only: compile warnings go to stderr and come from the source alone.
                const Outcome a = run_case(from_source), b = run_case(from_khc);
                CHECK(a.exit_code == 0);
                CHECK(b.exit_code == 0);
                CHECK(!a.out.empty());
                CHECK(a.out == b.out);
            }
            for (const char* format : {"markdown", "html"}) {
                Case from_source = base, from_khc = base;
                from_source.args = std::string("doc scheme.kh --format ") + format;
                from_khc.args = "doc '" + khc + "' --format " + format;
                const Outcome a = run_case(from_source), b = run_case(from_khc);
                CHECK(a.exit_code == 0);
                CHECK(b.exit_code == 0);
                CHECK(!a.out.empty());
                CHECK(a.out == b.out);
            }
        }
        ++checked;
    }
    fs::remove_all(tmp);
    CHECK(checked > 0);
}

// Every example's published table, as `kaohe doc` renders it from the scheme, is checked in
// beside it (examples/NAME/doc/scheme.md and scheme.html) for an auditor to read against the
// original document; the rendering must equal it. KAOHE_UPDATE_GOLDEN=1 rewrites them.
TEST_CASE("golden cases: every example's doc/ is kaohe doc's rendering of its scheme") {
    const fs::path examples = fs::path(KAOHE_SOURCE_DIR) / "examples";
    const bool update = std::getenv("KAOHE_UPDATE_GOLDEN") != nullptr;
    int checked = 0;
    for (const auto& entry : fs::directory_iterator(examples)) {
        if (!fs::exists(entry.path() / "scheme.kh")) continue;
        for (const auto& [format, file] : {std::pair{"markdown", "scheme.md"}, std::pair{"html", "scheme.html"}}) {
            const fs::path golden = entry.path() / "doc" / file;
            DYNAMIC_SECTION(fs::relative(golden, KAOHE_SOURCE_DIR).string()) {
                const Case c{entry.path() / "scheme.kh", entry.path(), std::string("doc scheme.kh --format ") + format};
                const Outcome outcome = run_case(c);
                REQUIRE(outcome.exit_code == 0);
                REQUIRE(!outcome.out.empty());
                if (update) {
                    fs::create_directories(golden.parent_path());
                    std::ofstream(golden, std::ios::binary) << outcome.out;
                    continue;
                }
                REQUIRE(fs::exists(golden));
                CHECK(outcome.out == read_file(golden));
            }
        }
        ++checked;
    }
    CHECK(checked > 0);
}
