//! Runs axptr-core's riscv64 and aarch64 fallible copy routines under
//! qemu-user (no kernel needed): every length and alignment copies exactly,
//! and a copy that runs into a `PROT_NONE` page is sent to its fixup by a
//! SIGSEGV handler (the part of a kernel trap handler that applies
//! `fixup_for`), returning a remainder consistent with what it wrote.
//!
//! The routine's source files (the architecture's assembly, the directives
//! around it, `directives.rs`, and its Rust side, `routine.rs`) are
//! compiled in as they are (`#[path]`), beside the items they expect from
//! `arch/mod.rs`. Exit code 0 means all passed.
//! Built with `cargo build --release --target riscv64gc-unknown-none-elf`
//! (or `aarch64-unknown-none`) and run with `qemu-riscv64` / `qemu-aarch64`.
#![no_std]
#![no_main]

use core::{
    arch::{asm, global_asm},
    sync::atomic::{AtomicUsize, Ordering},
};

macro_rules! asm_symbol {
    ($name:literal) => {
        concat!("__arch_copy_check_", $name)
    };
}

#[macro_use]
#[path = "../../../axptr-core/src/arch/directives.rs"]
mod directives;

/// As in `axptr-core/src/arch/mod.rs`.
#[derive(Clone, Copy)]
pub struct FaultRange {
    pub start: usize,
    pub end: usize,
    pub fixup: usize,
}

#[cfg(target_arch = "riscv64")]
#[path = "../../../axptr-core/src/arch/riscv64.rs"]
mod routine;
#[cfg(target_arch = "aarch64")]
#[path = "../../../axptr-core/src/arch/aarch64.rs"]
mod routine;
#[path = "../../../axptr-core/src/arch/routine.rs"]
mod imp;

/// As `axptr_core::fixup_for`.
fn fixup_for(pc: usize) -> Option<usize> {
    imp::fault_ranges()
        .into_iter()
        .find(|range| (range.start..range.end).contains(&pc))
        .map(|range| range.fixup)
}

// Linux generic syscall numbers (riscv64 and aarch64 share them).
const SYS_WRITE: usize = 64;
const SYS_EXIT: usize = 93;
const SYS_RT_SIGACTION: usize = 134;
const SYS_MMAP: usize = 222;
const SYS_MPROTECT: usize = 226;
const SIGSEGV: usize = 11;
const SA_SIGINFO: usize = 4;
const PAGE: usize = 4096;

#[cfg(target_arch = "riscv64")]
unsafe fn syscall(n: usize, a: [usize; 6]) -> isize {
    let ret: isize;
    // SAFETY: a Linux system call; the caller passes valid arguments.
    unsafe {
        asm!("ecall", in("a7") n, inlateout("a0") a[0] => ret, in("a1") a[1],
             in("a2") a[2], in("a3") a[3], in("a4") a[4], in("a5") a[5])
    };
    ret
}

#[cfg(target_arch = "aarch64")]
unsafe fn syscall(n: usize, a: [usize; 6]) -> isize {
    let ret: isize;
    // SAFETY: a Linux system call; the caller passes valid arguments.
    unsafe {
        asm!("svc 0", in("x8") n, inlateout("x0") a[0] => ret, in("x1") a[1],
             in("x2") a[2], in("x3") a[3], in("x4") a[4], in("x5") a[5])
    };
    ret
}

fn write(s: &[u8]) {
    // SAFETY: writes our own bytes to stderr.
    unsafe { syscall(SYS_WRITE, [2, s.as_ptr() as usize, s.len(), 0, 0, 0]) };
}

fn exit(code: usize) -> ! {
    // SAFETY: ends the process.
    unsafe { syscall(SYS_EXIT, [code, 0, 0, 0, 0, 0]) };
    loop {}
}

fn check(ok: bool, what: &[u8]) {
    if !ok {
        write(b"FAIL: ");
        write(what);
        write(b"\n");
        exit(1);
    }
}

/// Offset of the saved pc in the `ucontext_t` passed to a signal handler.
#[cfg(target_arch = "riscv64")]
const PC_OFFSET: usize = 176; // uc_mcontext (16-aligned) .sc_regs.pc
#[cfg(target_arch = "aarch64")]
const PC_OFFSET: usize = 176 + 8 + 31 * 8 + 8; // uc_mcontext .fault_address, .regs, .sp, .pc

static FIXUPS: AtomicUsize = AtomicUsize::new(0);

/// The trap handler's part: a fault in the copy routine continues at its
/// fixup, anything else fails the check.
extern "C" fn on_segv(_signal: i32, _info: *mut u8, context: *mut u8) {
    // SAFETY: the kernel passes the interrupted context; the pc slot is at
    // `PC_OFFSET` on this architecture.
    let pc = unsafe { &mut *context.add(PC_OFFSET).cast::<usize>() };
    match fixup_for(*pc) {
        Some(fixup) => {
            *pc = fixup;
            FIXUPS.fetch_add(1, Ordering::Relaxed);
        }
        None => {
            write(b"FAIL: fault outside the copy routine\n");
            exit(2);
        }
    }
}

