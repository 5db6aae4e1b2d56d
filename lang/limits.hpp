// Limits of the front end. Each is a named constant with the reason it exists; the parser
// reports a clear diagnostic when input goes past one, never a crash.
#pragma once

#include <cstddef>

namespace kaohe::limits {

// A real scheme is a few hundred lines (the largest seed is ~40 KB of text). 16 MiB leaves three
// orders of magnitude of headroom while keeping a stray binary or log file from being parsed.
inline constexpr std::size_t max_source_bytes = 16u * 1024u * 1024u;

// Nodes (section/item/clause) nest two or three levels in every document. The parser recurses
// once per level, so an absurd depth (10,000) would overflow the C++ stack: stop well before.
inline constexpr unsigned max_node_depth = 256;

// Parenthesised and prefix expressions recurse in the parser (about a dozen C++ frames per
// level). 256 levels is far beyond any hand-written formula and far below the stack's limit.
inline constexpr unsigned max_expression_depth = 256;

// Numbers are kept as text and turned into exact decimals later; 1000 digits is already
// meaningless for points or money and keeps the decimal arithmetic from being fed huge values.
inline constexpr std::size_t max_number_digits = 1000;

// `self 1.2: 4.5` names a node by its number. No document has a thousand rows under one node; six
// digits a part keeps a hostile number from being carried around (and compared) as a long string.
inline constexpr std::size_t max_node_number_digits = 6;

// `display N`: more than 18 decimal places is no longer a score anyone reads; the bound keeps the
// printed width (and the scaling by 10^N) small. It must not exceed Decimal::max_round_places
// (18, runtime/decimal.hpp), or the reports would print fewer places than the scheme declares.
inline constexpr unsigned max_display_places = 18;

}  // namespace kaohe::limits
