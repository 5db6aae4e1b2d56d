// The streamed batch run (docs/performance.md "The streaming path"):
//
//   main thread: read a block ─▶ cut after the last whole row ─▶ chunk k ─▶ worker k mod N
//   worker:      parse rows ─▶ type (CsvUnitTyper) ─▶ score (BatchEvaluator) ─▶ CSV rows
//   main thread: write chunk k's rows, diagnostics and unit names in input order
//
// Chunks are cut by block size only, and each chunk's output depends only on its bytes, so the
// output is byte-identical whatever the number of threads. With one thread nothing is handed
// over: the main thread does each chunk itself.
#include "cli/stream.hpp"
#include "cli/files.hpp"

#include "runtime/csv.hpp"
#include "runtime/encoding.hpp"
#include "runtime/evidence.hpp"
#include "runtime/radix_sort.hpp"
#include "runtime/report_csv.hpp"
#include "runtime/sha256.hpp"
#include "runtime/vm.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <sys/stat.h>
#include <unistd.h>

namespace kaohe::cli {
namespace {

namespace fs = std::filesystem;

// Limits and sizes, each with its reason.
constexpr std::size_t block_bytes = 1u << 20;     // a read: ~5,000 units of seed 000, large enough to
                                                  // amortise a hand-over, small enough to stay in cache
constexpr std::size_t output_buffer_bytes = 1u << 20;  // stdio buffer of the results file
constexpr unsigned max_jobs = 256;                 // more threads than this is a typo, not a machine

// ---- output -------------------------------------------------------------------------------

// The results, to stdout or to -o through an OutputFile (cli/files.hpp: a failed run leaves
// the old file as it was, as every -o does), behind a large stdio buffer.
class Sink {
public:
    bool open(const std::string& output, Diagnostics& diags) {
        output_ = output;
        if (output.empty()) {
            file_ = stdout;
            return true;
        }
        if (!out_.open(output, diags)) return false;
        file_ = ::fdopen(::dup(out_.fd()), "wb");
        if (!file_) {
            out_.abandon();
            diags.error(output, Span{}, fmt::format("cannot write file: {}", std::strerror(errno)));
            return false;
        }
        std::setvbuf(file_, nullptr, _IOFBF, output_buffer_bytes);
        return true;
    }
    void write(std::string_view bytes) {
        if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) failed_ = true;
    }
    // Makes the results visible when `keep`; else drops them. False after reporting a write error.
    bool close(bool keep, Diagnostics& diags) {
        if (!file_) return false;
        if (output_.empty()) {
            const bool ok = std::fflush(stdout) == 0 && !failed_;
            if (!ok) diags.error("", Span{}, "cannot write the results to standard output");
            return ok;
        }
        const bool ok = std::fclose(file_) == 0 && !failed_;
        const int error = errno;
        file_ = nullptr;
        if (!keep) {
            out_.abandon();
            return false;
        }
        if (!ok) {
            out_.abandon();
            diags.error(output_, Span{}, fmt::format("cannot write file: {}", std::strerror(error)));
            return false;
        }
        return out_.commit(diags);
    }

private:
    std::string output_;
    OutputFile out_;
    std::FILE* file_ = nullptr;
    bool failed_ = false;
};

// ---- duplicate unit names -------------------------------------------------------------------

// Every unit name's 64-bit hash, appended as the units come (8 bytes a unit, the only memory
// that grows with the run) and sorted once at the end, by radix (std::sort's comparisons were
// 2.6 % of a million-unit run): a hash table probed at random would miss the cache for every
// unit of a large run. A hash seen twice is only a suspect: the names are compared exactly
// afterwards (BatchRun::confirm_duplicates), so a hash collision never reports a duplicate.
class NameHashes {
public:
    void add(std::uint64_t hash) { hashes_.push_back(hash); }
    // The hashes added more than once, sorted, each once.
    std::vector<std::uint64_t> repeated() {
        radix_sort(hashes_);
        std::vector<std::uint64_t> out;
        for (std::size_t i = 1; i < hashes_.size(); ++i)
            if (hashes_[i] == hashes_[i - 1] && (out.empty() || out.back() != hashes_[i])) out.push_back(hashes_[i]);
        return out;
    }

private:
    std::vector<std::uint64_t> hashes_;
};

std::uint64_t name_hash(std::string_view name) { return std::hash<std::string_view>{}(name); }

// A unit as the duplicate check needs it.
struct UnitPlace {
    std::uint64_t hash = 0;
    std::uint32_t line = 0;
};

// ---- chunks ---------------------------------------------------------------------------------

struct Chunk {
    std::string bytes;
    std::uint32_t first_line = 1;
    std::string out;                 // its result rows
    Diagnostics diags;
    std::vector<UnitPlace> units;    // the units scored, in order
    bool stop = false;               // the table is read no further (not UTF-8, an open quote)
    // A population run (run_population_streamed): pass 1 keeps what the run needs of its units
    // in `batch`; a later pass replays the `expected` units from the run's unit `first_unit` on.
    PopulationRun::Batch batch;
    std::size_t first_unit = 0, expected = 0;
    std::size_t at_barrier = 0;      // its units that stopped at a barrier
};

// A streamed population run: what it keeps of the units, and where each chunk's units are among
// them (pass 1 records it; the later passes cut the same chunks, in the same order). In the
// last pass (`writing`) the units are evaluated once more and their rows written.
struct PopulationPasses {
    PopulationRun run;
    std::vector<std::size_t> chunk_first, chunk_units;
    bool writing = false;
    explicit PopulationPasses(const bc::Program& program) : run(program) {}
};

// What one thread needs to score chunks: its own typer, evaluator and reused buffers.
struct Worker {
    std::unique_ptr<CsvUnitTyper> typer;
    BatchEvaluator evaluator;
    const CsvResultWriter& writer;
    const std::string& path;
    std::size_t header_cells;
    CsvRow row;
    UnitEvidence unit;
    PopulationPasses* population = nullptr;  // a population run's pass `pass`
    int pass = 0;
    std::unique_ptr<PopulationRun::Stepper> stepper;

