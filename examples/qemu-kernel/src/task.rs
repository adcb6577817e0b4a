//! Threads of the one user process, and the CPUs that run them.
//!
//! There is no scheduler: a thread runs on one CPU until it ends, and the
//! kernel drives it as a loop (run user code until the next trap, serve the
//! trap, go back). The boot CPU runs the main thread; `clone` hands each new
//! thread to an idle CPU, and fails with `EAGAIN` when none is left. Idle
//! CPUs sleep in `wfi` until an IPI wakes them (SBI on riscv64, a GIC
//! software interrupt on aarch64).

use alloc::collections::VecDeque;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};

use axptr::LinuxError;
use axptr_qemu_abi::{clone, nr};

use crate::{
    arch::{self, UserContext, UserTrap},
    cpu, fault,
    lock::SpinLock,
    println, syscall,
};

/// The main thread's id.
const MAIN_TID: usize = 1;

struct Thread {
    tid: usize,
    ctx: UserContext,
}

/// Threads waiting for a CPU.
static READY: SpinLock<VecDeque<Thread>> = SpinLock::new("the ready queue lock", VecDeque::new());
/// Idle CPUs not yet promised to a queued thread.
static FREE_CPUS: AtomicUsize = AtomicUsize::new(0);
/// Threads started and not ended.
static LIVE_THREADS: AtomicUsize = AtomicUsize::new(0);
static NEXT_TID: AtomicUsize = AtomicUsize::new(MAIN_TID + 1);
/// Set by `exit_group`: every thread ends at its next trap.
static EXITING: AtomicBool = AtomicBool::new(false);
static EXIT_STATUS: AtomicI32 = AtomicI32::new(0);
/// Set when the process is over: idle CPUs record their fault flag and
/// stop.
static SHUTDOWN: AtomicBool = AtomicBool::new(false);
/// Trace the main thread's syscalls (the race threads' would drown the
/// console).
static STRACE: AtomicBool = AtomicBool::new(false);

/// Runs the process on the boot CPU, from its main thread at `entry` with
/// its stack at `sp`, until every thread has ended; returns its exit
/// status.
pub fn run_process(entry: usize, sp: usize, strace: bool) -> i32 {
    STRACE.store(strace, Ordering::Relaxed);
    LIVE_THREADS.store(1, Ordering::Release);
    run_thread(Thread {
        tid: MAIN_TID,
        ctx: UserContext::new(entry, sp),
    });
    loop {
        arch::clear_wakeup();
        if LIVE_THREADS.load(Ordering::Acquire) == 0 {
            break;
        }
        arch::wait_for_event();
    }
    EXIT_STATUS.load(Ordering::Relaxed)
}

/// The loop of a secondary CPU: run threads as they come; once the process
/// is over, record the fault flag and stop.
pub fn secondary_loop() -> ! {
    FREE_CPUS.fetch_add(1, Ordering::AcqRel);
    loop {
        arch::clear_wakeup();
        let next = READY.lock().pop_front();
        if let Some(thread) = next {
            run_thread(thread);
            FREE_CPUS.fetch_add(1, Ordering::AcqRel);
            continue;
        }
        if SHUTDOWN.load(Ordering::Acquire) {
            cpu::record_final_flag();
            loop {
                arch::clear_wakeup();
                arch::wait_for_event();
            }
        }
        arch::wait_for_event();
    }
}

/// Ends the run: the secondary CPUs record their fault flag and stop;
/// returns once all have.
pub fn stop_secondaries() {
    SHUTDOWN.store(true, Ordering::Release);
    arch::wake_all();
    cpu::record_final_flag();
    while !cpu::all_recorded_final_flag() {
        core::hint::spin_loop();
    }
}

/// Runs `thread` until it ends.
fn run_thread(mut thread: Thread) {
    loop {
        let trap = thread.ctx.run();
        if EXITING.load(Ordering::Acquire) {
            break;
        }
        let keep_going = match trap {
            UserTrap::Syscall => match serve_syscall(&mut thread) {
                Some(ret) => {
                    thread.ctx.set_syscall_ret(ret as usize);
                    true
                }
                None => false,
            },
            UserTrap::PageFault { addr, access } => {
                fault::user_page_fault(addr, access) || {
                    kill(format_args!(
                        "page fault at {addr:#x} ({access:?}), pc {:#x}",
                        thread.ctx.pc()
                    ));
                    false
                }
            }
            // An IPI: a wake-up meant for idle CPUs, or a TLB shootdown
            // to serve before user code goes on.
            UserTrap::Interrupt => {
                arch::clear_wakeup();
                true
            }
            UserTrap::Other { cause, addr } => {
                kill(format_args!(
                    "trap cause {cause:#x}, address {addr:#x}, pc {:#x}",
                    thread.ctx.pc()
                ));
                false
            }
        };
        if axptr::is_accessing_user_memory() {
            crate::oops(format_args!(
                "the fault flag is still set after a trap from thread {}",
                thread.tid
            ));
        }
        if !keep_going {
            break;
        }
    }
    if LIVE_THREADS.fetch_sub(1, Ordering::AcqRel) == 1 {
        // The boot CPU waits for the last thread.
        arch::wake_all();
    }
}

/// Serves the syscall `thread` made; `None` if the thread ends.
fn serve_syscall(thread: &mut Thread) -> Option<isize> {
    let nr = thread.ctx.syscall_nr();
    let args = thread.ctx.syscall_args();
    let ret = match nr {
        nr::EXIT => return None,
        nr::EXIT_GROUP => {
            EXIT_STATUS.store(args[0] as i32, Ordering::Relaxed);
            EXITING.store(true, Ordering::Release);
            return None;
        }
        nr::CLONE => match spawn(&thread.ctx, args) {
            Ok(tid) => tid as isize,
            Err(err) => -(err.code() as isize),
        },
        _ => {
            let strace = thread.tid == MAIN_TID && STRACE.load(Ordering::Relaxed);
            syscall::dispatch(nr, args, strace)
        }
    };
    cpu::count(|s| &s.syscalls);
    match ret {
        0.. => cpu::count(|s| &s.ok),
        ret if ret == -(LinuxError::EFAULT.code() as isize) => cpu::count(|s| &s.efault),
        _ => cpu::count(|s| &s.errors),
    }
    Some(ret)
}

/// `clone` of a thread: the child starts where the parent returns, with
/// `0` in the result register and `stack` as its stack pointer.
fn spawn(parent: &UserContext, args: [usize; 6]) -> Result<usize, LinuxError> {
    let [flags, stack, ..] = args;
    if flags != clone::THREAD_FLAGS || stack == 0 || stack % 16 != 0 {
        return Err(LinuxError::EINVAL);
    }
    FREE_CPUS
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
        .map_err(|_| LinuxError::EAGAIN)?;
    let tid = NEXT_TID.fetch_add(1, Ordering::Relaxed);
    let mut ctx = parent.clone();
    ctx.set_syscall_ret(0);
    ctx.set_sp(stack);
    LIVE_THREADS.fetch_add(1, Ordering::AcqRel);
    READY.lock().push_back(Thread { tid, ctx });
    arch::wake_all();
    Ok(tid)
}

/// Ends the process after a fault in user code it cannot survive.
fn kill(why: core::fmt::Arguments<'_>) {
    println!("user program killed: {why}");
    EXIT_STATUS.store(-1, Ordering::Relaxed);
    EXITING.store(true, Ordering::Release);
}
