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
#[diagnostic::on_unimplemented(
    message = "`{Self}` gives no access to a user address space",
    label = "axptr cannot check user memory through this type",
    note = "implement `AddrSpaceProvider` for it (a handle that hands the address space over), \
            or `AddrSpace` if it is one; a `#[syscall]` context must be a provider when the \
            handler takes strings or slices"
)]
pub trait AddrSpace {
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
    /// Which accesses depend on it: the references of the reference API are
    /// used without the fault flag, so their pages must be present when they
    /// are lent. Copies and the NUL scan run with the flag set, so a kernel
    /// whose page-fault handler populates lazy pages while
    /// [`is_accessing_user_memory`](crate::is_accessing_user_memory) is true
    /// may leave them to it (demand paging) and do nothing here — but then
    /// it must not use the reference API on lazy areas.
    fn populate_area(
        &mut self,
        start: VirtAddr,
        size: usize,
        flags: MappingFlags,
    ) -> LinuxResult<()>;
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
impl<A: AddrSpace + ?Sized> AddrSpace for &mut A {
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
}
