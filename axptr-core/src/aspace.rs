//! The kernel's address space, as axptr sees it.
//!
//! axptr never walks page tables itself: it asks the kernel, through
//! [`AddrSpace`], whether a user range is mapped with the needed permissions
//! and to make its pages present. The two methods mirror `axmm::AddrSpace`,
//! so an ArceOS kernel implements them by forwarding.
//!
//! Rules of use, which every function of this crate follows:
//! - user memory is never read or written while the provider's lock is held
//!   (the page-fault handler needs that lock);
//! - the [`AddrSpace`] methods are never called while the fault flag
//!   ([`is_accessing_user_memory`](crate::is_accessing_user_memory)) is set.

use axerrno::LinuxResult;
use memory_addr::{VirtAddr, VirtAddrRange};
use page_table_multiarch::MappingFlags;

/// A user address space that can be checked and populated.
///
/// # Safety
///
/// axptr's memory safety rests on these answers. An implementation
/// promises that:
///
/// - when [`check_region_access`](Self::check_region_access) returns `true`,
///   every byte of `range` is user memory — never a kernel object, never
///   memory the kernel holds Rust references into — mapped with at least
///   `flags`, or mapped lazily so that the kernel's page-fault handler
///   makes it present when the access faults with
///   [`is_accessing_user_memory`](crate::is_accessing_user_memory) set. The
///   answer stays true for as long as the caller holds the provider it got
///   the space from; later (another user thread unmapping the range, say),
///   a fault in axptr's copy routines must reach
///   [`fixup_for`](crate::fixup_for) instead of being fatal;
/// - [`user_range`](Self::user_range) contains every range for which
///   `check_region_access` answers `true`.
///
/// axptr writes through user pointers with raw copies after a `true`
/// answer, so an implementation that answers `true` for a kernel address
/// lets safe code overwrite kernel memory: that is why this trait is
/// `unsafe` to implement (starry-vm's `unsafe trait VmIo` is the
/// precedent).
#[diagnostic::on_unimplemented(
    message = "`{Self}` gives no access to a user address space",
    label = "axptr cannot check user memory through this type",
    note = "implement `AddrSpaceProvider` for it (a handle that hands the address space over), \
            or `AddrSpace` if it is one; a `#[syscall]` context must be a provider when the \
            handler takes strings or slices"
)]
pub unsafe trait AddrSpace {
    /// Returns whether every byte of `range` is mapped with at least `flags`.
    ///
    /// Must not populate anything; a mapped but not yet present (lazy) page
    /// counts as mapped.
    fn check_region_access(&self, range: VirtAddrRange, flags: MappingFlags) -> bool;

    /// Makes every page of `[start, start + size)` present, faulting in
    /// lazily mapped pages.
    ///
    /// axptr passes page-aligned `start` and `size`, and only ranges that
    /// [`check_region_access`](Self::check_region_access) accepted.
    ///
    /// Copies, cursors and scans run with the fault flag set and through
    /// the fallible routines, so a kernel whose page-fault handler
    /// populates lazy pages while
    /// [`is_accessing_user_memory`](crate::is_accessing_user_memory) is true
    /// may leave them to it (demand paging) and do nothing here. The
    /// `unsafe` in-place API lends references that are used without the
    /// flag: their pages must be present when lent, so such a kernel must
    /// not use it on lazy areas.
    fn populate_area(
        &mut self,
        start: VirtAddr,
        size: usize,
        flags: MappingFlags,
    ) -> LinuxResult<()>;

    /// The bounds of user space, as Linux's `access_ok` sees them: every
    /// range outside it — zero-length ones included — is `EFAULT` before
    /// anything is checked or touched; zero-length ranges inside it are
    /// valid at any address.
    ///
    /// Usually it starts at 0 (so `read(fd, NULL, 0)` returns 0, as on
    /// Linux) and ends where the kernel half begins (`axmm`'s
    /// `AddrSpace::end()`, `TASK_SIZE` on Linux). It bounds the checks; it
    /// does not say anything is mapped.
    fn user_range(&self) -> VirtAddrRange;
}

/// Gives axptr temporary access to an [`AddrSpace`], usually by locking it.
///
/// Every [`AddrSpace`] is a provider of itself, and so is `&mut A`: tests and
/// single-threaded kernels pass `&mut aspace`. A kernel whose address space
/// sits behind a lock implements this on a small handle type that locks for
/// the duration of `f`.
///
/// References lent by the reference API (`get`, `get_as_slice`, ...) borrow
/// the provider they were lent through, which keeps them exclusive with
/// respect to that provider only. Where several providers can reach one
/// address space (such a handle can be made anywhere), nothing may reach
/// the bytes of a lent reference through another provider while it lives:
/// a second lent `&mut` to them, or a copy writing them, would be undefined
/// behaviour. Copies make no references, so copies alone mix freely.
#[diagnostic::on_unimplemented(
    message = "`{Self}` gives no access to a user address space",
    label = "axptr cannot check user memory through this type",
    note = "implement `AddrSpaceProvider` for it (a handle that hands the address space over), \
            or `AddrSpace` if it is one"
)]
pub trait AddrSpaceProvider {
    /// The address space handed to `f`.
    type AddrSpace: AddrSpace + ?Sized;

    /// Runs `f` with the address space (for example, with its lock held).
    fn with_addr_space<R>(&mut self, f: impl FnOnce(&mut Self::AddrSpace) -> R) -> R;
}

impl<A: AddrSpace + ?Sized> AddrSpaceProvider for A {
    type AddrSpace = A;

    #[inline]
    fn with_addr_space<R>(&mut self, f: impl FnOnce(&mut A) -> R) -> R {
        f(self)
    }
}

/// `&mut A` is an address space, hence (through the blanket impl) a provider.
// SAFETY: every answer is `A`'s, which made the same promises.
unsafe impl<A: AddrSpace + ?Sized> AddrSpace for &mut A {
    #[inline]
    fn check_region_access(&self, range: VirtAddrRange, flags: MappingFlags) -> bool {
        (**self).check_region_access(range, flags)
    }

    #[inline]
    fn populate_area(
        &mut self,
        start: VirtAddr,
        size: usize,
        flags: MappingFlags,
    ) -> LinuxResult<()> {
        (**self).populate_area(start, size, flags)
    }

    #[inline]
    fn user_range(&self) -> VirtAddrRange {
        (**self).user_range()
    }
}
