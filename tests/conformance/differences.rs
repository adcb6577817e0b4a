//! The differences from Linux that remain, each with its reason: choices
//! (documented in docs/guide/linux-conformance.md) and known differences
//! of axptr's core. Any other difference fails the test, and so does an
//! entry here that no case needs any more.

use super::{Case, Outcome, Verdict, describe, kernel::nr};

/// A documented choice: a rule saying which differences it covers.
pub struct Choice {
    pub name: &'static str,
    pub reason: &'static str,
    /// Whether the difference between `linux` and `sim` is this choice.
    covers: fn(&Case, &Outcome, &Outcome, &[u8]) -> bool,
}

pub static CHOICES: &[Choice] = &[Choice {
    name: "whole-object copies write nothing on EFAULT",
    reason: "`UserPtr::write` checks the whole object before copying, so a `struct utsname`, \
             `timespec`, `pipe2` pair or `sigset_t` that runs into a hole or a read-only page \
             is not written at all; Linux's `copy_to_user` copies up to the fault first. Both \
             return EFAULT and the contents of the buffer after EFAULT are unspecified.",
    covers: object_not_written_on_efault,
}];

const EFAULT: i64 = -14;

fn object_not_written_on_efault(
    case: &Case,
    linux: &Outcome,
    sim: &Outcome,
    initial: &[u8],
) -> bool {
    let (addr, len) = match case.nr {
        nr::UNAME => (case.args[0], 390),
        nr::CLOCK_GETTIME => (case.args[1], 16),
        nr::PIPE2 => (case.args[0], 8),
        nr::RT_SIGPROCMASK => (case.args[2], 8),
        _ => return false,
    };
    linux.ret == EFAULT
        && sim.ret == EFAULT
        && linux.same_but_memory(sim)
        && sim.memory == initial
        && (0..initial.len())
            .filter(|&i| linux.memory[i] != initial[i])
            .all(|i| (addr..addr + len).contains(&super::layout::mapped_addr(i)))
}

/// A known difference of axptr's core: the cases, what each side returns,
/// and the cause.
pub struct CoreDifference {
    pub cases: &'static [&'static str],
    pub linux: fn(&str) -> i64,
    pub sim: i64,
    pub cause: &'static str,
}

const EINVAL: i64 = -22;

pub static CORE: &[CoreDifference] = &[
    CoreDifference {
        cases: &[
            "readv no iovecs, array in the kernel half",
            "writev no iovecs, array in the kernel half",
        ],
        linux: |_| 0,
        sim: EFAULT,
        cause: "`IoVecs::import` with `count == 0` reads an empty slice at the array's address, \
                and `read_slice` checks `access_ok` of an empty range, which fails outside user \
                space; Linux's `iovec_from_user` returns before looking at the array when \
                `nr_segs == 0`. Fix: return an empty `IoVecs` for `count == 0` before reading.",
    },
    CoreDifference {
        cases: &[
            "readv memfd, one iovec of 2^62 bytes",
            "readv pipe, one iovec of 2^62 bytes",
            "readv /dev/zero, one iovec of 2^62 bytes",
            "readv /dev/null, one iovec of 2^62 bytes",
            "writev memfd, one iovec of 2^62 bytes",
            "writev empty pipe, one iovec of 2^62 bytes",
            "writev pipe with data, one iovec of 2^62 bytes",
            "writev /dev/null, one iovec of 2^62 bytes",
        ],
        linux: |case| match case {
            "readv pipe, one iovec of 2^62 bytes" => 100,
            "readv /dev/null, one iovec of 2^62 bytes" => 0,
            "writev /dev/null, one iovec of 2^62 bytes" => axptr::iovec::MAX_RW_COUNT as i64,
            _ => 8192,
        },
        sim: EFAULT,
        cause: "`IoVecs::import` checks `access_ok(base, len)` with the element's full length; \
                Linux imports a single iovec as a plain buffer (`__import_iovec_ubuf` -> \
                `import_ubuf`), which caps the length at MAX_RW_COUNT *before* `access_ok`, so \
                one huge element starting in user space is a short transfer, not EFAULT. Fix: \
                for `count == 1`, cap the length before the `access_ok` check.",
    },
    CoreDifference {
        cases: &[
            "readv array running into a hole, first length negative",
            "writev array running into a hole, first length negative",
        ],
        linux: |_| EINVAL,
        sim: EFAULT,
        cause: "`IoVecs::import` reads the whole array first (EFAULT if any element is \
                unreadable), then checks the lengths; Linux's `copy_iovec_from_user` reads \
                element by element and fails with EINVAL at the first negative length, before \
                reaching an unreadable element. Fix: check each element's length as it is read \
                (or read the readable prefix and check its lengths before reporting EFAULT).",
    },
];

/// The verdict on one case.
pub fn classify(case: &Case, linux: &Outcome, sim: &Outcome, initial: &[u8]) -> Verdict {
    if linux == sim {
        return Verdict::Agree;
    }
    if let Some(known) = CORE
        .iter()
        .find(|known| known.cases.contains(&case.name.as_str()))
    {
        if (known.linux)(&case.name) == linux.ret && known.sim == sim.ret {
            return Verdict::KnownCore(known);
        }
    }
    if let Some(choice) = CHOICES
        .iter()
        .find(|choice| (choice.covers)(case, linux, sim, initial))
    {
        return Verdict::Documented(choice);
    }
    Verdict::Differ(describe(linux, sim))
}
