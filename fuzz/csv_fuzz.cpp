// Fuzz target: the CSV reader, then the typing of a whole table against a fixed scheme
// (fuzz_scheme.hpp); units that load are also scored.
#include "fuzz/fuzz_scheme.hpp"
#include "runtime/csv.hpp"
#include "runtime/evidence.hpp"
#include "runtime/vm.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const kaohe::bc::Program& program = kaohe::fuzz::fixed_program();
    kaohe::Diagnostics diags;
    kaohe::CsvTable table;
    (void)kaohe::read_csv(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.csv", table, diags);
    kaohe::EvidenceSet set;
    const std::string path = kaohe::fuzz::scratch_file(".csv", data, size);
    (void)kaohe::load_evidence_csv(program, path, set, diags);
    for (const kaohe::UnitEvidence& unit : set.units) (void)kaohe::evaluate(program, unit, kaohe::Explain::yes, diags);
    return 0;
}
