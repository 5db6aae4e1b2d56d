// The Excel report: the text report's content (runtime/report.cpp, the same building blocks and
// words) as a workbook, a summary sheet and one sheet per unit in the seed-003 layout.
// libxlsxwriter is used here and nowhere else.
#include "runtime/report_xlsx.hpp"

#include <fmt/format.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <unistd.h>

namespace kaohe {

// ---- sheet names and cell numbers ----------------------------------------------------------
namespace xlsx {
namespace {

// Excel's limits: characters in a sheet name (UTF-16 code units) and in a cell's text.
constexpr std::size_t max_sheet_name = 31;
constexpr std::size_t max_cell_text = 32767;
// What Excel keeps of a number: 15 significant digits.
constexpr std::size_t max_significant_digits = 15;

std::size_t sequence_length(unsigned char lead) {
    if (lead >= 0xF0) return 4;
    if (lead >= 0xE0) return 3;
    if (lead >= 0xC0) return 2;
    return 1;
}

// The longest prefix of whole characters of `text` that takes at most `units` UTF-16 code
// units (a character outside the BMP, a 4-byte sequence, takes two).
std::string cut_to_utf16_units(std::string_view text, std::size_t units) {
    std::size_t used = 0, end = 0;
    while (end < text.size()) {
        const std::size_t length = std::min(sequence_length(static_cast<unsigned char>(text[end])), text.size() - end);
        const std::size_t cost = length == 4 ? 2 : 1;
        if (used + cost > units) break;
        used += cost;
        end += length;
    }
    return std::string(text.substr(0, end));
}

std::string ascii_lower(std::string text) {
    for (char& c : text)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return text;
}

// 94.80 and 94.8 are the same number: the text without trailing fraction zeros, "-0" as "0".
std::string without_trailing_zeros(std::string text) {
    if (text.find('.') != std::string::npos) {
        while (text.back() == '0') text.pop_back();
        if (text.back() == '.') text.pop_back();
    }
    return text == "-0" ? "0" : text;
}

// -?D+(.D+)? and at most 15 significant digits.
bool plain_decimal(std::string_view text) {
    std::size_t i = text.starts_with('-') ? 1 : 0;
    const std::size_t whole = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == whole) return false;
    if (i < text.size()) {
        if (text[i] != '.') return false;
        const std::size_t fraction = ++i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
        if (i == fraction || i != text.size()) return false;
    }
    std::string digits;
    for (char c : text)
        if (c >= '0' && c <= '9') digits += c;
    const std::size_t first = digits.find_first_not_of('0');
    if (first == std::string::npos) return true;
    const std::size_t last = digits.find_last_not_of('0');
    return last - first + 1 <= max_significant_digits;
}

}  // namespace

std::vector<std::string> sheet_names(const std::vector<std::string>& units) {
    std::set<std::string> taken{ascii_lower(std::string(summary_sheet)), "history"};
    std::vector<std::string> names;
    names.reserve(units.size());
    for (const std::string& unit : units) {
        std::string base;
        for (const char c : unit) {
            const auto byte = static_cast<unsigned char>(c);
            base += byte < 0x20 || byte == 0x7F || std::strchr("[]:*?/\\", c) ? '_' : c;
        }
        base = cut_to_utf16_units(base, max_sheet_name);
        if (!base.empty() && base.front() == '\'') base.front() = '_';
        if (!base.empty() && base.back() == '\'') base.back() = '_';
        if (base.empty()) base = "单位";
        std::string name = base;
        for (unsigned k = 2; taken.contains(ascii_lower(name)); ++k) {
            const std::string suffix = fmt::format(" ({})", k);
            name = cut_to_utf16_units(base, max_sheet_name - suffix.size()) + suffix;
        }
        taken.insert(ascii_lower(name));
        names.push_back(std::move(name));
    }
    return names;
}

std::optional<double> cell_number(std::string_view printed) {
    if (!plain_decimal(printed)) return std::nullopt;
    double value = 0;
    const auto parsed = std::from_chars(printed.data(), printed.data() + printed.size(), value);
    if (parsed.ec != std::errc() || parsed.ptr != printed.data() + printed.size()) return std::nullopt;
    // (2) the shortest decimal that reads back as `value` is the printed one.
    char shortest[400];
    const auto written = std::to_chars(shortest, shortest + sizeof shortest, value, std::chars_format::fixed);
    if (written.ec != std::errc()) return std::nullopt;
    if (without_trailing_zeros(std::string(shortest, written.ptr)) != without_trailing_zeros(std::string(printed)))
        return std::nullopt;
    // (3) what libxlsxwriter writes into the file reads back as `value`.
    char stored[64];
    const int length = std::snprintf(stored, sizeof stored, "%.16G", value);
    if (length <= 0 || static_cast<std::size_t>(length) >= sizeof stored) return std::nullopt;
    double read_back = 0;
    const auto again = std::from_chars(stored, stored + length, read_back);
    if (again.ec != std::errc() || std::bit_cast<std::uint64_t>(read_back) != std::bit_cast<std::uint64_t>(value))
        return std::nullopt;
    return value;
}

}  // namespace xlsx

