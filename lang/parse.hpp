// The front end's only interface. PEGTL stays inside lang/*.cpp.
#pragma once

#include "lang/ast.hpp"
#include "lang/diagnostic.hpp"
#include "lang/evidence_ast.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace kaohe {

// Limits of the front end, each with its reason (lang/limits.hpp has the numbers).

// Parses a scheme file. On syntax errors, reports every error it can recover from (one per
// top-level declaration or node at most, no follow-on cascades) and returns nullopt.
std::optional<ast::Scheme> parse_scheme(std::string_view text, const std::string& source_name,
                                        Diagnostics& diags);

// Parses a per-unit evidence file (see lang/evidence_ast.hpp for the format).
std::optional<ast::EvidenceFile> parse_evidence(std::string_view text, const std::string& source_name,
                                                Diagnostics& diags);

// Parses one evidence value as written in a CSV cell ("7", "85%", "yes", "未落实", "[]"),
// with the same lexical rules as evidence files. Errors are reported at `at` in `source_name`.
std::optional<ast::RawValue> parse_evidence_value(std::string_view cell, const std::string& source_name,
                                                  Span at, Diagnostics& diags);

}  // namespace kaohe
