//! Syscall wrappers. Addresses are plain `usize`s: the program passes
//! hostile ones on purpose. Calls through which the kernel only reads user
//! memory are safe; calls through which it writes user memory or changes
//! the address space are `unsafe`.

use core::{cell::UnsafeCell, ffi::CStr};

use axptr_qemu_abi::{AT_FDCWD, futex, map, nr};

use crate::arch;

/// Memory the kernel may write: the program holds no reference into it
/// and reads it back through raw pointers after the syscall.
#[repr(C, align(64))]
pub struct KernelWritable<const N: usize>(UnsafeCell<[u8; N]>);

// SAFETY: the program never creates references into the buffer; only the
// kernel writes it, during syscalls, which the program orders with its own
// reads.
unsafe impl<const N: usize> Sync for KernelWritable<N> {}

impl<const N: usize> KernelWritable<N> {
    /// A zeroed buffer.
    pub const fn new() -> Self {
        Self(UnsafeCell::new([0; N]))
    }

    /// Its address, for a syscall argument.
    pub fn addr(&self) -> usize {
        self.0.get().addr()
    }

    /// The 32-bit word at byte `offset` (which must leave room for it).
    pub fn read_u32(&self, offset: usize) -> u32 {
        assert!(offset + 4 <= N);
        // SAFETY: in bounds (checked above); the buffer is only ever read
        // through raw pointers (it lives in an `UnsafeCell`, and a syscall
        // that wrote it is an `asm!` block that may write any memory).
        unsafe {
            self.0
                .get()
                .cast::<u8>()
                .add(offset)
                .cast::<u32>()
                .read_unaligned()
        }
    }
}

fn call(nr: usize, args: [usize; 6]) -> isize {
    // SAFETY: only used by the wrappers below through which the kernel reads
    // user memory but writes none and leaves the address space alone.
    unsafe { arch::syscall(nr, args) }
}

/// `write(fd, buf, count)`.
pub fn write(fd: usize, buf: usize, count: usize) -> isize {
    call(nr::WRITE, [fd, buf, count, 0, 0, 0])
}

/// `openat(AT_FDCWD, path, flags, 0)` with a raw path address.
pub fn openat(path: usize, flags: usize) -> isize {
    call(nr::OPENAT, [AT_FDCWD as usize, path, flags, 0, 0, 0])
}

/// `nanosleep(req, NULL)`.
pub fn nanosleep(req: usize) -> isize {
    call(nr::NANOSLEEP, [req, 0, 0, 0, 0, 0])
}

/// A syscall number the kernel does not know, without arguments.
pub fn unknown(number: usize) -> isize {
    call(number, [0; 6])
}

/// Prints `label: value` through the kernel.
pub fn report(label: &CStr, value: isize) {
    call(
        nr::REPORT,
        [label.as_ptr().addr(), value as usize, 0, 0, 0, 0],
    );
}

/// `futex(uaddr, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, expected, NULL)`: sleeps
/// while the word at `uaddr` holds `expected`.
pub fn futex_wait(uaddr: usize, expected: u32) -> isize {
    let op = futex::WAIT | futex::PRIVATE_FLAG;
    call(nr::FUTEX, [uaddr, op, expected as usize, 0, 0, 0])
}

/// `futex(uaddr, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, count)`.
pub fn futex_wake(uaddr: usize, count: u32) -> isize {
    let op = futex::WAKE | futex::PRIVATE_FLAG;
    call(nr::FUTEX, [uaddr, op, count as usize, 0, 0, 0])
}

/// `exit(status)`: ends the calling thread.
pub fn exit(status: i32) -> ! {
    call(nr::EXIT, [status as usize, 0, 0, 0, 0, 0]);
    unreachable!("exit returned")
}

/// `exit_group(status)`: ends the process.
pub fn exit_group(status: i32) -> ! {
    call(nr::EXIT_GROUP, [status as usize, 0, 0, 0, 0, 0]);
    unreachable!("exit_group returned")
}

/// `getcwd(buf, size)`.
///
/// # Safety
///
/// `[buf, buf + size)` must be memory the kernel may write (or not the
/// program's memory at all).
pub unsafe fn getcwd(buf: usize, size: usize) -> isize {
    // SAFETY: the kernel writes at most `size` bytes at `buf` (caller).
    unsafe { arch::syscall(nr::GETCWD, [buf, size, 0, 0, 0, 0]) }
}

/// `read(fd, buf, count)`.
///
/// # Safety
///
/// As [`getcwd`], for `[buf, buf + count)`.
pub unsafe fn read(fd: usize, buf: usize, count: usize) -> isize {
    // SAFETY: the kernel writes at most `count` bytes at `buf` (caller).
    unsafe { arch::syscall(nr::READ, [fd, buf, count, 0, 0, 0]) }
}

/// `fstat(fd, statbuf)`.
///
/// # Safety
///
/// As [`getcwd`], for a 128-byte `struct stat` at `statbuf`.
pub unsafe fn fstat(fd: usize, statbuf: usize) -> isize {
    // SAFETY: the kernel writes one `struct stat` at `statbuf` (caller).
    unsafe { arch::syscall(nr::FSTAT, [fd, statbuf, 0, 0, 0, 0]) }
}

/// `mmap(addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | extra, -1, 0)`.
///
/// # Safety
///
/// With `MAP_FIXED` in `extra`, the range must hold nothing the program
/// uses.
pub unsafe fn mmap_anonymous(addr: usize, len: usize, prot: usize, extra: usize) -> isize {
    let flags = map::PRIVATE | map::ANONYMOUS | extra;
    // SAFETY: a new mapping replaces only what the caller allows.
    unsafe { arch::syscall(nr::MMAP, [addr, len, prot, flags, usize::MAX, 0]) }
}

/// `munmap(addr, len)`.
///
/// # Safety
///
/// The range must hold nothing the program uses.
pub unsafe fn munmap(addr: usize, len: usize) -> isize {
    // SAFETY: the caller gives the range up.
    unsafe { arch::syscall(nr::MUNMAP, [addr, len, 0, 0, 0, 0]) }
}

/// `mprotect(addr, len, prot)`.
///
/// # Safety
///
/// The program must not touch the range in ways `prot` forbids.
pub unsafe fn mprotect(addr: usize, len: usize, prot: usize) -> isize {
    // SAFETY: the caller keeps to `prot`.
    unsafe { arch::syscall(nr::MPROTECT, [addr, len, prot, 0, 0, 0]) }
}

/// This kernel's `unmap_race(addr)`: the area at `addr` is unmapped right
/// after the next syscall's validation.
///
/// # Safety
///
/// As [`munmap`], for the area at `addr`.
pub unsafe fn unmap_race(addr: usize) -> isize {
    // SAFETY: the caller gives the area up.
    unsafe { arch::syscall(nr::UNMAP_RACE, [addr, 0, 0, 0, 0, 0]) }
}

/// Starts a thread running `entry(arg)` on the stack ending at
/// `stack_top`; returns its thread id or `-errno`.
///
/// # Safety
///
/// The stack must be memory nothing else uses, for as long as the thread
/// runs.
pub unsafe fn spawn(entry: extern "C" fn(usize) -> !, stack_top: usize, arg: usize) -> isize {
    // SAFETY: the new thread runs `entry` on its own stack (caller); the
    // parent returns normally.
    unsafe { arch::__user_clone(entry, stack_top, arg) }
}
