//! Threads racing over one buffer, on as many CPUs.
//!
//! One thread unmaps and maps the buffer again, and write-protects it now
//! and then, in a loop, filling it from `/dev/zero` after each mapping (so
//! its CPU faults lazy pages in too); the copier passes it to syscalls that
//! copy into and out of it (`getcwd`, `read` from `/dev/zero`, `write` to
//! `/dev/null`). One copier: with more busy CPUs than the host has cores,
//! QEMU's CPUs preempt each other while holding the address space lock,
//! and a run takes a hundred times longer.
//! The copiers also `FUTEX_WAIT` on a word of the buffer with a value it
//! never holds. Every call must end in success, a short count, `EAGAIN`
//! (the futex) or `EFAULT`: a copy that
//! faults on a page another CPU has just unmapped is turned into `EFAULT` by
//! axptr's fixup, a lazy page is faulted in by the kernel, and anything else
//! (a kernel oops, a wrong result) fails the run.

use core::{
    ffi::CStr,
    sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering},
};

use axptr_qemu_abi::{
    RACE_BUF, RACE_PAGES,
    errno::{EAGAIN, EFAULT},
    map, prot,
};

use crate::sys::{self, report};

const PAGE_SIZE: usize = 4096;
const LEN: usize = RACE_PAGES * PAGE_SIZE;
/// Rounds of the unmapping thread; the copiers run until it is done.
const ROUNDS: usize = 600;
const COPIERS: usize = 1;
const STACK_SIZE: usize = 64 * 1024;
const O_RDONLY: usize = 0;
const O_WRONLY: usize = 1;

static STOP: AtomicBool = AtomicBool::new(false);
/// Copiers that have started copying.
static COPYING: AtomicUsize = AtomicUsize::new(0);
/// Threads that have finished: the main thread sleeps on it (a futex).
static FINISHED: AtomicU32 = AtomicU32::new(0);
/// The word the futex handshake's thread sleeps on.
static HANDSHAKE: AtomicU32 = AtomicU32::new(0);
/// Results no syscall should have given.
static UNEXPECTED: AtomicUsize = AtomicUsize::new(0);
static ZERO_FD: AtomicUsize = AtomicUsize::new(0);
static NULL_FD: AtomicUsize = AtomicUsize::new(0);

/// How the futex handshake went.
pub enum Handshake {
    /// The other thread slept and was woken.
    Done,
    /// `clone` found no idle CPU (a kernel with one CPU): the handshake,
    /// and the race after it, cannot run.
    NoIdleCpu,
    /// Something else failed (reported).
    Failed,
}

/// One thread sleeps in `FUTEX_WAIT` until this one wakes it with
/// `FUTEX_WAKE`.
pub fn futex_handshake() -> Handshake {
    match spawn(sleeper, 0) {
        Ok(()) => {}
        Err(err) if err == -EAGAIN => {
            report(
                c"clone with no idle CPU, futex handshake and race skipped",
                err,
            );
            return Handshake::NoIdleCpu;
        }
        Err(err) => {
            report(c"race: clone", err);
            return Handshake::Failed;
        }
    }
    // FUTEX_WAKE wakes nobody (0) until the thread sleeps.
    let woken = loop {
        let woken = sys::futex_wake(HANDSHAKE.as_ptr().addr(), 1);
        if woken != 0 {
            break woken;
        }
        core::hint::spin_loop();
    };
    join(1);
    report(c"futex wake of a sleeping thread", woken);
    Handshake::Done
}

extern "C" fn sleeper(_: usize) -> ! {
    let got = sys::futex_wait(HANDSHAKE.as_ptr().addr(), 0);
    report(c"futex wait woken by another thread", got);
    finish()
}

/// Sleeps until `count` threads have finished in all.
fn join(count: u32) {
    loop {
        let finished = FINISHED.load(Ordering::Acquire);
        if finished >= count {
            return;
        }
        // EAGAIN when another thread finished meanwhile: look again.
        sys::futex_wait(FINISHED.as_ptr().addr(), finished);
    }
}

/// Runs the race; returns the exit status (0 when every result was one
/// of the expected ones).
pub fn run() -> i32 {
    let rw = prot::READ | prot::WRITE;
    // SAFETY: a fresh area: nothing of the program lives there.
    let buf = unsafe { sys::mmap_anonymous(RACE_BUF, LEN, rw, map::FIXED) };
    if buf != RACE_BUF as isize {
        report(c"race: mmap of the buffer", buf);
        return 1;
    }
    let zero = sys::openat(c"/dev/zero".as_ptr().addr(), O_RDONLY);
    let null = sys::openat(c"/dev/null".as_ptr().addr(), O_WRONLY);
    let (Ok(zero), Ok(null)) = (usize::try_from(zero), usize::try_from(null)) else {
        report(c"race: open /dev/zero and /dev/null", zero.min(null));
        return 1;
    };
    ZERO_FD.store(zero, Ordering::Relaxed);
    NULL_FD.store(null, Ordering::Relaxed);

    let mut started = 0;
    for k in 0..COPIERS {
        if spawn_reported(copier, k) {
            started += 1;
        }
    }
    if spawn_reported(unmapper, 0) {
        started += 1;
    } else {
        // Without the unmapping thread the copiers would never stop.
        STOP.store(true, Ordering::Release);
    }
    join(1 + started);
    report(c"race: threads", started as isize);
    report(c"race: unmap rounds", ROUNDS as isize);
    let unexpected = UNEXPECTED.load(Ordering::Relaxed);
    report(c"race: unexpected results", unexpected as isize);
    if started == 1 + COPIERS as u32 && unexpected == 0 {
        0
    } else {
        1
    }
}

