//! Boots the SMP kernel of `examples/qemu-kernel` under QEMU, on riscv64,
//! on aarch64 (Cortex-A72, and `-cpu max`) and on x86_64 (one CPU:
//! `qemu64`, and `-cpu max` with SMAP), and checks what it prints: every
//! syscall of its user program, good or hostile, goes through axptr in a
//! real kernel (paging, user mode, real page faults), and threads on
//! different CPUs race `munmap` against the kernel's copies, which must end
//! in `EFAULT` through axptr's fixup, never in an oops. With one CPU the
//! program skips the threads, and the transcript's own unmapping (a page
//! unmapped between validation and copy) is the fixup taken.
//!
//! Needs `qemu-system-riscv64` (with OpenSBI), `qemu-system-aarch64`,
//! `qemu-system-x86_64` and the `riscv64gc-unknown-none-elf`,
//! `aarch64-unknown-none` and `x86_64-unknown-none` targets.
//! Without them an architecture's tests skip with a message, unless
//! `AXPTR_REQUIRE_QEMU=1` (as in CI) makes that a failure. The boots run
//! one at a time (a lock): the race needs its CPUs on the host's cores.

use std::{
    collections::HashMap,
    env,
    io::Read,
    path::{Path, PathBuf},
    process::{Command, ExitStatus, Stdio},
    sync::{Mutex, OnceLock},
    thread,
    time::{Duration, Instant},
};

const BOOT_TIMEOUT: Duration = Duration::from_secs(90);

/// How to build and boot the kernel for one architecture.
struct Arch {
    name: &'static str,
    target: &'static str,
    qemu: &'static str,
    /// The machine options, before the common ones.
    machine: &'static [&'static str],
    /// CPUs the boot asks QEMU for (and the kernel brings online).
    cpus: usize,
    /// QEMU's `-m`.
    memory: &'static str,
    /// The Debian packages that provide `qemu` (and its firmware).
    packages: &'static str,
    /// How the oops of a stray access to a lazy page reads, before and
    /// after the pc.
    stray_oops: (&'static str, &'static str),
    /// How the oops of a stray access to a present page reads, where the
    /// CPU forbids it (riscv64 `SUM`, aarch64 PAN).
    present_oops: Option<(&'static str, &'static str)>,
}

const RISCV64: Arch = Arch {
    name: "riscv64",
    target: "riscv64gc-unknown-none-elf",
    qemu: "qemu-system-riscv64",
    machine: &["-machine", "virt", "-bios", "default"],
    cpus: 4,
    memory: "128M",
    packages: "qemu-system-misc, opensbi",
    stray_oops: (
        "kernel oops: Exception(LoadPageFault) in the kernel at pc ",
        ", address 0x20002000 (accessing user memory: false, SUM: false)",
    ),
    present_oops: Some((
        "kernel oops: Exception(LoadPageFault) in the kernel at pc ",
        ", address 0x20000000 (accessing user memory: false, SUM: false)",
    )),
};

/// A Cortex-A72: ARMv8.0, no PAN.
const AARCH64_A72: Arch = Arch {
    name: "aarch64",
    target: "aarch64-unknown-none",
    qemu: "qemu-system-aarch64",
    // Semihosting gives the failure exit code (see docs/qemu.md).
    machine: &[
        "-machine",
        "virt,gic-version=2",
        "-cpu",
        "cortex-a72",
        "-semihosting",
    ],
    cpus: 4,
    memory: "128M",
    packages: "qemu-system-arm",
    stray_oops: (
        "kernel oops: data abort (translation fault, level 3, read) in the kernel at pc ",
        ", address 0x20002000 (accessing user memory: false, PAN: off)",
    ),
    // Without PAN the read goes through unnoticed.
    present_oops: None,
};

/// QEMU's `max` CPU: PAN (which the kernel turns on, and axptr opens for
/// its own accesses) and the rest of the later extensions (pointer
/// authentication with QEMU's fast implementation-defined algorithm).
const AARCH64_MAX: Arch = Arch {
    machine: &[
        "-machine",
        "virt,gic-version=2",
        "-cpu",
        "max,pauth-impdef=on",
        "-semihosting",
    ],
    stray_oops: (
        "kernel oops: data abort (translation fault, level 3, read) in the kernel at pc ",
        ", address 0x20002000 (accessing user memory: false, PAN: on)",
    ),
    present_oops: Some((
        "kernel oops: data abort (permission fault, level 3, read) in the kernel at pc ",
        ", address 0x20000000 (accessing user memory: false, PAN: on)",
    )),
    ..AARCH64_A72
};

