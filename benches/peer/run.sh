#!/usr/bin/env bash
# axptr against starry-vm (criterion, nightly). See docs/benchmarks.md.
#
#   benches/peer/run.sh               # host configuration (memchr with SIMD)
#   benches/peer/run.sh --kernel      # kernel configuration: memchr built
#                                     # without SSE2, so it takes its portable
#                                     # fallback, as in a kernel without SIMD
#   PEER_MEASURE_MS=100 benches/peer/run.sh   # shorter measurements
#
# Arguments after the options go to criterion (a filter, `--list`, ...).
# The kernel configuration builds into target/kernel, so switching back and
# forth rebuilds nothing.
set -euo pipefail
cd "$(dirname "$0")"

rustup toolchain list | grep -q '^nightly' ||
    rustup toolchain install nightly --profile minimal

config=host
flags=()
if [ "${1:-}" = --kernel ]; then
    shift
    config="kernel (memchr without SSE2: its portable fallback)"
    export CARGO_TARGET_DIR=target/kernel
    flags=(-Z profile-rustflags
        --config 'profile.bench.package.memchr.rustflags=["-Ctarget-feature=-sse2"]')
fi
AXPTR_PEER_CONFIG=$config cargo +nightly bench "${flags[@]}" --bench peer -- "$@"