    Worker(std::unique_ptr<CsvUnitTyper> t, const bc::Program& program, const CsvResultWriter& w,
           const std::string& p, std::size_t cells, PopulationPasses* passes = nullptr, int pass_number = 0)
        : typer(std::move(t)), evaluator(program), writer(w), path(p), header_cells(cells), population(passes),
          pass(pass_number) {
        if (population) stepper = std::make_unique<PopulationRun::Stepper>(program);
    }

    void process(Chunk& chunk) {
        chunk.out.clear();
        chunk.units.clear();
        chunk.diags = Diagnostics{};
        chunk.stop = false;
        chunk.at_barrier = 0;
        if (population) return process_population(chunk);
        CsvRowCursor cursor(chunk.bytes, chunk.first_line, path, chunk.diags);
        while (cursor.next(row, header_cells)) {
            if (!typer->type_row(row, unit, chunk.diags)) continue;
            const Scoresheet* sheet = evaluator.evaluate(unit, chunk.diags);
            if (!sheet) continue;
            if (!writer.append_row(*sheet, chunk.out, chunk.diags)) continue;
            chunk.units.push_back(UnitPlace{name_hash(unit.name), row.line});
        }
        chunk.stop = cursor.bad_utf8() || cursor.offset() < chunk.bytes.size();
    }

