// The encodings of evidence tables: GBK decoding in pieces (characters cut between them),
// invalid sequences, CP936's 0x80, detection, and where errors are placed.
#include "runtime/encoding.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <optional>
#include <string>
#include <vector>

using namespace kaohe;

namespace {

// 中文 in GBK (each byte pair is also a valid two-byte UTF-8 sequence: the ambiguous case).
const std::string zhongwen_gbk = "\xD6\xD0\xCE\xC4";
// 城南街道 in GBK, and in UTF-8.
const std::string chengnan_gbk = "\xB3\xC7\xC4\xCF\xBD\xD6\xB5\xC0";
const std::string chengnan_utf8 = "城南街道";

struct Decoded {
    bool ok = true;
    std::string text;
    std::uint64_t consumed = 0;
};

// Feeds `bytes` to a GbkDecoder in pieces of `piece` bytes.
Decoded gbk(std::string_view bytes, std::size_t piece) {
    GbkDecoder d;
    Decoded r;
    for (std::size_t i = 0; r.ok && i < bytes.size(); i += piece)
        r.ok = d.feed(bytes.substr(i, piece), r.text, false);
    if (r.ok) r.ok = d.feed({}, r.text, true);
    r.consumed = d.consumed();
    return r;
}

// Feeds `bytes` to a TableDecoder in pieces of `piece` bytes.
struct Table {
    bool ok = true;
    std::string text;
    TextEncoding encoding = TextEncoding::detect;
    std::string message;
    std::uint64_t failed_at = 0;
};
Table table(std::string_view bytes, TextEncoding requested, std::size_t piece) {
    TableDecoder d(requested);
    Table r;
    for (std::size_t i = 0; r.ok && i < bytes.size(); i += piece) r.ok = d.feed(bytes.substr(i, piece), r.text, false);
    if (r.ok) r.ok = d.feed({}, r.text, true);
    r.encoding = d.encoding();
    r.message = d.message();
    r.failed_at = d.failed_at();
    return r;
}

}  // namespace

TEST_CASE("GBK decodes to UTF-8 whatever the pieces it is fed in") {
    const std::string bytes = "unit," + chengnan_gbk + "\r\n" + zhongwen_gbk + ",7\n";
    const std::string expected = "unit,城南街道\r\n中文,7\n";
    for (std::size_t piece : {1, 2, 3, 5, 7, 1000}) {
        CAPTURE(piece);
        const Decoded r = gbk(bytes, piece);
        CHECK(r.ok);
        CHECK(r.text == expected);
        CHECK(r.consumed == bytes.size());
    }
}

TEST_CASE("GB18030's four-byte characters are completed across pieces") {
    // 0x81 0x30 0x81 0x30 is U+0080; 0x95 0x32 0x82 0x36 is U+20000 (𠀀).
    const std::string bytes = "\x81\x30\x81\x30\x95\x32\x82\x36";
    for (std::size_t piece : {1, 2, 3, 8}) {
        CAPTURE(piece);
        const Decoded r = gbk(bytes, piece);
        CHECK(r.ok);
        CHECK(r.text == "\xC2\x80\xF0\xA0\x80\x80");
    }
}

TEST_CASE("a byte that starts no GBK character stops the decoding at its offset") {
    SECTION("0xFF") {
        const Decoded r = gbk("ab" + chengnan_gbk + "\xFF" "cd", 3);
        CHECK_FALSE(r.ok);
        CHECK(r.text == "ab城南街道");
        CHECK(r.consumed == 10);
    }
    SECTION("a lead byte followed by a line end") {
        const Decoded r = gbk("x\xB3\n", 1);
        CHECK_FALSE(r.ok);
        CHECK(r.text == "x");
        CHECK(r.consumed == 1);
    }
    SECTION("a lead byte at the end of the file") {
        const Decoded r = gbk(chengnan_gbk + "\xB3", 4);
        CHECK_FALSE(r.ok);
        CHECK(r.text == chengnan_utf8);
        CHECK(r.consumed == 8);
    }
}

TEST_CASE("0x80 is the euro sign, as in Windows code page 936 (GB18030 has no such byte)") {
    const Decoded r = gbk("\x80" "5,\xA2\xE3", 1);  // CP936's single byte, and GB18030's A2E3
    CHECK(r.ok);
    CHECK(r.text == "€5,€");
}

