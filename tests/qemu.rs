//! Boots the riscv64 kernel of `examples/qemu-kernel` under QEMU and checks
//! what it prints: every syscall of its user program, good or hostile, goes
//! through axptr in a real kernel (Sv39 paging, U-mode, real page faults).
//!
//! Needs `qemu-system-riscv64` (with OpenSBI) and the
//! `riscv64gc-unknown-none-elf` target. Without them the tests skip with a
//! message, unless `AXPTR_REQUIRE_QEMU=1` (as in CI) makes that a failure.

use std::{
    env,
    io::Read,
    path::{Path, PathBuf},
    process::{Command, ExitStatus, Stdio},
    sync::OnceLock,
    thread,
    time::{Duration, Instant},
};

const QEMU: &str = "qemu-system-riscv64";
const TARGET: &str = "riscv64gc-unknown-none-elf";
const BOOT_TIMEOUT: Duration = Duration::from_secs(60);
/// The kernel's first line: everything before it is OpenSBI's.
const BANNER: &str = "axptr qemu kernel: Sv39 paging on, percpu flag ready, entering user space";

/// What the kernel prints, after the banner, for its user program.
const EXPECTED: &[&str] = &[
    "hello from user space",
    "good write: 22",
    "write from a null pointer: EFAULT",
    "write from an unmapped pointer: EFAULT",
    "write from a kernel pointer: EFAULT",
    "write from a range that wraps around: EFAULT",
    "write from a partly mapped range: EFAULT",
    "getcwd into a read-only page: EFAULT",
    "getcwd into a too small buffer: ERANGE",
    "open a path crossing a page boundary: 3",
    "open a path unterminated at the end of its mapping: EFAULT",
    "open a path longer than PATH_MAX: ENAMETOOLONG",
    "getcwd into a lazy page: 12",
    "/home/axptr",
    "fstat into a struct stat: 0",
    "st_blksize seen by user space: 1024",
    "nanosleep with tv_nsec out of range: EINVAL",
    "unknown syscall: ENOSYS",
    "getcwd into a page unmapped during the call: EFAULT",
    "user program exited with status 0",
    "lazy pages faulted in by the kernel's fault handler: 1",
    "copy faults turned into EFAULT by axptr's fixup: 1",
];

#[test]
fn user_program_results_are_exact() {
    let Some(kernel) = kernel() else { return };
    let run = boot(kernel, None);
    assert_eq!(
        run.status.code(),
        Some(0),
        "the kernel did not shut down cleanly\n{run}"
    );
    assert_eq!(
        run.kernel_lines(),
        EXPECTED,
        "unexpected kernel output\n{run}"
    );
}

#[test]
fn stray_kernel_access_to_user_memory_is_an_oops() {
    let Some(kernel) = kernel() else { return };
    let run = boot(kernel, Some("stray-access"));
    assert_eq!(
        run.status.code(),
        Some(1),
        "the oops must fail the run (sifive_test exit code)\n{run}"
    );
    let lines = run.kernel_lines();
    let (last, before) = lines.split_last().expect("the kernel printed nothing");
    let mut expected_before = EXPECTED.to_vec();
    expected_before.push("stray access: the kernel reads a lazy user page without axptr");
    assert_eq!(before, expected_before, "unexpected kernel output\n{run}");
    // The pc varies with the code; the cause, address and flag do not.
    assert!(
        last.starts_with("kernel oops: Exception(LoadPageFault) in the kernel at pc ")
            && last.ends_with(", address 0x20002000 (accessing user memory: false, SUM: false)"),
        "expected an oops for the stray access, got {last:?}\n{run}"
    );
}

#[test]
fn strace_shows_decoded_arguments_and_results() {
    let Some(kernel) = kernel() else { return };
    let run = boot(kernel, Some("strace"));
    assert_eq!(
        run.status.code(),
        Some(0),
        "the kernel did not shut down cleanly\n{run}"
    );
    let (traces, rest): (Vec<&str>, Vec<&str>) = run
        .kernel_lines()
        .into_iter()
        .partition(|line| line.starts_with("[strace] "));
    assert_eq!(
        rest, EXPECTED,
        "tracing changed what the kernel prints\n{run}"
    );
    // Strings are traced from the kernel's copy; addresses are the user
    // program's constants (`write` takes a pointer it prints from in place).
    for expected in [
        "[strace] write(1, 0x10001000, 22) = 22",
        "[strace] write(1, NULL, 16) = -14 EFAULT",
        "[strace] getcwd(0x20000100, 64) = 12",
        r#"[strace] openat(-100, "/etc/passwd", 0x0, 0o0) = 3"#,
        r#"[strace] report("good write", 22) = 0"#,
        "[strace] write(1, 0x20000100, 12) = 12",
        "[strace] unmap_race(0x21000000) = 0",
        "[strace] getcwd(0x21000000, 64) = -14 EFAULT",
    ] {
        assert!(traces.contains(&expected), "no trace {expected:?}\n{run}");
    }
    assert!(
        traces
            .iter()
            .any(|t| t.starts_with("[strace] syscall_1234(") && t.ends_with(") = -38 ENOSYS")),
        "no trace of the unknown syscall\n{run}"
    );
}