// ---- the workbook ----------------------------------------------------------------------------
namespace {

// The document's creation (and modification) time: fixed, so that the same inputs give the same
// bytes. 1980-01-01T00:00:00Z, the time libxlsxwriter gives every zip entry.
constexpr std::time_t fixed_creation_time = 315532800;

// A flag's cell in the ranking table when the unit carries it (as in the text report).
constexpr std::string_view flag_mark = "✓";

// Widest a column grows (in Excel's character widths); longer text wraps in it.
constexpr std::size_t max_label_width = 40, max_goal_width = 50, max_reason_width = 70, max_plain_width = 30;

// Excel's limit of hyperlinks on one sheet (libxlsxwriter's, the same).
constexpr std::size_t max_links = 65530;

// The cell's look. Every format the workbook uses is one of these, made once.
struct Style {
    bool bold = false, wrap = false, header = false, title = false, total = false;
    std::uint8_t indent = 0;
    std::string number{};  // the number format, or "" for text

    std::string key() const {
        return fmt::format("{}{}{}{}{}|{}|{}", bold, wrap, header, title, total, indent, number);
    }
};

// A temporary file that is removed when this goes out of scope.
struct TempFile {
    std::string path;
    TempFile() = default;
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() {
        if (!path.empty()) ::unlink(path.c_str());
    }
};

// libxlsxwriter writes to a file name: a new private temporary file (in $TMPDIR, else the
// system's temporary directory), read back whole once the workbook is closed.
bool make_temp_file(TempFile& temp, Diagnostics& diags) {
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
    if (ec) dir = "/tmp";
    std::string name = (dir / "kaohe-xlsx-XXXXXX").string();
    const int fd = ::mkstemp(name.data());
    if (fd < 0) {
        diags.error("", Span{}, fmt::format("cannot create a temporary file for the workbook in {}: {}", dir.string(),
                                            std::strerror(errno)));
        return false;
    }
    ::close(fd);
    temp.path = std::move(name);
    return true;
}

std::optional<std::string> read_whole(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in && !in.eof()) return std::nullopt;
    return std::move(bytes).str();
}

// The widest line of `text`, in display columns (a Chinese character takes two).
std::size_t widest_line(std::string_view text) {
    std::size_t widest = 0;
    while (true) {
        const std::size_t end = text.find('\n');
        widest = std::max(widest, display_width(text.substr(0, end)));
        if (end == std::string_view::npos) return widest;
        text.remove_prefix(end + 1);
    }
}

// At most Excel's 32767 characters in a cell (code points: libxlsxwriter's count).
std::string fit_cell(const std::string& text) {
    std::size_t chars = 0, end = 0;
    while (end < text.size()) {
        if (chars == xlsx::max_cell_text - 1) return text.substr(0, end) + "…";
        end += std::min(xlsx::sequence_length(static_cast<unsigned char>(text[end])), text.size() - end);
        ++chars;
    }
    return text;
}

// A wrapped text cell, kept until the column widths are known so its row can be made tall
// enough to show it whole (libxlsxwriter cannot fit a row's height, and LibreOffice does not
// when it opens the file).
struct WrappedCell {
    lxw_row_t row;
    lxw_col_t col;
    std::string text;
};

// One worksheet being written, with the widths its columns need.
struct Sheet {
    lxw_worksheet* ws = nullptr;
    std::vector<std::size_t> widths;
    std::vector<WrappedCell> wrapped;
};

// The height of one line of text in a row, in points (Excel's default row for an 11-point font).
constexpr unsigned line_height_points = 15;