TEST_CASE("detection: a BOM, UTF-8 with Chinese, and ASCII are UTF-8, passed on as they are") {
    for (const std::string bytes : {std::string("\xEF\xBB\xBF") + "unit\n" + chengnan_utf8 + "\n",
                                    "unit\n" + chengnan_utf8 + "\n", std::string("unit,group\na,b\n"),
                                    std::string("\xEF\xBB\xBF") + "unit\n" + zhongwen_gbk + "\n"}) {
        for (std::size_t piece : {1, 4, 4096}) {
            const Table r = table(bytes, TextEncoding::detect, piece);
            CHECK(r.ok);
            CHECK(r.encoding == TextEncoding::utf8);
            CHECK(r.text == bytes);
        }
    }
}

TEST_CASE("detection: GBK is transcoded, short GBK that is also UTF-8 of two-byte characters included") {
    for (const std::string name : {chengnan_gbk, zhongwen_gbk}) {
        const std::string bytes = "unit,group\r\n\"" + name + ", \xB6\xFE\"\r\n";  // "NAME, 二"
        for (std::size_t piece : {1, 3, 4096}) {
            const Table r = table(bytes, TextEncoding::detect, piece);
            CHECK(r.ok);
            CHECK(r.encoding == TextEncoding::gbk);
            CHECK(r.text.find(name == chengnan_gbk ? "城南街道" : "中文") != std::string::npos);
        }
    }
    // The same two-byte sequences with --encoding utf-8 are passed on as UTF-8.
    const Table forced = table(zhongwen_gbk, TextEncoding::utf8, 1);
    CHECK(forced.ok);
    CHECK(forced.text == zhongwen_gbk);
}

TEST_CASE("a table that is neither stops where the reading that got further stopped") {
    SECTION("UTF-8 gets further") {
        const std::string bytes = "unit\n" + chengnan_utf8 + "\n\xFF\n";
        const Table r = table(bytes, TextEncoding::detect, 5);
        CHECK_FALSE(r.ok);
        CHECK(r.encoding == TextEncoding::utf8);
        CHECK(r.failed_at == bytes.find('\xFF'));
        CHECK(r.text == "unit\n" + chengnan_utf8 + "\n");
        CHECK(r.message.starts_with("the table is neither UTF-8 nor GBK: this byte starts no UTF-8 character"));
    }
    SECTION("GBK gets further") {
        const std::string bytes = "unit\n" + chengnan_gbk + "\n" + chengnan_gbk + "\xFF\n";
        const Table r = table(bytes, TextEncoding::detect, 2);
        CHECK_FALSE(r.ok);
        CHECK(r.encoding == TextEncoding::gbk);
        CHECK(r.failed_at == bytes.find('\xFF'));
        CHECK(r.text == "unit\n城南街道\n城南街道");
        CHECK(r.message.starts_with("the table is neither UTF-8 nor GBK: this byte starts no GBK character"));
    }
}

TEST_CASE("errors are placed at the line and the column in characters of the file") {
    Diagnostics diags;
    std::string storage;
    // Line 3: 城南街道 (four characters, eight GBK bytes), a comma, then a byte in no encoding.
    const std::string bytes = "unit,n\r\n" + zhongwen_gbk + ",1\r\n" + chengnan_gbk + ",\xFF\r\n";
    SECTION("--encoding gbk") {
        CHECK_FALSE(table_text(bytes, TextEncoding::gbk, "t.csv", storage, diags));
        REQUIRE(diags.all().size() == 1);
        CHECK(diags.all()[0].span.begin.line == 3);
        CHECK(diags.all()[0].span.begin.column == 6);
        CHECK(diags.all()[0].message.starts_with("the table is not valid GBK"));
    }
    SECTION("detected") {
        CHECK_FALSE(table_text(bytes, TextEncoding::detect, "t.csv", storage, diags));
        REQUIRE(diags.all().size() == 1);
        CHECK(diags.all()[0].span.begin.line == 3);
        CHECK(diags.all()[0].span.begin.column == 6);
        CHECK(diags.all()[0].message.starts_with("the table is neither UTF-8 nor GBK"));
    }
    SECTION("shown as read: the text before the byte, the byte, then the rest read the same way") {
        CHECK(table_text_for_display(bytes + zhongwen_gbk, TextEncoding::gbk) ==
              "unit,n\r\n中文,1\r\n城南街道,\xFF\r\n中文");
        CHECK(table_text_for_display("unit\n" + chengnan_utf8 + "\xFF" + chengnan_utf8, TextEncoding::utf8) ==
              "unit\n" + chengnan_utf8 + "\xFF" + chengnan_utf8);
    }
}