/// x86_64 on QEMU's `pc` machine with its default CPU (`qemu64`: no SMAP,
/// no SMEP), one CPU. The kernel runs from the second GiB (user space is
/// the first), hence 2 GiB of RAM; `isa-debug-exit` gives the failure exit
/// code (a clean run powers off through ACPI, exit code 0); no network
/// card, whose boot ROM would only slow the firmware down.
const X86_64: Arch = Arch {
    name: "x86_64",
    target: "x86_64-unknown-none",
    qemu: "qemu-system-x86_64",
    machine: &[
        "-machine",
        "pc",
        "-cpu",
        "qemu64",
        "-device",
        "isa-debug-exit,iobase=0xf4,iosize=0x04",
        "-net",
        "none",
    ],
    cpus: 1,
    memory: "2G",
    packages: "qemu-system-x86",
    stray_oops: (
        "kernel oops: page fault (not present, read) in the kernel at pc ",
        ", address 0x20002000 (accessing user memory: false, SMAP: off)",
    ),
    // Without SMAP the read goes through unnoticed.
    present_oops: None,
};

/// QEMU's `max` CPU: SMAP and SMEP, which the kernel turns on (axptr sets
/// `EFLAGS.AC` for its own accesses).
const X86_64_MAX: Arch = Arch {
    machine: &[
        "-machine",
        "pc",
        "-cpu",
        "max",
        "-device",
        "isa-debug-exit,iobase=0xf4,iosize=0x04",
        "-net",
        "none",
    ],
    stray_oops: (
        "kernel oops: page fault (not present, read) in the kernel at pc ",
        ", address 0x20002000 (accessing user memory: false, SMAP: on)",
    ),
    present_oops: Some((
        "kernel oops: page fault (protection violation, read) in the kernel at pc ",
        ", address 0x20000000 (accessing user memory: false, SMAP: on)",
    )),
    ..X86_64
};

/// What the user program's transcript prints, after the banner: one line
/// per case, all made by the main thread alone; [`SMP_TRANSCRIPT`] or
/// [`ONE_CPU_TRANSCRIPT`] follows.
const TRANSCRIPT: &[&str] = &[
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
    "read from /dev/zero running off its mapping: 100",
    "write to /dev/null running off its mapping: 8",
    "fstat into a struct stat: 0",
    "st_blksize seen by user space: 1024",
    "nanosleep with tv_nsec out of range: EINVAL",
    "unknown syscall: ENOSYS",
    "futex wait on a changed value: EAGAIN",
    "futex wait on an unmapped word: EFAULT",
    "futex wait on a misaligned word: EINVAL",
    "futex wake with no sleeper: 0",
    "getcwd into a page unmapped during the call: EFAULT",
    "fstat into a page unmapped during the call: EFAULT",
];

/// With several CPUs: the futex handshake and the race summary.
const SMP_TRANSCRIPT: &[&str] = &[
    "futex wait woken by another thread: 0",
    "futex wake of a sleeping thread: 1",
    "race: threads: 2",
    "race: unmap rounds: 600",
    "race: unexpected results: 0",
    "user program exited with status 0",
];

/// With one CPU: the program's first `clone` finds no idle CPU, and it
/// skips the handshake and the race.
const ONE_CPU_TRANSCRIPT: &[&str] = &[
    "clone with no idle CPU, futex handshake and race skipped: EAGAIN",
    "user program exited with status 0",
];

/// The whole transcript `arch`'s boot must print.
fn transcript(arch: &Arch) -> Vec<&'static str> {
    let rest = if arch.cpus == 1 {
        ONE_CPU_TRANSCRIPT
    } else {
        SMP_TRANSCRIPT
    };
    [TRANSCRIPT, rest].concat()
}

#[test]
fn riscv64_transcript_is_exact_and_the_race_ends_in_fixups_not_oopses() {
    transcript_is_exact_and_the_race_ends_in_fixups_not_oopses(&RISCV64);
}

#[test]
fn aarch64_transcript_is_exact_and_the_race_ends_in_fixups_not_oopses() {
    transcript_is_exact_and_the_race_ends_in_fixups_not_oopses(&AARCH64_A72);
}

#[test]
fn aarch64_max_transcript_is_exact_and_the_race_ends_in_fixups_not_oopses() {
    transcript_is_exact_and_the_race_ends_in_fixups_not_oopses(&AARCH64_MAX);
}

