//! The user program of the axptr QEMU kernel.
//!
//! A static executable that the kernel loads from its ELF image into user
//! space. It first runs the transcript (one syscall per case, good or
//! hostile, each result reported under a label), then a futex handshake
//! between two threads, then the race (threads on several CPUs fighting
//! over one buffer), and exits with status 0 when
//! every result was an expected one. On a kernel with one CPU, `clone`
//! finds no idle CPU (`EAGAIN`): the program reports it and skips the
//! handshake and the race.
//!
//! The program is portable: only [`arch`] (the entry point, the syscall
//! instruction and the `clone` shim) differs between riscv64, aarch64 and
//! x86_64.
#![no_std]
#![no_main]

#[cfg_attr(target_arch = "riscv64", path = "arch/riscv64.rs")]
#[cfg_attr(target_arch = "aarch64", path = "arch/aarch64.rs")]
#[cfg_attr(target_arch = "x86_64", path = "arch/x86_64.rs")]
mod arch;
mod race;
mod sys;
mod transcript;

/// Called by `_start` with the stack the kernel set up.
extern "C" fn main() -> ! {
    if !transcript::run() {
        sys::exit_group(1);
    }
    match race::futex_handshake() {
        race::Handshake::Done => sys::exit_group(race::run()),
        race::Handshake::NoIdleCpu => sys::exit_group(0),
        race::Handshake::Failed => sys::exit_group(1),
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let line = info.location().map_or(0, |l| l.line());
    sys::report(c"user program panicked at line", line as isize);
    sys::exit_group(101)
}
