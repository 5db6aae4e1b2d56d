// `kaohe run --format csv`: the streamed, threaded batch run gives byte-identical results with
// any number of threads (docs/performance.md). A few thousand generated units of the seed-000
// scheme, several chunks long, with a bad row and a duplicate unit among them, run with -j 1 and
// -j 4: same results file, same diagnostics, same exit code. Speed is measured in bench/, never
// asserted here.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The seed-000 table: 44 columns, `units` rows, deterministic. More than two 1 MiB blocks, so the
// run is cut into several chunks.
std::string table(std::size_t units, bool with_errors) {
    std::string header = read_file(fs::path(KAOHE_SOURCE_DIR) / "tests/cases/perf/wenling.csv");
    header.resize(header.find('\n') + 1);
    std::string out = header;
    std::uint64_t state = 42;
    const auto next = [&](std::uint32_t n) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<std::uint32_t>(state >> 33) % n;
    };
    const char* const yes_no[] = {"是", "否", "yes", "no"};
    const char* const levels[] = {"国家级", "省级", "台州市", "温岭市", "无"};
    const char* const reports[] = {"国家级", "省级", "台州市级", "温岭市级", "无"};
    for (std::size_t u = 1; u <= units; ++u) {
        std::string row = "单位" + std::to_string(u) + (next(2) ? ",镇" : ",街道");
        const auto yn = [&] { row += ','; row += yes_no[next(10) == 0 ? 1 + 2 * next(2) : 2 * next(2)]; };
        const auto count = [&] { row += ',' + std::to_string(next(4) == 0 ? next(4) : 0); };
        yn(), yn(), yn(), yn(), count();
        row += next(5) ? ",已落实" : ",未落实";
        count(), yn(), yn(), yn();
        row += next(3) ? ",0" : ",1.5";
        yn(), yn(), yn(), yn();
        row += ',' + std::to_string(6 + next(7));
        yn(), yn(), yn(), yn(), count(), yn(), yn(), yn(), yn(), count(), yn(), yn(), yn(), count(), yn();
        row += next(6) ? ",已开展并建台账" : ",未开展";
        row += next(6) ? ",已开展并宣传" : ",未宣传";
        for (int r = 0; r < 2; ++r) {
            if (next(2)) row += ",\"做法, 第" + std::to_string(r + 1) + "项\"," + levels[next(5)] + ',' + reports[next(5)];
            else row += ",,,";
        }
        row += ",,,";  // the table's third record, empty
        if (with_errors && u == 1500) row = "单位1499,镇" + row.substr(row.find(",", row.find(",") + 1));  // a duplicate
        if (with_errors && u == 2600) row.replace(row.find(",是"), 4, ",maybe");                        // a bad value
        out += row + '\n';
    }
    return out;
}

struct Run {
    int exit = 0;
    std::string out, err;
};

Run run(const fs::path& dir, const std::string& args) {
    const std::string command = "cd '" + dir.string() + "' && '" KAOHE_BINARY "' " + args + " >out.txt 2>err.txt";
    const int status = std::system(command.c_str());
    return Run{WEXITSTATUS(status), read_file(dir / "out.txt"), read_file(dir / "err.txt")};
}

fs::path fresh_dir(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("kaohe-batch-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

const std::string scheme = std::string(KAOHE_SOURCE_DIR) + "/examples/wenling-2013/scheme.kh";

}  // namespace

TEST_CASE("batch runs give byte-identical CSV results with 1 and 4 threads", "[batch]") {
    const fs::path dir = fresh_dir("jobs");
    const std::string units = table(12000, false);
    REQUIRE(units.size() > (2u << 20));  // several chunks
    std::ofstream(dir / "units.csv", std::ios::binary) << units;
    const Run one = run(dir, "run '" + scheme + "' units.csv --format csv -j 1 -o one.csv");
    const Run four = run(dir, "run '" + scheme + "' units.csv --format csv -j 4 -o four.csv");
    REQUIRE(one.exit == 0);
    REQUIRE(four.exit == 0);
    const std::string a = read_file(dir / "one.csv"), b = read_file(dir / "four.csv");
    CHECK(a == b);
    CHECK(std::count(a.begin(), a.end(), '\n') == 12000 + 2);  // header, a row per unit, the stamp
    CHECK(a.rfind("# kaohe ") == a.rfind('\n', a.size() - 2) + 1);  // the stamp is the last line
    CHECK(one.out.empty());  // -o: nothing on stdout
    fs::remove_all(dir);
}

TEST_CASE("errors in a threaded batch run are reported in input order, the same with any -j", "[batch]") {
    const fs::path dir = fresh_dir("errors");
    std::ofstream(dir / "units.csv", std::ios::binary) << table(12000, true);
    std::ofstream(dir / "old.csv") << "an earlier result\n";
    const Run one = run(dir, "run '" + scheme + "' units.csv --format csv -j 1 -o old.csv");
    const Run four = run(dir, "run '" + scheme + "' units.csv --format csv -j 4");
    CHECK(one.exit == 1);
    CHECK(four.exit == 1);
    CHECK(one.err == four.err);
    CHECK(one.err.find("duplicate unit '单位1499'") != std::string::npos);
    CHECK(one.err.find("'全员驻村': expected yes or no") != std::string::npos);
    CHECK(read_file(dir / "old.csv") == "an earlier result\n");  // a failed run leaves -o as it was
    fs::remove_all(dir);
}