#[test]
fn x86_64_transcript_is_exact_and_unmapped_copies_end_in_fixups() {
    transcript_is_exact_and_the_race_ends_in_fixups_not_oopses(&X86_64);
}

#[test]
fn x86_64_max_transcript_is_exact_and_unmapped_copies_end_in_fixups() {
    transcript_is_exact_and_the_race_ends_in_fixups_not_oopses(&X86_64_MAX);
}

#[test]
fn riscv64_stray_kernel_access_to_user_memory_is_an_oops() {
    stray_kernel_access_to_user_memory_is_an_oops(&RISCV64);
}

#[test]
fn aarch64_stray_kernel_access_to_user_memory_is_an_oops() {
    stray_kernel_access_to_user_memory_is_an_oops(&AARCH64_A72);
}

#[test]
fn x86_64_stray_kernel_access_to_user_memory_is_an_oops() {
    stray_kernel_access_to_user_memory_is_an_oops(&X86_64);
}

#[test]
fn x86_64_max_stray_kernel_access_to_user_memory_is_an_oops() {
    stray_kernel_access_to_user_memory_is_an_oops(&X86_64_MAX);
}

#[test]
fn riscv64_stray_kernel_access_to_a_present_user_page_is_an_oops() {
    stray_kernel_access_to_a_present_user_page_is_an_oops(&RISCV64);
}

#[test]
fn aarch64_max_pan_makes_a_stray_access_to_a_present_user_page_an_oops() {
    stray_kernel_access_to_a_present_user_page_is_an_oops(&AARCH64_MAX);
}

#[test]
fn x86_64_max_smap_makes_a_stray_access_to_a_present_user_page_an_oops() {
    stray_kernel_access_to_a_present_user_page_is_an_oops(&X86_64_MAX);
}

#[test]
fn riscv64_strace_shows_decoded_arguments_and_results() {
    strace_shows_decoded_arguments_and_results(&RISCV64);
}

#[test]
fn aarch64_strace_shows_decoded_arguments_and_results() {
    strace_shows_decoded_arguments_and_results(&AARCH64_A72);
}

#[test]
fn x86_64_strace_shows_decoded_arguments_and_results() {
    strace_shows_decoded_arguments_and_results(&X86_64_MAX);
}

fn transcript_is_exact_and_the_race_ends_in_fixups_not_oopses(arch: &Arch) {
    let Some(kernel) = kernel(arch) else { return };
    let run = boot(arch, kernel, None);
    assert_eq!(
        run.status.code(),
        Some(0),
        "the kernel did not shut down cleanly\n{run}"
    );
    let output = run.parse();
    assert_eq!(
        output.transcript,
        transcript(arch),
        "unexpected transcript\n{run}"
    );
    assert!(
        output.after.is_empty(),
        "unexpected lines at the end\n{run}"
    );
    check_cpu_counts(arch, &output.cpus, &run);
}

/// The per-CPU counts of a whole run: every CPU came up and ended with the
/// fault flag clear; the boot CPU's single-threaded transcript faulted in
/// two lazy pages and took two fixups (a short copy's and a bulk one's); the race made thousands of calls,
/// many of them successful, and a CPU other than the unmapping one took
/// fixups (copies that lost their page to the other CPU's `munmap`). With
/// one CPU, there is no race: the boot CPU's counts are the transcript's.
fn check_cpu_counts(arch: &Arch, cpus: &[CpuCounts], run: &Run) {
    assert_eq!(cpus.len(), arch.cpus, "one line per CPU expected\n{run}");
    for cpu in cpus {
        assert_eq!(
            cpu.flag, "clear",
            "cpu {} ended with the flag set\n{run}",
            cpu.id
        );
    }
    let boot: Vec<&CpuCounts> = cpus.iter().filter(|c| c.boot).collect();
    let [boot] = boot[..] else {
        panic!("exactly one boot CPU expected\n{run}");
    };
    assert_eq!(
        (boot.count("fixups"), boot.count("lazy")),
        (2, 2),
        "the transcript's fixups and lazy pages, on the boot CPU\n{run}"
    );
    if arch.cpus == 1 {
        // Every EFAULT the transcript printed, and only those.
        let efaults = transcript(arch)
            .iter()
            .filter(|line| line.ends_with(": EFAULT"))
            .count();
        assert_eq!(
            boot.count("efault"),
            efaults,
            "EFAULTs other than the transcript's\n{run}"
        );
        eprintln!(
            "{}: {} syscalls, the transcript's fixups, boot {:.1?}",
            run.label,
            boot.count("syscalls"),
            run.elapsed
        );
        return;
    }
    let total = |name| cpus.iter().map(|c| c.count(name)).sum::<usize>();
    let calls = total("syscalls");
    assert!(calls >= 1_000, "only {calls} syscalls\n{run}");
    assert!(total("ok") >= 1_000, "too few successful syscalls\n{run}");
    let unmapper = cpus.iter().max_by_key(|c| c.count("unmaps")).expect("CPUs");
    assert!(
        !unmapper.boot && unmapper.count("unmaps") >= 1_000,
        "the unmapping thread ran on cpu {}?\n{run}",
        unmapper.id
    );
    let raced = cpus
        .iter()
        .filter(|c| !c.boot && c.id != unmapper.id)
        .map(|c| c.count("fixups"))
        .sum::<usize>();
    assert!(
        raced >= 1,
        "no fixup on a CPU racing the unmapping one (cpu {})\n{run}",
        unmapper.id
    );
    eprintln!(
        "{}: {calls} syscalls, {} fixups on CPUs racing the unmapping one, boot {:.1?}",
        run.label, raced, run.elapsed
    );
}

