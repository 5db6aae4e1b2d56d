// Fuzz target: the evidence text parser and the typing of its facts against a fixed scheme
// (fuzz_scheme.hpp); a unit that loads is also scored, with explanations.
#include "fuzz/fuzz_scheme.hpp"
#include "runtime/evidence.hpp"
#include "runtime/vm.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const kaohe::bc::Program& program = kaohe::fuzz::fixed_program();
    kaohe::Diagnostics diags;
    // The parser alone, on the bytes as given ...
    (void)kaohe::parse_evidence(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.txt", diags);
    // ... and the loader, which reads a file and types every fact.
    kaohe::EvidenceSet set;
    const std::string path = kaohe::fuzz::scratch_file(".txt", data, size);
    if (!kaohe::load_evidence_file(program, path, set, diags)) return 0;
    for (const kaohe::UnitEvidence& unit : set.units) (void)kaohe::evaluate(program, unit, kaohe::Explain::yes, diags);
    return 0;
}
