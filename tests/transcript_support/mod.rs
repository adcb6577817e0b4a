//! Checking an example's transcript against its expected log, shared by
//! the example tests (`tests/demo.rs`, `tests/linux_example.rs`).

/// Compares `actual` with the file `path` (relative to the package), line
/// by line so that the first difference is named; with `AXPTR_BLESS` set,
/// writes `actual` there instead, for review.
pub fn check_transcript(path: &str, actual: &str) {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if std::env::var_os("AXPTR_BLESS").is_some() {
        std::fs::write(&file, actual).expect("the transcript is writable");
        return;
    }
    let expected = std::fs::read_to_string(&file).expect("the expected transcript exists");
    for (number, (want, got)) in expected.lines().zip(actual.lines()).enumerate() {
        assert_eq!(
            got,
            want,
            "line {} of {path} differs (AXPTR_BLESS=1 re-blesses)",
            number + 1
        );
    }
    assert_eq!(
        actual.lines().count(),
        expected.lines().count(),
        "the transcript has a different number of lines:\n{actual}"
    );
    assert_eq!(actual, expected);
}