    // Pass 1 types each row and runs it to its first barrier, keeping what the run needs of it
    // (not its evidence) in chunk.batch; a later pass types the row again and replays the unit,
    // the last one to write its row. A row that cannot be written stops the run there, as the
    // whole-loaded run's writing stops at its first such row (write_population).
    void process_population(Chunk& chunk) {
        CsvRowCursor cursor(chunk.bytes, chunk.first_line, path, chunk.diags);
        std::size_t replayed = 0;
        bool unwritten = false;
        while (cursor.next(row, header_cells)) {
            if (!typer->type_row(row, unit, chunk.diags)) continue;
            if (pass == 1) {
                if (stepper->first(chunk.batch, unit, chunk.diags) == PopulationRun::Step::barrier) ++chunk.at_barrier;
                chunk.units.push_back(UnitPlace{name_hash(unit.name), row.line});
                continue;
            }
            if (replayed == chunk.expected) break;
            const std::size_t index = chunk.first_unit + replayed++;
            if (population->writing) {
                const Scoresheet* sheet = stepper->sheet(population->run, index, unit, chunk.diags);
                if (!sheet || !writer.append_row(*sheet, chunk.out, chunk.diags)) {
                    unwritten = true;
                    break;
                }
            } else if (stepper->replay(population->run, index, unit, chunk.diags) == PopulationRun::Step::barrier) {
                ++chunk.at_barrier;
            }
        }
        if (pass != 1 && !unwritten && replayed != chunk.expected)
            chunk.diags.error(path, Span{}, "the table changed while it was read");
        chunk.stop = unwritten || cursor.bad_utf8() || cursor.offset() < chunk.bytes.size();
    }
};

// N threads, each scoring the chunks k with k mod N == its index, from a ring of 2N slots so the
// main thread reads ahead while they work.
class Pool {
public:
    Pool(std::vector<std::unique_ptr<Worker>> workers) : workers_(std::move(workers)), slots_(2 * workers_.size()) {
        for (std::size_t w = 0; w < workers_.size(); ++w) threads_.emplace_back([this, w] { work(w); });
    }
    ~Pool() {
        {
            std::lock_guard lock(mutex_);
            shutdown_ = true;
        }
        changed_.notify_all();
        for (auto& t : threads_) t.join();
    }
    std::size_t size() const { return slots_.size(); }
    Chunk& slot(std::size_t k) { return slots_[k % slots_.size()].chunk; }
    void submit(std::size_t k) {
        {
            std::lock_guard lock(mutex_);
            slots_[k % slots_.size()].state = State::filled;
        }
        changed_.notify_all();
    }
    void wait_done(std::size_t k) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return slots_[k % slots_.size()].state == State::done; });
        slots_[k % slots_.size()].state = State::empty;
    }

private:
    enum class State : std::uint8_t { empty, filled, done };
    struct Slot {
        Chunk chunk;
        State state = State::empty;
    };
    void work(std::size_t w) {
        for (std::size_t k = w;; k += workers_.size()) {
            Slot& s = slots_[k % slots_.size()];
            {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [&] { return shutdown_ || s.state == State::filled; });
                if (s.state != State::filled) return;
            }
            workers_[w]->process(s.chunk);
            {
                std::lock_guard lock(mutex_);
                s.state = State::done;
            }
            changed_.notify_all();
        }
    }
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<Slot> slots_;
    std::vector<std::thread> threads_;
    std::mutex mutex_;
    std::condition_variable changed_;
    bool shutdown_ = false;
};

// ---- the run --------------------------------------------------------------------------------

class BatchRun {
public:
    BatchRun(const bc::Program& program, unsigned jobs, TextEncoding encoding, Sink& sink, Diagnostics& diags)
        : program_(program), jobs_(jobs), encoding_(encoding), sink_(sink), diags_(diags),
          writer_(program, has_population_phase(program)) {}

    void start() { sink_.write(writer_.header()); }

    bool csv(const std::string& path);
    bool text(const std::string& path);
    // Makes csv() run pass `pass` of a population run instead of scoring: nothing is written
    // but in the last pass (PopulationPasses::writing).
    void population(PopulationPasses* passes, int pass) {
        population_ = passes;
        pass_ = pass;
    }
    std::size_t at_barrier() const { return at_barrier_; }
    bool too_many() const { return too_many_; }
    bool duplicate_suspects() { return !hashes_.repeated().empty(); }
    const std::vector<EvidenceInput>& inputs() const { return inputs_; }
    void finish() {
        confirm_duplicates();
        sink_.write(writer_.stamp(inputs_));
    }

private:
    // Takes a finished chunk's results, in input order.
    void take(Chunk& chunk, std::size_t input) {
        sink_.write(chunk.out);
        for (auto& d : chunk.diags.all()) diags_.add(d);
        if (population_) {
            if (pass_ == 1) {
                population_->chunk_first.push_back(population_->run.units());
                population_->chunk_units.push_back(chunk.batch.size());
                population_->run.append(chunk.batch);
            }
            at_barrier_ += chunk.at_barrier;
        }
        for (const UnitPlace& u : chunk.units) {
            if (++units_ > max_units_per_run) {
                if (!too_many_)
                    diags_.error(inputs_[input].file, Span{SourcePos{u.line, 1}, 1},
                                 fmt::format("more than {} units in one run", max_units_per_run));
                too_many_ = true;
                return;
            }
            hashes_.add(u.hash);
        }
    }

