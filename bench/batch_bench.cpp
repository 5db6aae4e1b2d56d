// The per-unit path of a batch run, CSV row -> typed UnitEvidence -> VM -> result row, timed by
// Google Benchmark and with every heap allocation counted (a replaced global operator new), so
// "the common decimal case allocates nothing" is a number, not a claim: the counter
// allocs_per_unit is reported for the seed-000 scheme on rows with and without list records.
#include "compiler/compile.hpp"
#include "lang/parse.hpp"
#include "runtime/csv.hpp"
#include "runtime/evidence.hpp"
#include "runtime/report_csv.hpp"
#include "runtime/verify.hpp"
#include "runtime/vm.hpp"

#include <benchmark/benchmark.h>

// GCC sees new/free pairs in the replaced operators below; they are matched by construction.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <new>
#include <sstream>

namespace {
std::atomic<std::size_t> allocations{0};
}

void* operator new(std::size_t size) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

using namespace kaohe;

std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

bc::Program wenling_program() {
    const std::string path = std::string(KAOHE_SOURCE_DIR) + "/examples/wenling-2013/scheme.kh";
    const std::string text = read(path);
    Diagnostics diags;
    auto ast = parse_scheme(text, path, diags);
    auto program = compile(*ast, text, diags);
    if (!program || !verify(*program, path, diags)) std::abort();
    return std::move(*program);
}

// The header of bench/gen_evidence's seed-000 table, and one row without and one with practices.
const std::string header =
    "unit,group,全员驻村,联系群众达标,固定服务日,无会日,住夜带班未落实,驻村百晓,无民情日记,网格化管理组团式服务,"
    "为民办事全程代理,干部联系服务卡,便民中心扣分,民主恳谈,教育培训计划,夜学主题安排,举办培训班,公示月数,定期通报制度,"
    "首问制责任追究制,业绩公开公示,群众评议,实绩考核未常态开展,跟踪督评,代表提案民主评议,日常管理制度,便民服务办事档案,"
    "被通报干部,站所干部管理,新乡镇干部成长规划,临时人员规范管理,违规借调,谈心谈话,组团驻村,优秀驻村干部评选,"
    "创新做法[1].名称,创新做法[1].推广,创新做法[1].报道,创新做法[2].名称,创新做法[2].推广,创新做法[2].报道\n";
const std::string plain_row =
    "松门镇1,镇,是,是,是,否,1,已落实,2,是,是,是,1.5,是,否,是,是,11,是,yes,yes,否,0,是,yes,是,yes,0,yes,是,是,0,是,"
    "已开展并建台账,已开展并宣传,,,,,,\n";
const std::string list_row =
    "城东镇2,镇,是,yes,是,是,0,已落实,1,是,是,是,0,是,是,是,是,12,是,是,否,否,1,yes,是,是,是,2,是,是,是,0,是,"
    "已开展并建台账,已开展并宣传,村务公开栏,省级,无,民情夜访,温岭市,台州市级\n";

void per_unit(benchmark::State& state, const std::string& row_text) {
    static const bc::Program program = wenling_program();
    Diagnostics diags;
    const std::string name = "bench.csv";
    CsvRow header_row, row;
    CsvRowCursor hc(header, 1, name, diags);
    hc.next(header_row, 0);
    auto typer = CsvUnitTyper::from_header(program, name, header_row, diags);
    CsvRowCursor rc(row_text, 2, name, diags);
    rc.next(row, header_row.cells.size());
    BatchEvaluator evaluator(program);
    const CsvResultWriter writer(program, false);
    UnitEvidence unit;
    std::string out;
    out.reserve(4096);
    // Warm up: the first unit sizes every reused buffer.
    typer->type_row(row, unit, diags);
    writer.append_row(*evaluator.evaluate(unit, diags), out, diags);
    const std::size_t before = allocations.load();
    std::size_t units = 0;
    for (auto _ : state) {
        CsvRowCursor cursor(row_text, 2, name, diags);
        cursor.next(row, header_row.cells.size());
        typer->type_row(row, unit, diags);
        const Scoresheet* sheet = evaluator.evaluate(unit, diags);
        out.clear();
        writer.append_row(*sheet, out, diags);
        benchmark::DoNotOptimize(out.data());
        ++units;
    }
    if (diags.has_errors()) state.SkipWithError("the benchmark's rows have errors");
    state.counters["allocs_per_unit"] = static_cast<double>(allocations.load() - before) / static_cast<double>(units);
    state.SetItemsProcessed(static_cast<std::int64_t>(units));
}

void BM_unit_without_lists(benchmark::State& state) { per_unit(state, plain_row); }
void BM_unit_with_two_practices(benchmark::State& state) { per_unit(state, list_row); }
BENCHMARK(BM_unit_without_lists);
BENCHMARK(BM_unit_with_two_practices);

}  // namespace

BENCHMARK_MAIN();
