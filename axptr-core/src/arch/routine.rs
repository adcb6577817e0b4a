//! The Rust side of the assembly routines (`x86_64.rs`, `riscv64.rs`,
//! `aarch64.rs` define them, with the same symbols on every architecture).

use super::{FaultRange, UserAtomicOp, UserFault};

unsafe extern "C" {
    #[link_name = asm_symbol!("copy_raw")]
    fn asm_copy_raw(dst: *mut u8, src: *const u8, len: usize) -> usize;
    #[link_name = asm_symbol!("copy_until_nul")]
    fn asm_copy_until_nul(dst: *mut u8, src: *const u8, len: usize) -> usize;
    #[link_name = asm_symbol!("copy_until_zero_u64")]
    fn asm_copy_until_zero_u64(dst: *mut u64, src: *const u8, elems: usize) -> usize;
    #[link_name = asm_symbol!("clear_raw")]
    fn asm_clear_raw(dst: *mut u8, len: usize) -> usize;
    #[link_name = asm_symbol!("atomic_u32_load")]
    fn asm_atomic_load(addr: *mut u32) -> u64;
    #[link_name = asm_symbol!("atomic_u32_store")]
    fn asm_atomic_store(addr: *mut u32, value: u32) -> u64;
    #[link_name = asm_symbol!("atomic_u32_cmpxchg")]
    fn asm_atomic_cmpxchg(addr: *mut u32, expected: u32, new: u32) -> u64;
    #[link_name = asm_symbol!("atomic_u32_swap")]
    fn asm_atomic_swap(addr: *mut u32, value: u32) -> u64;
    #[link_name = asm_symbol!("atomic_u32_add")]
    fn asm_atomic_add(addr: *mut u32, value: u32) -> u64;
    #[link_name = asm_symbol!("atomic_u32_or")]
    fn asm_atomic_or(addr: *mut u32, value: u32) -> u64;
    #[link_name = asm_symbol!("atomic_u32_and")]
    fn asm_atomic_and(addr: *mut u32, value: u32) -> u64;
    #[link_name = asm_symbol!("atomic_u32_xor")]
    fn asm_atomic_xor(addr: *mut u32, value: u32) -> u64;
}

/// Copies `len` bytes from `src` to `dst`; returns the number of bytes not
/// copied (non-zero only if a fault was sent to the fixup).
///
/// # Safety
///
/// The two ranges must not overlap, and each must be either valid kernel
/// memory or user memory whose faults the kernel's trap handler resolves or
/// sends to [`fixup_for`](super::fixup_for). Neither needs to be aligned.
#[inline]
pub(crate) unsafe fn copy_raw(dst: *mut u8, src: *const u8, len: usize) -> usize {
    // SAFETY: the routine follows the C ABI and touches only
    // `[dst, dst + len)` and `[src, src + len)`, as the caller allows (the
    // riscv64 routine also loads other bytes of the same aligned
    // doublewords, which lie in the same pages).
    unsafe { asm_copy_raw(dst, src, len) }
}

/// Copies bytes from `src` to `dst` up to and including the first NUL, or
/// `len` bytes if none comes first; returns the number of bytes copied.
/// Fewer than `len` copied and the last one not a NUL (or none copied)
/// means a fault stopped the copy: exactly the bytes reported were
/// written.
///
/// Nothing is written past the NUL or `len`, and no page is read that the
/// copied bytes do not lie in (loads wider than a byte are aligned, so they
/// stay in the page of a wanted byte).
///
/// # Safety
///
/// `dst` must be valid for writes of `len` bytes and must not overlap the
/// source; the source bytes up to the first NUL (at most `len` of them)
/// must be valid kernel memory or user memory whose faults the kernel's
/// trap handler resolves or sends to [`fixup_for`](super::fixup_for).
#[inline]
pub(crate) unsafe fn copy_until_nul(dst: *mut u8, src: *const u8, len: usize) -> usize {
    // The x86_64 host's fastest version; kernel builds have one.
    #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
    if super::x86_64::has_avx2() {
        // SAFETY: as below; the CPU has AVX2.
        return unsafe { super::x86_64::copy_until_nul_avx2(dst, src, len) };
    }
    // SAFETY: the routine follows the C ABI, writes only the bytes it
    // reports and reads the source only in pages of the bytes it copies, as
    // the caller allows. It returns what it did not copy.
    len - unsafe { asm_copy_until_nul(dst, src, len) }
}

