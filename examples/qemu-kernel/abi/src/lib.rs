//! What the axptr QEMU kernel and its user program agree on.
//!
//! Syscall numbers and flag values are Linux's: riscv64 and aarch64 share
//! the asm-generic syscall table, which this kernel uses on x86_64 too
//! (with Linux's x86_64 register convention, not its syscall numbers). The rest is this kernel's own: two extra
//! syscalls for the demonstration, and the fixed user addresses the user
//! program and the kernel's tests refer to.
#![no_std]

/// Syscall numbers (Linux asm-generic, as on riscv64 and aarch64).
pub mod nr {
    /// `getcwd(buf, size)`.
    pub const GETCWD: usize = 17;
    /// `openat(dirfd, path, flags, mode)`.
    pub const OPENAT: usize = 56;
    /// `read(fd, buf, count)`.
    pub const READ: usize = 63;
    /// `write(fd, buf, count)`.
    pub const WRITE: usize = 64;
    /// `fstat(fd, statbuf)`.
    pub const FSTAT: usize = 80;
    /// `exit(status)`: ends the calling thread.
    pub const EXIT: usize = 93;
    /// `exit_group(status)`: ends the process.
    pub const EXIT_GROUP: usize = 94;
    /// `futex(uaddr, op, val, timeout, uaddr2, val3)`.
    pub const FUTEX: usize = 98;
    /// `nanosleep(req, rem)`.
    pub const NANOSLEEP: usize = 101;
    /// `munmap(addr, len)`.
    pub const MUNMAP: usize = 215;
    /// `clone(flags, stack, parent_tid, tls, child_tid)`.
    pub const CLONE: usize = 220;
    /// `mmap(addr, len, prot, flags, fd, offset)`.
    pub const MMAP: usize = 222;
    /// `mprotect(addr, len, prot)`.
    pub const MPROTECT: usize = 226;
    /// This kernel's own: `report(label, value)` prints `label: value`.
    pub const REPORT: usize = 1000;
    /// This kernel's own: `unmap_race(addr)` unmaps the area at `addr`
    /// right after the next syscall's validation: a deterministic stand-in
    /// for another thread's `munmap` in the middle of a call.
    pub const UNMAP_RACE: usize = 1001;
}

/// `errno` values the user program tells apart.
pub mod errno {
    /// Resource temporarily unavailable (a futex word that changed).
    pub const EAGAIN: isize = 11;
    /// Bad address.
    pub const EFAULT: isize = 14;
}

/// `mmap`/`mprotect` protections.
pub mod prot {
    /// Readable.
    pub const READ: usize = 1;
    /// Writable.
    pub const WRITE: usize = 2;
    /// Executable.
    pub const EXEC: usize = 4;
}

/// `mmap` flags.
pub mod map {
    /// Changes are private to the process.
    pub const PRIVATE: usize = 0x02;
    /// Exactly at the given address, replacing what is there.
    pub const FIXED: usize = 0x10;
    /// Not backed by a file: zero-filled.
    pub const ANONYMOUS: usize = 0x20;
}

/// `clone` flags.
pub mod clone {
    /// Share the address space.
    pub const VM: usize = 0x100;
    /// Share the file-system information.
    pub const FS: usize = 0x200;
    /// Share the file descriptor table.
    pub const FILES: usize = 0x400;
    /// Share signal handlers.
    pub const SIGHAND: usize = 0x800;
    /// Same thread group: a thread, not a process.
    pub const THREAD: usize = 0x10000;
    /// Share System V semaphore undo lists.
    pub const SYSVSEM: usize = 0x40000;
    /// What pthread_create passes, without the TLS and TID options: the
    /// only combination this kernel supports.
    pub const THREAD_FLAGS: usize = VM | FS | FILES | SIGHAND | THREAD | SYSVSEM;
}

/// `futex` operations.
pub mod futex {
    /// Sleep while the word holds the expected value.
    pub const WAIT: usize = 0;
    /// Wake up to `val` sleepers.
    pub const WAKE: usize = 1;
    /// The futex is private to the process (the only kind here).
    pub const PRIVATE_FLAG: usize = 128;
}

/// `openat`'s "relative to the working directory".
pub const AT_FDCWD: isize = -100;
/// The user program's image (its linker script, `user/user.ld`, agrees).
pub const USER_IMAGE_BASE: usize = 0x1000_0000;
/// Three read-only pages laid out to the byte for the string cases, with
/// nothing mapped after them (`user/user.ld` agrees).
pub const PROBE_BASE: usize = 0x1080_0000;
/// The lazily populated area of the transcript (4 pages).
pub const LAZY_BASE: usize = 0x2000_0000;
/// Pages of the lazy area.
pub const LAZY_PAGES: usize = 4;
/// A lazy page that the program has unmapped in the middle of a syscall.
pub const DOOMED_BASE: usize = 0x2100_0000;
/// The buffer the race threads fight over.
pub const RACE_BUF: usize = 0x2200_0000;
/// Pages of the race buffer.
pub const RACE_PAGES: usize = 4;
/// An address with nothing mapped around it.
pub const UNMAPPED: usize = 0x3000_0000;
/// Where `mmap` without `MAP_FIXED` starts looking for room.
pub const MMAP_BASE: usize = 0x3100_0000;
/// The top of the main thread's stack.
pub const USER_STACK_TOP: usize = 0x3f00_0000;
/// The end of user space: `[0, USER_END)`.
pub const USER_END: usize = 0x4000_0000;
/// Where the kernel image starts (a kernel address the user program tries
/// to pass off as its own).
#[cfg(target_arch = "riscv64")]
pub const KERNEL_BASE: usize = 0x8020_0000;
/// Where the kernel image starts (a kernel address the user program tries
/// to pass off as its own).
#[cfg(not(target_arch = "riscv64"))]
pub const KERNEL_BASE: usize = 0x4020_0000;
