//! The main demo (`cargo run --example demo`), run in-process: its whole
//! transcript (the strace log with notes and the summary) must match
//! `tests/demo_transcript.txt` exactly, and its counts must say that every
//! hostile call became an errno and nothing else went wrong.
//!
//! After an intended change of the demo, re-bless the transcript with
//! `AXPTR_BLESS=1 cargo test --test demo` and review the diff.
#![cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]

#[path = "../examples/demo/kernel.rs"]
mod kernel;
#[path = "../examples/demo/user.rs"]
mod user;

mod transcript_support;

use std::{collections::BTreeMap, sync::OnceLock};

use kernel::Exec;
use user::Report;

const TRANSCRIPT: &str = "tests/demo_transcript.txt";

/// The demo runs once per test binary: its address space sits at a fixed
/// address, which two runs at once cannot share.
fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        user::run().unwrap_or_else(|err| {
            panic!(
                "the demo's address space at {:#x} cannot be set up: {err:?}",
                user::BASE
            )
        })
    })
}

#[test]
fn transcript_matches_the_expected_log() {
    transcript_support::check_transcript(TRANSCRIPT, &report().transcript);
}

#[test]
fn every_hostile_call_became_an_errno() {
    let summary = &report().summary;
    let errors: BTreeMap<&str, usize> = summary
        .errors
        .iter()
        .map(|(name, count)| (name.as_str(), *count))
        .collect();
    assert_eq!(
        errors,
        BTreeMap::from([
            ("E2BIG", 1),
            ("EFAULT", 13),
            ("EINVAL", 2),
            ("ENAMETOOLONG", 1),
            ("ENOSYS", 1),
            ("ERANGE", 1),
        ])
    );
    assert_eq!((summary.calls, summary.ok), (42, 23));
    assert!(!summary.flag_leaked, "the fault flag was set between calls");
}

#[test]
fn a_short_read_leaves_the_rest_for_the_next_read() {
    let transcript = &report().transcript;
    let short = "read(3, 0x10005ff8, 64) = 8\n    -> a short read: only 8 bytes (\"0000: th\") \
                 fit before the unmapped page\nread(3, 0x10001350, 16) = 16\n    -> the next read \
                 starts where the short one stopped: \"e quick brown fo\"";
    assert!(transcript.contains(short), "{transcript}");
}

#[test]
fn writev_lengths_past_ssize_max_are_efault_as_on_linux_x86_64() {
    let transcript = &report().transcript;
    assert!(transcript.contains(
        "writev(1, 0x10001378, 2) = -14 EFAULT\n    -> lengths that add up past SSIZE_MAX"
    ));
    // A bad second buffer is a short write of the first, not an error.
    assert!(transcript.contains("writev(1, 0x10001398, 2) = 8\n"));
}

#[test]
fn the_fault_handler_and_the_fixup_did_their_part() {
    let faults = report().summary.faults;
    // The demand-paged read: two heap pages faulted in during the copy-out.
    assert_eq!(faults.resolved, 2);
    // The buffer unmapped after validation.
    assert_eq!(faults.fixups, 1);
    // That buffer's page, populated by validation before it vanished.
    assert_eq!(faults.populated_by_check, 1);
}

#[test]
fn good_calls_had_their_effect() {
    let summary = &report().summary;
    assert_eq!(
        String::from_utf8_lossy(&summary.console),
        "hello from user space\nwritev: three buffers\npartial\nstill here\n"
    );
    let exec = Exec {
        path: "/bin/echo".into(),
        argv: vec!["echo".into(), "hello,".into(), "world".into()],
        envp: vec!["HOME=/home/axptr".into(), "TERM=vt100".into()],
    };
    assert_eq!(summary.exec.as_ref(), Some(&exec));
}

#[test]
fn readme_excerpt_is_from_the_transcript() {
    let readme = include_str!("../README.md");
    let (_, after_marker) = readme
        .split_once("<!-- demo excerpt")
        .expect("the README marks the demo excerpt");
    let (_, block) = after_marker
        .split_once("```text\n")
        .expect("a text block follows the marker");
    let (excerpt, _) = block.split_once("\n```").expect("the block ends");
    // Every line, in the transcript's order (blank lines aside).
    let mut transcript = report().transcript.lines();
    for line in excerpt.lines().filter(|line| !line.is_empty()) {
        assert!(
            transcript.any(|actual| actual == line),
            "README excerpt line {line:?} is not in the transcript (in this order)"
        );
    }
}