/// Builds the kernel once per test run; `None` (skip) without the tools.
fn kernel() -> Option<&'static Path> {
    static KERNEL: OnceLock<Option<PathBuf>> = OnceLock::new();
    KERNEL.get_or_init(build_kernel).as_deref()
}

fn build_kernel() -> Option<PathBuf> {
    if let Some(missing) = missing_tool() {
        let required = env::var("AXPTR_REQUIRE_QEMU").is_ok_and(|v| v == "1");
        assert!(!required, "AXPTR_REQUIRE_QEMU=1 but {missing}");
        eprintln!("skipping the QEMU kernel tests: {missing}");
        return None;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/qemu-kernel");
    let target_dir = dir.join("target");
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let started = Instant::now();
    // The kernel is its own workspace with its own target directory, so
    // this nested build never waits on the lock of the build running us.
    // Host flags must not leak into a riscv64 build.
    let status = Command::new(cargo)
        .args(["build", "--release"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", &target_dir)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .status()
        .expect("cannot run cargo");
    assert!(status.success(), "building the QEMU kernel failed");
    eprintln!("built the QEMU kernel in {:.1?}", started.elapsed());
    Some(target_dir.join(TARGET).join("release/axptr-qemu-kernel"))
}

/// Why the tests cannot run here, if they cannot.
fn missing_tool() -> Option<String> {
    let qemu = Command::new(QEMU)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !qemu.is_ok_and(|status| status.success()) {
        return Some(format!(
            "`{QEMU}` is not installed (Debian: qemu-system-misc, opensbi)"
        ));
    }
    let sysroot = Command::new(env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
        .args(["--print", "sysroot"])
        .output()
        .ok()?;
    let sysroot = String::from_utf8_lossy(&sysroot.stdout);
    let target_lib = Path::new(sysroot.trim()).join("lib/rustlib").join(TARGET);
    if !target_lib.exists() {
        return Some(format!(
            "the {TARGET} target is not installed (rustup target add {TARGET})"
        ));
    }
    None
}

/// One boot of the kernel.
struct Run {
    status: ExitStatus,
    output: String,
    elapsed: Duration,
}

impl Run {
    /// The lines after the kernel's banner, without the console's `\r`.
    fn kernel_lines(&self) -> Vec<&str> {
        let lines: Vec<&str> = self
            .output
            .lines()
            .map(|l| l.trim_end_matches('\r'))
            .collect();
        match lines.iter().position(|&l| l == BANNER) {
            Some(banner) => lines[banner + 1..].to_vec(),
            None => panic!("the kernel's banner is missing\n{self}"),
        }
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "QEMU: {} after {:.1?}; output:",
            self.status, self.elapsed
        )?;
        f.write_str(&self.output)
    }
}

/// Boots `kernel` with an optional command line; kills QEMU after
/// [`BOOT_TIMEOUT`].
fn boot(kernel: &Path, cmdline: Option<&str>) -> Run {
    let mut command = Command::new(QEMU);
    command
        .args(["-machine", "virt", "-bios", "default", "-nographic"])
        .args(["-m", "128M", "-smp", "1", "-no-reboot", "-kernel"])
        .arg(kernel);
    if let Some(cmdline) = cmdline {
        command.args(["-append", cmdline]);
    }
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start QEMU");
    let stdout = read_all(child.stdout.take().expect("piped stdout"));
    let stderr = read_all(child.stderr.take().expect("piped stderr"));
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("cannot wait for QEMU") {
            break status;
        }
        if started.elapsed() > BOOT_TIMEOUT {
            timed_out = true;
            let _ = child.kill();
            break child.wait().expect("cannot wait for QEMU");
        }
        thread::sleep(Duration::from_millis(20));
    };
    let mut output = stdout.join().expect("stdout reader panicked");
    output.push_str(&stderr.join().expect("stderr reader panicked"));
    let run = Run {
        status,
        output,
        elapsed: started.elapsed(),
    };
    assert!(
        !timed_out,
        "QEMU did not stop within {BOOT_TIMEOUT:?}\n{run}"
    );
    run
}

fn read_all(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}
