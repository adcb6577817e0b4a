//! Validation of user regions against the address space.
//!
//! Every access goes through [`check_region`] first: it rejects null,
//! overflowing and unmapped ranges, ranges without the needed permission and
//! empty ranges outside user space (all `EFAULT`), then populates the pages so that the access that follows
//! does not fault in the common case. Null-terminated data has no length up
//! front, so [`scan_null_terminated`] validates it one page at a time and
//! stops at the terminator or at a limit (`ENAMETOOLONG`).
//!
//! The provider's lock is held only inside these checks, never while user
//! memory is read, and the fault flag is never set while the address space
//! is called.

use core::ptr::NonNull;

use axerrno::{LinuxError, LinuxResult};
use memory_addr::{PAGE_SIZE_4K, VirtAddr, VirtAddrRange};
use page_table_multiarch::MappingFlags;

use crate::{
    AddrSpace, AddrSpaceProvider, UserCopy, flag::outside_access, is_accessing_user_memory,
    strings::Limit,
};

/// The size of a `T` crossing the user boundary.
///
/// Evaluates `T`'s no-padding proof (the const `#[derive(UserCopy)]` fills
/// in, a compile error for a padded instance of a generic struct): every
/// copy, cursor transfer and lent reference needs the size of its element
/// type and takes it from here, so this is the one place that forces it.
#[inline(always)]
pub(crate) const fn size_of_user<T: UserCopy>() -> usize {
    let () = T::__LAYOUT_CHECKED;
    size_of::<T>()
}

/// The longest path the kernel accepts, in bytes including the NUL
/// (Linux `PATH_MAX`). The limit of [`get_as_cstr`], [`get_as_str`] and
/// [`get_as_null_terminated`].
///
/// [`get_as_cstr`]: crate::UserConstPtr::get_as_cstr
/// [`get_as_str`]: crate::UserConstPtr::get_as_str
/// [`get_as_null_terminated`]: crate::UserConstPtr::get_as_null_terminated
pub const PATH_MAX: usize = 4096;

/// The end of the last page of the address space that a range may touch:
/// rounding a range's end up to a page boundary must not overflow.
const LAST_PAGE_END: usize = usize::MAX & !(PAGE_SIZE_4K - 1);

/// A non-empty user range that starts above null and whose end, rounded up
/// to a page boundary, does not overflow: what [`check_region`] asks the
/// address space about.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    addr: usize,
    end: usize,
}

impl Span {
    /// The range `[addr, addr + size)` of `size > 0` bytes.
    ///
    /// # Errors
    ///
    /// `EFAULT` for a null `addr`, or an end that overflows, before or
    /// after rounding up to a page boundary (a range that touches the last
    /// page of the address space).
    #[inline(always)]
    pub(crate) fn new(addr: usize, size: usize) -> LinuxResult<Self> {
        debug_assert!(size > 0, "an empty range has no span");
        // OVERFLOW: `addr + size <= LAST_PAGE_END` and `addr >= 1` in one
        // comparison: `addr - 1` wraps to `usize::MAX` for null.
        match LAST_PAGE_END.checked_sub(size) {
            Some(room) if addr.wrapping_sub(1) < room => Ok(Self {
                addr,
                end: addr + size,
            }),
            _ => Err(LinuxError::EFAULT),
        }
    }

    /// A pointer to the range's first byte.
    #[inline(always)]
    pub(crate) fn ptr<T>(self) -> NonNull<T> {
        // SAFETY: `new` refused a null `addr`.
        unsafe { NonNull::new_unchecked(crate::uaccess::user_ptr(self.addr)) }
    }

    /// Asks `aspace` whether the range is mapped with at least `flags`,
    /// then makes its pages present.
    ///
    /// The fault flag must be clear ([`outside_access`]).
    #[inline(always)]
    pub(crate) fn check_and_populate<A: AddrSpace + ?Sized>(
        self,
        aspace: &mut A,
        flags: MappingFlags,
    ) -> LinuxResult<()> {
        // Not `VirtAddrRange::new`, whose assertion the compiler cannot
        // always drop: `addr < end` by construction.
        let range = VirtAddrRange {
            start: VirtAddr::from(self.addr),
            end: VirtAddr::from(self.end),
        };
        // A `true` answer also puts the range inside user space (the
        // trait's safety contract): a non-empty range needs no bounds check.
        if !aspace.check_region_access(range, flags) {
            return Err(LinuxError::EFAULT);
        }
        let pages_start = self.addr & !(PAGE_SIZE_4K - 1);
        // OVERFLOW: `end <= LAST_PAGE_END` (`new`), so rounding it up fits.
        let pages_end = (self.end + (PAGE_SIZE_4K - 1)) & !(PAGE_SIZE_4K - 1);
        aspace.populate_area(VirtAddr::from(pages_start), pages_end - pages_start, flags)
    }
}