// The lines `text` takes in a column `width` wide (Excel's character widths; a Chinese character
// takes two): each of its lines, wrapped at the column's width less its margin.
std::size_t wrapped_lines(std::string_view text, std::size_t width) {
    const std::size_t room = width > 2 ? width - 1 : 1;
    std::size_t lines = 0;
    while (true) {
        const std::size_t end = text.find('\n');
        lines += std::max<std::size_t>(1, (display_width(text.substr(0, end)) + room - 1) / room);
        if (end == std::string_view::npos) return lines;
        text.remove_prefix(end + 1);
    }
}

class XlsxReport {
public:
    XlsxReport(const bc::Program& program, const EvidenceSet& evidence, const std::vector<Scoresheet>& sheets,
               const ReportOptions& options, Diagnostics& diags)
        : program_(program), evidence_(evidence), sheets_(sheets), diags_(diags), printed_(program, diags),
          layout_(program, evidence), check_(program, diags), shown_(report::shown_sheets(sheets, options)) {
        std::vector<std::string> units;
        for (std::size_t u : shown_) units.push_back(sheets[u].unit);
        names_ = xlsx::sheet_names(units);
        has_goal_ = std::any_of(program.nodes.begin(), program.nodes.end(),
                                [](const bc::NodeInfo& n) { return !n.goal.empty() || !n.text.empty(); });
        const auto& places = program.info.display_places;
        base_format_ = !places ? std::string("General") : *places == 0 ? std::string("0") : "0." + std::string(*places, '0');
    }

    std::optional<std::string> write() {
        TempFile temp;
        if (!make_temp_file(temp, diags_)) return std::nullopt;
        workbook_ = workbook_new(temp.path.c_str());
        if (!workbook_) {
            diags_.error("", Span{}, "cannot create the workbook (libxlsxwriter could not open its file)");
            return std::nullopt;
        }
        properties();
        summary();
        for (std::size_t i = 0; i < shown_.size(); ++i) unit_sheet(shown_[i], names_[i]);
        const lxw_error closed = workbook_close(workbook_);  // writes the file and frees the workbook
        workbook_ = nullptr;
        if (error_ == LXW_NO_ERROR) error_ = closed;
        if (check_.failed() || printed_.failed() || unstorable_) return std::nullopt;
        if (error_ != LXW_NO_ERROR) {
            diags_.error("", Span{}, fmt::format("cannot write the workbook: {}", lxw_strerror(error_)));
            return std::nullopt;
        }
        auto bytes = read_whole(temp.path);
        if (!bytes) diags_.error("", Span{}, fmt::format("cannot read back the workbook written to {}", temp.path));
        return bytes;
    }

private:
    void check(lxw_error e) {
        if (error_ == LXW_NO_ERROR) error_ = e;
    }

    lxw_format* format(const Style& style) {
        auto [it, added] = formats_.try_emplace(style.key(), nullptr);
        if (!added) return it->second;
        lxw_format* f = workbook_add_format(workbook_);
        format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
        if (style.bold || style.header || style.title || style.total) format_set_bold(f);
        if (style.wrap) format_set_text_wrap(f);
        if (style.indent) format_set_indent(f, style.indent);
        if (!style.number.empty()) format_set_num_format(f, style.number.c_str());
        if (style.header) {
            format_set_bg_color(f, 0xD9D9D9);
            format_set_bottom(f, LXW_BORDER_THIN);
            format_set_text_wrap(f);
        }
        if (style.title) format_set_font_size(f, 14);
        if (style.total) format_set_top(f, LXW_BORDER_THIN);
        it->second = f;
        return f;
    }

    // A text cell; `measure`: the column is made wide enough for it (up to its cap).
    void text(Sheet& sheet, lxw_row_t row, lxw_col_t col, const std::string& value, const Style& style,
              bool measure = true) {
        if (value.empty()) {
            if (style.total) check(worksheet_write_blank(sheet.ws, row, col, format(style)));
            return;
        }
        std::string cell = fit_cell(value);
        check(worksheet_write_string(sheet.ws, row, col, cell.c_str(), format(style)));
        if (measure && col < sheet.widths.size()) sheet.widths[col] = std::max(sheet.widths[col], widest_line(cell));
        if (style.wrap) sheet.wrapped.push_back({row, col, std::move(cell)});
    }

