//! Helpers shared by the sim tests: child processes for the cases that must
//! crash, and a provider that changes the space right after validation.
#![allow(dead_code)]

use std::{
    os::unix::process::ExitStatusExt,
    process::{Command, Output},
};

use axptr::{
    AddrSpaceProvider, MappingFlags, access_user_memory,
    sim::{SimAreas, SimProvider},
};

pub const PAGE: usize = 4096;
pub const RW: MappingFlags = MappingFlags::READ.union(MappingFlags::WRITE);
pub const RO: MappingFlags = MappingFlags::READ;

const CHILD_ENV: &str = "AXPTR_SIM_CHILD";
const SIGABRT: i32 = 6;

/// Whether this process is the child that should run the scenario of
/// `test` (a test re-executed by [`run_in_child`]).
pub fn is_child_for(test: &str) -> bool {
    std::env::var(CHILD_ENV).is_ok_and(|name| name == test)
}

/// Runs `scenario` in the child process, where it is expected to kill the
/// process; exits cleanly if it does not (which the parent reports).
pub fn child_scenario(scenario: impl FnOnce()) -> ! {
    // The child is expected to abort: no core file.
    let no_core = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain system call on a local struct.
    unsafe { libc::setrlimit(libc::RLIMIT_CORE, &no_core) };
    scenario();
    std::process::exit(0)
}

/// Re-executes this test binary running only `test` (exactly), in
/// child-scenario mode, and returns its output.
pub fn run_in_child(test: &str) -> Output {
    let exe = std::env::current_exe().expect("the test binary's path");
    Command::new(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, test)
        .output()
        .expect("the test binary runs")
}

/// Asserts that the child was aborted (the simulated kernel's panic) and
/// that its stderr holds every one of `needles`.
pub fn assert_aborted_with(output: &Output, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.signal(),
        Some(SIGABRT),
        "the child should abort; status {:?}, stderr:\n{stderr}",
        output.status
    );
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "stderr lacks {needle:?}:\n{stderr}"
        );
    }
}

/// A provider that runs `hook` after each validation, with the lock
/// released: the place where another user thread unmaps or protects the
/// memory in a real race, made deterministic.
pub struct AfterCheck<'a, F: FnMut()> {
    pub inner: SimProvider<'a>,
    pub hook: F,
}

impl<F: FnMut()> AddrSpaceProvider for AfterCheck<'_, F> {
    type AddrSpace = SimAreas;

    fn with_addr_space<R>(&mut self, f: impl FnOnce(&mut SimAreas) -> R) -> R {
        let result = self.inner.with_addr_space(f);
        (self.hook)();
        result
    }
}

/// Reads through a lent reference with the fault flag set, as kernel code
/// that expects a fault there must: with a volatile access. To the compiler
/// a reference is dereferenceable for its whole lifetime, so a plain `*r`
/// may be performed before `access_user_memory` sets the flag (release
/// builds do hoist it); a volatile access stays where it is written.
pub fn touch<T: Copy>(r: &T) -> T {
    access_user_memory(|| {
        // SAFETY: `r` was validated by the reference API; its page may have
        // become non-present since, which the fault handler resolves.
        unsafe { core::ptr::from_ref(r).read_volatile() }
    })
}

/// Writes through a lent reference with the fault flag set (see [`touch`]).
pub fn store<T: Copy>(r: &mut T, value: T) {
    access_user_memory(|| {
        // SAFETY: as in `touch`.
        unsafe { core::ptr::from_mut(r).write_volatile(value) }
    })
}