fn stray_kernel_access_to_user_memory_is_an_oops(arch: &Arch) {
    stray_access_ends_in(arch, "stray-access", "a lazy", arch.stray_oops);
}

/// A page the transcript populated: only `SUM` (riscv64) or PAN (aarch64)
/// stops the kernel from reading it outside axptr's windows.
fn stray_kernel_access_to_a_present_user_page_is_an_oops(arch: &Arch) {
    let oops = arch.present_oops.expect("the CPU forbids the access");
    stray_access_ends_in(arch, "stray-access-present", "a present", oops);
}

/// Boots with `cmdline`, which makes the kernel read `what` user page
/// without axptr once the program has exited; that must be an oops that
/// reads `head`, a pc, then `tail`.
fn stray_access_ends_in(arch: &Arch, cmdline: &str, what: &str, (head, tail): (&str, &str)) {
    let Some(kernel) = kernel(arch) else { return };
    let run = boot(arch, kernel, Some(cmdline));
    assert_eq!(
        run.status.code(),
        Some(1),
        "the oops must fail the run (QEMU's exit code)\n{run}"
    );
    let output = run.parse();
    assert_eq!(
        output.transcript,
        transcript(arch),
        "unexpected transcript\n{run}"
    );
    check_cpu_counts(arch, &output.cpus, &run);
    let [stray, oops] = &output.after[..] else {
        panic!("expected the stray access and its oops at the end\n{run}");
    };
    assert_eq!(
        *stray,
        format!("stray access: the kernel reads {what} user page without axptr"),
        "\n{run}"
    );
    // The pc varies with the code; the cause, address and flag do not.
    assert!(
        oops.starts_with(head) && oops.ends_with(tail),
        "expected an oops for the stray access, got {oops:?}\n{run}"
    );
}

