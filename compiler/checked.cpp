#include "compiler/checked.hpp"

#include <fmt/format.h>

namespace kaohe::checked {

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
    std::string best = closest_name(name, candidates);
    return best.empty() ? std::string() : fmt::format("did you mean '{}'?", best);
}

std::optional<Decimal> literal_value(const ast::NumberLit& lit) {
    auto value = Decimal::parse(lit.text);
    if (value && lit.unit == ast::LiteralUnit::percent) return *value / Decimal(100);
    return value;
}

std::optional<Decimal> range_lo(const ast::Range& r) {
    auto value = literal_value(ast::NumberLit{r.lo.text, ast::LiteralUnit::none});
    if (value && r.negative_lo) return -*value;
    return value;
}

std::optional<Decimal> range_hi(const ast::Range& r) {
    return literal_value(ast::NumberLit{r.hi.text, ast::LiteralUnit::none});
}

const char* node_word(ast::NodeKind kind) {
    switch (kind) {
    case ast::NodeKind::scheme: return "scheme";
    case ast::NodeKind::section: return "section";
    case ast::NodeKind::item: return "item";
    case ast::NodeKind::clause: return "clause";
    }
    return "node";
}

const char* population_word(ast::PopulationKind kind) {
    switch (kind) {
    case ast::PopulationKind::rank: return "rank";
    case ast::PopulationKind::mean: return "mean";
    case ast::PopulationKind::max: return "max";
    case ast::PopulationKind::min: return "min";
    case ast::PopulationKind::sum: return "sum";
    case ast::PopulationKind::count: return "count";
    case ast::PopulationKind::bottom: return "bottom";
    case ast::PopulationKind::top: return "top";
    }
    return "among";
}

}  // namespace kaohe::checked