/// Whether `[addr, addr + size)` lies within `bounds` (an empty range at
/// `bounds.end` included).
#[inline]
pub(crate) fn within(bounds: VirtAddrRange, addr: usize, size: usize) -> bool {
    // OVERFLOW: a range whose end wraps lies in no bounds.
    addr.checked_add(size)
        .is_some_and(|end| addr >= bounds.start.as_usize() && end <= bounds.end.as_usize())
}

/// Checks that `[addr, addr + size)` lies within user space
/// ([`AddrSpace::user_range`]), without looking at what is mapped: Linux's
/// `access_ok`. Zero-length ranges inside user space pass at any address,
/// null included.
///
/// # Errors
///
/// `EFAULT` for a range outside user space (zero-length ones included) or
/// whose end overflows.
#[inline]
pub fn access_ok<P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    addr: usize,
    size: usize,
) -> LinuxResult<()> {
    if outside_access(|| provider.with_addr_space(|aspace| within(aspace.user_range(), addr, size)))
    {
        Ok(())
    } else {
        Err(LinuxError::EFAULT)
    }
}

/// Checks that `[addr, addr + size)` is user memory mapped with at least
/// `flags`, then makes its pages present.
///
/// A zero-sized region is valid at any address inside user space
/// ([`access_ok`]). Alignment is the caller's business (the in-place API
/// checks it; copies do not need it).
///
/// # Errors
///
/// `EFAULT` for a null `addr`, a range whose end overflows, a range not
/// entirely mapped with `flags`, or an empty range outside user space; the
/// error of [`populate_area`](AddrSpace::populate_area) if population
/// fails.
#[inline]
pub fn check_region<P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    addr: usize,
    size: usize,
    flags: MappingFlags,
) -> LinuxResult<()> {
    if size == 0 {
        return access_ok(provider, addr, 0);
    }
    check_span(provider, Span::new(addr, size)?, flags)
}

/// [`check_region`] of a non-empty range.
#[inline(always)]
pub(crate) fn check_span<P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    span: Span,
    flags: MappingFlags,
) -> LinuxResult<()> {
    if is_accessing_user_memory() {
        return check_span_nested(provider, span, flags);
    }
    provider.with_addr_space(|aspace| span.check_and_populate(aspace, flags))
}

/// [`check_span`] inside an enclosing access. (Its arguments, not a
/// closure, so that the fast path prepares nothing for it.)
#[cold]
#[inline(never)]
fn check_span_nested<P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    span: Span,
    flags: MappingFlags,
) -> LinuxResult<()> {
    outside_access(|| provider.with_addr_space(|aspace| span.check_and_populate(aspace, flags)))
}

/// [`check_region`], which also checks, in the same call of the address
/// space, that the range `bounds` (`(start, size)`) lies in user space:
/// for a cursor's first transfer, which must fail like Linux's `access_ok`
/// of the whole buffer.
pub(crate) fn check_region_within<P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    addr: usize,
    size: usize,
    flags: MappingFlags,
    bounds: Option<(usize, usize)>,
) -> LinuxResult<()> {
    if size == 0 {
        let (start, size) = bounds.unwrap_or((addr, 0));
        return access_ok(provider, start, size).and(access_ok(provider, addr, 0));
    }
    let span = Span::new(addr, size)?;
    outside_access(|| {
        provider.with_addr_space(|aspace| {
            if let Some((start, size)) = bounds {
                if !within(aspace.user_range(), start, size) {
                    return Err(LinuxError::EFAULT);
                }
            }
            span.check_and_populate(aspace, flags)
        })
    })
}

/// Checks that `[addr, addr + size)` is user memory mapped with at least
/// `flags`, without populating anything (the `access_ok` of a long buffer
/// of which only a part will be touched).
///
/// # Errors
///
/// `EFAULT` as [`check_region`].
#[cfg(feature = "alloc")]
pub(crate) fn check_region_mapped<P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    addr: usize,
    size: usize,
    flags: MappingFlags,
) -> LinuxResult<()> {
    if size == 0 {
        return access_ok(provider, addr, 0);
    }
    // Null, or an end that overflows (the same ranges as `check_region`
    // refuses before it asks the address space).
    let Some(range) =
        VirtAddrRange::try_from_start_size(VirtAddr::from(addr), size).filter(|_| addr != 0)
    else {
        return Err(LinuxError::EFAULT);
    };
    if outside_access(|| {
        provider.with_addr_space(|aspace| aspace.check_region_access(range, flags))
    }) {
        Ok(())
    } else {
        Err(LinuxError::EFAULT)
    }
}

