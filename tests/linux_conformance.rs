//! Conformance against the host's Linux kernel: several hundred hostile
//! (syscall, registers, memory) cases for 14 syscalls run once through
//! `#[syscall]` handlers on a `SimSpace` and once on the real kernel, in a
//! forked child with the same memory layout at the same addresses, the same
//! descriptors, working directory, limits and signal mask. The result
//! register, user memory, what is left in the pipes, the file and its
//! positions, the open descriptors and the signal mask must agree, but for
//! the documented differences (`conformance/differences.rs`). The same
//! cases also run through handlers written the old README way
//! (`conformance/readme_style.rs`), which must disagree in each way the
//! issue measured: the test is shown to catch them.
//!
//! Linux x86_64 only (the sim needs it, and the host kernel is the
//! reference); elsewhere the test prints that it skipped.
//! `cargo test --test linux_conformance -- --nocapture` prints the table of
//! docs/guide/linux-conformance.md.

#[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]
mod conformance;

#[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]
mod linux {
    use std::collections::{BTreeMap, BTreeSet};

    use std::sync::OnceLock;

    use super::conformance::{
        Result, Verdict, cases, differences, errno_name, kernel, layout, readme_style, run_all,
        syscall_name,
    };

    /// A fresh working directory with the files of `layout::TREE_*`.
    struct WorkDir(std::path::PathBuf);

    impl WorkDir {
        fn new() -> Self {
            let dir =
                std::env::temp_dir().join(format!("axptr-conformance-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            for sub in layout::TREE_DIRS {
                std::fs::create_dir_all(dir.join(sub)).expect("create the working directory");
            }
            for (name, contents) in layout::TREE_FILES {
                std::fs::write(dir.join(name), contents).expect("create a file");
            }
            Self(std::fs::canonicalize(&dir).expect("canonical working directory"))
        }
    }

    impl Drop for WorkDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Every case on Linux, on the conformance kernel and on the
    /// README-style kernel. Once per test binary: the layout sits at a fixed
    /// address, which two runs at once cannot share.
    fn results() -> &'static [Vec<Result>] {
        static RESULTS: OnceLock<Vec<Vec<Result>>> = OnceLock::new();
        RESULTS.get_or_init(|| {
            let dir = WorkDir::new();
            let cwd = dir.0.to_str().expect("a UTF-8 temporary directory");
            run_all(cwd, &[&kernel::SYSCALLS, &readme_style::SYSCALLS])
        })
    }

    #[test]
    fn the_sim_kernel_agrees_with_linux_but_for_documented_differences() {
        let results = &results()[0];

        // The table: cases, agreements and differences per syscall.
        let mut table: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
        let mut used_choices = BTreeSet::new();
        let mut used_core = BTreeSet::new();
        let mut failures = Vec::new();
        for result in results {
            let row = table.entry(syscall_name(result.case.nr)).or_default();
            row[0] += 1;
            match &result.verdict {
                Verdict::Agree => row[1] += 1,
                Verdict::Documented(choice) => {
                    row[2] += 1;
                    used_choices.insert(choice.name);
                    println!(
                        "documented: {}: {} (Linux {}, sim {})",
                        result.case.name,
                        choice.name,
                        errno_name(result.linux.ret),
                        errno_name(result.sim.ret)
                    );
                }
                Verdict::KnownCore(known) => {
                    row[3] += 1;
                    used_core.insert(result.case.name.as_str());
                    println!(
                        "known core difference: {}: Linux {}, sim {}: {}",
                        result.case.name,
                        errno_name(result.linux.ret),
                        errno_name(result.sim.ret),
                        known.cause,
                    );
                }
                Verdict::Differ(why) => failures.push(format!("{}: {why}", result.case.name)),
            }
        }
        for choice in differences::CHOICES {
            println!("choice {:?}: {}", choice.name, choice.reason);
        }
        println!("| syscall | cases | agree | documented choice | known core difference |");
        println!("|---|---:|---:|---:|---:|");
        let mut total = [0; 4];
        for (name, row) in &table {
            println!(
                "| `{name}` | {} | {} | {} | {} |",
                row[0], row[1], row[2], row[3]
            );
            for (sum, n) in total.iter_mut().zip(row) {
                *sum += n;
            }
        }
        println!(
            "| all | {} | {} | {} | {} |",
            total[0], total[1], total[2], total[3]
        );

        assert!(
            failures.is_empty(),
            "{} undocumented differences from Linux:\n{}",
            failures.len(),
            failures.join("\n")
        );
        for choice in differences::CHOICES {
            assert!(
                used_choices.contains(choice.name),
                "no case needs the documented choice {:?} any more",
                choice.name
            );
        }
        for name in differences::CORE.iter().flat_map(|known| known.cases) {
            assert!(
                used_core.contains(name),
                "the known core difference of {name:?} is gone (or changed): update differences.rs",
            );
        }
        assert!(total[0] >= 300, "only {} cases", total[0]);
    }