    // Whose number a cell holds, for the diagnostic when it cannot be stored: a node's or a
    // money line's (Program::money).
    struct Owner {
        bool money = false;
        std::uint32_t index = 0;
    };

    // A number cell holding exactly the printed decimal (xlsx::cell_number), shown with the
    // number format `number` (`shown` is how it looks, for the column's width). An unprintable
    // number ("?") was reported already; one that cannot be stored is reported here, once per
    // node (money line), at its place in the scheme, and no workbook is written.
    void number(Sheet& sheet, lxw_row_t row, lxw_col_t col, const std::string& printed, const Style& style, Owner owner,
                std::string_view what, std::size_t shown) {
        if (printed == "?") return;
        const auto value = xlsx::cell_number(printed);
        if (!value) {
            unstorable_ = true;
            if (!unstorable_owners_.emplace(owner.money, owner.index).second) return;
            const std::string& name = owner.money ? program_.money[owner.index].name : program_.nodes[owner.index].label;
            const SourcePos at = owner.money ? SourcePos{program_.money[owner.index].line, 1}
                                             : SourcePos{program_.nodes[owner.index].line, program_.nodes[owner.index].column};
            diags_.error(program_.info.source_name, Span{at, 1},
                         fmt::format("{} {} of '{}' cannot be stored exactly in an Excel cell: Excel keeps 15 "
                                     "significant digits; declare fewer `display` places, or use --format text, json or csv",
                                     what, printed, owner.money || owner.index != 0 ? name : std::string("合计")));
            return;
        }
        check(worksheet_write_number(sheet.ws, row, col, *value, format(style)));
        if (col < sheet.widths.size()) sheet.widths[col] = std::max(sheet.widths[col], shown);
    }

    // Columns as wide as their widest cell and heading, up to their cap (`caps[c]`, 0: none);
    // then each row holding wrapped text as tall as its longest wrapped cell.
    void set_widths(Sheet& sheet, const std::vector<std::size_t>& caps) {
        std::vector<std::size_t> applied(sheet.widths.size());
        for (std::size_t c = 0; c < sheet.widths.size(); ++c) {
            std::size_t width = sheet.widths[c] + 2;
            if (c < caps.size() && caps[c] && width > caps[c]) width = caps[c];
            applied[c] = width;
            check(worksheet_set_column(sheet.ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
                                       static_cast<double>(width), nullptr));
        }
        std::map<lxw_row_t, std::size_t> lines;  // by row: the most lines a wrapped cell takes
        for (const WrappedCell& cell : sheet.wrapped)
            if (cell.col < applied.size())
                lines[cell.row] = std::max(lines[cell.row], wrapped_lines(cell.text, applied[cell.col]));
        for (const auto& [row, n] : lines)
            if (n > 1) check(worksheet_set_row(sheet.ws, row, static_cast<double>(n * line_height_points), nullptr));
    }

    // Printed: A4 landscape, one page wide, the title and heading rows on every page.
    void page_setup(lxw_worksheet* ws) {
        worksheet_set_paper(ws, 9);
        worksheet_set_landscape(ws);
        worksheet_fit_to_pages(ws, 1, 0);
        check(worksheet_repeat_rows(ws, 0, 1));
        worksheet_freeze_panes(ws, 2, 0);
    }

    void properties() {
        const std::vector<std::string> stamp = report::stamp_lines(program_, evidence_);
        std::string title = program_.info.title, subject = "考核结果", author = "kaohe", company = program_.info.issuer;
        std::string comments = fmt::format("{}", fmt::join(stamp, "\n"));
        lxw_doc_properties p{};
        p.title = title.data();
        p.subject = subject.data();
        p.author = author.data();
        p.company = company.data();
        p.comments = comments.data();
        p.created = fixed_creation_time;
        check(workbook_set_properties(workbook_, &p));
        for (std::size_t i = 0; i < stamp.size(); ++i)
            check(workbook_set_custom_property_string(workbook_, fmt::format("stamp {}", i + 1).c_str(), stamp[i].c_str()));
    }

    std::string number_text(std::uint32_t node, std::string_view what, const Decimal& value) {
        return printed_.score(node, what, value).text;
    }