/// Starts `entry(arg)` on a fresh stack; reports a failure.
fn spawn_reported(entry: extern "C" fn(usize) -> !, arg: usize) -> bool {
    spawn(entry, arg)
        .map_err(|err| report(c"race: clone", err))
        .is_ok()
}

/// Starts `entry(arg)` on a fresh stack; returns `clone`'s error (a
/// failed `mmap` of the stack is reported here).
fn spawn(entry: extern "C" fn(usize) -> !, arg: usize) -> Result<(), isize> {
    let rw = prot::READ | prot::WRITE;
    // SAFETY: not `MAP_FIXED`: the kernel picks a free range.
    let stack = unsafe { sys::mmap_anonymous(0, STACK_SIZE, rw, 0) };
    let Ok(stack) = usize::try_from(stack) else {
        report(c"race: mmap of a thread stack", stack);
        return Err(stack);
    };
    // SAFETY: the stack was just mapped for this thread alone.
    let tid = unsafe { sys::spawn(entry, stack + STACK_SIZE, arg) };
    if tid <= 0 {
        // SAFETY: no thread runs on the stack.
        unsafe { sys::munmap(stack, STACK_SIZE) };
        return Err(tid);
    }
    Ok(())
}

/// Counts and reports a result no syscall should have given.
fn expect(ok: bool, label: &CStr, value: isize) {
    if !ok {
        UNEXPECTED.fetch_add(1, Ordering::Relaxed);
        report(label, value);
    }
}

/// A whole transfer, a short one, or `EFAULT` when nothing moved.
fn is_transfer_result(got: isize, len: usize) -> bool {
    got == -EFAULT || (1..=len as isize).contains(&got)
}

fn finish() -> ! {
    FINISHED.fetch_add(1, Ordering::Release);
    sys::futex_wake(FINISHED.as_ptr().addr(), u32::MAX);
    sys::exit(0)
}

extern "C" fn unmapper(_: usize) -> ! {
    let rw = prot::READ | prot::WRITE;
    // The race begins once every copier is at work.
    while COPYING.load(Ordering::Acquire) < COPIERS {
        core::hint::spin_loop();
    }
    for round in 0..ROUNDS {
        // SAFETY: the race buffer holds nothing of the program: the
        // copiers only pass its address to the kernel.
        unsafe {
            let got = sys::munmap(RACE_BUF, LEN);
            expect(got == 0, c"race: munmap", got);
            let got = sys::mmap_anonymous(RACE_BUF, LEN, rw, map::FIXED);
            expect(got == RACE_BUF as isize, c"race: mmap", got);
            if round % 4 == 3 {
                let got = sys::mprotect(RACE_BUF, LEN, prot::READ);
                expect(got == 0, c"race: mprotect read-only", got);
                let got = sys::mprotect(RACE_BUF, LEN, rw);
                expect(got == 0, c"race: mprotect read-write", got);
            }
            // Nobody else unmaps it: this one must go through whole.
            let zero = ZERO_FD.load(Ordering::Relaxed);
            let got = sys::read(zero, RACE_BUF, LEN);
            expect(
                got == LEN as isize,
                c"race: read by the unmapping thread",
                got,
            );
        }
    }
    STOP.store(true, Ordering::Release);
    finish()
}

extern "C" fn copier(k: usize) -> ! {
    let zero = ZERO_FD.load(Ordering::Relaxed);
    let null = NULL_FD.load(Ordering::Relaxed);
    // Each copier's getcwd lands in its own slot of the last page.
    let cwd = RACE_BUF + LEN - 64 * (k + 1);
    // A futex word in the first page, which only ever holds zeros.
    let word = RACE_BUF + 4 * k;
    // Transfers start mid-page: each kernel chunk (a page) spans two
    // pages, so a copy can lose its second page after validation.
    let (data, len) = (RACE_BUF + PAGE_SIZE / 2, LEN - PAGE_SIZE / 2);
    COPYING.fetch_add(1, Ordering::Release);
    while !STOP.load(Ordering::Acquire) {
        // SAFETY: the race buffer holds nothing of the program.
        let got = unsafe { sys::getcwd(cwd, 64) };
        expect(got == 12 || got == -EFAULT, c"race: getcwd", got);
        // SAFETY: as above.
        let got = unsafe { sys::read(zero, data, len) };
        expect(is_transfer_result(got, len), c"race: read", got);
        let got = sys::write(null, data, len);
        expect(is_transfer_result(got, len), c"race: write", got);
        let got = sys::futex_wait(word, 1);
        expect(got == -EAGAIN || got == -EFAULT, c"race: futex", got);
    }
    finish()
}
