#include "runtime/input_file.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace kaohe {

namespace fs = std::filesystem;

std::optional<std::string> read_input_file(const std::string& path, std::uintmax_t limit, std::string_view expected,
                                           Diagnostics& diags) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        diags.error(path, Span{}, fmt::format("is a directory, expected {}", expected));
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        diags.error(path, Span{}, "cannot open file");
        return std::nullopt;
    }
    const std::uintmax_t size = fs::file_size(path, ec);
    if (!ec && size > limit) {
        diags.error(path, Span{}, fmt::format("file is {} bytes; {} may be at most {} bytes", size, expected, limit));
        return std::nullopt;
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) {
        diags.error(path, Span{}, "cannot read file");
        return std::nullopt;
    }
    std::string text = std::move(buffer).str();
    if (text.size() > limit) {  // a file that grew, or a pipe
        diags.error(path, Span{}, fmt::format("file is over {} bytes, the most {} may be", limit, expected));
        return std::nullopt;
    }
    return text;
}

}  // namespace kaohe