    // ---- the summary sheet: the ranking table and the stamp ----
    void summary() {
        Sheet sheet{workbook_add_worksheet(workbook_, std::string(xlsx::summary_sheet).c_str()), {}, {}};
        if (!sheet.ws) return check(LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE);
        std::vector<std::string> heads{"名次", "单位", "组别", "总分"};
        if (layout_.has_grades) heads.push_back(program_.choice_types[program_.grading.choice_type].name);
        for (const bc::Money& m : program_.money) heads.push_back(m.name);
        for (const bc::Flag& f : program_.flags) heads.push_back(f.name);
        sheet.widths.assign(heads.size(), 0);
        text(sheet, 0, 0, program_.info.title, Style{.title = true}, false);
        for (std::size_t c = 0; c < heads.size(); ++c) text(sheet, 1, static_cast<lxw_col_t>(c), heads[c], Style{.header = true});

        const Style plain{}, money{.number = base_format_ + "\"元\""}, total{.number = base_format_};
        lxw_row_t row = 2;
        std::size_t links = 0;
        for (std::size_t u : report::ranking_order(sheets_)) {
            const Scoresheet& s = sheets_[u];
            if (!check_(s)) continue;
            lxw_col_t col = 0;
            number(sheet, row, col++, std::to_string(s.rank), Style{.number = "0"}, Owner{}, "rank",
                   std::to_string(s.rank).size());
            const auto shown = std::find(shown_.begin(), shown_.end(), u);
            if (shown != shown_.end() && links < max_links) {
                std::string name = names_[static_cast<std::size_t>(shown - shown_.begin())], quoted;
                for (char c : name) quoted += c == '\'' ? std::string("''") : std::string(1, c);
                check(worksheet_write_url_opt(sheet.ws, row, col, fmt::format("internal:'{}'!A1", quoted).c_str(), nullptr,
                                              s.unit.c_str(), nullptr));
                sheet.widths[col] = std::max(sheet.widths[col], display_width(s.unit));
                ++links;
            } else {
                text(sheet, row, col, s.unit, plain);
            }
            ++col;
            text(sheet, row, col++, s.group, plain);
            const std::string t = number_text(0, "total", s.total());
            number(sheet, row, col++, t, total, Owner{}, "total", t.size());
            if (layout_.has_grades) text(sheet, row, col++, report::grade_name(program_, s.grade), plain);
            for (std::uint32_t m = 0; m < program_.money.size(); ++m) {
                std::string amount = printed_.money(m, "amount", s.money[m].amount);
                if (amount.ends_with("元")) amount.resize(amount.size() - std::strlen("元"));
                number(sheet, row, col++, amount, money, Owner{true, m}, "amount", amount.size() + 2);
            }
            for (std::uint32_t f = 0; f < program_.flags.size(); ++f)
                text(sheet, row, col++, s.flags[f] ? std::string(flag_mark) : std::string(), plain);
            ++row;
        }
        check(worksheet_autofilter(sheet.ws, 1, 0, row - 1, static_cast<lxw_col_t>(heads.size() - 1)));
        page_setup(sheet.ws);

        // Under the table: the document, then the stamp.
        row += 1;
        std::vector<std::string> lines;
        if (!program_.info.document.empty()) lines.push_back("文号: " + program_.info.document);
        if (!program_.info.issuer.empty()) lines.push_back("发文机关: " + program_.info.issuer);
        lines.push_back(fmt::format("考核结果：{} 个单位，评分表 {} 份", sheets_.size(), shown_.size()));
        for (const std::string& line : lines) text(sheet, row++, 0, line, plain, false);
        ++row;
        for (const std::string& line : report::stamp_lines(program_, evidence_)) text(sheet, row++, 0, line, plain, false);
        set_widths(sheet, std::vector<std::size_t>(heads.size(), max_plain_width));
    }

    // ---- a unit's score sheet ----
    struct Columns {
        std::vector<std::string> heads;
        lxw_col_t no = 0, label = 1, goal = 0, full = 0, self = 0, difference = 0, lost = 0, award = 0, score = 0,
                  reasons = 0;
    };

    Columns columns() const {
        Columns c;
        c.heads = {"序号", "项目"};
        const auto add = [&](const char* head) {
            c.heads.push_back(head);
            return static_cast<lxw_col_t>(c.heads.size() - 1);
        };
        if (has_goal_) c.goal = add("目标");
        c.full = add("标准分");
        if (layout_.has_self) {
            c.self = add("自查分");
            c.difference = add("差额");
        }
        c.lost = add("扣分");
        if (layout_.has_bonus) c.award = add("加分");
        c.score = add("得分");
        c.reasons = add("扣分理由");
        return c;
    }

