//! User memory and zeroes: [`clear_user`] writes them, [`check_zeroed_user`]
//! looks for anything else.
//!
//! Both follow Linux (`lib/usercopy.c`, `arch/*/lib/*clear_user*`): a clear
//! reports how far it got, so that a syscall can return a short count; a
//! check stops at the first non-zero byte and never touches what lies
//! after it.

use axerrno::{LinuxError, LinuxResult};
use memory_addr::PAGE_SIZE_4K;
use page_table_multiarch::MappingFlags;

use crate::{
    AddrSpaceProvider, UserPtr,
    check::{access_ok, check_region},
    ptr::Access,
    uaccess::{Direction, copy_from_validated, move_user_partial},
};

/// Zeroes the `len` user bytes at `ptr`, stopping at the first byte that
/// is unmapped, read-only or faults, and returns how many it zeroed
/// (Linux's `clear_user`, which returns how many it did *not*).
///
/// ```
/// # #[cfg(feature = "testing")] fn main() {
/// use axptr_core::{LinuxError, MappingFlags, UserPtr, clear_user, testing::HeapSpace};
///
/// let mut space = HeapSpace::new(2);
/// let page = space.base();
/// space.map(page, 4096, MappingFlags::READ | MappingFlags::WRITE);
/// space.poke(page + 4000, &[0xff; 96]);
/// // The second page is unmapped: the clear stops at its edge.
/// let buf = UserPtr::<u8>::from(page + 4000);
/// assert_eq!(clear_user(&mut space, buf, 200), Ok(96));
/// assert_eq!(space.peek(page + 4000, 96), [0; 96]);
/// assert_eq!(clear_user(&mut space, buf.wrapping_add(96), 8), Err(LinuxError::EFAULT));
/// # }
/// # #[cfg(not(feature = "testing"))] fn main() {}
/// ```
///
/// # Errors
///
/// `EFAULT` when nothing could be zeroed of a non-empty range, or the
/// range lies outside user space.
pub fn clear_user<P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    ptr: UserPtr<u8>,
    len: usize,
) -> LinuxResult<usize> {
    // SAFETY: a clear uses no kernel buffer (the pointer is never
    // dereferenced); the user range is validated there.
    let cleared = unsafe {
        move_user_partial(
            provider,
            Direction::Clear,
            ptr.addr(),
            core::ptr::NonNull::dangling().as_ptr(),
            len,
        )
    };
    if cleared == 0 {
        // Nothing moved of a non-empty range, or an empty one outside user
        // space.
        access_ok(provider, ptr.addr(), len)?;
        if len != 0 {
            return Err(LinuxError::EFAULT);
        }
    }
    Ok(cleared)
}

/// How many user bytes [`check_zeroed_user`] copies at a time.
const BLOCK_WORDS: usize = 64;

/// Whether the `len` user bytes at `ptr` are all zero (Linux's
/// `check_zeroed_user`): the trailing-bytes check of an extensible struct.
///
/// The bytes are copied into kernel memory a block at a time and compared
/// a word at a time; the check stops at the first non-zero byte, so what
/// lies after it is never touched (and need not be mapped). An empty range
/// is all zero.
///
/// # Errors
///
/// `EFAULT` for a range outside user space, or when a byte before the
/// first non-zero one is unmapped, unreadable or faults.
pub fn check_zeroed_user<P: AddrSpaceProvider + ?Sized, A: Access>(
    provider: &mut P,
    ptr: UserPtr<u8, A>,
    len: usize,
) -> LinuxResult<bool> {
    let addr = ptr.addr();
    access_ok(provider, addr, len)?;
    let mut block = [0u64; BLOCK_WORDS];
    let mut done = 0;
    while done < len {
        // OVERFLOW: `access_ok` found `[addr, addr + len)` inside user
        // space, so it does not wrap.
        let cur = addr + done;
        let in_page = (len - done).min(PAGE_SIZE_4K - cur % PAGE_SIZE_4K);
        check_region(provider, cur, in_page, MappingFlags::READ)?;
        let mut offset = 0;
        while offset < in_page {
            let n = (in_page - offset).min(size_of_val(&block));
            // SAFETY: `block` is a kernel buffer of at least `n` bytes; the
            // user bytes lie in the page validated just above.
            unsafe { copy_from_validated(block.as_mut_ptr().cast(), cur + offset, n)? };
            if !zeroed(&block, n) {
                return Ok(false);
            }
            offset += n;
        }
        done += in_page;
    }
    Ok(true)
}

/// Whether the first `n` bytes of `block` are zero, a word at a time.
#[inline]
fn zeroed(block: &[u64; BLOCK_WORDS], n: usize) -> bool {
    let words = n / 8;
    let tail = n % 8;
    let (full, rest) = block.split_at(words.min(BLOCK_WORDS));
    if full.iter().any(|&word| word != 0) {
        return false;
    }
    match rest.first() {
        Some(word) if tail != 0 => word.to_ne_bytes().iter().take(tail).all(|&b| b == 0),
        _ => true,
    }
}