TEST_CASE("table_text passes UTF-8 on without copying it and transcodes GBK") {
    Diagnostics diags;
    std::string storage;
    const std::string utf8 = "unit\n" + chengnan_utf8 + "\n";
    const auto same = table_text(utf8, TextEncoding::detect, "t.csv", storage, diags);
    REQUIRE(same);
    CHECK(same->data() == utf8.data());
    const auto transcoded = table_text("unit\n" + chengnan_gbk + "\n", TextEncoding::detect, "t.csv", storage, diags);
    REQUIRE(transcoded);
    CHECK(*transcoded == utf8);
    CHECK(diags.all().empty());
}

TEST_CASE("detection decides on the sample after the first non-ASCII byte, for the whole file") {
    // GBK in the sample and a byte in neither encoding past it: the sample decided GBK, so the
    // byte is a GBK error at its offset, fed in blocks as the streamed path feeds it or in pieces.
    std::string bytes = "unit\n" + chengnan_gbk + "\n";
    bytes += std::string(encoding_sample_bytes, 'a');
    bytes += "\n";
    for (std::size_t piece : {std::size_t{1} << 20, std::size_t{4096}}) {
        CAPTURE(piece);
        const Table r = table(bytes + "\xFF\n", TextEncoding::detect, piece);
        CHECK_FALSE(r.ok);
        CHECK(r.encoding == TextEncoding::gbk);
        CHECK(r.message.starts_with("the table is not valid GBK"));
        CHECK(r.failed_at == bytes.size());
    }
}

namespace {
// The reference: sequence by sequence, with utf8_sequence_length (the definition of well-formed).
std::optional<std::size_t> first_invalid_by_sequences(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t len = utf8_sequence_length(text, i);
        if (len == 0) return i;
        i += len;
    }
    return std::nullopt;
}
}  // namespace

TEST_CASE("first_invalid_utf8 agrees with the sequence-by-sequence reading on every byte class and at every block edge") {
    // Every byte where the checks' tables differ, and the ends of each range.
    const std::vector<unsigned char> classes = {0x00, 0x2C, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2,
                                                0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5,
                                                0xFF};
    // Before the bytes: nothing, ASCII that puts them across the 8-byte skip's boundary or across
    // the 16-byte blocks' (13..15 bytes), or CJK; after them: nothing, or more (a character cut
    // short at the end, or followed by ASCII).
    const std::vector<std::string> before = {"", "abcdefg", "是否,", std::string(13, 'a'), std::string(14, 'a'),
                                             std::string(15, 'a'), "是否是否是"};
    const std::vector<std::string> after = {"", "x", "12345678"};
    std::size_t checked = 0, invalid = 0, disagree = 0;
    std::string first_disagreement;
    const auto check = [&](const std::string& bytes) {
        for (const auto& b : before)
            for (const auto& a : after) {
                const std::string text = b + bytes + a;
                const auto expected = first_invalid_by_sequences(text);
                if (first_invalid_utf8(text) != expected && disagree++ == 0) first_disagreement = text;
                ++checked;
                invalid += expected.has_value();
            }
    };
    for (unsigned b0 = 0; b0 < 256; ++b0)
        for (unsigned b1 = 0; b1 < 256; ++b1) check({static_cast<char>(b0), static_cast<char>(b1)});
    for (auto b0 : classes)
        for (auto b1 : classes)
            for (auto b2 : classes)
                for (auto b3 : classes)
                    check({static_cast<char>(b0), static_cast<char>(b1), static_cast<char>(b2), static_cast<char>(b3)});
    std::string shown;
    for (unsigned char c : first_disagreement) shown += fmt::format("{:02X} ", c);
    INFO("first disagreement: " << shown);
    CHECK(disagree == 0);
    CHECK(checked == before.size() * after.size() *
                         (256 * 256 + classes.size() * classes.size() * classes.size() * classes.size()));
    CHECK(invalid > checked / 2);  // both answers are well represented
    CHECK(checked - invalid > 10'000);
}

TEST_CASE("first_invalid_utf8 finds the first bad byte in long text, wherever it lies") {
    // 是 and ASCII in turn for 200 bytes, then one bad byte at each offset in turn: the offset is
    // the answer, and the text without it is valid.
    std::string good;
    while (good.size() < 200) good += (good.size() % 5 == 0) ? "是" : "a";
    CHECK_FALSE(first_invalid_utf8(good).has_value());
    for (std::size_t at = 0; at + 3 < good.size(); ++at) {
        if ((static_cast<unsigned char>(good[at]) & 0xC0) == 0x80) continue;  // inside a character
        std::string bad = good;
        bad.insert(at, "\xFF");
        CHECK(first_invalid_utf8(bad) == at);
        bad = good;
        bad.insert(at, "\xE6\x98");  // 是 cut short
        CHECK(first_invalid_utf8(bad) == at);
    }
}
