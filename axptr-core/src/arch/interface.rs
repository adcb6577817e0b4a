//! The types the fallible routines share with their callers: where faults
//! are recoverable, the user-memory atomic operations, and the fault they
//! report. (`.ci/arch-copy` and the C-string benchmark compile this file
//! in as it is.)

/// Instructions in `[start, end)` of a routine group may fault on user
/// memory; a fault there that the kernel cannot resolve continues at
/// `fixup`, which makes the routine return what it reports for a fault.
#[derive(Clone, Copy, Debug)]
#[allow(dead_code)] // never built by `generic.rs`
pub(crate) struct FaultRange {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) fixup: usize,
}

/// An atomic operation on an aligned `u32` of user memory: the operations
/// futexes and robust lists need (`FUTEX_WAKE_OP`'s `SET`, `ADD`, `OR`,
/// `ANDN`, `XOR`, the waiter's load and `FUTEX_*_PI`'s compare-exchange).
///
/// Every operation is sequentially consistent, as Rust's
/// `AtomicU32::*(.., Ordering::SeqCst)`: the read-modify-writes and the
/// compare-exchange (also when its comparison fails) acquire and release,
/// the load acquires, the store releases, and all of them take part in one
/// total order with each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)] // the variants the callers of a build need
pub(crate) enum UserAtomicOp {
    /// Reads the value.
    Load,
    /// Writes the value (the result is 0: nothing is read).
    Store(u32),
    /// Writes `new` if the value is `expected`; returns the value read
    /// either way (the exchange happened if it equals `expected`). A
    /// comparison that fails may not write (riscv64, aarch64), so it may
    /// succeed on a read-only page: validate for writing first.
    CompareExchange {
        /// The value the word must hold.
        expected: u32,
        /// The value it then gets.
        new: u32,
    },
    /// Writes the value; returns the old one.
    Swap(u32),
    /// Adds (wrapping); returns the old value.
    FetchAdd(u32),
    /// Ors in; returns the old value.
    FetchOr(u32),
    /// Ands in; returns the old value.
    FetchAnd(u32),
    /// Clears the given bits (ands in the complement); returns the old
    /// value.
    FetchAndNot(u32),
    /// Xors in; returns the old value.
    FetchXor(u32),
}

/// A user-memory routine hit a fault that the kernel could not resolve
/// (the caller reports `EFAULT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct UserFault;
