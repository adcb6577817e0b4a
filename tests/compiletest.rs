//! trybuild UI tests: `tests/ui/*.rs` must fail to compile with the
//! committed `.stderr`, `tests/ui/pass/*.rs` must build and run.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
