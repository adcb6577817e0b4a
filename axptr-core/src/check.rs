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

use axerrno::{LinuxError, LinuxResult};
use memory_addr::{PAGE_SIZE_4K, VirtAddr, VirtAddrRange};
use page_table_multiarch::MappingFlags;

use crate::{AddrSpace, AddrSpaceProvider, UserCopy, flag::FlagCleared, strings::Limit};

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

/// The user range `[addr, addr + size)`: `None` when it is empty (whose
/// only check is the bounds of user space), `EFAULT` when it starts at null
/// or its end overflows.
#[inline]
fn user_range(addr: usize, size: usize) -> LinuxResult<Option<VirtAddrRange>> {
    if size == 0 {
        return Ok(None);
    }
    if addr == 0 {
        return Err(LinuxError::EFAULT);
    }
    VirtAddrRange::try_from_start_size(VirtAddr::from(addr), size)
        .map(Some)
        .ok_or(LinuxError::EFAULT)
}

/// Whether `[addr, addr + size)` lies within `bounds` (an empty range at
/// `bounds.end` included).
#[inline]
fn within(bounds: VirtAddrRange, addr: usize, size: usize) -> bool {
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
    let _cleared = FlagCleared::new();
    if provider.with_addr_space(|aspace| within(aspace.user_range(), addr, size)) {
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
    check_region_within(provider, addr, size, flags, None)
}

/// [`check_region`], which also checks, in the same call of the address
/// space, that the range `bounds` (`(start, size)`) lies in user space:
/// for a cursor's first transfer, which must fail like Linux's `access_ok`
/// of the whole buffer.
#[inline]
pub(crate) fn check_region_within<P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    addr: usize,
    size: usize,
    flags: MappingFlags,
    bounds: Option<(usize, usize)>,
) -> LinuxResult<()> {
    let Some(range) = user_range(addr, size)? else {
        let (start, size) = bounds.unwrap_or((addr, 0));
        return access_ok(provider, start, size).and(access_ok(provider, addr, 0));
    };
    let pages_start = addr & !(PAGE_SIZE_4K - 1);
    // OVERFLOW: the end itself fits, but rounding it up to a page boundary
    // overflows for a range that touches the last page of the address space.
    let pages_end = range
        .end
        .as_usize()
        .checked_next_multiple_of(PAGE_SIZE_4K)
        .ok_or(LinuxError::EFAULT)?;

    // The address space may fault on user memory of its own; it must not run
    // with the flag of an enclosing access set.
    let _cleared = FlagCleared::new();
    provider.with_addr_space(|aspace| {
        if let Some((start, size)) = bounds {
            if !within(aspace.user_range(), start, size) {
                return Err(LinuxError::EFAULT);
            }
        }
        // A `true` answer also puts the range inside user space (the
        // trait's safety contract): a non-empty range needs no bounds check.
        if !aspace.check_region_access(range, flags) {
            return Err(LinuxError::EFAULT);
        }
        aspace.populate_area(VirtAddr::from(pages_start), pages_end - pages_start, flags)
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
    let Some(range) = user_range(addr, size)? else {
        return access_ok(provider, addr, 0);
    };
    let _cleared = FlagCleared::new();
    if provider.with_addr_space(|aspace| aspace.check_region_access(range, flags)) {
        Ok(())
    } else {
        Err(LinuxError::EFAULT)
    }
}

/// Walks null-terminated data of `T`s at `addr`, one page at a time, and
/// returns the number of elements before the terminator.
///
/// Each step validates a chunk, then calls `visit(chunk_addr, elements,
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
pub(crate) fn scan_null_terminated<T, P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    addr: usize,
    flags: MappingFlags,
    limit: Limit,
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
        check_region(provider, cur, bytes, flags)?;
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

/// How many bytes the copy of null-terminated data takes at first.
const FIRST_COPY_BLOCK: usize = 256;

/// Splits the chunks of [`scan_null_terminated`] for the copy API, so
/// that a short string is copied (and scanned) with little more than
/// itself instead of up to the end of its page: the first block is
/// [`FIRST_COPY_BLOCK`] bytes, every later one the rest of its chunk. Long
/// data costs one extra copy call in all.
pub(crate) struct CopyBlocks {
    first: bool,
}

impl CopyBlocks {
    pub(crate) const fn new() -> Self {
        Self { first: true }
    }

    /// Walks the `elems` validated `T`s at `chunk` a block at a time:
    /// `copy(block_addr, block_elems, elems_before_block)` copies the block
    /// and returns the index of the terminator in it, if any. Returns the
    /// index of the terminator in the chunk.
    #[inline]
    pub(crate) fn visit<T>(
        &mut self,
        chunk: usize,
        elems: usize,
        mut copy: impl FnMut(usize, usize, usize) -> LinuxResult<Option<usize>>,
    ) -> LinuxResult<Option<usize>> {
        let elem_size = size_of::<T>();
        let mut done = 0;
        if self.first {
            self.first = false;
            let block = (FIRST_COPY_BLOCK / elem_size).clamp(1, elems);
            if let Some(index) = copy(chunk, block, 0)? {
                return Ok(Some(index));
            }
            done = block;
        }
        if done == elems {
            return Ok(None);
        }
        // OVERFLOW: `done < elems`, and the chunk's `elems` elements were
        // validated, so the block's address lies inside it.
        Ok(copy(chunk + done * elem_size, elems - done, done)?.map(|index| done + index))
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