/// Copies 8-byte elements from `src` to `dst` up to and including the
/// first zero one, or `elems` elements if none comes first; returns the
/// number of elements copied. Fewer than `elems` copied and the last one
/// not zero (or none copied) means a fault stopped the copy: exactly the
/// elements reported were written.
///
/// # Safety
///
/// `dst` must be 8-aligned and valid for writes of `elems` elements, and
/// must not overlap the source; the source elements up to the first zero
/// one (at most `elems`, not necessarily aligned) must be valid kernel
/// memory or user memory whose faults the kernel's trap handler resolves or
/// sends to [`fixup_for`](super::fixup_for).
#[inline]
pub(crate) unsafe fn copy_until_zero_u64(dst: *mut u64, src: *const u8, elems: usize) -> usize {
    // SAFETY: as for `copy_until_nul`: the routine writes only the elements
    // it reports and reads only the pages of the elements it copies. It
    // returns what it did not copy.
    elems - unsafe { asm_copy_until_zero_u64(dst, src, elems) }
}

/// Zeroes `len` bytes at `dst`; returns the number of bytes not cleared
/// (non-zero only if a fault was sent to the fixup). The first
/// `len - returned` bytes are zero.
///
/// # Safety
///
/// `[dst, dst + len)` must be valid kernel memory or user memory whose
/// faults the kernel's trap handler resolves or sends to
/// [`fixup_for`](super::fixup_for). It need not be aligned.
#[inline]
pub(crate) unsafe fn clear_raw(dst: *mut u8, len: usize) -> usize {
    // SAFETY: the routine follows the C ABI and writes only
    // `[dst, dst + len)`, as the caller allows.
    unsafe { asm_clear_raw(dst, len) }
}

/// Performs `op` atomically on the `u32` at `addr`; returns the value it
/// read (see [`UserAtomicOp`]), or [`UserFault`] if the access faulted and
/// the kernel could not resolve the fault.
///
/// # Safety
///
/// `addr` must be 4-aligned, and must be valid kernel memory or user memory
/// whose faults the kernel's trap handler resolves or sends to
/// [`fixup_for`](super::fixup_for).
#[inline]
pub(crate) unsafe fn user_atomic_u32(addr: *mut u32, op: UserAtomicOp) -> Result<u32, UserFault> {
    // SAFETY: each routine follows the C ABI and touches only the aligned
    // word at `addr`, as the caller allows; a fault it cannot survive
    // returns `u64::MAX`, above every `u32`.
    let raw = unsafe {
        match op {
            UserAtomicOp::Load => asm_atomic_load(addr),
            UserAtomicOp::Store(value) => asm_atomic_store(addr, value),
            UserAtomicOp::CompareExchange { expected, new } => {
                asm_atomic_cmpxchg(addr, expected, new)
            }
            UserAtomicOp::Swap(value) => asm_atomic_swap(addr, value),
            UserAtomicOp::FetchAdd(value) => asm_atomic_add(addr, value),
            UserAtomicOp::FetchOr(value) => asm_atomic_or(addr, value),
            UserAtomicOp::FetchAnd(value) => asm_atomic_and(addr, value),
            UserAtomicOp::FetchAndNot(value) => asm_atomic_and(addr, !value),
            UserAtomicOp::FetchXor(value) => asm_atomic_xor(addr, value),
        }
    };
    u32::try_from(raw).map_err(|_| UserFault)
}

/// The fault range of the routine group `$name`, from its labels.
macro_rules! fault_range {
    ($name:literal) => {{
        unsafe extern "C" {
            #[link_name = asm_symbol!($name, "_fault_start")]
            static START: u8;
            #[link_name = asm_symbol!($name, "_fault_end")]
            static END: u8;
            #[link_name = asm_symbol!($name, "_fixup")]
            static FIXUP: u8;
        }
        FaultRange {
            start: (&raw const START).addr(),
            end: (&raw const END).addr(),
            fixup: (&raw const FIXUP).addr(),
        }
    }};
}

/// The fault ranges of every routine group.
#[inline]
pub(super) fn fault_ranges() -> impl Iterator<Item = FaultRange> {
    let common = [
        fault_range!("copy_raw"),
        fault_range!("copy_until_nul"),
        fault_range!("copy_until_zero_u64"),
        fault_range!("clear_raw"),
        fault_range!("atomic_u32"),
    ];
    #[cfg(all(target_arch = "x86_64", not(target_os = "none")))]
    let host = [fault_range!("copy_until_nul_avx2")];
    #[cfg(not(all(target_arch = "x86_64", not(target_os = "none"))))]
    let host: [FaultRange; 0] = [];
    common.into_iter().chain(host)
}
