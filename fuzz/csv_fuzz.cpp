// Fuzz target: the CSV reader, then the typing of a whole table against a fixed scheme
// (fuzz_scheme.hpp); units that load are also scored. The bytes are also read as each encoding
// (runtime/encoding.hpp), and a TableDecoder fed them in pieces (as the streamed path feeds
// blocks, characters cut between pieces) must give exactly what it gives fed them whole.
#include "fuzz/fuzz_scheme.hpp"
#include "runtime/csv.hpp"
#include "runtime/encoding.hpp"
#include "runtime/evidence.hpp"
#include "runtime/vm.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

struct Fed {
    bool ok = true;
    std::string text;
    std::uint64_t failed_at = 0;
};

Fed feed(std::string_view bytes, kaohe::TextEncoding encoding, std::size_t piece) {
    kaohe::TableDecoder decoder(encoding);
    Fed r;
    for (std::size_t i = 0; r.ok && i < bytes.size(); i += piece) r.ok = decoder.feed(bytes.substr(i, piece), r.text, false);
    if (r.ok) r.ok = decoder.feed({}, r.text, true);
    r.failed_at = decoder.failed_at();
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const kaohe::bc::Program& program = kaohe::fuzz::fixed_program();
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    kaohe::Diagnostics diags;
    kaohe::CsvTable table;
    (void)kaohe::read_csv(bytes, "fuzz.csv", table, diags);
    const std::size_t piece = size == 0 ? 1 : 1 + data[0] % 7;
    for (const auto encoding : {kaohe::TextEncoding::detect, kaohe::TextEncoding::gbk}) {
        const Fed whole = feed(bytes, encoding, bytes.size() + 1), pieces = feed(bytes, encoding, piece);
        if (whole.ok != pieces.ok || whole.text != pieces.text || whole.failed_at != pieces.failed_at) std::abort();
    }
    kaohe::EvidenceSet set;
    const std::string path = kaohe::fuzz::scratch_file(".csv", data, size);
    (void)kaohe::load_evidence_csv(program, path, set, diags);
    (void)kaohe::load_evidence_csv(program, path, set, diags, kaohe::TextEncoding::gbk);
    for (const kaohe::UnitEvidence& unit : set.units) (void)kaohe::evaluate(program, unit, kaohe::Explain::yes, diags);
    return 0;
}
