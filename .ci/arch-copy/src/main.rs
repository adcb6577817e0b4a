//! Runs axptr-core's riscv64 and aarch64 fallible routines under
//! qemu-user (no kernel needed): the copy, the C-string and u64-array
//! copies that stop after their terminator, the clear and the user-memory
//! atomics. Every length and alignment works exactly, and a routine that
//! runs into a `PROT_NONE` (or, for writes, read-only) page is sent to its
//! fixup by a SIGSEGV handler (the part of a kernel trap handler that
//! applies `fixup_for`), returning a result consistent with what it wrote;
//! a C-string copy that ends before such a page never touches it.
//!
//! The routines' source files (the architecture's assembly, the directives
//! around it, `directives.rs`, their Rust side, `routine.rs`, and the types
//! they share, `interface.rs`) are compiled in as they are (`#[path]`),
//! beside the items they expect from `arch/mod.rs`. Exit code 0 means all
//! passed.
//! Built with `cargo build --release --target riscv64gc-unknown-none-elf`
//! (or `aarch64-unknown-none`) and run with `qemu-riscv64` / `qemu-aarch64`.
#![no_std]
#![no_main]

use core::{
    arch::{asm, global_asm},
    sync::atomic::{AtomicUsize, Ordering},
};

macro_rules! asm_symbol {
    ($($part:expr),+) => {
        concat!("__arch_copy_check_", $($part),+)
    };
}

#[macro_use]
#[path = "../../../axptr-core/src/arch/directives.rs"]
mod directives;

#[path = "../../../axptr-core/src/arch/interface.rs"]
mod interface;
use interface::{ATOMIC_CASES, FaultRange, UserAtomicOp, UserFault};

#[path = "../../../axptr-core/src/arch/routine.rs"]
mod imp;
#[cfg(target_arch = "riscv64")]
#[path = "../../../axptr-core/src/arch/riscv64.rs"]
mod routine;
#[cfg(target_arch = "aarch64")]
#[path = "../../../axptr-core/src/arch/aarch64.rs"]
mod routine;

