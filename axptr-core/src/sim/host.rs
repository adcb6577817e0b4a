//! The host memory behind a simulated space, through `libc`.
//!
//! The space is a `memfd` mapped twice: the *user view* is one reserved
//! range whose pages are `PROT_NONE` until populated, then get their area's
//! permissions through `mprotect`; the *alias* is always read-write and
//! lets test code poke and peek without regard for permissions (and without
//! changing them under a running access). Both views share the pages, so
//! contents survive eviction, like a page swapped out and back in.
//!
//! Every function here used by the fault handler (`protect`) is a plain
//! system call, async-signal-safe.

use core::{
    ffi::{c_int, c_void},
    fmt,
    ptr::NonNull,
};

use axerrno::{LinuxError, LinuxResult};
use page_table_multiarch::MappingFlags;

/// The `errno` of the last failed call, as a `LinuxError`.
fn last_error() -> LinuxError {
    std::io::Error::last_os_error()
        .raw_os_error()
        .and_then(|code| LinuxError::try_from(code).ok())
        .unwrap_or(LinuxError::ENOMEM)
}

/// Host page protection for an area's flags.
pub(super) fn prot_of(flags: MappingFlags) -> c_int {
    let mut prot = libc::PROT_NONE;
    if flags.contains(MappingFlags::READ) {
        prot |= libc::PROT_READ;
    }
    if flags.contains(MappingFlags::WRITE) {
        prot |= libc::PROT_WRITE;
    }
    if flags.contains(MappingFlags::EXECUTE) {
        prot |= libc::PROT_EXEC;
    }
    prot
}

/// The two views of a simulated space's memory. Owns them: unmapped and
/// closed on drop.
pub(super) struct HostMemory {
    user: NonNull<u8>,
    alias: NonNull<u8>,
    size: usize,
    fd: c_int,
}

// SAFETY: the views are plain shared memory; every access through them is
// made by the owner under the space's lock or by code that the user-memory
// rules already treat as racy (user memory).
unsafe impl Send for HostMemory {}
// SAFETY: as for `Send`; `&HostMemory` only hands out addresses and makes
// system calls.
unsafe impl Sync for HostMemory {}

impl HostMemory {
    /// Creates `size` bytes (a multiple of the page size) of zeroed memory:
    /// the user view all `PROT_NONE` (at `at` if given, else where the host
    /// chooses), the alias read-write.
    pub(super) fn new(size: usize, at: Option<usize>) -> LinuxResult<Self> {
        let len = libc::off_t::try_from(size).map_err(|_| LinuxError::ENOMEM)?;
        // SAFETY: a static NUL-terminated name; no memory is passed.
        let fd = unsafe { libc::memfd_create(c"axptr-sim".as_ptr(), libc::MFD_CLOEXEC) };
        if fd < 0 {
            return Err(last_error());
        }
        // From here on, `Drop` of a partly built value cleans up.
        let mut memory = Self {
            user: NonNull::dangling(),
            alias: NonNull::dangling(),
            size: 0,
            fd,
        };
        // SAFETY: `fd` is our own memfd.
        if unsafe { libc::ftruncate(fd, len) } != 0 {
            return Err(last_error());
        }
        memory.user = map_view(fd, size, libc::PROT_NONE, at)?;
        memory.alias = match map_view(fd, size, libc::PROT_READ | libc::PROT_WRITE, None) {
            Ok(alias) => alias,
            Err(err) => {
                // SAFETY: the user view was just mapped with this size.
                unsafe { libc::munmap(memory.user.as_ptr().cast(), size) };
                memory.user = NonNull::dangling();
                return Err(err);
            }
        };
        memory.size = size;
        // User pointers are made from plain addresses: expose the user
        // view's provenance so that they may access it.
        let _ = memory.user.as_ptr().expose_provenance();
        Ok(memory)
    }

    /// The first address of the user view.
    pub(super) fn base(&self) -> usize {
        self.user.as_ptr().addr()
    }

    /// Sets the user view's protection of `[offset, offset + len)`.
    ///
    /// Async-signal-safe (one system call).
    pub(super) fn protect(&self, offset: usize, len: usize, prot: c_int) -> LinuxResult<()> {
        debug_assert!(offset.checked_add(len).is_some_and(|end| end <= self.size));
        // SAFETY: the range lies inside the user view, which only holds
        // simulated user memory: changing its protection affects nothing of
        // the host program's own.
        let rc = unsafe { libc::mprotect(self.user.as_ptr().add(offset).cast(), len, prot) };
        if rc == 0 { Ok(()) } else { Err(last_error()) }
    }

