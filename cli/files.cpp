#include "cli/files.hpp"

#include "runtime/evidence.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kaohe::cli {
namespace {

namespace fs = std::filesystem;

// Source texts shown under diagnostics are re-read only up to this size: a diagnostic in a
// larger file still prints, without its source line.
constexpr std::uintmax_t max_rendered_source_bytes = 64u << 20;

// Diagnostics printed in one run; the rest are counted. A thousand errors means a file of the
// wrong kind, and rendering each one finds its line from the start of its file, so printing a
// million of them (a 16 MiB evidence file of bad lines) would take hours.
constexpr std::size_t max_printed_diagnostics = 1000;

bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace

std::string_view SourceTexts::text_of(const std::string& file) {
    if (file.empty()) return {};
    auto it = texts_.find(file);
    if (it != texts_.end()) return it->second;
    std::string text;
    std::error_code ec;
    if (fs::is_regular_file(file, ec) && fs::file_size(file, ec) <= max_rendered_source_bytes && !ec) {
        std::ifstream in(file, std::ios::binary);
        std::ostringstream buffer;
        buffer << in.rdbuf();
        text = std::move(buffer).str();
        if (is_csv_path(file)) text = table_text_for_display(std::move(text), table_encoding_);
    }
    return texts_.emplace(file, std::move(text)).first->second;
}

OutputFile::~OutputFile() { abandon(); }

bool OutputFile::open(const std::string& path, Diagnostics& diags) {
    path_ = path;
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);  // follows symlinks
    if (fs::exists(status) && !fs::is_regular_file(status)) {
        final_ = path;
        fd_ = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    } else {
        const fs::path target = fs::is_symlink(path, ec) ? fs::canonical(path, ec) : fs::path(path);
        final_ = target.string();
        const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
        temp_ = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
        fd_ = ::mkstemp(temp_.data());
        if (fd_ >= 0) {
            // mkstemp creates the file 0600; a report gets the usual permissions (0666 & ~umask).
            const mode_t mask = ::umask(0);
            ::umask(mask);
            ::fchmod(fd_, 0666 & ~mask);
        } else {
            temp_.clear();
        }
    }
    if (fd_ < 0) diags.error(path, Span{}, fmt::format("cannot write file: {}", std::strerror(errno)));
    return fd_ >= 0;
}

bool OutputFile::commit(Diagnostics& diags) {
    if (fd_ < 0) return false;
    const bool in_place = temp_.empty();
    bool ok = in_place || ::fsync(fd_) == 0;
    int error = errno;
    ok = ::close(fd_) == 0 && ok;
    fd_ = -1;
    if (ok && !in_place && std::rename(temp_.c_str(), final_.c_str()) != 0) ok = false;
    if (!ok) {
        error = errno ? errno : error;
        abandon();
        diags.error(path_, Span{}, fmt::format("cannot write file: {}", std::strerror(error)));
        return false;
    }
    temp_.clear();
    return true;
}

void OutputFile::abandon() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (!temp_.empty()) ::unlink(temp_.c_str());
    temp_.clear();
}

bool write_file_atomically(const std::string& path, std::string_view bytes, Diagnostics& diags) {
    OutputFile out;
    if (!out.open(path, diags)) return false;
    if (!write_all(out.fd(), bytes)) {
        const int error = errno;
        out.abandon();
        diags.error(path, Span{}, fmt::format("cannot write file: {}", std::strerror(error)));
        return false;
    }
    return out.commit(diags);
}

void print_diagnostics(const Diagnostics& diags, SourceTexts& texts) {
    std::size_t printed = 0;
    for (const Diagnostic& d : diags.all()) {
        if (printed == max_printed_diagnostics) break;
        std::cerr << render(d, texts.text_of(d.file));
        ++printed;
    }
    if (printed < diags.all().size())
        std::cerr << fmt::format("kaohe: {} more diagnostics not shown ({} errors, {} warnings in all)\n",
                                 diags.all().size() - printed, diags.error_count(), diags.warning_count());
    std::cerr.flush();
}

int exit_code_for(const Diagnostics& diags) {
    for (const Diagnostic& d : diags.all())
        if (d.severity == Severity::internal) return exit_internal;
    return diags.has_errors() ? exit_input : exit_ok;
}

}  // namespace kaohe::cli