fn strace_shows_decoded_arguments_and_results(arch: &Arch) {
    let Some(kernel) = kernel(arch) else { return };
    let run = boot(arch, kernel, Some("strace"));
    assert_eq!(
        run.status.code(),
        Some(0),
        "the kernel did not shut down cleanly\n{run}"
    );
    let output = run.parse();
    let (traces, rest): (Vec<&str>, Vec<&str>) = output
        .transcript
        .iter()
        .partition(|line| line.starts_with("[strace] "));
    assert_eq!(
        rest,
        transcript(arch),
        "tracing changed what the kernel prints\n{run}"
    );
    // Strings are traced from the kernel's copy; addresses are the user
    // program's constants, or vary with its layout.
    for expected in [
        "[strace] write(1, NULL, 16) = -14 EFAULT",
        "[strace] getcwd(0x20000100, 64) = 12",
        r#"[strace] openat(-100, "/etc/passwd", 0x0, 0o0) = 3"#,
        r#"[strace] report("good write", 22) = 0"#,
        "[strace] write(1, 0x20000100, 12) = 12",
        "[strace] mmap(0x21000000, 4096, 0x3, 0x32, -1, 0) = 553648128",
        "[strace] unmap_race(0x21000000) = 0",
        "[strace] getcwd(0x21000000, 64) = -14 EFAULT",
        "[strace] fstat(1, 0x21000000) = -14 EFAULT",
        "[strace] futex(0x30000000, 128, 0, 0, 0, 0) = -14 EFAULT",
        r#"[strace] openat(-100, "/dev/zero", 0x0, 0o0) = 5"#,
    ] {
        assert!(traces.contains(&expected), "no trace {expected:?}\n{run}");
    }
    for (prefix, suffix, what) in [
        ("[strace] write(1, 0x", ", 22) = 22", "the good write"),
        (
            "[strace] syscall_1234(",
            ") = -38 ENOSYS",
            "the unknown syscall",
        ),
        (
            "[strace] futex(0x",
            ", 128, 1, 0, 0, 0) = -11 EAGAIN",
            "a futex wait on a changed value",
        ),
    ] {
        assert!(
            traces
                .iter()
                .any(|t| t.starts_with(prefix) && t.ends_with(suffix)),
            "no trace of {what}\n{run}"
        );
    }
    if arch.cpus == 1 {
        // No handshake, no race: the program's last call reports the
        // skipped `clone` (which the run loop serves, untraced).
        assert!(
            traces.last().is_some_and(|t| t
                .starts_with(r#"[strace] report("clone with no idle CPU, futex ha"..., -11) = 0"#)),
            "no trace of the skipped clone's report at the end\n{run}"
        );
        return;
    }
    assert!(
        traces
            .iter()
            .any(|t| t.starts_with("[strace] futex(0x") && t.ends_with(", 129, 1, 0, 0, 0) = 1")),
        "no trace of the futex wake of a sleeper\n{run}"
    );
    // Only the main thread is traced (the race threads' calls would drown
    // the console): it maps the race buffer, but never unmaps it or reads
    // into it.
    assert!(
        traces.contains(&"[strace] mmap(0x22000000, 16384, 0x3, 0x32, -1, 0) = 570425344"),
        "no trace of the race buffer's mmap\n{run}"
    );
    assert!(
        !traces
            .iter()
            .any(|t| t.starts_with("[strace] munmap(0x22000000")
                || t.starts_with("[strace] read(5, 0x22")),
        "a race thread's syscall was traced\n{run}"
    );
}

/// One line of per-CPU counts: `cpu N[ (boot)]: name=value ... flag=clear`.
struct CpuCounts {
    id: usize,
    boot: bool,
    counts: HashMap<String, usize>,
    flag: String,
}

impl CpuCounts {
    fn parse(line: &str) -> Option<Self> {
        let (head, fields) = line.strip_prefix("cpu ")?.split_once(": ")?;
        let (id, boot) = match head.strip_suffix(" (boot)") {
            Some(id) => (id, true),
            None => (head, false),
        };
        let mut counts = HashMap::new();
        let mut flag = None;
        for field in fields.split(' ') {
            let (name, value) = field.split_once('=')?;
            if name == "flag" {
                flag = Some(value.to_owned());
            } else {
                counts.insert(name.to_owned(), value.parse().ok()?);
            }
        }
        Some(Self {
            id: id.parse().ok()?,
            boot,
            counts,
            flag: flag?,
        })
    }

    fn count(&self, name: &str) -> usize {
        match self.counts.get(name) {
            Some(&value) => value,
            None => panic!("no count {name:?} for cpu {}", self.id),
        }
    }
}

/// A boot's output after the banner, in three parts.
struct Output<'a> {
    /// Everything before the per-CPU counts.
    transcript: Vec<&'a str>,
    cpus: Vec<CpuCounts>,
    /// Everything after them.
    after: Vec<&'a str>,
}

/// Builds the kernel for `arch` once per test run; `None` (skip) without
/// the tools.
fn kernel(arch: &Arch) -> Option<&'static Path> {
    static RISCV64_KERNEL: OnceLock<Option<PathBuf>> = OnceLock::new();
    static AARCH64_KERNEL: OnceLock<Option<PathBuf>> = OnceLock::new();
    static X86_64_KERNEL: OnceLock<Option<PathBuf>> = OnceLock::new();
    let cell = match arch.target {
        "riscv64gc-unknown-none-elf" => &RISCV64_KERNEL,
        "aarch64-unknown-none" => &AARCH64_KERNEL,
        "x86_64-unknown-none" => &X86_64_KERNEL,
        other => panic!("no kernel for {other}"),
    };
    cell.get_or_init(|| build_kernel(arch)).as_deref()
}

