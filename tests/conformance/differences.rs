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

/// None left: the three `IoVecs::import` differences this test found (an
/// empty array read at all, a single huge element checked before its cap, a
/// negative length reported after an unreadable element) are fixed in core.
/// A new one goes here, with its cause, until core follows Linux.
pub static CORE: &[CoreDifference] = &[];

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