    // Appends the table's next block to `buffer`, as text (UTF-8), and digests its bytes as they
    // are on disk. False at the end of the file, and at a byte in no encoding the table's reading
    // allows (the rest of the file is then read for the digest only, `buffer` is cut after the
    // last whole row before it, and the error waits in decode_error_ for the rows before it).
    bool read_block(std::FILE* f, std::string& buffer, Sha256Stream& digest, TableDecoder& decoder) {
        if (decoder.encoding() == TextEncoding::utf8) {  // read in place: UTF-8 pays for nothing more
            const std::size_t old = buffer.size();
            buffer.resize(old + block_bytes);
            const std::size_t got = std::fread(buffer.data() + old, 1, block_bytes, f);
            buffer.resize(old + got);
            digest.update(std::string_view(buffer).substr(old));
            return got != 0;
        }
        raw_.resize(block_bytes);
        raw_.resize(std::fread(raw_.data(), 1, block_bytes, f));
        digest.update(raw_);
        const bool got = !raw_.empty();
        if (decoder.feed(raw_, buffer, !got)) {
            if (decoder.encoding() == TextEncoding::utf8) std::string().swap(raw_);  // decided: read in place
            return got;
        }
        SourcePos at = csv_position_after(buffer);
        at.line += buffer_line_ - 1;
        decode_error_ = Diagnostic{Severity::error, current_path_, Span{at, 1}, decoder.message(), decoder.hint()};
        buffer.resize(csv_rows_end(buffer));
        while (!raw_.empty()) {
            raw_.resize(block_bytes);
            raw_.resize(std::fread(raw_.data(), 1, block_bytes, f));
            digest.update(raw_);
        }
        return false;
    }

    void confirm_duplicates();

    const bc::Program& program_;
    unsigned jobs_;
    TextEncoding encoding_;
    std::string raw_;                          // a block of a table that is not read as UTF-8
    std::uint32_t buffer_line_ = 1;            // the line the buffer of the table being read starts on
    std::string current_path_;
    std::optional<Diagnostic> decode_error_;   // a byte in no allowed encoding, reported after the rows before it
    Sink& sink_;
    Diagnostics& diags_;
    CsvResultWriter writer_;
    std::vector<EvidenceInput> inputs_;
    std::vector<bool> input_is_csv_;
    NameHashes hashes_;
    std::vector<std::pair<std::string, std::uint32_t>> text_units_;  // name, input index (text files)
    std::size_t units_ = 0;
    bool too_many_ = false;
    PopulationPasses* population_ = nullptr;
    int pass_ = 0;
    std::size_t chunk_seq_ = 0;    // chunks cut so far, over all inputs (a population run's later passes)
    std::size_t at_barrier_ = 0;
};

