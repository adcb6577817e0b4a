//! The kernel's page-fault handler, played by a `SIGSEGV`/`SIGBUS` handler.
//!
//! Installed once per process, the first time a [`SimSpace`] is created.
//! For a fault on an address inside a simulated space it does what a kernel
//! does for a kernel-mode fault on user memory:
//!
//! 1. the fault flag ([`is_accessing_user_memory`]) is clear: the kernel
//!    touched user memory by accident, an **oops** (report and abort);
//! 2. the faulting thread holds the space's lock: the kernel's handler would
//!    wait for that lock forever, a **deadlock** (report and abort);
//! 3. the area allows the access: make the page present and **retry**;
//! 4. otherwise, if the faulting instruction belongs to the fallible copy
//!    routine ([`fixup_for`]), continue at its **fixup** (the copy returns
//!    `EFAULT`);
//! 5. otherwise an **oops** (for instance the reference API's memory was
//!    unmapped after validation: nothing can rescue that).
//!
//! A fault outside every simulated space is the host's own business and is
//! passed to the handler installed before (Rust's stack-overflow reporter,
//! or the default action), except inside the copy routine with the flag
//! set, which is reported as an oops: a kernel-side buffer is bad.
//!
//! Everything here is async-signal-safe: no allocation, no `std` lock,
//! output through one `write(2)` from a stack buffer.
//!
//! [`SimSpace`]: super::SimSpace

use core::{
    cell::UnsafeCell,
    ffi::{c_int, c_void},
    fmt::Write,
    mem::MaybeUninit,
    sync::atomic::{AtomicBool, Ordering},
};
use std::sync::Once;

use page_table_multiarch::MappingFlags;

use super::{areas::Resolution, host::StderrLine, registry, space::Shared, stats::FaultCounters};
use crate::{fixup_for, is_accessing_user_memory};

/// The actions installed before ours, for chaining: `[SIGSEGV, SIGBUS]`.
struct PreviousActions(UnsafeCell<MaybeUninit<[libc::sigaction; 2]>>);

// SAFETY: written once inside `INSTALL` before our handler can run, only
// read afterwards.
unsafe impl Sync for PreviousActions {}

static PREVIOUS: PreviousActions = PreviousActions(UnsafeCell::new(MaybeUninit::zeroed()));
static INSTALL: Once = Once::new();
static INSTALLED: AtomicBool = AtomicBool::new(false);

const SIGNALS: [c_int; 2] = [libc::SIGSEGV, libc::SIGBUS];

/// Installs the handler for `SIGSEGV` and `SIGBUS` (once per process).
/// Returns whether it is installed.
pub(super) fn install() -> bool {
    INSTALL.call_once(|| {
        // SAFETY: a zeroed `sigaction` is a valid "no flags, empty mask"
        // value that we fill in.
        let mut action: libc::sigaction = unsafe { MaybeUninit::zeroed().assume_init() };
        action.sa_sigaction = on_fault as *const () as usize;
        action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
        // SAFETY: `sa_mask` is ours to initialize.
        unsafe { libc::sigemptyset(&mut action.sa_mask) };
        let previous = PREVIOUS.0.get().cast::<libc::sigaction>();
        let mut ok = true;
        for (index, signal) in SIGNALS.into_iter().enumerate() {
            // SAFETY: installs a handler with the signature SA_SIGINFO
            // expects; the old action goes to `PREVIOUS`, which nothing
            // reads before the handler runs.
            ok &= unsafe { libc::sigaction(signal, &action, previous.add(index)) } == 0;
        }
        INSTALLED.store(ok, Ordering::Release);
    });
    INSTALLED.load(Ordering::Acquire)
}

/// What the faulting instruction tried to do, from the x86 page-fault error
/// code.
fn access_of(error_code: usize) -> MappingFlags {
    const WRITE: usize = 1 << 1;
    const INSTRUCTION_FETCH: usize = 1 << 4;
    if error_code & INSTRUCTION_FETCH != 0 {
        MappingFlags::EXECUTE
    } else if error_code & WRITE != 0 {
        MappingFlags::WRITE
    } else {
        MappingFlags::READ
    }
}

fn access_name(access: MappingFlags) -> &'static str {
    if access.contains(MappingFlags::EXECUTE) {
        "execute"
    } else if access.contains(MappingFlags::WRITE) {
        "write"
    } else {
        "read"
    }
}

/// The registers of the interrupted thread.
struct Fault {
    addr: usize,
    pc: usize,
    access: MappingFlags,
    flag: bool,
    context: *mut libc::ucontext_t,
}

impl Fault {
    fn set_pc(&self, pc: usize) {
        // SAFETY: `context` is the live context the kernel passed to the
        // handler; on return the thread resumes from it.
        unsafe { (*self.context).uc_mcontext.gregs[libc::REG_RIP as usize] = pc as i64 };
    }