    /// What the conformance test catches: handlers written the way the
    /// README recommended before (kernel-copy slices, `&CStr` paths,
    /// all-or-nothing iovec buffers) disagree with Linux in every way the
    /// issue measured, on cases where the conformance kernel agrees.
    #[test]
    fn readme_style_handlers_disagree_in_every_way_the_issue_measured() {
        let [conformance, readme] = results() else {
            panic!("two kernels");
        };
        let agree = |results: &[Result]| {
            results
                .iter()
                .filter(|r| matches!(r.verdict, Verdict::Agree | Verdict::Documented(_)))
                .count()
        };
        println!(
            "README-style handlers: {} of {} cases agree; the conformance kernel: {}",
            agree(readme),
            readme.len(),
            agree(conformance)
        );
        let causes = [
            (
                "a partial read is a short count",
                "read memfd 64, 32 bytes before a hole",
            ),
            (
                "a bad second iovec is a short count",
                "readv memfd, second iovec in a hole",
            ),
            (
                "getrandom's short count",
                "getrandom 64, 32 bytes before a hole",
            ),
            (
                "bytes never transferred are never checked",
                "read pipe 100 into a buffer whose tail is unmapped",
            ),
            (
                "/dev/null never reads the buffer",
                "write /dev/null, null buffer",
            ),
            (
                "getcwd checks only what it writes",
                "getcwd 4096, into PROT_NONE",
            ),
            (
                "the syscall's own checks first: getcwd",
                "getcwd null, size 1",
            ),
            (
                "the syscall's own checks first: poll",
                "poll 1025 fds, null",
            ),
            (
                "the syscall's own checks first: pread64",
                "pread64 negative offset, kernel buffer",
            ),
            (
                "the syscall's own checks first: openat",
                "openat null path with O_TMPFILE read-only",
            ),
            (
                "iovec lengths past SSIZE_MAX are EFAULT",
                "writev memfd, lengths past SSIZE_MAX",
            ),
        ];
        for (cause, name) in causes {
            let find = |results: &'static [Result]| {
                results
                    .iter()
                    .find(|r| r.case.name == name)
                    .unwrap_or_else(|| panic!("no case {name:?}"))
            };
            assert!(
                matches!(find(conformance).verdict, Verdict::Agree),
                "{cause}: {name:?} should agree"
            );
            let old = find(readme);
            assert!(
                matches!(old.verdict, Verdict::Differ(_)),
                "{cause}: the README style should differ on {name:?}"
            );
            println!(
                "{cause}: {name}: Linux {}, README style {}",
                errno_name(old.linux.ret),
                errno_name(old.sim.ret)
            );
        }
    }

    #[test]
    fn case_names_are_unique() {
        let cases = cases::all();
        let mut names = BTreeSet::new();
        for case in &cases {
            assert!(
                names.insert(case.name.as_str()),
                "two cases named {:?}",
                case.name
            );
        }
    }
}

#[cfg(not(all(target_os = "linux", target_arch = "x86_64", not(miri))))]
#[test]
fn linux_conformance_needs_linux_x86_64() {
    println!(
        "skipped: the conformance test runs on Linux x86_64 only (the host kernel is the reference)"
    );
}
