//! Compile-fail and compile-pass cases for the macros (trybuild).
//! `TRYBUILD=overwrite cargo test --test compiletest` re-blesses the
//! `.stderr` files; they are pinned to the stable toolchain.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