    /// Prints a kernel-style report and aborts the process.
    fn die(&self, headline: &str, explanation: &str) -> ! {
        let mut out = StderrLine::new();
        let _ = write!(
            out,
            "\naxptr sim: {headline}: {} fault at {:#x}, pc {:#x}, \
             accessing_user_memory = {}\n  {explanation}\n",
            access_name(self.access),
            self.addr,
            self.pc,
            self.flag,
        );
        out.flush();
        // SAFETY: `abort` is async-signal-safe and does not return.
        unsafe { libc::abort() }
    }
}

/// The signal handler.
extern "C" fn on_fault(signal: c_int, info: *mut libc::siginfo_t, context: *mut c_void) {
    // SAFETY: the kernel passes valid `siginfo_t` and `ucontext_t` pointers
    // to an SA_SIGINFO handler.
    let (code, addr, regs) = unsafe {
        let regs = &(*context.cast::<libc::ucontext_t>()).uc_mcontext.gregs;
        ((*info).si_code, (*info).si_addr().addr(), *regs)
    };
    // A signal sent by a process (`kill`), not by a fault: not ours.
    if code <= 0 {
        // SAFETY: forwarding the handler's own arguments.
        return unsafe { chain(signal, info, context) };
    }
    let fault = Fault {
        addr,
        pc: regs[libc::REG_RIP as usize] as usize,
        access: access_of(regs[libc::REG_ERR as usize] as usize),
        flag: is_accessing_user_memory(),
        context: context.cast(),
    };
    if registry::with_space_containing(fault.addr, |space| in_space(space, &fault)).is_some() {
        return;
    }
    if fault.flag && fixup_for(fault.pc).is_some() {
        fault.die(
            "kernel oops",
            "fault outside every simulated space inside the user copy: \
             the kernel-side buffer is bad",
        );
    }
    // SAFETY: forwarding the handler's own arguments.
    unsafe { chain(signal, info, context) }
}

/// A fault on simulated user memory: resolve, fix up, or die.
fn in_space(space: &Shared, fault: &Fault) {
    if !fault.flag {
        let lock_note = if space.lock.held_by_current_thread() {
            " (and this thread holds the address-space lock)"
        } else {
            ""
        };
        let mut why = StderrLine::new();
        let _ = write!(
            why,
            "kernel code touched user memory without the fault flag{lock_note}: \
             go through UserPtr/UserConstPtr, or set the flag with access_user_memory"
        );
        fault.die("kernel oops", why.as_str());
    }
    let Ok(mut areas) = space.lock.try_lock_spinning() else {
        fault.die(
            "deadlock",
            "page fault on user memory while this thread holds the address-space \
             lock: a kernel's fault handler would wait for that lock forever \
             (never touch user memory inside with_addr_space)",
        );
    };
    let resolution = areas.resolve_fault(fault.addr, fault.access);
    drop(areas);
    let counters = &space.counters;
    match resolution {
        Resolution::Populated => FaultCounters::bump(&counters.resolved, 1),
        Resolution::AlreadyPresent => FaultCounters::bump(&counters.spurious, 1),
        Resolution::Refused => match fixup_for(fault.pc) {
            Some(fixup) => {
                FaultCounters::bump(&counters.fixups, 1);
                fault.set_pc(fixup);
            }
            None => fault.die(
                "kernel oops",
                "unresolvable fault on user memory outside the fallible copy routine: \
                 memory lent by the reference API was unmapped or protected after \
                 validation (use the copy API for memory other threads can change)",
            ),
        },
    }
}

/// Passes a fault that is not ours to the action installed before.
///
/// # Safety
///
/// The arguments are those the kernel passed to [`on_fault`].
unsafe fn chain(signal: c_int, info: *mut libc::siginfo_t, context: *mut c_void) {
    let index = usize::from(signal != libc::SIGSEGV);
    // SAFETY: written before our handler was installed, read-only since.
    let previous = unsafe { (*PREVIOUS.0.get()).assume_init_ref()[index] };
    let handler = previous.sa_sigaction;
    if handler == libc::SIG_DFL || handler == libc::SIG_IGN {
        // Restore the default action: the faulting instruction faults again
        // on return and the process dies as it would have without us (a
        // sent signal is re-raised, pending until the handler returns).
        // SAFETY: a zeroed `sigaction` with SIG_DFL (0) is the default.
        unsafe {
            let default: libc::sigaction = MaybeUninit::zeroed().assume_init();
            libc::sigaction(signal, &default, core::ptr::null_mut());
            if (*info).si_code <= 0 {
                libc::raise(signal);
            }
        }
    } else if previous.sa_flags & libc::SA_SIGINFO != 0 {
        // SAFETY: an SA_SIGINFO action's handler has this signature.
        let handler: extern "C" fn(c_int, *mut libc::siginfo_t, *mut c_void) =
            unsafe { core::mem::transmute(handler) };
        handler(signal, info, context);
    } else {
        // SAFETY: a plain action's handler has this signature.
        let handler: extern "C" fn(c_int) = unsafe { core::mem::transmute(handler) };
        handler(signal);
    }
}
