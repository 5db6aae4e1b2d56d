// Deterministic generator of realistic evidence tables for the benchmarks (bench/run.sh):
//   gen_evidence wenling   N SCHEME > units.csv   seed 000 (examples/wenling-2013): 44 columns
//   gen_evidence xinzhuang N SCHEME > units.csv   seed 001 (examples/xinzhuang-2017): 234 columns
// The same N gives the same bytes on every machine (a fixed 64-bit LCG, no library randomness).
// SCHEME is read for the seed-001 evidence names and their full marks, so the table follows
// the scheme. Units are scored like real ones: most requirements met, a few deductions.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

// Knuth's MMIX LCG: deterministic everywhere.
class Lcg {
public:
    explicit Lcg(std::uint64_t seed) : state_(seed * 6364136223846793005ull + 1442695040888963407ull) {}
    std::uint32_t next() {
        state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<std::uint32_t>(state_ >> 33);
    }
    std::uint32_t below(std::uint32_t n) { return next() % n; }
    bool chance(std::uint32_t percent) { return below(100) < percent; }

private:
    std::uint64_t state_;
};

std::string yes_no(Lcg& rng, std::uint32_t yes_percent) {
    const bool yes = rng.chance(yes_percent);
    switch (rng.below(4)) {  // people write it several ways
    case 0: return yes ? "yes" : "no";
    default: return yes ? "是" : "否";
    }
}

// A small count: mostly 0, sometimes a few.
std::string small_count(Lcg& rng) {
    const std::uint32_t r = rng.below(100);
    return std::to_string(r < 70 ? 0 : r < 88 ? 1 : r < 96 ? 2 : 3 + rng.below(4));
}

// "12.5": a multiple of 0.5 in tenths/halves, written as people write it.
std::string halves(std::uint32_t h) { return std::to_string(h / 2) + (h % 2 ? ".5" : ""); }

const char* const towns[] = {"城东", "城西", "城南", "城北", "太平", "横峰", "泽国", "大溪", "松门", "箬横",
                             "新河", "石塘", "滨海", "温峤", "坞根", "石桥头"};

void wenling(std::uint64_t n) {
    std::fputs("unit,group,全员驻村,联系群众达标,固定服务日,无会日,住夜带班未落实,驻村百晓,无民情日记,"
               "网格化管理组团式服务,为民办事全程代理,干部联系服务卡,便民中心扣分,民主恳谈,教育培训计划,"
               "夜学主题安排,举办培训班,公示月数,定期通报制度,首问制责任追究制,业绩公开公示,群众评议,"
               "实绩考核未常态开展,跟踪督评,代表提案民主评议,日常管理制度,便民服务办事档案,被通报干部,"
               "站所干部管理,新乡镇干部成长规划,临时人员规范管理,违规借调,谈心谈话,组团驻村,优秀驻村干部评选",
               stdout);
    for (int r = 1; r <= 3; ++r) std::printf(",创新做法[%d].名称,创新做法[%d].推广,创新做法[%d].报道", r, r, r);
    std::fputs("\n", stdout);
    const char* const levels_promote[] = {"国家级", "省级", "台州市", "温岭市", "无"};
    const char* const levels_report[] = {"国家级", "省级", "台州市级", "温岭市级", "无"};
    const char* const practices[] = {"网格化管理", "民情夜访", "干部驻村日记", "便民服务代办", "红色议事厅",
                                     "村务公开栏", "乡贤议事会", "一线工作法"};
    Lcg rng(2013);
    std::string row;
    for (std::uint64_t u = 0; u < n; ++u) {
        const bool street = rng.chance(30);
        row = towns[rng.below(16)];
        row += street ? "街道" : "镇";
        row += std::to_string(u + 1);
        row += street ? ",街道" : ",镇";
        const auto add = [&](const std::string& v) {
            row += ',';
            row += v;
        };
        add(yes_no(rng, 92));
        add(yes_no(rng, 90));
        add(yes_no(rng, 92));
        add(yes_no(rng, 90));
        add(small_count(rng));
        add(rng.chance(85) ? "已落实" : rng.chance(50) ? "未落实" : "未建立");
        add(small_count(rng));
        for (int k = 0; k < 3; ++k) add(yes_no(rng, 90));
        add(halves(rng.chance(75) ? 0 : rng.below(9)));  // 0..4 in steps of 0.5
        for (int k = 0; k < 4; ++k) add(yes_no(rng, 92));
        add(std::to_string(rng.chance(70) ? 12 : 6 + rng.below(7)));
        for (int k = 0; k < 4; ++k) add(yes_no(rng, 91));
        add(small_count(rng));
        for (int k = 0; k < 4; ++k) add(yes_no(rng, 92));
        add(rng.chance(85) ? "0" : std::to_string(1 + rng.below(3)));
        for (int k = 0; k < 3; ++k) add(yes_no(rng, 93));
        add(rng.chance(90) ? "0" : "1");
        add(yes_no(rng, 93));
        add(rng.chance(85) ? "已开展并建台账" : rng.chance(50) ? "未建立台账" : "未开展");
        add(rng.chance(85) ? "已开展并宣传" : rng.chance(50) ? "未宣传" : "未开展");
        const std::uint32_t r = rng.below(100);
        const std::uint32_t count = r < 45 ? 0 : r < 80 ? 1 : r < 95 ? 2 : 3;
        for (std::uint32_t k = 0; k < 3; ++k) {
            if (k < count) {
                add(practices[rng.below(8)]);
                add(levels_promote[1 + rng.below(4)]);
                add(levels_report[1 + rng.below(4)]);
            } else {
                row += ",,,";
            }
        }
        row += '\n';
        std::fwrite(row.data(), 1, row.size(), stdout);
    }
}