/// As `axptr_core::fixup_for`.
fn fixup_for(pc: usize) -> Option<usize> {
    imp::fault_ranges()
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

/// The trap handler's part: a fault in a fallible routine continues at its
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
            write(b"FAIL: fault outside the fallible routines\n");
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

/// Fails with `what` and the numbers that tell the case.
fn check_case(ok: bool, what: &[u8], case: &[usize]) {
    if !ok {
        write(b"FAIL: ");
        write(what);
        for &n in case {
            let mut digits = [0u8; 21];
            let mut at = digits.len();
            let mut n = n;
            loop {
                at -= 1;
                digits[at] = b'0' + (n % 10) as u8;
                n /= 10;
                if n == 0 {
                    break;
                }
            }
            digits[at - 1] = b' ';
            write(&digits[at - 1..]);
        }
        write(b"\n");
        exit(1);
    }
}

const FILL: u8 = 0xee;

fn copy(dst: *mut u8, src: *const u8, len: usize) -> usize {
    // SAFETY: every caller passes ranges that are valid, or that fault into
    // the handler above, which applies the fixup.
    unsafe { imp::copy_raw(dst, src, len) }
}

fn copy_until_nul(dst: *mut u8, src: *const u8, len: usize) -> usize {
    // SAFETY: as for `copy`.
    unsafe { imp::copy_until_nul(dst, src, len) }
}

fn copy_until_zero_u64(dst: *mut u64, src: *const u8, elems: usize) -> usize {
    // SAFETY: as for `copy`; `dst` is always a `u64` array.
    unsafe { imp::copy_until_zero_u64(dst, src, elems) }
}

fn clear(dst: *mut u8, len: usize) -> usize {
    // SAFETY: as for `copy`.
    unsafe { imp::clear_raw(dst, len) }
}

fn atomic(addr: usize, op: UserAtomicOp) -> Result<u32, UserFault> {
    // SAFETY: every caller passes an aligned word that is valid, or that
    // faults into the handler above.
    unsafe { imp::user_atomic_u32(addr as *mut u32, op) }
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

fn cstr_copies_stop_right_after_the_nul() {
    for limit in 0..300usize {
        let nuls = [
            0,
            1,
            limit / 2,
            limit.saturating_sub(2),
            limit.saturating_sub(1),
            limit,
            1000,
        ];
        for nul in nuls {
            let mut src = [0u8; 340];
            src.copy_from_slice(&PATTERN[..340]);
            for src_off in 0..9 {
                if let Some(byte) = src.get_mut(src_off + nul) {
                    *byte = 0;
                }
                let expected = if nul < limit { nul + 1 } else { limit };
                for dst_off in 0..9 {
                    let mut dst = [FILL; 320];
                    let copied =
                        copy_until_nul(dst[dst_off..].as_mut_ptr(), src[src_off..].as_ptr(), limit);
                    let case = [limit, nul, src_off, dst_off, copied];
                    check_case(copied == expected, b"cstr: wrong count", &case);
                    check_case(
                        dst[dst_off..dst_off + copied] == src[src_off..src_off + copied],
                        b"cstr: copied bytes differ",
                        &case,
                    );
                    let outside = dst[..dst_off].iter().chain(&dst[dst_off + copied..]);
                    check_case(
                        outside.into_iter().all(|&b| b == FILL),
                        b"cstr: written past the NUL or the limit",
                        &case,
                    );
                }
                if let Some(byte) = src.get_mut(src_off + nul) {
                    *byte = PATTERN[src_off + nul];
                }
            }
        }
    }
    write(b"cstr: every limit, NUL position and alignment stops right after the NUL\n");
}

fn u64_array_copies_stop_right_after_the_zero() {
    let mut src = [0u8; 8 * 48];
    for (i, byte) in src.iter_mut().enumerate() {
        *byte = (i % 251) as u8 + 1;
    }
    for limit in 0..40usize {
        for zero in [0, 1, limit / 2, limit.saturating_sub(1), limit, 100] {
            for src_off in 0..9 {
                let elem = src_off + 8 * zero;
                let saved: [u8; 8] = *src
                    .get(elem..elem + 8)
                    .and_then(|s| s.as_array())
                    .unwrap_or(&[0; 8]);
                if let Some(bytes) = src.get_mut(elem..elem + 8) {
                    bytes.fill(0);
                }
                let expected = if zero < limit { zero + 1 } else { limit };
                let mut dst = [u64::MAX; 44];
                let copied = copy_until_zero_u64(dst.as_mut_ptr(), src[src_off..].as_ptr(), limit);
                let case = [limit, zero, src_off, copied];
                check_case(copied == expected, b"u64 array: wrong count", &case);
                for (i, &got) in dst.iter().enumerate() {
                    let want = if i < copied {
                        let at = src_off + 8 * i;
                        u64::from_ne_bytes(*src[at..at + 8].as_array().unwrap_or(&[0; 8]))
                    } else {
                        u64::MAX
                    };
                    check_case(
                        got == want,
                        b"u64 array: element differs",
                        &[i, limit, zero, src_off],
                    );
                }
                if let Some(bytes) = src.get_mut(elem..elem + 8) {
                    bytes.copy_from_slice(&saved);
                }
            }
        }
    }
    write(b"u64 array: every limit, zero position and alignment stops right after the zero\n");
}

fn clears_every_length_and_alignment() {
    for len in 0..300 {
        for off in 0..9 {
            let mut dst = [FILL; 320];
            let left = clear(dst[off..].as_mut_ptr(), len);
            check_case(
                left == 0,
                b"clear: a valid clear reported a remainder",
                &[len, off],
            );
            check_case(
                dst[off..off + len].iter().all(|&b| b == 0),
                b"clear: not zeroed",
                &[len, off],
            );
            let outside = dst[..off].iter().chain(&dst[off + len..]);
            check_case(
                outside.into_iter().all(|&b| b == FILL),
                b"clear: outside written",
                &[len, off],
            );
        }
    }
    write(b"clear: every length and alignment is exact\n");
}

fn atomics_give_the_old_value_and_leave_the_new() {
    for (index, (op, before, result, after)) in ATOMIC_CASES.into_iter().enumerate() {
        let mut words = [0x5555_5555u32, before, 0xaaaa_aaaa];
        let got = atomic((&raw mut words[1]).addr(), op);
        check_case(got == Ok(result), b"atomic: wrong result", &[index]);
        check_case(
            words == [0x5555_5555, after, 0xaaaa_aaaa],
            b"atomic: wrong memory",
            &[index],
        );
    }
    write(b"atomics: every operation gives the old value and leaves the new one\n");
}

/// Three pages: read-write, `PROT_NONE` (the hole), read-only. Returns the
/// first address of the hole.
fn map_test_pages() -> usize {
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
    // SAFETY: a fresh anonymous private mapping.
    let map = unsafe { syscall(SYS_MMAP, [0, 3 * PAGE, 3, 0x22, usize::MAX, 0]) };
    check(map > 0, b"mmap");
    let hole = map as usize + PAGE;
    // SAFETY: our own mapping.
    let rc = unsafe { syscall(SYS_MPROTECT, [hole, PAGE, 0, 0, 0, 0]) };
    check(rc == 0, b"mprotect none");
    // SAFETY: our own mapping.
    let rc = unsafe { syscall(SYS_MPROTECT, [hole + PAGE, PAGE, 1, 0, 0, 0]) };
    check(rc == 0, b"mprotect read");
    hole
}

/// The last `len` bytes of the read-write page before the hole.
fn tail_of_good_page(hole: usize, len: usize) -> &'static mut [u8] {
    // SAFETY: the page before the hole is ours and read-write; callers use
    // one such slice at a time.
    unsafe { core::slice::from_raw_parts_mut((hole - len) as *mut u8, len) }
}

fn faults_go_to_the_fixup(hole: usize) {
    let before = FIXUPS.load(Ordering::Relaxed);
    let mut faults = 0;
    tail_of_good_page(hole, 1200).copy_from_slice(&PATTERN);
    for len in [1usize, 7, 8, 9, 15, 16, 17, 64, 100, 1000] {
        for good in [0usize, 1, 3, 8, 13, 64] {
            for off in 0..8 {
                let must_fail = len > good;
                // Read: the source runs `good` bytes before the bad page.
                let mut dst = [0u8; 1100];
                let left = copy(dst[off..].as_mut_ptr(), (hole - good) as *const u8, len);
                if must_fail {
                    faults += 1;
                    check(left <= len && left >= len - good, b"read: bad remainder");
                } else {
                    check(left == 0, b"read: spurious failure");
                }
                // Write: the destination runs into the bad page.
                let src = &PATTERN[off..off + len];
                let dst = (hole - good) as *mut u8;
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
        FIXUPS.load(Ordering::Relaxed) - before == faults,
        b"one fixup per fault",
    );
    write(b"fixup: every copy fault recovered with a consistent remainder\n");
}

fn cstr_copies_respect_the_hole(hole: usize) {
    let text = tail_of_good_page(hole, 300);
    text.copy_from_slice(&PATTERN[..300]);
    // Ending with the page: the NUL is its last byte, the limit far into the
    // hole, and the hole is never touched.
    text[299] = 0;
    for start in hole - 300..hole {
        let before = FIXUPS.load(Ordering::Relaxed);
        let want = hole - start;
        let mut dst = [FILL; 700];
        let copied = copy_until_nul(dst.as_mut_ptr(), start as *const u8, 600);
        let case = [hole - start, copied];
        check_case(copied == want, b"cstr before the hole: wrong count", &case);
        check_case(
            FIXUPS.load(Ordering::Relaxed) == before,
            b"cstr before the hole: touched the hole",
            &case,
        );
        check_case(
            dst[..want] == text[300 - want..],
            b"cstr before the hole: bytes differ",
            &case,
        );
        check_case(
            dst[want..].iter().all(|&b| b == FILL),
            b"cstr before the hole: written past",
            &case,
        );
    }
    // Running into the hole: the count is what was written, at most one
    // doubleword short of the hole.
    text[299] = PATTERN[299];
    let mut faults = 0;
    let before = FIXUPS.load(Ordering::Relaxed);
    for start in hole - 300..hole {
        let good = hole - start;
        for limit in [good, good + 1, good + 7, good + 64, 1000] {
            let mut dst = [FILL; 1100];
            let copied = copy_until_nul(dst.as_mut_ptr(), start as *const u8, limit);
            let case = [good, limit, copied];
            check_case(
                copied <= good && copied + 8 > good,
                b"cstr into the hole: count",
                &case,
            );
            if limit > good {
                faults += 1;
            } else {
                check_case(copied == good, b"cstr up to the hole: count", &case);
            }
            check_case(
                dst[..copied] == text[300 - good..300 - good + copied],
                b"cstr into the hole: bytes",
                &case,
            );
            check_case(
                dst[copied..].iter().all(|&b| b == FILL),
                b"cstr into the hole: written past",
                &case,
            );
        }
    }
    check(
        FIXUPS.load(Ordering::Relaxed) - before == faults,
        b"cstr: one fixup per fault",
    );
    write(b"cstr: a copy ending before a hole never touches it; one running into it reports what it wrote\n");
}

fn u64_array_copies_respect_the_hole(hole: usize) {
    let words = tail_of_good_page(hole, 208);
    for (i, byte) in words.iter_mut().enumerate() {
        *byte = (i % 251) as u8 + 1;
    }
    let before = FIXUPS.load(Ordering::Relaxed);
    let mut faults = 0;
    for start in hole - 200..hole {
        let whole = (hole - start) / 8;
        let mut dst = [u64::MAX; 64];
        let copied = copy_until_zero_u64(dst.as_mut_ptr(), start as *const u8, 60);
        faults += 1;
        check_case(
            copied == whole,
            b"u64 array into the hole: count",
            &[hole - start, copied],
        );
        for (i, &got) in dst.iter().enumerate() {
            let want = if i < copied {
                let at = 208 - (hole - start) + 8 * i;
                u64::from_ne_bytes(*words[at..at + 8].as_array().unwrap_or(&[0; 8]))
            } else {
                u64::MAX
            };
            check_case(
                got == want,
                b"u64 array into the hole: element",
                &[hole - start, i],
            );
        }
    }
    // A zero element just before the hole ends the copy without a fault.
    words[200..].fill(0);
    let mut dst = [0u64; 16];
    let copied = copy_until_zero_u64(dst.as_mut_ptr(), (hole - 40) as *const u8, 16);
    check_case(copied == 5, b"u64 array before the hole: count", &[copied]);
    check(
        FIXUPS.load(Ordering::Relaxed) - before == faults,
        b"u64 array: one fixup per fault",
    );
    write(b"u64 array: a copy running into a hole reports the elements before it\n");
}

fn clears_respect_the_hole(hole: usize) {
    let before = FIXUPS.load(Ordering::Relaxed);
    let mut faults = 0;
    for start in hole - 300..hole {
        let good = hole - start;
        for len in [good, good + 1, good + 9, good + 100, 2000] {
            let page = tail_of_good_page(hole, 400);
            page.fill(FILL);
            let left = clear(start as *mut u8, len);
            let cleared = len - left;
            let case = [good, len, left];
            // Aligned doubleword stores: exactly up to the hole.
            check_case(cleared == good, b"clear into the hole: count", &case);
            faults += usize::from(len > good);
            check_case(
                page[400 - good..].iter().all(|&b| b == 0),
                b"clear: not zeroed",
                &case,
            );
            check_case(
                page[..400 - good].iter().all(|&b| b == FILL),
                b"clear: before written",
                &case,
            );
        }
    }
    // The read-only page: nothing cleared.
    let left = clear((hole + PAGE + 8) as *mut u8, 100);
    faults += 1;
    check_case(left == 100, b"clear of a read-only page", &[left]);
    check(
        FIXUPS.load(Ordering::Relaxed) - before == faults,
        b"clear: one fixup per fault",
    );
    write(b"clear: a clear running into a hole or a read-only page reports what it left\n");
}

fn atomics_fault_on_a_missing_or_read_only_word(hole: usize) {
    let read_only = hole + PAGE;
    let before = FIXUPS.load(Ordering::Relaxed);
    let mut faults = 0;
    for (index, (op, ..)) in ATOMIC_CASES.into_iter().enumerate() {
        check_case(
            atomic(hole + 4, op) == Err(UserFault),
            b"atomic in the hole",
            &[index],
        );
        faults += 1;
        // The read-only page holds zeros: this compare-exchange's
        // comparison succeeds, so it writes on every architecture.
        let op = match op {
            UserAtomicOp::CompareExchange { new, .. } => {
                UserAtomicOp::CompareExchange { expected: 0, new }
            }
            op => op,
        };
        let got = atomic(read_only + 8, op);
        if op == UserAtomicOp::Load {
            check_case(got == Ok(0), b"atomic load of a read-only word", &[index]);
        } else {
            check_case(
                got == Err(UserFault),
                b"atomic write to a read-only word",
                &[index],
            );
            faults += 1;
        }
    }
    check(
        FIXUPS.load(Ordering::Relaxed) - before == faults,
        b"atomics: one fixup per fault",
    );
    write(
        b"atomics: every operation faults on a missing word, and every write on a read-only one\n",
    );
}

#[unsafe(no_mangle)]
extern "C" fn check_main() -> ! {
    all_lengths_and_alignments();
    cstr_copies_stop_right_after_the_nul();
    u64_array_copies_stop_right_after_the_zero();
    clears_every_length_and_alignment();
    atomics_give_the_old_value_and_leave_the_new();
    let hole = map_test_pages();
    faults_go_to_the_fixup(hole);
    cstr_copies_respect_the_hole(hole);
    u64_array_copies_respect_the_hole(hole);
    clears_respect_the_hole(hole);
    atomics_fault_on_a_missing_or_read_only_word(hole);
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
