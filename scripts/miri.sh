#!/usr/bin/env bash
# Runs the Miri-able tests under Miri, the undefined-behaviour checker:
# `bash scripts/miri.sh` (called by .ci/run).
#
# Which tests run: the test targets listed in MIRI_TESTS below, plus
# axptr-core's unit and doc tests. They work on the heap-backed
# `testing::HeapSpace` (no real page faults), which Miri can execute. Test
# files that need the host simulation (`sim`: mmap, mprotect, SIGSEGV) or
# spawn compilers (trybuild UI tests) cannot run under Miri, so the list is
# explicit: a new test file is not run under Miri until its target name is
# added here (the script names every test file it leaves out). Inside a
# listed file, a test that Miri cannot run carries
# `#[cfg_attr(miri, ignore)]` and a comment saying why.
#
# Environment: MIRI_TOOLCHAIN (default nightly); MIRIFLAGS (default
# -Zmiri-permissive-provenance: user pointers are made from integers, with
# the provenance HeapSpace exposed; add -Zmiri-tree-borrows to check the
# aliasing rules under Tree Borrows instead of Stacked Borrows);
# PROPTEST_CASES is passed on to the property tests (default under Miri: a
# couple of cases).
set -euo pipefail
cd "$(dirname "$0")/.."

MIRI_TESTS=(validation flag scoped transfer derive_layout usercopy_kunit primitives fault_injection atomics syscall_kinds syscall_remote syscall_sockaddr model syscall_args syscall_trace syscall_table syscall_entries syscall_aliasing)
TOOLCHAIN="${MIRI_TOOLCHAIN:-nightly}"

if ! cargo "+$TOOLCHAIN" miri --version >/dev/null 2>&1; then
    echo "installing miri for the $TOOLCHAIN toolchain"
    rustup component add --toolchain "$TOOLCHAIN" miri rust-src
fi

for file in tests/*.rs; do
    name="$(basename "$file" .rs)"
    if [[ " ${MIRI_TESTS[*]} " != *" $name "* ]]; then
        echo "not under Miri: tests/$name.rs (add it to MIRI_TESTS in $0 if it runs on HeapSpace)"
    fi
done

export MIRIFLAGS="${MIRIFLAGS:--Zmiri-permissive-provenance}"
if [[ -n "${PROPTEST_CASES:-}" ]]; then
    MIRIFLAGS+=" -Zmiri-env-forward=PROPTEST_CASES"
fi

targets=()
for name in "${MIRI_TESTS[@]}"; do
    targets+=(--test "$name")
done

set -x
cargo "+$TOOLCHAIN" miri setup
cargo "+$TOOLCHAIN" miri test -p axptr-core --features testing --lib
cargo "+$TOOLCHAIN" miri test -p axptr-core --features testing --doc
cargo "+$TOOLCHAIN" miri test -p axptr "${targets[@]}"
