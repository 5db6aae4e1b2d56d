// The reference for the benchmarks (bench/run.sh): the two seed schemes scored by hand-written
// C++, as fast and simple as it can be written, in exact integer arithmetic (seed 000 in tenths
// of a point; seed 001 over a common denominator). It reads the table gen_evidence writes (no
// quoted cells) and writes the same results CSV as `kaohe run SCHEME units.csv --format csv`,
// without the stamp line:
//   hand_eval wenling   < units.csv > results.csv
//   hand_eval xinzhuang < units.csv > results.csv
// Every rule below is the scheme's, by item (examples/*/scheme.kh); bench/run.sh diffs the two.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <iterator>
#include <vector>

namespace {

const char* const wenling_header = "unit,group,total,1 联系服务群众,1.1 完善直接联系服务群众机制,1.2 健全民情沟通分析制度,1.3 建立服务群众有效载体,1.4 完善民主科学决策机制,2 教育管理考核,2.1 加大教育培训力度,2.2 严格落实工作责任制,2.3 加强干部实绩考核,2.4 坚持从严管理,3 建好干部队伍,3.1 优化镇（街道）干部队伍结构,3.2 保持镇（街道）干部队伍相对稳定,3.3 健全落实谈心谈话,3.4 开展组团帮扶,3.5 总结表彰宣传先进典型,4 创新做法及其成效,4.1 结合本地实际，开展加强镇（街道）建设特别是镇（街道）干部队伍建设的探索\n";
const char* const xinzhuang_header = "unit,group,total,1 考核组现场考核,1.1 党建工作,1.2 党风廉政建设,1.3 精神文明建设,1.4 社会治安综合治理（平安建设）,1.5 精准扶贫帮扶工作,1.6 精准扶贫,1.7 农业经济,1.8 社会保险,1.9 民政工作,1.10 安全生产,1.11 村级财务,1.12 林业管理,1.13 电子商务,1.14 劳务输转,1.15 食品药品安全,2 党政班子成员考核,2.1 党建工作,2.2 党风廉政建设,2.3 精神文明建设,2.4 社会治安综合治理,2.5 帮扶工作,2.6 精准扶贫,2.7 农业经济,2.8 社会保险,2.9 民政工作,2.10 安全生产,2.11 村级财务,2.12 林业,2.13 电子商务,2.14 劳务输转,2.15 食品药品安全\n";

using Cells = std::vector<std::string_view>;

void split(std::string_view line, Cells& cells) {
    cells.clear();
    std::size_t start = 0;
    for (std::size_t i = 0; i < line.size(); ++i)
        if (line[i] == ',') {
            cells.push_back(line.substr(start, i - start));
            start = i + 1;
        }
    cells.push_back(line.substr(start));
}

// Reads stdin line by line in large blocks; calls f(line) for each line.
template <typename F>
void for_each_line(F f) {
    constexpr std::size_t block = 1u << 22;
    std::string buffer;
    std::vector<char> in(block);
    std::size_t got;
    while ((got = std::fread(in.data(), 1, block, stdin)) != 0) {
        buffer.append(in.data(), got);
        std::size_t start = 0, nl;
        while ((nl = buffer.find('\n', start)) != std::string::npos) {
            f(std::string_view(buffer).substr(start, nl - start));
            start = nl + 1;
        }
        buffer.erase(0, start);
    }
    if (!buffer.empty()) f(std::string_view(buffer));
}

struct Out {
    std::string buf;
    void flush() {
        std::fwrite(buf.data(), 1, buf.size(), stdout);
        buf.clear();
    }
    void maybe_flush() {
        if (buf.size() > (1u << 20)) flush();
    }
    void text(std::string_view s) { buf.append(s); }
    void num(std::int64_t v) {
        char tmp[24];
        const int n = std::snprintf(tmp, sizeof tmp, "%lld", static_cast<long long>(v));
        buf.append(tmp, static_cast<std::size_t>(n));
    }
    // tenths, printed exactly: 7, 7.5
    void tenths(std::int64_t t) {
        buf += ',';
        num(t / 10);
        if (t % 10) {
            buf += '.';
            buf += static_cast<char>('0' + t % 10);
        }
    }
    // num/den >= 0 rounded half up to 2 places, always 2 decimals
    void two_places(std::int64_t num, std::int64_t den) {
        cents((200 * num + den) / (2 * den));
    }
    void cents(std::int64_t c) {
        buf += ',';
        num(c / 100);
        buf += '.';
        buf += static_cast<char>('0' + c / 10 % 10);
        buf += static_cast<char>('0' + c % 10);
    }
};

std::int64_t clamp(std::int64_t v, std::int64_t lo, std::int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

bool yes(std::string_view v) { return v == "是" || v == "yes" || v == "true"; }

std::int64_t integer(std::string_view v) {
    std::int64_t n = 0;
    for (char c : v) n = n * 10 + (c - '0');
    return n;
}

// "2.5" -> 25 tenths
std::int64_t to_tenths(std::string_view v) {
    std::int64_t t = 0;
    bool frac = false;
    int frac_digits = 0;
    for (char c : v) {
        if (c == '.') frac = true;
        else if (frac) {
            if (frac_digits++ == 0) t = t * 10 + (c - '0');
        } else t = t * 10 + (c - '0');
    }
    return frac_digits ? t : t * 10;
}

// ---- seed 000 -------------------------------------------------------------------------------

std::int64_t promote_points(std::string_view v) {  // 推广分, tenths
    if (v == "国家级") return 200;
    if (v == "省级") return 150;
    if (v == "台州市") return 100;
    if (v == "温岭市") return 50;
    return 0;
}
std::int64_t report_points(std::string_view v) {  // 报道分, tenths
    if (v == "国家级") return 100;
    if (v == "省级") return 70;
    if (v == "台州市级") return 50;
    if (v == "温岭市级") return 30;
    return 0;
}

// The seed-000 columns the rules read, resolved to indexes once, from the header.
constexpr std::string_view wenling_columns[] = {
    "全员驻村", "联系群众达标", "固定服务日", "无会日", "住夜带班未落实", "驻村百晓", "无民情日记", "网格化管理组团式服务",
    "为民办事全程代理", "干部联系服务卡", "便民中心扣分", "民主恳谈", "教育培训计划", "夜学主题安排", "举办培训班",
    "公示月数", "定期通报制度", "首问制责任追究制", "业绩公开公示", "群众评议", "实绩考核未常态开展", "跟踪督评",
    "代表提案民主评议", "日常管理制度", "便民服务办事档案", "被通报干部", "站所干部管理", "新乡镇干部成长规划",
    "临时人员规范管理", "违规借调", "谈心谈话", "组团驻村", "优秀驻村干部评选", "创新做法[1].推广", "创新做法[2].推广",
    "创新做法[3].推广", "创新做法[1].报道", "创新做法[2].报道", "创新做法[3].报道", "unit", "group"};
constexpr std::size_t wenling_column_count = std::size(wenling_columns);

// A column's position in wenling_columns, at compile time.
consteval std::size_t W(std::string_view name) {
    for (std::size_t k = 0; k < wenling_column_count; ++k)
        if (wenling_columns[k] == name) return k;
    throw "no such column";
}

void wenling() {
    Out out;
    out.text(wenling_header);
    std::size_t index[wenling_column_count] = {};
    Cells cells;
    bool header = true;
    for_each_line([&](std::string_view line) {
        if (line.empty()) return;
        split(line, cells);
        if (header) {
            for (std::size_t k = 0; k < wenling_column_count; ++k)
                for (std::size_t i = 0; i < cells.size(); ++i)
                    if (cells[i] == wenling_columns[k]) index[k] = i;
            header = false;
            return;
        }
        const auto c = [&](std::size_t k) { return cells[index[k]]; };
        const auto unless = [&](std::size_t k, std::int64_t t) { return yes(c(k)) ? 0 : t; };
        // 1 联系服务群众
        const std::int64_t i11 = clamp(20 - unless(W("全员驻村"), 20), 0, 20) + clamp(20 - unless(W("联系群众达标"), 20), 0, 20) +
                                 clamp(30 - unless(W("固定服务日"), 15) - unless(W("无会日"), 15), 0, 30) +
                                 clamp(30 - 5 * integer(c(W("住夜带班未落实"))), 0, 30);
        const std::string_view bx = c(W("驻村百晓"));
        const std::int64_t i12 = clamp(50 - (bx == "未建立" ? 50 : 0) - (bx == "未落实" ? 30 : 0), 0, 50) +
                                 clamp(30 - 10 * integer(c(W("无民情日记"))), 0, 30);
        const std::int64_t i13 = clamp(60 - unless(W("网格化管理组团式服务"), 20) - unless(W("为民办事全程代理"), 20) -
                                           unless(W("干部联系服务卡"), 20), 0, 60) +
                                 clamp(40 - to_tenths(c(W("便民中心扣分"))), 0, 40);
        const std::int64_t i14 = clamp(50 - unless(W("民主恳谈"), 50), 0, 50);
        const std::int64_t s1 = clamp(i11 + i12 + i13 + i14, 0, 330);
        // 2 教育管理考核
        const std::int64_t i21 = clamp(40 - unless(W("教育培训计划"), 20) - unless(W("夜学主题安排"), 20), 0, 40) +
                                 clamp(20 - unless(W("举办培训班"), 20), 0, 20);
        const std::int64_t i22 = clamp(30 - 2 * (12 - integer(c(W("公示月数")))), 0, 30) +
                                 clamp(20 - unless(W("定期通报制度"), 20), 0, 20) + clamp(30 - unless(W("首问制责任追究制"), 30), 0, 30);
        const std::int64_t i23 = clamp(30 - unless(W("业绩公开公示"), 15) - unless(W("群众评议"), 15) -
                                           5 * integer(c(W("实绩考核未常态开展"))), 0, 30) +
                                 clamp(30 - unless(W("跟踪督评"), 30), 0, 30) + clamp(20 - unless(W("代表提案民主评议"), 20), 0, 20);
        const std::int64_t parts24 = clamp(20 - unless(W("日常管理制度"), 20), 0, 20) +
                                     clamp(10 - unless(W("便民服务办事档案"), 10), 0, 10) +
                                     clamp(20 - unless(W("站所干部管理"), 20), 0, 20);
        const std::int64_t i24 = clamp(parts24 + 30 - std::min<std::int64_t>(80, 30 * integer(c(W("被通报干部")))), 0, 80);
        const std::int64_t s2 = clamp(i21 + i22 + i23 + i24, 0, 300);
        // 3 建好干部队伍
        const std::int64_t i31 = clamp(20 - unless(W("新乡镇干部成长规划"), 20), 0, 20) + clamp(20 - unless(W("临时人员规范管理"), 20), 0, 20);
        const std::int64_t i32 = clamp(30 - 15 * integer(c(W("违规借调"))), 0, 30);
        const std::int64_t i33 = clamp(40 - unless(W("谈心谈话"), 40), 0, 40);
        const std::string_view zt = c(W("组团驻村"));
        const std::int64_t i34 = clamp(40 - (zt == "未开展" ? 40 : 0) - (zt == "未建立台账" ? 15 : 0), 0, 40);
        const std::string_view pj = c(W("优秀驻村干部评选"));
        const std::int64_t i35 = clamp(20 - (pj == "未开展" ? 20 : 0) - (pj == "未宣传" ? 10 : 0), 0, 20);
        const std::int64_t s3 = clamp(i31 + i32 + i33 + i34 + i35, 0, 170);
        // 4 创新做法: each practice the higher of its two levels, up to 20 points
        constexpr std::size_t promote[] = {W("创新做法[1].推广"), W("创新做法[2].推广"), W("创新做法[3].推广")};
        constexpr std::size_t report[] = {W("创新做法[1].报道"), W("创新做法[2].报道"), W("创新做法[3].报道")};
        std::int64_t award = 0;
        for (int r = 0; r < 3; ++r) award += std::max(promote_points(c(promote[r])), report_points(c(report[r])));
        const std::int64_t i41 = std::min<std::int64_t>(award, 200);
        const std::int64_t s4 = i41;
        const std::int64_t total = clamp(s1 + s2 + s3 + s4, 0, 1000);
        out.text(c(W("unit")));
        out.text(",");
        out.text(c(W("group")));
        for (std::int64_t v : {total, s1, i11, i12, i13, i14, s2, i21, i22, i23, i24, s3, i31, i32, i33, i34, i35, s4, i41})
            out.tenths(v);
        out.text("\n");
        out.maybe_flush();
    });
    out.flush();
}

// ---- seed 001 -------------------------------------------------------------------------------

void xinzhuang() {
    static const char* const items[] = {"党建_", "廉政_", "文明_", "综治_", "帮扶_", "扶贫_", "农经_", "社保_",
                                        "民政_", "安全_", "财务_", "林业_", "电商_", "劳务_", "食药_"};
    Out out;
    out.text(xinzhuang_header);
    std::vector<int> item_of;  // per column: the item (0..14) a sub-item score adds to, or -1
    std::vector<int> rater_category;  // per column: the category (0..14) of a 班子评分 score, or -1
    std::size_t votes[4] = {0, 0, 0, 0}, unit_col = 0, group_col = 0;
    Cells cells;
    bool header = true;
    for_each_line([&](std::string_view line) {
        if (line.empty()) return;
        split(line, cells);
        if (header) {
            static const char* const categories[] = {"党建工作", "党风廉政建设", "精神文明建设", "社会治安综合治理", "帮扶工作",
                                                     "精准扶贫", "农业经济", "社会保险", "民政工作", "安全生产",
                                                     "村级财务", "林业", "电子商务", "劳务输转", "食品药品安全"};
            static const char* const vote_names[] = {"民主测评.好", "民主测评.较好", "民主测评.一般", "民主测评.较差"};
            item_of.assign(cells.size(), -1);
            rater_category.assign(cells.size(), -1);
            for (std::size_t i = 0; i < cells.size(); ++i) {
                const std::string_view name = cells[i];
                if (name == "unit") unit_col = i;
                if (name == "group") group_col = i;
                for (int k = 0; k < 4; ++k)
                    if (name == vote_names[k]) votes[k] = i;
                for (int k = 0; k < 15; ++k)
                    if (name.starts_with(items[k])) item_of[i] = k;
                const auto dot = name.find("].");
                if (name.starts_with("班子评分[") && dot != std::string_view::npos)
                    for (int k = 0; k < 15; ++k)
                        if (name.substr(dot + 2) == categories[k]) rater_category[i] = k;
            }
            header = false;
            return;
        }
        std::int64_t halves[15] = {}, raters[15] = {};
        for (std::size_t i = 0; i < cells.size(); ++i) {
            if (item_of[i] >= 0) halves[item_of[i]] += to_tenths(cells[i]) / 5;
            else if (rater_category[i] >= 0) raters[rater_category[i]] += to_tenths(cells[i]) / 5;
        }
        const std::int64_t a = integer(cells[votes[0]]), b = integer(cells[votes[1]]), c = integer(cells[votes[2]]),
                           d = integer(cells[votes[3]]);
        const std::int64_t t = a + b + c + d;
        const std::int64_t w = 10 * a + 8 * b + 6 * c;             // 民主测评 = 5 × w/(10t) = w/(2t)
        const std::int64_t n1 = std::min(200 * t, halves[0] * t + w);  // item 1.1 = n1/(2t), at most 100
        std::int64_t others = 0;                                     // items 1.2..1.15, in halves
        for (int k = 1; k < 15; ++k) others += std::min<std::int64_t>(200, halves[k]);
        std::int64_t board = 0;  // 班子 = board/14
        for (int k = 0; k < 15; ++k) board += raters[k];
        const std::int64_t group_num = n1 + t * others;  // 考核组 = group_num/(2t)
        // total = round(考核组/1500×1000×90% + 班子/100×1000×10%, 2) = (21·group_num + 5t·board)/(70t)
        const std::int64_t total_num = 21 * group_num + 5 * t * board, total_den = 70 * t;
        out.text(cells[unit_col]);
        out.text(",");
        out.text(cells[group_col]);
        out.cents((200 * total_num + total_den) / (2 * total_den));
        out.two_places(group_num, 2 * t);
        out.two_places(n1, 2 * t);
        for (int k = 1; k < 15; ++k) out.two_places(std::min<std::int64_t>(200, halves[k]), 2);
        out.two_places(board, 14);
        for (int k = 0; k < 15; ++k) out.two_places(raters[k], 14);
        out.text("\n");
        out.maybe_flush();
    });
    out.flush();
}

}  // namespace

int main(int argc, char** argv) {
    const std::string which = argc == 2 ? argv[1] : "";
    if (which == "wenling") wenling();
    else if (which == "xinzhuang") xinzhuang();
    else {
        std::fprintf(stderr, "usage: hand_eval wenling|xinzhuang < units.csv > results.csv\n");
        return 2;
    }
    return std::fflush(stdout) == 0 ? 0 : 1;
}