struct Field {
    std::string name;
    std::uint32_t full_halves;  // full marks in halves of a point
};

void xinzhuang(std::uint64_t n, const std::string& scheme_path) {
    std::ifstream in(scheme_path);
    std::stringstream text;
    text << in.rdbuf();
    const std::string scheme = text.str();
    std::vector<Field> fields;
    const std::regex field_re(R"(\n\s+(\S+_\S+): points within 0\.\.([0-9.]+) )");
    for (std::sregex_iterator it(scheme.begin(), scheme.end(), field_re), end; it != end; ++it) {
        const std::string full = (*it)[2];
        const auto dot = full.find('.');
        const std::uint32_t whole = static_cast<std::uint32_t>(std::stoul(full.substr(0, dot)));
        fields.push_back({(*it)[1], whole * 2 + (dot != std::string::npos ? 1 : 0)});
    }
    if (fields.size() < 100) {
        std::fprintf(stderr, "gen_evidence: expected the 116 scored sub-items of seed 001 in %s, found %zu\n",
                     scheme_path.c_str(), fields.size());
        std::exit(2);
    }
    const char* const categories[] = {"党建工作", "党风廉政建设", "精神文明建设", "社会治安综合治理", "帮扶工作",
                                      "精准扶贫", "农业经济", "社会保险", "民政工作", "安全生产",
                                      "村级财务", "林业", "电子商务", "劳务输转", "食品药品安全"};
    const std::uint32_t weights[] = {20, 10, 5, 10, 5, 15, 10, 5, 5, 5, 4, 1, 1, 2, 2};
    const char* const raters[] = {"张晓岩", "苏虎林", "郑亚娜", "李建平", "杨志强", "张学红", "赵秉鸿"};
    std::string row = "unit,group";
    for (std::size_t f = 0; f < fields.size(); ++f) {
        row += ',' + fields[f].name;
        if (fields[f].name == "党建_阵地") row += ",民主测评.好,民主测评.较好,民主测评.一般,民主测评.较差";
    }
    for (int r = 1; r <= 7; ++r) {
        row += ",班子评分[" + std::to_string(r) + "].评分人";
        for (const char* c : categories) row += ",班子评分[" + std::to_string(r) + "]." + c;
    }
    row += '\n';
    std::fwrite(row.data(), 1, row.size(), stdout);
    Lcg rng(2017);
    // A score in halves near quality × full, within 0..full.
    const auto draw = [&](std::uint32_t full_halves, std::uint32_t quality) {
        const std::int64_t mean = static_cast<std::int64_t>(full_halves) * quality / 100;
        const std::int64_t spread = full_halves / 8 + 1;
        std::int64_t h = mean + static_cast<std::int64_t>(rng.below(static_cast<std::uint32_t>(2 * spread + 1))) - spread;
        return static_cast<std::uint32_t>(std::clamp<std::int64_t>(h, 0, full_halves));
    };
    for (std::uint64_t u = 0; u < n; ++u) {
        const std::uint32_t quality = 70 + rng.below(28);
        row = "村" + std::to_string(u + 1) + ",行政村";
        for (const Field& f : fields) {
            row += ',' + halves(draw(f.full_halves, quality));
            if (f.name == "党建_阵地") {
                const std::uint32_t total = 30 + rng.below(6);
                const std::uint32_t good = total * (quality - 20 + rng.below(10)) / 100;
                const std::uint32_t fair = (total - good) * 7 / 10;
                const std::uint32_t poor = (total - good - fair) * 8 / 10;
                row += ',' + std::to_string(good) + ',' + std::to_string(fair) + ',' + std::to_string(poor) + ',' +
                       std::to_string(total - good - fair - poor);
            }
        }
        for (const char* rater : raters) {
            row += ',';
            row += rater;
            for (const std::uint32_t w : weights) row += ',' + halves(draw(2 * w, std::min<std::uint32_t>(quality + 4, 100)));
        }
        row += '\n';
        std::fwrite(row.data(), 1, row.size(), stdout);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: gen_evidence wenling|xinzhuang N [SCHEME]\n");
        return 2;
    }
    const std::string which = argv[1];
    const std::uint64_t n = std::stoull(argv[2]);
    if (which == "wenling") wenling(n);
    else if (which == "xinzhuang" && argc == 4) xinzhuang(n, argv[3]);
    else {
        std::fprintf(stderr, "usage: gen_evidence wenling|xinzhuang N [SCHEME]\n");
        return 2;
    }
    return std::fflush(stdout) == 0 ? 0 : 1;
}