    void unit_sheet(std::size_t u, const std::string& name) {
        const Scoresheet& s = sheets_[u];
        const UnitEvidence* unit = u < evidence_.units.size() ? &evidence_.units[u] : nullptr;
        Sheet sheet{workbook_add_worksheet(workbook_, name.c_str()), {}, {}};
        if (!sheet.ws) {
            diags_.internal(fmt::format("libxlsxwriter refused the sheet name '{}' of unit '{}'", name, s.unit));
            return check(LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE);
        }
        const Columns cols = columns();
        sheet.widths.assign(cols.heads.size(), 0);
        std::string about = "单位: " + s.unit;
        if (!s.group.empty()) about += "  组别: " + s.group;
        about += "  证据: " + s.file;
        text(sheet, 0, 0, about, Style{.bold = true}, false);
        for (std::size_t c = 0; c < cols.heads.size(); ++c)
            text(sheet, 1, static_cast<lxw_col_t>(c), cols.heads[c], Style{.header = true});
        page_setup(sheet.ws);
        worksheet_freeze_panes(sheet.ws, 2, 2);
        if (!check_(s)) return;
        report::UnitExplanation why;
        if (unit) why = report::explain_unit(program_, *unit, s);

        lxw_row_t row = 2;
        for (std::uint32_t n = 1; n < program_.nodes.size(); ++n) node_row(sheet, cols, row++, n, s, unit, why.rules);
        node_row(sheet, cols, row++, 0, s, unit, why.rules);
        check(worksheet_ignore_errors(sheet.ws, LXW_IGNORE_NUMBER_STORED_AS_TEXT,
                                      fmt::format("A3:A{}", row).c_str()));

        // Under the table: rank, grade, money and flags, as in the text report.
        row += 1;
        const Style plain{};
        if (sheets_.size() > 1) text(sheet, row++, 0, fmt::format("名次: {} (of {} units)", s.rank, sheets_.size()), plain, false);
        if (layout_.has_grades) {
            const std::string reason = report::grade_reason(program_, sheets_, u, printed_);
            std::string line = "等次: " + report::grade_name(program_, s.grade);
            if (!reason.empty()) line += " (" + reason + ")";
            text(sheet, row++, 0, line, plain, false);
        }
        for (std::uint32_t m = 0; m < program_.money.size(); ++m)
            text(sheet, row++, 0, report::money_line(program_, s, m, printed_), plain, false);
        for (std::uint32_t f = 0; f < program_.flags.size(); ++f)
            text(sheet, row++, 0, report::flag_line(program_, s, f), plain, false);

        std::vector<std::size_t> caps(cols.heads.size(), max_plain_width);
        caps[cols.label] = max_label_width;
        if (has_goal_) caps[cols.goal] = max_goal_width;
        caps[cols.reasons] = max_reason_width;
        set_widths(sheet, caps);
    }