    /// Zeroes `[offset, offset + len)` and gives its memory back to the
    /// host.
    pub(super) fn discard(&self, offset: usize, len: usize) {
        debug_assert!(offset.checked_add(len).is_some_and(|end| end <= self.size));
        let (Ok(start), Ok(length)) = (libc::off_t::try_from(offset), libc::off_t::try_from(len))
        else {
            return self.zero_through_alias(offset, len);
        };
        // SAFETY: our own memfd; punching a hole only zeroes its pages.
        let rc = unsafe {
            libc::fallocate(
                self.fd,
                libc::FALLOC_FL_PUNCH_HOLE | libc::FALLOC_FL_KEEP_SIZE,
                start,
                length,
            )
        };
        if rc != 0 {
            self.zero_through_alias(offset, len);
        }
    }

    fn zero_through_alias(&self, offset: usize, len: usize) {
        // SAFETY: the range lies inside the always-writable alias.
        unsafe { self.alias.as_ptr().add(offset).write_bytes(0, len) };
    }

    /// Copies `bytes` to `offset` through the alias (any permissions).
    pub(super) fn write_alias(&self, offset: usize, bytes: &[u8]) {
        debug_assert!(
            offset
                .checked_add(bytes.len())
                .is_some_and(|end| end <= self.size)
        );
        // SAFETY: the range lies inside the always-writable alias, a
        // mapping of its own that `bytes` cannot overlap.
        unsafe {
            core::ptr::copy_nonoverlapping(
                bytes.as_ptr(),
                self.alias.as_ptr().add(offset),
                bytes.len(),
            )
        };
    }

    /// Copies `out.len()` bytes at `offset` out through the alias.
    pub(super) fn read_alias(&self, offset: usize, out: &mut [u8]) {
        debug_assert!(
            offset
                .checked_add(out.len())
                .is_some_and(|end| end <= self.size)
        );
        // SAFETY: the range lies inside the always-readable alias.
        unsafe {
            core::ptr::copy_nonoverlapping(
                self.alias.as_ptr().add(offset),
                out.as_mut_ptr(),
                out.len(),
            )
        };
    }
}

/// Maps a shared view of the whole memfd, at `at` if given (never
/// replacing an existing mapping: `EEXIST` if the range is taken).
fn map_view(fd: c_int, size: usize, prot: c_int, at: Option<usize>) -> LinuxResult<NonNull<u8>> {
    let (hint, fixed) = match at {
        Some(addr) => (
            core::ptr::without_provenance_mut::<c_void>(addr),
            libc::MAP_FIXED_NOREPLACE,
        ),
        None => (core::ptr::null_mut(), 0),
    };
    // SAFETY: a fresh mapping; with `MAP_FIXED_NOREPLACE` the host refuses
    // (rather than replaces) a range that holds anything already.
    let addr = unsafe {
        libc::mmap(
            hint,
            size,
            prot,
            libc::MAP_SHARED | libc::MAP_NORESERVE | fixed,
            fd,
            0,
        )
    };
    if addr == libc::MAP_FAILED {
        return Err(last_error());
    }
    if at.is_some_and(|wanted| addr.addr() != wanted) {
        // A kernel older than 4.17 takes the flag for a mere hint.
        // SAFETY: the mapping was just made with this size and is ours.
        unsafe { libc::munmap(addr, size) };
        return Err(LinuxError::EEXIST);
    }
    NonNull::new(addr.cast::<u8>()).ok_or(LinuxError::ENOMEM)
}

impl Drop for HostMemory {
    fn drop(&mut self) {
        if self.size != 0 {
            for view in [self.user, self.alias] {
                // SAFETY: both views were mapped with `self.size` bytes and
                // nothing refers to them any more (the space is gone).
                unsafe { libc::munmap(view.as_ptr().cast::<c_void>(), self.size) };
            }
        }
        // SAFETY: our own descriptor, closed once.
        unsafe { libc::close(self.fd) };
    }
}

/// A formatter into a fixed stack buffer, written to stderr in one
/// `write(2)`: usable in the signal handler (no allocation, no lock).
pub(super) struct StderrLine {
    buf: [u8; 768],
    len: usize,
}

impl StderrLine {
    pub(super) const fn new() -> Self {
        Self {
            buf: [0; 768],
            len: 0,
        }
    }

    /// The text so far.
    pub(super) fn as_str(&self) -> &str {
        core::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }

    /// Writes the buffer to stderr (truncated if it overflowed).
    pub(super) fn flush(&mut self) {
        let mut done = 0;
        while done < self.len {
            // SAFETY: the bytes `done..len` of our own buffer.
            let n = unsafe {
                libc::write(
                    libc::STDERR_FILENO,
                    self.buf[done..self.len].as_ptr().cast(),
                    self.len - done,
                )
            };
            if n <= 0 {
                break;
            }
            done += n.unsigned_abs();
        }
        self.len = 0;
    }
}

impl fmt::Write for StderrLine {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = self.buf.len() - self.len;
        let mut n = s.len().min(room);
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}
