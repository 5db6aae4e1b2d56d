// Inputs too big to check in, made on the fly: each must end in a clear error, quickly, never
// a crash or a hang. (The checked-in catalogue is tests/cases/errors/.)
#include "tests/support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

using kaohe::test::read_file;

const fs::path scheme = fs::path(KAOHE_SOURCE_DIR) / "tests/cases/errors/evidence/scheme.kh";

struct Run {
    int exit_code = 0;
    std::string err;
};

// Runs `kaohe run scheme.kh FILE` over generated evidence text.
Run run_over(const std::string& name, const std::string& evidence) {
    const fs::path dir = fs::temp_directory_path() / ("kaohe-hostile-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / name, std::ios::binary) << evidence;
    const std::string command = "'" KAOHE_BINARY "' run '" + scheme.string() + "' '" + (dir / name).string() +
                                "' >/dev/null 2>'" + (dir / "stderr").string() + "' </dev/null";
    const int status = std::system(command.c_str());
    Run r{WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), read_file(dir / "stderr")};
    fs::remove_all(dir);
    return r;
}

}  // namespace

// Printing a diagnostic finds its line from the start of its file, so printing all of a
// million bad lines took hours; past 1,000 they are counted instead (cli/files.cpp).
TEST_CASE("hostile inputs: 20,000 bad lines print 1,000 diagnostics and a count, not a flood") {
    std::string text = "unit \"城东街道\"\n";
    for (int i = 0; i < 20'000; ++i) text += "未知" + std::to_string(i) + ": 1\n";
    const Run r = run_over("many.txt", text);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("kaohe: 19005 more diagnostics not shown (20005 errors, 0 warnings in all)") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') < 4000);
}

TEST_CASE("hostile inputs: 20,000 records in one list is past the limit, reported once") {
    std::string text = "unit \"城东街道\"\n制度: yes\n次数: 1\n扣分: 1\n出席率: 90%\n落实: 已落实\n";
    for (int i = 0; i < 20'000; ++i) text += "做法 += { 名称: \"x\", 级别: 省级, 次: 1 }\n";
    const Run r = run_over("long_list.txt", text);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("more than 10000 records in the list '做法'") != std::string::npos);
    CHECK(r.err.find("records in the list") == r.err.rfind("records in the list"));
}

TEST_CASE("hostile inputs: an evidence file past 16 MiB is refused before it is parsed") {
    const Run r = run_over("huge.txt", "unit \"x\"\n" + std::string(17u << 20, '#'));
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("an evidence input may be at most") != std::string::npos);
}
