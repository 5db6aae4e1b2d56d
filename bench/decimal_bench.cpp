// Decimal fast-path costs, with cpp_rational beside them for scale. A batch run adds and
// multiplies small scaled values millions of times; these must stay allocation-free.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <limits>
#include <vector>

#include <boost/multiprecision/cpp_int.hpp>

#include "runtime/decimal.hpp"

using kaohe::Decimal;
using kaohe::Rounding;

namespace {

// Scores as a scheme produces them: points in tenths, from 0.0 to 9.9.
constexpr int score_count = 1000;

std::vector<Decimal> tenths_scores() {
    std::vector<Decimal> scores;
    scores.reserve(score_count);
    for (int i = 0; i < score_count; ++i) scores.push_back(Decimal(i % 100) / 10);
    return scores;
}

void add_integers(benchmark::State& state) {
    Decimal a = 41;
    const Decimal b = 1;
    for (auto _ : state) {
        benchmark::DoNotOptimize(a);
        benchmark::DoNotOptimize(a + b);
    }
}
BENCHMARK(add_integers);

void add_equal_denominators(benchmark::State& state) {
    const Decimal a = *Decimal::parse("0.3");
    const Decimal b = *Decimal::parse("0.9");
    for (auto _ : state) benchmark::DoNotOptimize(a + b);
}
BENCHMARK(add_equal_denominators);

void add_different_denominators(benchmark::State& state) {
    const Decimal a = Decimal(1) / 3;
    const Decimal b = Decimal(1) / 7;
    for (auto _ : state) benchmark::DoNotOptimize(a + b);
}
BENCHMARK(add_different_denominators);

void multiply_by_integer(benchmark::State& state) {
    const Decimal a = *Decimal::parse("0.2");
    const Decimal b = 12;
    for (auto _ : state) benchmark::DoNotOptimize(a * b);
}
BENCHMARK(multiply_by_integer);

void divide(benchmark::State& state) {
    const Decimal a = *Decimal::parse("85.5");
    const Decimal b = 100;
    for (auto _ : state) benchmark::DoNotOptimize(a / b);
}
BENCHMARK(divide);

void compare_different_denominators(benchmark::State& state) {
    const Decimal a = Decimal(2) / 3;
    const Decimal b = *Decimal::parse("0.667");
    for (auto _ : state) benchmark::DoNotOptimize(a < b);
}
BENCHMARK(compare_different_denominators);

void round_half_up(benchmark::State& state) {
    const Decimal a = Decimal(200) / 3;
    for (auto _ : state) benchmark::DoNotOptimize(a.round(2, Rounding::half_up));
}
BENCHMARK(round_half_up);

void parse_score(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(Decimal::parse("85.5"));
}
BENCHMARK(parse_score);

void sum_tenths_scores(benchmark::State& state) {
    const std::vector<Decimal> scores = tenths_scores();
    for (auto _ : state) {
        Decimal total;
        for (const Decimal& s : scores) total += s;
        benchmark::DoNotOptimize(total);
    }
    state.SetItemsProcessed(state.iterations() * score_count);
}
BENCHMARK(sum_tenths_scores);

void sum_tenths_scores_cpp_rational(benchmark::State& state) {
    using boost::multiprecision::cpp_rational;
    std::vector<cpp_rational> scores;
    for (int i = 0; i < score_count; ++i) {
        cpp_rational score = i % 100;
        score /= 10;
        scores.push_back(score);
    }
    for (auto _ : state) {
        cpp_rational total;
        for (const cpp_rational& s : scores) total += s;
        benchmark::DoNotOptimize(total);
    }
    state.SetItemsProcessed(state.iterations() * score_count);
}
BENCHMARK(sum_tenths_scores_cpp_rational);

void add_big(benchmark::State& state) {
    const Decimal a = Decimal(std::numeric_limits<std::int64_t>::max()) + 1;
    const Decimal b = Decimal(1) / 3;
    for (auto _ : state) benchmark::DoNotOptimize(a + b);
}
BENCHMARK(add_big);

}  // namespace

BENCHMARK_MAIN();