fn build_kernel(arch: &Arch) -> Option<PathBuf> {
    if let Some(missing) = missing_tool(arch) {
        let required = env::var("AXPTR_REQUIRE_QEMU").is_ok_and(|v| v == "1");
        assert!(!required, "AXPTR_REQUIRE_QEMU=1 but {missing}");
        eprintln!("skipping the {} QEMU kernel tests: {missing}", arch.name);
        return None;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/qemu-kernel");
    let target_dir = dir.join("target");
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let started = Instant::now();
    // The kernel is its own workspace with its own target directory, so
    // this nested build never waits on the lock of the build running us.
    // Host flags must not leak into a kernel build.
    let status = Command::new(cargo)
        .args(["build", "--release", "--target", arch.target])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", &target_dir)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .status()
        .expect("cannot run cargo");
    assert!(status.success(), "building the {} kernel failed", arch.name);
    eprintln!(
        "built the {} QEMU kernel in {:.1?}",
        arch.name,
        started.elapsed()
    );
    Some(
        target_dir
            .join(arch.target)
            .join("release/axptr-qemu-kernel"),
    )
}

/// Why `arch`'s tests cannot run here, if they cannot.
fn missing_tool(arch: &Arch) -> Option<String> {
    let qemu = Command::new(arch.qemu)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !qemu.is_ok_and(|status| status.success()) {
        return Some(format!(
            "`{}` is not installed (Debian: {})",
            arch.qemu, arch.packages
        ));
    }
    let sysroot = Command::new(env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
        .args(["--print", "sysroot"])
        .output()
        .ok()?;
    let sysroot = String::from_utf8_lossy(&sysroot.stdout);
    let target_lib = Path::new(sysroot.trim())
        .join("lib/rustlib")
        .join(arch.target);
    if !target_lib.exists() {
        return Some(format!(
            "the {0} target is not installed (rustup target add {0})",
            arch.target
        ));
    }
    None
}

/// One boot of the kernel.
struct Run {
    label: String,
    /// CPUs the banner must report.
    cpus: usize,
    status: ExitStatus,
    output: String,
    elapsed: Duration,
}

impl Run {
    /// The lines after the kernel's banner, without the console's `\r`,
    /// split around the per-CPU counts.
    fn parse(&self) -> Output<'_> {
        let lines: Vec<&str> = self
            .output
            .lines()
            .map(|l| l.trim_end_matches('\r'))
            .collect();
        let cpus = self.cpus;
        let plural = if cpus == 1 { "" } else { "s" };
        let banner = format!(
            "axptr qemu kernel on {}: paging on, {cpus} CPU{plural} online, percpu flag ready, entering user space",
            self.label.split(' ').next().unwrap_or_default()
        );
        // On x86_64 the firmware's last line (SeaBIOS's "Booting from
        // ROM..") has no line break: the banner ends it.
        let Some(start) = lines.iter().position(|&l| l.ends_with(&banner)) else {
            panic!("the kernel's banner {banner:?} is missing\n{self}");
        };
        let lines = &lines[start + 1..];
        let first_cpu = lines
            .iter()
            .position(|l| l.starts_with("cpu "))
            .unwrap_or(lines.len());
        let mut cpus = Vec::new();
        let mut end = first_cpu;
        while let Some(cpu) = lines.get(end).and_then(|l| CpuCounts::parse(l)) {
            cpus.push(cpu);
            end += 1;
        }
        Output {
            transcript: lines[..first_cpu].to_vec(),
            cpus,
            after: lines[end..].to_vec(),
        }
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "QEMU ({}): {} after {:.1?}; output:",
            self.label, self.status, self.elapsed
        )?;
        f.write_str(&self.output)
    }
}

/// Boots `kernel` with an optional command line, one boot at a time; kills
/// QEMU after [`BOOT_TIMEOUT`].
fn boot(arch: &Arch, kernel: &Path, cmdline: Option<&str>) -> Run {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _one = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut command = Command::new(arch.qemu);
    command
        .args(arch.machine)
        .args(["-nographic", "-m", arch.memory, "-no-reboot"])
        .args(["-smp", &arch.cpus.to_string(), "-kernel"])
        .arg(kernel);
    if let Some(cmdline) = cmdline {
        command.args(["-append", cmdline]);
    }
    let label = format!("{} {}", arch.name, arch.machine.join(" "));
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
        label,
        cpus: arch.cpus,
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
