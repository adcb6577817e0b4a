#!/usr/bin/env bash
# Instruction counts of the small-operation bars (DESIGN.md) under
# callgrind: prints a table of axptr / baseline ratios and exits 1 when a
# ratio is above its bar. See docs/benchmarks.md.
#
#   scripts/icount.sh                    # the table; fails on a missed bar
#   scripts/icount.sh --report-only      # the table; never fails on a bar
#   AXPTR_ICOUNT_REPORT_ONLY=1 scripts/icount.sh   # the same
#   scripts/icount.sh --only heap        # rows whose label contains "heap"
#   scripts/icount.sh annotate heap/read [callgrind_annotate options]
#                                        # where one operation's instructions go
#   scripts/icount.sh list               # the operations
#
# The driver is the `icount` bench target of axptr-benches, built in the
# bench profile (release settings, so the release artifacts of the
# dependencies are reused) with one codegen unit for that crate alone, so
# that inlining does not shift with unrelated edits of the benches.
# `annotate` builds with line tables into target/icount-lines, for
# per-line counts.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v valgrind >/dev/null; then
    echo "icount: installing valgrind" >&2
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends valgrind
fi

mode=report
case "${1:-}" in
    report | annotate | list | measure)
        mode=$1
        shift
        ;;
esac

build=(cargo bench -p axptr-benches --bench icount --no-run --message-format=json
    --config 'profile.bench.package.axptr-benches.codegen-units=1')
if [ "$mode" = annotate ]; then
    export CARGO_TARGET_DIR=target/icount-lines CARGO_PROFILE_BENCH_DEBUG=line-tables-only
fi
exe=$("${build[@]}" | grep '"name":"icount"' | grep -o '"executable":"[^"]*"' | tail -n 1 | cut -d '"' -f 4) || true
if [ -z "$exe" ]; then
    echo "icount: the build did not produce the icount driver" >&2
    exit 2
fi
exec "$exe" "$mode" "$@"
