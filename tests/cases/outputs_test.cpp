// Inputs are never modified and outputs are written atomically (docs/cli.md, `-o FILE`):
// a failing run leaves an existing output file as it was, no temporary file is left behind,
// a successful run replaces it whole, and an -o naming an input is refused.
#include "tests/support.hpp"

#include <catch2/catch.hpp>

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
using kaohe::test::write_file;

const fs::path errors_dir = fs::path(KAOHE_SOURCE_DIR) / "tests/cases/errors/evidence";

// A scratch directory holding copies of a scheme and evidence, removed at the end.
struct Scratch {
    fs::path dir = fs::temp_directory_path() / ("kaohe-outputs-" + std::to_string(::getpid()));
    Scratch() {
        fs::remove_all(dir);
        fs::create_directories(dir);
        for (const char* name : {"scheme.kh", "ok_defaults.txt", "out_of_range.txt"})
            fs::copy_file(errors_dir / name, dir / name);
    }
    ~Scratch() { fs::remove_all(dir); }

    // Runs kaohe in the directory (with `env`, "NAME=VALUE ...", set); returns its exit code,
    // stdout in `out`.
    int kaohe(const std::string& args, std::string* out = nullptr, const std::string& env = "") const {
        const fs::path stdout_file = dir.parent_path() / (dir.filename().string() + ".stdout");
        const std::string command = "cd '" + dir.string() + "' && " + env + " '" KAOHE_BINARY "' " + args + " >'" +
                                    stdout_file.string() + "' 2>/dev/null </dev/null";
        const int status = std::system(command.c_str());
        if (out) *out = read_file(stdout_file);
        fs::remove(stdout_file);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    }

    std::size_t file_count() const {
        return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
    }
};

}  // namespace

TEST_CASE("outputs: a failing run leaves the existing -o file untouched and no temporary file") {
    Scratch s;
    write_file(s.dir / "report.txt", "the previous report\n");
    const std::size_t files = s.file_count();
    CHECK(s.kaohe("run scheme.kh out_of_range.txt -o report.txt") == 1);
    CHECK(read_file(s.dir / "report.txt") == "the previous report\n");
    CHECK(s.file_count() == files);
}

TEST_CASE("outputs: a failing compile leaves the existing .khc untouched") {
    Scratch s;
    write_file(s.dir / "broken.kh", "scheme \"x\" {\n");
    write_file(s.dir / "old.khc", "previous bytes");
    CHECK(s.kaohe("compile broken.kh -o old.khc") == 1);
    CHECK(read_file(s.dir / "old.khc") == "previous bytes");
}

TEST_CASE("outputs: a successful run replaces the -o file with exactly the report") {
    Scratch s;
    write_file(s.dir / "report.txt", "the previous report, longer than nothing\n");
    std::string expected;
    REQUIRE(s.kaohe("run scheme.kh ok_defaults.txt", &expected) == 0);
    REQUIRE(!expected.empty());
    CHECK(s.kaohe("run scheme.kh ok_defaults.txt -o report.txt") == 0);
    CHECK(read_file(s.dir / "report.txt") == expected);
    CHECK(s.file_count() == 4);  // scheme, two evidence files, the report: no temporary left
}

TEST_CASE("outputs: an Excel workbook is written atomically, and its working file is removed") {
    Scratch s;
    const fs::path temp = s.dir.parent_path() / (s.dir.filename().string() + ".tmp");
    fs::create_directories(temp);
    const std::string env = "TMPDIR='" + temp.string() + "'";
    write_file(s.dir / "report.xlsx", "the previous workbook\n");
    CHECK(s.kaohe("run scheme.kh out_of_range.txt --format xlsx -o report.xlsx", nullptr, env) == 1);
    CHECK(read_file(s.dir / "report.xlsx") == "the previous workbook\n");
    CHECK(s.file_count() == 4);
    CHECK(s.kaohe("run scheme.kh ok_defaults.txt --format xlsx -o report.xlsx", nullptr, env) == 0);
    CHECK(read_file(s.dir / "report.xlsx").starts_with(std::string("PK\x03\x04", 4)));  // a zip file
    CHECK(s.file_count() == 4);  // no temporary file beside it
    CHECK(fs::is_empty(temp));   // nor libxlsxwriter's working file
    fs::remove_all(temp);
}

