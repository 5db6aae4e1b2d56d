// What the tests that run the kaohe binary or outside tools share: whole-file reads and
// writes, a shell command's exit code, and how a test reacts when an outside tool it needs
// (chromium, python3 with openpyxl) is missing.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <sys/wait.h>

namespace kaohe::test {

inline std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline void write_file(const std::filesystem::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
}

// `command` through /bin/sh: its exit code, or 128 + the signal that ended it.
inline int run_shell(const std::string& command) {
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// True when CI=true (CI's environment, .ci/run).
inline bool in_ci() {
    const char* ci = std::getenv("CI");
    return ci != nullptr && std::string_view(ci) == "true";
}

// Call when an outside tool the test needs is missing; the test then returns. On a developer's
// machine it warns "SKIPPED: <why>" and passes; in CI (CI=true), where .ci/deps installs every
// such tool, a missing tool is a failure, so a skip can never hide an untested report.
inline void tool_missing(const std::string& why) {
    if (in_ci()) FAIL("CI=true and " << why << " (.ci/deps installs it)");
    WARN("SKIPPED: " << why);
}

}  // namespace kaohe::test
