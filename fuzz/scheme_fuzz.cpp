// Fuzz target: the scheme front end and the compiler. Any bytes go through parse -> compile ->
// verify, and a compiled Program through serialize -> deserialize -> disassemble. Nothing may
// crash, hang or trip a sanitizer; a Program the compiler produced must pass the verifier and
// survive the .khc round trip byte for byte.
#include "compiler/bytecode_file.hpp"
#include "compiler/compile.hpp"
#include "lang/parse.hpp"
#include "runtime/verify.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    kaohe::Diagnostics diags;
    const auto scheme = kaohe::parse_scheme(text, "fuzz.kh", diags);
    if (!scheme) return 0;
    const auto program = kaohe::compile(*scheme, text, diags);
    if (!program) return 0;
    // The compiler's output is trusted by nobody, but it must always be accepted.
    if (!kaohe::verify(*program, "fuzz.kh", diags)) {
        std::fprintf(stderr, "compiled program failed verification\n");
        std::abort();
    }
    const std::string bytes = kaohe::serialize(*program);
    kaohe::Diagnostics load_diags;
    const auto loaded = kaohe::deserialize(bytes, "fuzz.khc", load_diags);
    if (!loaded || kaohe::serialize(*loaded) != bytes) {
        std::fprintf(stderr, "compiled program did not survive the .khc round trip\n");
        std::abort();
    }
    (void)kaohe::disassemble(*loaded);
    return 0;
}
