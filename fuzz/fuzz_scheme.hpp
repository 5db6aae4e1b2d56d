// The fixed scheme the evidence and CSV targets type their input against: small, but it declares
// every kind of evidence (yes/no, counts and decimals with ranges and a step, percent, an inline
// choice, a choice type, money with a default, a list of records with text) so every typing path
// is reachable. Compiled once per process.
#pragma once

#include "compiler/compile.hpp"
#include "lang/parse.hpp"
#include "runtime/verify.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>

namespace kaohe::fuzz {

inline constexpr std::string_view fixed_scheme = R"(scheme "模糊测试用考核办法" {
  groups { 镇, 街道 }
  total 20
  type 级别 = choice { 国家级, 省级, 无 }
  const 级别分 = table 级别 { 国家级: 3, 省级: 2, 无: 0 }
  evidence {
    制度: yes_no "建立制度"
    次数: count 次 within 0..12 "未落实次数"
    扣分: points within 0..4 step 0.5 "酌情扣分"
    出席率: percent within 0..100 "出席率"
    落实: choice { 已落实, 未落实, 未建立 } "落实情况"
    奖金: money default 0 "奖金"
    做法: list of { 名称: text, 级别: 级别, 次: count 次 } default [] "经验做法"
  }
  section "一" points 12 {
    clause "制度" points 2 { deduct 2 unless 制度 says "未建立的扣2分" }
    clause "次数" points 3 { deduct 0.5 per 次数 says "一次扣0.5分" }
    clause "酌情" points 4 { deduct 扣分 within 0..4 says "酌情扣分" }
    clause "落实" points 3 {
      deduct 3 if 落实 is 未建立
      deduct 1 if 落实 is 未落实 and 出席率 < 80% and 奖金 >= 0
    }
  }
  section "二" points 8 {
    item "创新" bonus cap 8 {
      award sum(做法, p => 级别分[p.级别] * p.次) says "加满8分为止"
    }
  }
}
)";

inline const bc::Program& fixed_program() {
    static const bc::Program program = [] {
        Diagnostics diags;
        auto ast = parse_scheme(fixed_scheme, "fixed.kh", diags);
        auto compiled = ast ? compile(*ast, fixed_scheme, diags) : std::nullopt;
        if (!compiled || !verify(*compiled, "fixed.kh", diags)) {
            std::fprintf(stderr, "the fuzz targets' fixed scheme no longer compiles\n");
            std::abort();
        }
        return std::move(*compiled);
    }();
    return program;
}

// The evidence loaders read files: each input is written to one file per process (in $TMPDIR,
// default /tmp), under the given extension.
inline std::string scratch_file(const char* extension, const std::uint8_t* data, std::size_t size) {
    const char* dir = std::getenv("TMPDIR");
    const std::string path = std::string(dir && *dir ? dir : "/tmp") + "/kaohe-fuzz-" +
                             std::to_string(::getpid()) + extension;
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data),
                                                                   static_cast<std::streamsize>(size));
    return path;
}

}  // namespace kaohe::fuzz