#[repr(C)]
struct KernelSigaction {
    handler: usize,
    flags: usize,
    restorer: usize,
    mask: u64,
}

static PATTERN: [u8; 1200] = {
    let mut bytes = [0u8; 1200];
    let mut i = 0;
    while i < bytes.len() {
        bytes[i] = (i % 251) as u8 + 1;
        i += 1;
    }
    bytes
};

fn copy(dst: *mut u8, src: *const u8, len: usize) -> usize {
    // SAFETY: every caller passes ranges that are valid, or that fault into
    // the handler above, which applies the fixup.
    unsafe { imp::copy_raw(dst, src, len) }
}

fn all_lengths_and_alignments() {
    for len in 0..300 {
        for src_off in 0..9 {
            for dst_off in 0..9 {
                let mut dst = [0u8; 320];
                let src = &PATTERN[src_off..src_off + len];
                let left = copy(dst[dst_off..].as_mut_ptr(), src.as_ptr(), len);
                check(left == 0, b"a valid copy reported a remainder");
                check(&dst[dst_off..dst_off + len] == src, b"copied bytes differ");
                let outside = dst[..dst_off].iter().chain(&dst[dst_off + len..]);
                check(
                    outside.into_iter().all(|&b| b == 0),
                    b"bytes written outside dst",
                );
            }
        }
    }
    write(b"copy: every length and alignment is exact\n");
}

fn faults_go_to_the_fixup() {
    let action = KernelSigaction {
        handler: on_segv as *const () as usize,
        flags: SA_SIGINFO,
        restorer: 0,
        mask: 0,
    };
    let action_ptr = &raw const action;
    // SAFETY: installs the handler above for SIGSEGV.
    let rc = unsafe { syscall(SYS_RT_SIGACTION, [SIGSEGV, action_ptr.addr(), 0, 8, 0, 0]) };
    check(rc == 0, b"rt_sigaction");
    // Two read-write pages, the second then made inaccessible.
    // SAFETY: a fresh anonymous private mapping.
    let map = unsafe { syscall(SYS_MMAP, [0, 2 * PAGE, 3, 0x22, usize::MAX, 0]) };
    check(map > 0, b"mmap");
    let bad_page = map as usize + PAGE;
    // SAFETY: our own mapping.
    let rc = unsafe { syscall(SYS_MPROTECT, [bad_page, PAGE, 0, 0, 0, 0]) };
    check(rc == 0, b"mprotect");

    let mut faults = 0;
    for len in [1usize, 7, 8, 9, 15, 16, 17, 64, 100, 1000] {
        for good in [0usize, 1, 3, 8, 13, 64] {
            for off in 0..8 {
                let must_fail = len > good;
                // Read: the source runs `good` bytes before the bad page.
                let mut dst = [0u8; 1100];
                let left = copy(dst[off..].as_mut_ptr(), (bad_page - good) as *const u8, len);
                if must_fail {
                    faults += 1;
                    check(left <= len && left >= len - good, b"read: bad remainder");
                } else {
                    check(left == 0, b"read: spurious failure");
                }
                // Write: the destination runs into the bad page.
                let src = &PATTERN[off..off + len];
                let dst = (bad_page - good) as *mut u8;
                let left = copy(dst, src.as_ptr(), len);
                if must_fail {
                    faults += 1;
                    check(left <= len && left >= len - good, b"write: bad remainder");
                    let done = len - left;
                    // SAFETY: `done <= good` bytes before the bad page.
                    let written = unsafe { core::slice::from_raw_parts(dst, done) };
                    check(
                        written == &src[..done],
                        b"write: reported bytes not written",
                    );
                } else {
                    check(left == 0, b"write: spurious failure");
                }
            }
        }
    }
    check(
        FIXUPS.load(Ordering::Relaxed) == faults,
        b"one fixup per fault",
    );
    write(b"fixup: every fault recovered with a consistent remainder\n");
}

#[unsafe(no_mangle)]
extern "C" fn check_main() -> ! {
    all_lengths_and_alignments();
    faults_go_to_the_fixup();
    exit(0)
}

/// The initial stack (only its address is used).
#[repr(align(16))]
#[allow(dead_code)]
struct Stack([u8; 1 << 20]);

#[unsafe(no_mangle)]
static mut CHECK_STACK: Stack = Stack([0; 1 << 20]);

#[cfg(target_arch = "riscv64")]
global_asm!(
    ".globl _start",
    "_start:",
    "la sp, CHECK_STACK",
    "li t0, 1048576",
    "add sp, sp, t0",
    "call check_main",
);

#[cfg(target_arch = "aarch64")]
global_asm!(
    ".globl _start",
    "_start:",
    "adrp x0, CHECK_STACK",
    "add x0, x0, :lo12:CHECK_STACK",
    "mov x1, #1048576",
    "add sp, x0, x1",
    "bl check_main",
);

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    write(b"FAIL: panic\n");
    exit(3)
}