/// The user range validated last in an operation that holds the provider
/// from start to end (an `argv` array and its strings): a later chunk that
/// lies inside it, needing no more permissions, is not validated again.
/// The address space's answer stays true while the provider is held (the
/// safety contract of [`AddrSpace`]), and a page evicted meanwhile faults
/// in under the flag like any page between validation and copy.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Validated {
    start: usize,
    end: usize,
    flags: MappingFlags,
}

impl Validated {
    /// Nothing validated yet.
    pub(crate) const fn none() -> Self {
        Self {
            start: 0,
            end: 0,
            flags: MappingFlags::empty(),
        }
    }

    /// Whether `[addr, addr + size)` (`size > 0`, no overflow) lies inside
    /// the range and needs no more than its flags.
    #[inline(always)]
    fn covers(&self, addr: usize, size: usize, flags: MappingFlags) -> bool {
        addr >= self.start && addr + size <= self.end && self.flags.contains(flags)
    }
}

/// Walks null-terminated data of `T`s at `addr`, one page at a time, and
/// returns the number of elements before the terminator.
///
/// Each step validates a chunk (unless `validated`, the range validated
/// last in the same operation, covers it; the chunk then becomes
/// `validated`), then calls `visit(chunk_addr, elements,
/// elements_before)`, which examines it and returns the index of the
/// terminator in it, if any. A chunk is either the elements that lie wholly
/// in the current page (they share its mapping) or, when the next element
/// straddles a page boundary, that element alone: so nothing after the
/// terminator has to be mapped. `limit.max` counts elements including the
/// terminator.
///
/// # Errors
///
/// `EFAULT` for null, unmapped or overflowing memory (and whatever `visit`
/// returns); `limit.err` when no terminator is found within `limit.max`
/// elements.
///
/// The element type is a type parameter rather than a size argument so
/// that the element size is a constant: the per-page arithmetic then
/// needs no division.
#[inline(always)]
pub(crate) fn scan_null_terminated<T, P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    addr: usize,
    flags: MappingFlags,
    limit: Limit,
    validated: &mut Validated,
    mut visit: impl FnMut(usize, usize, usize) -> LinuxResult<Option<usize>>,
) -> LinuxResult<usize> {
    let Limit { max: limit, err } = limit;
    let elem_size = size_of::<T>();
    if addr == 0 {
        return Err(LinuxError::EFAULT);
    }
    if limit == 0 {
        // No room even for the terminator.
        return Err(err);
    }
    if elem_size == 0 {
        // Every zero-sized element is all zero bytes: the first terminates.
        return Ok(0);
    }
    let mut cur = addr;
    let mut count = 0;
    loop {
        let to_page_end = PAGE_SIZE_4K - cur % PAGE_SIZE_4K;
        // The elements wholly in this page, or the straddling one alone.
        // `count < limit` holds here, so at least one element is examined.
        let elems = (to_page_end / elem_size).max(1).min(limit - count);
        // OVERFLOW: either `elems <= to_page_end / elem_size`, so the product
        // is at most `to_page_end`, or `elems == 1`; it cannot wrap.
        let bytes = elems * elem_size;
        // `bytes > 0`: at least one element of non-zero size.
        let span = Span::new(cur, bytes)?;
        if !validated.covers(cur, bytes, flags) {
            check_span(provider, span, flags)?;
            *validated = Validated {
                start: cur,
                end: cur + bytes,
                flags,
            };
        }
        if let Some(index) = visit(cur, elems, count)? {
            return Ok(count + index);
        }
        count += elems;
        if count >= limit {
            return Err(err);
        }
        cur = cur.checked_add(bytes).ok_or(LinuxError::EFAULT)?;
    }
}

/// Returns the index of the first `T`-sized element of `bytes` whose bytes
/// are all zero.
#[inline]
pub(crate) fn find_zero_element<T>(bytes: &[u8]) -> Option<usize> {
    let elem_size = size_of::<T>();
    match elem_size {
        1 => memchr::memchr(0, bytes),
        _ => bytes
            .chunks_exact(elem_size)
            .position(|elem| elem.iter().all(|&b| b == 0)),
    }
}
