// The compiler pipeline: AST -> names -> types -> scheme checks -> phases -> bytecode.
// Each pass reports into one collector and keeps going, so a single run shows every problem;
// lowering runs only on a scheme with no errors.
#include "compiler/compile.hpp"

#include "compiler/check.hpp"
#include "compiler/checked.hpp"
#include "compiler/lower.hpp"
#include "compiler/phases.hpp"
#include "compiler/resolve.hpp"
#include "compiler/types.hpp"

#include <algorithm>

namespace kaohe {
namespace {

// The passes report in pass order; the reader wants them in source order.
void report_in_source_order(const Diagnostics& found, Diagnostics& out) {
    std::vector<Diagnostic> items = found.all();
    std::stable_sort(items.begin(), items.end(), [](const Diagnostic& a, const Diagnostic& b) {
        const SourcePos &x = a.span.begin, &y = b.span.begin;
        return x.line != y.line ? x.line < y.line : x.column < y.column;
    });
    for (auto& d : items) out.add(std::move(d));
}

}  // namespace

std::optional<bc::Program> compile(const ast::Scheme& scheme, std::string_view source, Diagnostics& diags) {
    checked::Scheme checked;
    checked.ast = &scheme;
    checked.file = scheme.file;

    Diagnostics found;
    resolve(checked, found);
    check_types(checked, found);
    check_scheme(checked, found);
    assign_phases(checked, found);
    bool ok = !found.has_errors();
    report_in_source_order(found, diags);
    if (!ok) return std::nullopt;
    return lower(checked, source, diags);
}

}  // namespace kaohe