bool BatchRun::csv(const std::string& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        diags_.error(path, Span{}, "is a directory, expected an evidence file");
        return false;
    }
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
        diags_.error(path, Span{}, "cannot open file");
        return false;
    }
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(f, &std::fclose);
    const std::size_t errors_before = diags_.error_count();
    const std::size_t input = inputs_.size();
    inputs_.push_back(EvidenceInput{path, {}});
    input_is_csv_.push_back(true);
    Sha256Stream digest;
    TableDecoder decoder(encoding_);
    current_path_ = path;
    buffer_line_ = 1;
    decode_error_.reset();
    // A byte in no allowed encoding, after the diagnostics of the rows before it.
    const auto report_decode_error = [&] {
        if (decode_error_) diags_.add(std::move(*decode_error_));
        decode_error_.reset();
    };

    // The header: read until the first whole row.
    std::string buffer;
    bool more = true;
    std::size_t end = 0;
    while ((end = csv_rows_end(buffer)) == 0 && (more = read_block(f, buffer, digest, decoder))) {}
    if (!more) end = buffer.size();
    const std::size_t bom = csv_bom_length(buffer);
    Diagnostics header_diags;
    CsvRow header;
    CsvRowCursor cursor(std::string_view(buffer).substr(bom, end - bom), 1, path, header_diags);
    const bool has_header = cursor.next(header, 0);
    for (auto& d : header_diags.all()) diags_.add(d);
    if (!has_header) {
        while (more) more = read_block(f, buffer, digest, decoder);
        inputs_[input].sha256 = digest.finish();
        report_decode_error();
        if (diags_.error_count() == errors_before) diags_.error(path, Span{}, "the table is empty: expected a header row");
        return false;
    }
    auto typer = CsvUnitTyper::from_header(program_, path, header, diags_);
    if (!typer) {
        while (more) more = read_block(f, buffer, digest, decoder);
        inputs_[input].sha256 = digest.finish();
        report_decode_error();
        return false;
    }
    const std::size_t header_cells = header.cells.size();
    buffer_line_ = cursor.line();
    buffer.erase(0, bom + cursor.offset());

    // Cuts the next chunk of whole rows off `buffer` (all of it at the end of the file).
    const auto next_chunk = [&](Chunk& chunk) -> bool {
        std::size_t cut = 0;
        while (more && (buffer.size() < block_bytes || (cut = csv_rows_end(buffer)) == 0))
            more = read_block(f, buffer, digest, decoder);
        if (!more) cut = buffer.size();
        if (cut == 0) return false;
        // The chunk takes the buffer's storage; only the part row after the cut is copied back
        // (copying the chunk out and moving the rest down cost two copies of every block).
        chunk.bytes.swap(buffer);
        buffer.assign(chunk.bytes, cut);
        chunk.bytes.resize(cut);
        chunk.first_line = buffer_line_;
        buffer_line_ += csv_line_feeds(chunk.bytes);
        if (population_ && pass_ != 1) {  // the units pass 1 found in this chunk (none if the table grew)
            const std::size_t seq = chunk_seq_++;
            const bool known = seq < population_->chunk_first.size();
            chunk.first_unit = known ? population_->chunk_first[seq] : population_->run.units();
            chunk.expected = known ? population_->chunk_units[seq] : 0;
        }
        return true;
    };

    bool stopped = false;
    if (jobs_ <= 1) {
        Worker worker(std::move(typer), program_, writer_, path, header_cells, population_, pass_);
        Chunk chunk;
        while (!stopped && !too_many_ && next_chunk(chunk)) {
            worker.process(chunk);
            take(chunk, input);
            stopped = chunk.stop;
        }
    } else {
        std::vector<std::unique_ptr<Worker>> workers;
        for (unsigned w = 0; w < jobs_; ++w)
            workers.push_back(
                std::make_unique<Worker>(typer->clone(), program_, writer_, path, header_cells, population_, pass_));
        Pool pool(std::move(workers));
        std::size_t submitted = 0, taken = 0;
        while (!stopped && !too_many_) {
            if (submitted - taken == pool.size()) {  // the ring is full: take the oldest first
                pool.wait_done(taken);
                take(pool.slot(taken), input);
                stopped = pool.slot(taken).stop;
                ++taken;
                continue;
            }
            if (!next_chunk(pool.slot(submitted))) break;
            pool.submit(submitted++);
        }
        for (; taken < submitted; ++taken) {  // the rest, in order (discarded after a stop)
            pool.wait_done(taken);
            if (!stopped && !too_many_) {
                take(pool.slot(taken), input);
                stopped = pool.slot(taken).stop;
            }
        }
    }
    while (more) more = read_block(f, buffer, digest, decoder);  // the digest covers the whole file
    if (!stopped && !too_many_) report_decode_error();
    if (std::ferror(f)) diags_.error(path, Span{}, "cannot read file");
    inputs_[input].sha256 = digest.finish();
    if (decoder.encoding() == TextEncoding::gbk && !decoder.failed()) inputs_[input].encoding = TextEncoding::gbk;
    return diags_.error_count() == errors_before;
}

// A text evidence file or a directory of them: loaded as `run` loads them, scored one by one.
bool BatchRun::text(const std::string& path) {
    EvidenceSet set;
    const bool ok = load_evidence(program_, {path}, set, diags_);
    BatchEvaluator evaluator(program_);
    for (const UnitEvidence& unit : set.units) {
        const Scoresheet* sheet = evaluator.evaluate(unit, diags_);
        std::string row;
        if (!sheet || !writer_.append_row(*sheet, row, diags_)) continue;
        sink_.write(row);
        text_units_.emplace_back(unit.name, inputs_.size());
        hashes_.add(name_hash(unit.name));
    }
    for (auto& in : set.inputs) {
        inputs_.push_back(in);
        input_is_csv_.push_back(false);
    }
    return ok;
}