    // The node's row: number, label, the document's words, its numbers and why it lost points.
    void node_row(Sheet& sheet, const Columns& cols, lxw_row_t row, std::uint32_t n, const Scoresheet& s,
                  const UnitEvidence* unit, const std::vector<report::RuleExplanation>& explanations) {
        const bc::NodeInfo& info = program_.nodes[n];
        const NodeOutcome& o = s.nodes[n];
        const bool total = n == 0;
        const auto depth = total ? 0 : std::count(layout_.numbers[n].begin(), layout_.numbers[n].end(), '.');
        const Style cell{.bold = info.kind == bc::NodeKind::section, .total = total};
        Style wrapped = cell;
        wrapped.wrap = true;
        text(sheet, row, cols.no, layout_.numbers[n], cell);
        Style label = wrapped;
        label.indent = static_cast<std::uint8_t>(std::min<long>(depth, 15));
        text(sheet, row, cols.label, total ? std::string("合计") : info.label, label);
        if (has_goal_) {
            std::string goal = info.goal;
            if (!info.text.empty()) goal += (goal.empty() ? "" : "\n") + info.text;
            text(sheet, row, cols.goal, total ? std::string() : goal, wrapped);
        }
        const auto numeric = [&](lxw_col_t col, std::string_view what, const Decimal& value, const std::string& format,
                                 std::size_t extra_width = 0) {
            const std::string printed = number_text(n, what, value);
            Style style = cell;
            style.number = format;
            number(sheet, row, col, printed, style, Owner{false, n}, what, printed.size() + extra_width);
        };
        // 标准分: "100 (+10)" for a node with extra bonus children, "(+10)" for such a child: the
        // cell holds the full marks, the number format adds the allowance's words.
        if (info.extra) {
            numeric(cols.full, "full marks", o.full, "\"(+\"" + base_format_ + "\")\"", 3);
        } else if (!layout_.extras[n].is_zero()) {
            const std::string extras = number_text(n, "extra points", layout_.extras[n]);
            numeric(cols.full, "full marks", o.full, base_format_ + "\" (+" + extras + ")\"", extras.size() + 4);
        } else {
            numeric(cols.full, "full marks", o.full, base_format_);
        }
        if (layout_.has_self) {
            if (const Decimal* self = report::self_score(unit, n)) {
                numeric(cols.self, "self-assessed score", *self, base_format_);
                numeric(cols.difference, "self-assessment difference", *self - o.score,
                        "+" + base_format_ + ";-" + base_format_ + ";" + base_format_, 1);
            } else {
                text(sheet, row, cols.self, {}, cell);
                text(sheet, row, cols.difference, {}, cell);
            }
        }
        // 扣分: points not scored, of the most the node could score; 加分: a bonus node's score.
        if (info.bonus) text(sheet, row, cols.lost, {}, cell);
        else numeric(cols.lost, "deduction", o.full + layout_.extras[n] - o.score, base_format_);
        if (layout_.has_bonus) {
            if (info.bonus) numeric(cols.award, "award", o.score, base_format_);
            else text(sheet, row, cols.award, {}, cell);
        }
        numeric(cols.score, "score", o.score, base_format_);
        text(sheet, row, cols.reasons, reasons(n, s, unit, explanations), wrapped);
    }

    // 扣分理由: each rule that took or gave points (or computed the score), headed by the
    // document's words and its scheme line, with what it read and computed; then the node's
    // floor, cap and self-assessed score notes.
    std::string reasons(std::uint32_t n, const Scoresheet& s, const UnitEvidence* unit,
                        const std::vector<report::RuleExplanation>& explanations) {
        std::vector<std::string> lines;
        for (std::uint32_t r : layout_.rules[n]) {
            if (r >= s.rules.size()) continue;
            const bc::RuleInfo& rule = program_.rules[r];
            const RuleOutcome& outcome = s.rules[r];
            if (!outcome.fired || (rule.kind != bc::RuleKind::score && outcome.applied.is_zero())) continue;
            std::string line = report::rule_heading(program_, rule, outcome);
            const std::string detail = r < explanations.size() ? report::rule_detail(rule, outcome, explanations[r])
                                                               : report::rule_effect(rule, outcome);
            if (!detail.empty()) line += "\n  " + detail;
            lines.push_back(std::move(line));
        }
        for (std::string& note : report::node_notes(program_, layout_.most, n, s.nodes[n], unit)) lines.push_back(std::move(note));
        return fmt::format("{}", fmt::join(lines, "\n"));
    }

    const bc::Program& program_;
    const EvidenceSet& evidence_;
    const std::vector<Scoresheet>& sheets_;
    Diagnostics& diags_;
    report::ReportNumbers printed_;
    const report::SheetLayout layout_;
    report::SheetCheck check_;
    std::vector<std::size_t> shown_;  // the units whose sheets the workbook holds, in that order
    std::vector<std::string> names_;  // their sheets' names
    bool has_goal_ = false;           // some node has a goal or text (the 目标 column)
    std::string base_format_;         // "0.00" for `display 2`, General without `display`
    lxw_workbook* workbook_ = nullptr;
    std::map<std::string, lxw_format*> formats_;
    lxw_error error_ = LXW_NO_ERROR;  // the first error libxlsxwriter reported
    bool unstorable_ = false;         // a number could not be stored exactly (reported)
    std::set<std::pair<bool, std::uint32_t>> unstorable_owners_;  // reported already
};

}  // namespace

std::optional<std::string> write_xlsx_report(const bc::Program& program, const EvidenceSet& evidence,
                                             const std::vector<Scoresheet>& sheets, const ReportOptions& options,
                                             Diagnostics& diags) {
    return report::write_with<XlsxReport>(program, evidence, sheets, options, diags);
}

}  // namespace kaohe
