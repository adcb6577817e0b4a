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

/// Each operation's expected behaviour, as `(op, value before, expected
/// result, value after)`: the cases of core's tests and of the bare-metal
/// checker in `.ci/arch-copy`, which compiles this file too.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) const ATOMIC_CASES: [(UserAtomicOp, u32, u32, u32); 14] = {
    use UserAtomicOp::*;
    [
        (Load, 0xdead_beef, 0xdead_beef, 0xdead_beef),
        (Store(7), 0xdead_beef, 0, 7),
        (
            CompareExchange {
                expected: 5,
                new: 9,
            },
            5,
            5,
            9,
        ),
        (
            CompareExchange {
                expected: 4,
                new: 9,
            },
            5,
            5,
            5,
        ),
        // The top bit set: no sign-extension confusion anywhere.
        (
            CompareExchange {
                expected: 0xffff_fffe,
                new: 0x8000_0001,
            },
            0xffff_fffe,
            0xffff_fffe,
            0x8000_0001,
        ),
        (Swap(0xffff_ffff), 3, 3, 0xffff_ffff),
        (Swap(1), 0xffff_ffff, 0xffff_ffff, 1),
        (FetchAdd(2), 0xffff_ffff, 0xffff_ffff, 1),
        (FetchAdd(0x10), 0x8000_0000, 0x8000_0000, 0x8000_0010),
        (FetchOr(0x0f0), 0x00f_f00f, 0x00f_f00f, 0x00f_f0ff),
        (FetchAnd(0x0f0), 0xf0f0_f0f0, 0xf0f0_f0f0, 0x0000_00f0),
        (FetchAndNot(0x0f0), 0xf0f0_f0f0, 0xf0f0_f0f0, 0xf0f0_f000),
        (FetchXor(0xffff_0000), 0x1234_5678, 0x1234_5678, 0xedcb_5678),
        (FetchXor(0), 0xffff_ffff, 0xffff_ffff, 0xffff_ffff),
    ]
};