// The names whose hashes were seen twice are compared exactly, reading the tables again (only
// when there is a suspect: a real duplicate, or a hash collision that is then no error).
void BatchRun::confirm_duplicates() {
    const std::vector<std::uint64_t> suspects = hashes_.repeated();
    if (suspects.empty()) return;
    struct Place {
        std::string file;
        std::uint32_t line = 0;
    };
    std::map<std::string, std::vector<Place>> places;  // suspect names -> where, in input order
    const auto note = [&](const std::string& name, const std::string& file, std::uint32_t line) {
        if (std::binary_search(suspects.begin(), suspects.end(), name_hash(name)))
            places[name].push_back(Place{file, line});
    };
    std::size_t text_index = 0;
    for (std::size_t i = 0; i < inputs_.size(); ++i) {
        const std::string& path = inputs_[i].file;
        if (!input_is_csv_[i]) {
            for (; text_index < text_units_.size() && text_units_[text_index].second == i; ++text_index)
                note(text_units_[text_index].first, path, 1);
            continue;
        }
        std::FILE* f = std::fopen(path.c_str(), "rb");
        if (!f) continue;
        const std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(f, &std::fclose);
        std::string buffer, block(block_bytes, '\0');
        std::size_t got;
        while ((got = std::fread(block.data(), 1, block.size(), f)) != 0) buffer.append(block, 0, got);
        Diagnostics ignored;
        std::string transcoded;
        const std::string_view text = table_text(buffer, encoding_, path, transcoded, ignored).value_or(transcoded);
        const std::size_t bom = csv_bom_length(text);
        CsvRowCursor cursor(text.substr(bom), 1, path, ignored);
        CsvRow row;
        if (!cursor.next(row, 0)) continue;
        std::size_t unit_column = row.cells.size();
        for (std::size_t c = 0; c < row.cells.size(); ++c)
            if (row.cells[c].value() == "unit" || row.cells[c].value() == "单位") unit_column = c;
        const std::size_t cells = row.cells.size();
        while (cursor.next(row, cells)) {
            if (unit_column >= row.cells.size()) break;
            std::string_view name = row.cells[unit_column].value();
            while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
            while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
            note(std::string(name), path, row.line);
        }
    }
    for (const auto& [name, where] : places) {
        for (std::size_t k = 1; k < where.size(); ++k) {
            diags_.error(where[k].file, Span{SourcePos{where[k].line, 1}, 1},
                         fmt::format("duplicate unit '{}' (also at {}:{})", name, where[0].file, where[0].line));
            diags_.note(where[0].file, Span{SourcePos{where[0].line, 1}, 1},
                        fmt::format("unit '{}' first given here", name));
        }
    }
}

// The rows of a population run, with ranks, then the stamp.
bool write_population(const bc::Program& program, const std::vector<Scoresheet>& sheets,
                      const std::vector<EvidenceInput>& inputs, Sink& sink, Diagnostics& diags) {
    const CsvResultWriter writer(program, true);
    std::string out = writer.header();
    for (const Scoresheet& sheet : sheets) {
        if (!writer.append_row(sheet, out, diags)) return false;
        if (out.size() >= output_buffer_bytes) {
            sink.write(out);
            out.clear();
        }
    }
    out += writer.stamp(inputs);
    sink.write(out);
    return true;
}

// A program with a population phase: the whole run is loaded and evaluated (evaluate_all), then
// written row by row, with ranks.
bool run_population(const bc::Program& program, const RunOptions& options, Sink& sink, Diagnostics& diags) {
    EvidenceSet evidence;
    if (!load_evidence(program, options.evidence, evidence, diags, options.encoding)) return false;
    const auto sheets = evaluate_all(program, evidence, Explain::no, diags);
    return sheets && write_population(program, *sheets, evidence.inputs, sink, diags);
}

