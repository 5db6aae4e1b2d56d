#!/usr/bin/env bash
# The batch-run benchmark (docs/performance.md): generates evidence for the seed-000 and
# seed-001 examples, scores it with kaohe (-j 1 and every core) and with the hand-written
# evaluator (bench/hand_eval.cpp), checks that their results agree exactly, and prints units/s,
# peak memory and the ratio kaohe / hand-written; then times `kaohe check` on a generated scheme
# of 5,000 clauses. Not part of CI.
#   bench/run.sh                  # sizes 10k 100k 1M, build dir build-perf
#   SIZES="10000" bench/run.sh    # a quick run
#   REPEAT=3 bench/run.sh         # each figure the best of 3 alternating rounds (a shared machine)
#   BUILD=/path/to/build bench/run.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-perf}
SIZES=${SIZES:-"10000 100000 1000000"}
REPEAT=${REPEAT:-1}
DATA=$BUILD/bench-data
command -v /usr/bin/time >/dev/null || { echo "bench/run.sh needs GNU time: apt-get install time" >&2; exit 2; }

cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKAOHE_BENCH=ON >/dev/null
cmake --build "$BUILD" --target kaohe gen_evidence hand_eval -j2 >/dev/null
KAOHE=$BUILD/kaohe
mkdir -p "$DATA"

# measure IN OUT COMMAND...: runs COMMAND under GNU time with stdin IN and stdout OUT (stderr
# dropped); prints "cpu_seconds(user+sys) wall_seconds peak_kb".
measure() {
    local in=$1 out=$2 log=$DATA/time.log
    shift 2
    /usr/bin/time -f "%U %S %e %M" -o "$log" "$@" < "$in" > "$out" 2>/dev/null || true
    awk '{printf "%.3f %.3f %d\n", $1 + $2, $3, $4}' "$log"
}

# best CPU WALL PEAK CPU' WALL' PEAK' BY: the better of two measurements (the first may be empty)
# by cpu or by wall time, with the larger peak of the two.
best() {
    if [[ -z $1 ]]; then echo "$4 $5 $6"; return; fi
    awk -v c="$1" -v w="$2" -v m="$3" -v c2="$4" -v w2="$5" -v m2="$6" -v by="$7" 'BEGIN {
        better = (by == "cpu") ? (c2 < c) : (w2 < w)
        peak = (m2 > m) ? m2 : m
        printf "%s %s %d\n", (better ? c2 : c), (better ? w2 : w), peak }'
}

printf '%-10s %8s %-9s %10s %9s %12s %10s\n' scheme units run cpu_s wall_s units/s peak_MB
for seed in wenling xinzhuang; do
    case $seed in
        wenling) scheme=$ROOT/examples/wenling-2013/scheme.kh ;;
        xinzhuang) scheme=$ROOT/examples/xinzhuang-2017/scheme.kh ;;
    esac
    for n in $SIZES; do
        units=$DATA/$seed-$n.csv
        [[ -s $units ]] || "$BUILD/bench/gen_evidence" "$seed" "$n" "$scheme" > "$units"
        # kaohe writes to stdout here (no fsync), like the hand-written evaluator.
        # REPEAT rounds, the three runs alternating; each figure is its best round (least cpu,
        # least wall for -j N, most memory), which on a shared machine is the least disturbed.
        k1= k1w= k1m= kn= knw= knm= h= hw= hm=
        for ((round = 0; round < REPEAT; ++round)); do
            read -r c w m < <(measure /dev/null "$DATA/$seed-$n.kaohe.csv" "$KAOHE" run "$scheme" "$units" --format csv -j 1)
            read -r k1 k1w k1m < <(best "$k1" "$k1w" "$k1m" "$c" "$w" "$m" cpu)
            read -r c w m < <(measure /dev/null "$DATA/$seed-$n.kaohe-all.csv" "$KAOHE" run "$scheme" "$units" --format csv)
            read -r kn knw knm < <(best "$kn" "$knw" "$knm" "$c" "$w" "$m" wall)
            read -r c w m < <(measure "$units" "$DATA/$seed-$n.hand.csv" "$BUILD/bench/hand_eval" "$seed")
            read -r h hw hm < <(best "$h" "$hw" "$hm" "$c" "$w" "$m" cpu)
        done
        # The results must agree exactly: kaohe's output less its stamp line is the hand-written one.
        sed '$d' "$DATA/$seed-$n.kaohe.csv" | cmp -s - "$DATA/$seed-$n.hand.csv" ||
            { echo "MISMATCH: kaohe and hand_eval differ on $units" >&2; exit 1; }
        cmp -s "$DATA/$seed-$n.kaohe.csv" "$DATA/$seed-$n.kaohe-all.csv" ||
            { echo "MISMATCH: -j 1 and -j $(nproc) differ on $units" >&2; exit 1; }
        row() { awk -v s="$seed" -v n="$n" -v r="$1" -v c="$2" -v w="$3" -v m="$4" \
            'BEGIN{printf "%-10s %8d %-9s %10.3f %9.3f %12.0f %10.1f\n", s, n, r, c, w, n / (r == "kaohe-jN" ? w : c), m / 1024}'; }
        row kaohe-j1 "$k1" "$k1w" "$k1m"
        row kaohe-jN "$kn" "$knw" "$knm"
        row hand "$h" "$hw" "$hm"
        awk -v s="$seed" -v n="$n" -v k="$k1" -v h="$h" 'BEGIN{printf "%-10s %8d ratio kaohe(-j 1)/hand = %.2f\n", s, n, k / h}'
    done
done

# A generated scheme of 5,000 clauses: 50 sections of 10 items of 10 clauses, one evidence each.
big=$DATA/clauses-5000.kh
if [[ ! -s $big ]]; then
    {
        echo 'scheme "5000 clauses" {'
        echo '  total 5000'
        echo '  evidence {'
        for ((c = 1; c <= 5000; c++)); do echo "    e$c: yes_no \"requirement $c\""; done
        echo '  }'
        for ((s = 1; s <= 50; s++)); do
            echo "  section \"section $s\" points 100 {"
            for ((i = 1; i <= 10; i++)); do
                echo "    item \"item $s.$i\" points 10 {"
                for ((k = 1; k <= 10; k++)); do
                    c=$(((s - 1) * 100 + (i - 1) * 10 + k))
                    echo "      clause \"clause $c\" points 1 { deduct 1 unless e$c says \"未落实的扣1分\" }"
                done
                echo '    }'
            done
            echo '  }'
        done
        echo '}'
    } > "$big"
fi
read -r c cw cm < <(measure /dev/null /dev/null "$KAOHE" check "$big")
printf 'kaohe check on a scheme of 5,000 clauses: %.3f s cpu, %.3f s wall, %.1f MB\n' "$c" "$cw" "$(echo "$cm / 1024" | bc -l)"
