//! Atomic operations on a user `u32`: what futexes (`FUTEX_WAIT`'s load,
//! `FUTEX_WAKE_OP`'s operations, the PI futexes' compare-exchange) and
//! robust lists (the owner-died bit) need.
//!
//! Each operation validates the word (4-aligned, mapped readable, and
//! writable for every operation but the load), then runs the
//! architecture's fault-safe atomic routine with the fault flag set: a page
//! unmapped by another thread in between becomes `EFAULT`, like any copy.
//! All are sequentially consistent (`Ordering::SeqCst`), on user memory
//! that other user threads access concurrently.
//!
//! A misaligned word is `EFAULT` here, as for the reference API; the
//! `futex` syscall itself reports `EINVAL` for a misaligned `uaddr`, a
//! check it makes before it touches the word.
//!
//! ```
//! # #[cfg(feature = "testing")] fn main() -> Result<(), axerrno::LinuxError> {
//! use axptr_core::{LinuxError, MappingFlags, UserPtr, testing::HeapSpace};
//!
//! let mut space = HeapSpace::new(1);
//! let page = space.base();
//! space.map(page, 4096, MappingFlags::READ | MappingFlags::WRITE);
//! let futex = UserPtr::<u32>::from(page);
//!
//! // A lock word: 0 free, the owner's TID when held.
//! assert_eq!(futex.atomic_compare_exchange(&mut space, 0, 42)?, 0); // taken
//! assert_eq!(futex.atomic_compare_exchange(&mut space, 0, 43)?, 42); // held by 42
//! // FUTEX_WAKE_OP's FUTEX_OP_OR: returns the old value.
//! assert_eq!(futex.atomic_fetch_or(&mut space, 0x4000_0000)?, 42);
//! assert_eq!(futex.atomic_load(&mut space)?, 0x4000_002a);
//! // Misaligned: EFAULT.
//! assert_eq!(futex.cast::<u8>().wrapping_add(1).cast::<u32>().atomic_load(&mut space), Err(LinuxError::EFAULT));
//! # Ok(()) }
//! # #[cfg(not(feature = "testing"))] fn main() {}
//! ```

use axerrno::{LinuxError, LinuxResult};
use page_table_multiarch::MappingFlags;

use crate::{
    AddrSpaceProvider, UserPtr,
    arch::UserAtomicOp,
    check::check_region,
    ptr::Access,
    uaccess::{atomic_u32_validated, injection_allows},
};

/// Validates the user word at `addr` for `op`, then performs `op` with the
/// architecture's fault-safe atomic routine; returns the value it read.
fn user_atomic<P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    addr: usize,
    op: UserAtomicOp,
) -> LinuxResult<u32> {
    const SIZE: usize = size_of::<u32>();
    if addr % align_of::<u32>() != 0 {
        return Err(LinuxError::EFAULT);
    }
    let flags = match op {
        UserAtomicOp::Load => MappingFlags::READ,
        // Also the compare-exchange whose comparison fails: it may not
        // write on some architectures, but Linux asks for a writable word
        // either way.
        _ => MappingFlags::READ | MappingFlags::WRITE,
    };
    check_region(provider, addr, SIZE, flags)?;
    if injection_allows(addr, SIZE) < SIZE {
        return Err(LinuxError::EFAULT);
    }
    // SAFETY: the aligned word was validated just above for what `op`
    // needs, and populated.
    unsafe { atomic_u32_validated(addr, op) }
}

impl<A: Access> UserPtr<u32, A> {
    /// Reads the user word atomically (acquire and sequentially
    /// consistent): the value `FUTEX_WAIT` compares.
    ///
    /// # Errors
    ///
    /// `EFAULT` if the word is misaligned, not mapped readable, or faults.
    pub fn atomic_load<P: AddrSpaceProvider + ?Sized>(self, provider: &mut P) -> LinuxResult<u32> {
        user_atomic(provider, self.addr(), UserAtomicOp::Load)
    }
}

impl UserPtr<u32> {
    /// Writes the user word atomically (release and sequentially
    /// consistent).
    ///
    /// # Errors
    ///
    /// `EFAULT` if the word is misaligned, not mapped readable and
    /// writable, or faults.
    pub fn atomic_store<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        value: u32,
    ) -> LinuxResult<()> {
        user_atomic(provider, self.addr(), UserAtomicOp::Store(value)).map(|_| ())
    }

    /// Stores `new` if the word holds `current`; returns the value it held
    /// (the exchange happened if and only if that is `current`), as Linux's
    /// `futex_atomic_cmpxchg_inatomic`.
    ///
    /// # Errors
    ///
    /// As [`atomic_store`](Self::atomic_store) (a read-only word is
    /// `EFAULT` even when the comparison would fail).
    pub fn atomic_compare_exchange<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        current: u32,
        new: u32,
    ) -> LinuxResult<u32> {
        let op = UserAtomicOp::CompareExchange {
            expected: current,
            new,
        };
        user_atomic(provider, self.addr(), op)
    }

    /// Stores `value`; returns the old value (`FUTEX_OP_SET`).
    ///
    /// # Errors
    ///
    /// As [`atomic_store`](Self::atomic_store).
    pub fn atomic_swap<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        value: u32,
    ) -> LinuxResult<u32> {
        user_atomic(provider, self.addr(), UserAtomicOp::Swap(value))
    }

    /// Adds `value` (wrapping); returns the old value (`FUTEX_OP_ADD`).
    ///
    /// # Errors
    ///
    /// As [`atomic_store`](Self::atomic_store).
    pub fn atomic_fetch_add<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        value: u32,
    ) -> LinuxResult<u32> {
        user_atomic(provider, self.addr(), UserAtomicOp::FetchAdd(value))
    }

    /// Ors in `value`; returns the old value (`FUTEX_OP_OR`).
    ///
    /// # Errors
    ///
    /// As [`atomic_store`](Self::atomic_store).
    pub fn atomic_fetch_or<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        value: u32,
    ) -> LinuxResult<u32> {
        user_atomic(provider, self.addr(), UserAtomicOp::FetchOr(value))
    }

    /// Ands in `value`; returns the old value (`FUTEX_OP_ANDN` is
    /// `atomic_fetch_and(!arg)`).
    ///
    /// # Errors
    ///
    /// As [`atomic_store`](Self::atomic_store).
    pub fn atomic_fetch_and<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        value: u32,
    ) -> LinuxResult<u32> {
        user_atomic(provider, self.addr(), UserAtomicOp::FetchAnd(value))
    }

    /// Xors in `value`; returns the old value (`FUTEX_OP_XOR`).
    ///
    /// # Errors
    ///
    /// As [`atomic_store`](Self::atomic_store).
    pub fn atomic_fetch_xor<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        value: u32,
    ) -> LinuxResult<u32> {
        user_atomic(provider, self.addr(), UserAtomicOp::FetchXor(value))
    }
}