// Whether a later pass read the same tables as pass 1 (their digests).
bool same_tables(const std::vector<EvidenceInput>& again, const std::vector<EvidenceInput>& inputs) {
    return again.size() == inputs.size() &&
           std::equal(again.begin(), again.end(), inputs.begin(),
                      [](const auto& x, const auto& y) { return x.sha256 == y.sha256 && x.encoding == y.encoding; });
}

// A program with a population phase, its tables streamed once per pass (docs/performance.md
// "Schemes with population rules"): pass 1 types each row and runs it to the first barrier,
// keeping only what the population values need; between passes they are computed; each later
// pass reads and types the tables again, in the same chunks, and replays every unit from its
// start to the next barrier; then a pass for the totals (a rank needs every total) and a last
// one that writes the rows. Any error, a duplicate name or a table that changed before the last
// pass makes the run fall back to run_population, which loads the evidence whole and reports
// exactly what it reports; so does an input that is not a CSV table in a regular file (a text
// evidence file, a pipe: read only once). A table changed during the last pass is an error (the
// rows written so far are dropped with -o, as every failed run's).
bool run_population_streamed(const bc::Program& program, const RunOptions& options, unsigned jobs, Sink& sink,
                             Diagnostics& diags) {
    const auto whole = [&] { return run_population(program, options, sink, diags); };
    for (const std::string& path : options.evidence) {
        std::error_code ec;
        if (!is_csv_path(path) || !fs::is_regular_file(path, ec)) return whole();  // read once: a pipe, a text file
    }
    PopulationPasses passes(program);
    Diagnostics found;  // pass 1's warnings, reported when the run succeeds
    std::vector<EvidenceInput> inputs;
    std::size_t at_barrier = 0;
    {
        BatchRun run(program, jobs, options.encoding, sink, found);
        run.population(&passes, 1);
        for (const std::string& path : options.evidence) run.csv(path);
        if (found.has_errors() || run.too_many() || run.duplicate_suspects()) return whole();
        inputs = run.inputs();
        at_barrier = run.at_barrier();
    }
    int pass = 2;
    for (;; ++pass) {
        Diagnostics scratch;
        const PopulationRun::Next next = passes.run.end_pass(at_barrier, scratch);
        if (next == PopulationRun::Next::failed) return whole();
        if (next == PopulationRun::Next::done) break;
        BatchRun run(program, jobs, options.encoding, sink, scratch);
        run.population(&passes, pass);
        for (const std::string& path : options.evidence) run.csv(path);
        if (scratch.has_errors() || !same_tables(run.inputs(), inputs)) return whole();
        at_barrier = run.at_barrier();
    }
    passes.writing = true;
    Diagnostics scratch;  // the warnings again: pass 1's are reported
    BatchRun run(program, jobs, options.encoding, sink, scratch);
    run.population(&passes, pass);
    run.start();
    for (const std::string& path : options.evidence) run.csv(path);
    if (scratch.has_errors() || !same_tables(run.inputs(), inputs)) {
        for (const auto& d : found.all()) diags.add(d);
        for (const auto& d : scratch.all())
            if (d.severity == Severity::error) diags.add(d);
        if (!scratch.has_errors()) diags.error(options.evidence.front(), Span{}, "the table changed while it was read");
        return false;
    }
    run.finish();
    for (const auto& d : found.all()) diags.add(d);
    return true;
}

}  // namespace

bool run_csv(const bc::Program& program, const RunOptions& options, Diagnostics& diags) {
    unsigned jobs = options.jobs != 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
    jobs = std::min(jobs, max_jobs);
    const std::size_t errors_before = diags.error_count();
    Sink sink;
    if (!sink.open(options.output, diags)) return false;
    if (has_population_phase(program)) {
        const bool ok = run_population_streamed(program, options, jobs, sink, diags);
        return sink.close(ok, diags) && ok;
    }
    BatchRun run(program, jobs, options.encoding, sink, diags);
    run.start();
    for (const std::string& path : options.evidence) {
        std::error_code ec;
        if (is_csv_path(path) && !fs::is_directory(path, ec)) run.csv(path);
        else run.text(path);
    }
    run.finish();
    const bool ok = diags.error_count() == errors_before;
    return sink.close(ok, diags) && ok;
}

}  // namespace kaohe::cli