TEST_CASE("outputs: inputs are never modified, even when -o names one of them") {
    Scratch s;
    const std::string scheme = read_file(s.dir / "scheme.kh");
    const std::string evidence = read_file(s.dir / "ok_defaults.txt");
    CHECK(s.kaohe("run scheme.kh ok_defaults.txt -o scheme.kh") == 1);
    CHECK(s.kaohe("run scheme.kh ok_defaults.txt -o ok_defaults.txt") == 1);
    fs::create_directories(s.dir / "units");
    fs::copy_file(s.dir / "ok_defaults.txt", s.dir / "units/ok_defaults.txt");
    REQUIRE(s.kaohe("run scheme.kh units") == 0);
    CHECK(s.kaohe("run scheme.kh units -o units/ok_defaults.txt") == 1);  // a file inside an evidence directory
    CHECK(read_file(s.dir / "units/ok_defaults.txt") == evidence);
    CHECK(s.kaohe("compile scheme.kh -o scheme.kh") == 1);
    CHECK(s.kaohe("run scheme.kh ok_defaults.txt --explain --format json") == 0);
    CHECK(read_file(s.dir / "scheme.kh") == scheme);
    CHECK(read_file(s.dir / "ok_defaults.txt") == evidence);
}

TEST_CASE("outputs: an -o in a directory that does not exist is an input error, not a crash") {
    Scratch s;
    CHECK(s.kaohe("run scheme.kh ok_defaults.txt -o no/such/dir/report.txt") == 1);
    CHECK(!fs::exists(s.dir / "no"));
}

TEST_CASE("outputs: -o through a symlink replaces the file it points to and keeps the link") {
    Scratch s;
    write_file(s.dir / "real.txt", "the previous report\n");
    fs::create_symlink("real.txt", s.dir / "link.txt");
    std::string expected;
    REQUIRE(s.kaohe("run scheme.kh ok_defaults.txt", &expected) == 0);
    CHECK(s.kaohe("run scheme.kh ok_defaults.txt -o link.txt") == 0);
    CHECK(fs::is_symlink(s.dir / "link.txt"));
    CHECK(read_file(s.dir / "real.txt") == expected);
    CHECK(s.kaohe("run scheme.kh ok_defaults.txt --format csv -o link.txt") == 0);
    CHECK(fs::is_symlink(s.dir / "link.txt"));
    CHECK(read_file(s.dir / "real.txt").rfind("unit,", 0) == 0);
}

// Renaming a temporary file over a device would replace the device node with a regular file
// (as root, /dev/null itself); a device is written in place.
TEST_CASE("outputs: -o naming a device writes to it and leaves it a device") {
    Scratch s;
    CHECK(s.kaohe("run scheme.kh ok_defaults.txt -o /dev/null") == 0);
    CHECK(s.kaohe("run scheme.kh ok_defaults.txt --format csv -o /dev/null") == 0);
    CHECK(fs::is_character_file("/dev/null"));
    std::string out;
    CHECK(s.kaohe("run scheme.kh ok_defaults.txt -o /dev/stdout", &out) == 0);
    CHECK(out.find("kaohe ") != std::string::npos);
    CHECK(fs::is_symlink("/dev/stdout"));
}

TEST_CASE("outputs: kaohe doc -o writes exactly what it prints, and a failing doc leaves the old file") {
    Scratch s;
    write_file(s.dir / "scheme.md", "the previous table\n");
    write_file(s.dir / "broken.kh", "scheme \"x\" {\n");
    const std::size_t files = s.file_count();
    CHECK(s.kaohe("doc broken.kh -o scheme.md") == 1);
    CHECK(read_file(s.dir / "scheme.md") == "the previous table\n");
    CHECK(s.file_count() == files);
    for (const char* format : {"markdown", "html"}) {
        std::string expected;
        REQUIRE(s.kaohe(std::string("doc scheme.kh --format ") + format, &expected) == 0);
        REQUIRE(!expected.empty());
        CHECK(s.kaohe(std::string("doc scheme.kh --format ") + format + " -o scheme.md") == 0);
        CHECK(read_file(s.dir / "scheme.md") == expected);
        CHECK(s.file_count() == files);  // replaced in place: no temporary left
    }
}
