//! The CPUs: which one is running (a `percpu` variable), which are online,
//! and what each did (counters printed at the end of the run).

use core::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};

use crate::println;

/// CPUs this kernel supports (the linker scripts reserve as many per-CPU
/// areas, `CPU_NUM`).
pub const MAX_CPUS: usize = 8;

/// This CPU's index in [`CPUS`]: the hart id on riscv64, the MPIDR
/// affinity on aarch64.
#[percpu::def_percpu]
static CPU_ID: usize = 0;

/// The running CPU's index.
#[inline]
pub fn id() -> usize {
    CPU_ID.read_current()
}

/// Points this CPU's per-CPU register at its area and records its index:
/// the first thing each CPU does, before any lock or print.
///
/// `percpu::init_in_place` must have run (on the boot CPU).
pub fn init_this(cpu: usize) {
    percpu::init_percpu_reg(cpu);
    CPU_ID.write_current(cpu);
    this().online.store(true, Ordering::Release);
}

/// What a CPU did, counted as it happens.
pub struct Stats {
    /// Syscalls served.
    pub syscalls: AtomicUsize,
    /// Syscalls that succeeded.
    pub ok: AtomicUsize,
    /// Syscalls that returned `EFAULT`.
    pub efault: AtomicUsize,
    /// Syscalls that returned another error.
    pub errors: AtomicUsize,
    /// Kernel faults in axptr's copy routine turned into `EFAULT`.
    pub fixups: AtomicUsize,
    /// Lazy user pages populated for a kernel access through axptr.
    pub lazy: AtomicUsize,
    /// Lazy user pages populated for user code's own accesses.
    pub user_faults: AtomicUsize,
    /// `munmap`s and `mprotect`s (each one a TLB shootdown).
    pub unmaps: AtomicUsize,
}

/// The fault flag as a CPU last saw it when it went idle for good.
const FLAG_UNKNOWN: u8 = 0;
const FLAG_CLEAR: u8 = 1;
const FLAG_SET: u8 = 2;

/// A CPU's shared state.
pub struct Cpu {
    /// Set by the CPU itself once it runs kernel code.
    pub online: AtomicBool,
    /// Its counters.
    pub stats: Stats,
    /// Set by `FUTEX_WAKE` for the thread sleeping on this CPU.
    pub futex_woken: AtomicBool,
    /// Kernel page faults in a row found spurious (see `fault.rs`).
    pub spurious_streak: AtomicUsize,
    /// axptr's fault flag as the CPU read it at the end (`FLAG_*`).
    final_flag: AtomicU8,
}

impl Cpu {
    const fn new() -> Self {
        Self {
            online: AtomicBool::new(false),
            stats: Stats {
                syscalls: AtomicUsize::new(0),
                ok: AtomicUsize::new(0),
                efault: AtomicUsize::new(0),
                errors: AtomicUsize::new(0),
                fixups: AtomicUsize::new(0),
                lazy: AtomicUsize::new(0),
                user_faults: AtomicUsize::new(0),
                unmaps: AtomicUsize::new(0),
            },
            futex_woken: AtomicBool::new(false),
            spurious_streak: AtomicUsize::new(0),
            final_flag: AtomicU8::new(FLAG_UNKNOWN),
        }
    }
}

/// Every CPU's shared state, by index.
pub static CPUS: [Cpu; MAX_CPUS] = [const { Cpu::new() }; MAX_CPUS];

/// The running CPU's shared state.
pub fn this() -> &'static Cpu {
    // `init_this` runs only with an index below MAX_CPUS (the boot code
    // refuses any other), so this cannot go out of bounds.
    &CPUS[id()]
}

/// Counts one event in the running CPU's `stat`.
pub fn count(stat: impl FnOnce(&Stats) -> &AtomicUsize) {
    stat(&this().stats).fetch_add(1, Ordering::Relaxed);
}

/// The online CPUs, as a bit mask of indices.
pub fn online_mask() -> usize {
    CPUS.iter()
        .enumerate()
        .filter(|(_, cpu)| cpu.online.load(Ordering::Acquire))
        .fold(0, |mask, (i, _)| mask | 1 << i)
}

/// Records axptr's fault flag as this CPU sees it, for [`print_stats`].
pub fn record_final_flag() {
    let flag = if axptr::is_accessing_user_memory() {
        FLAG_SET
    } else {
        FLAG_CLEAR
    };
    this().final_flag.store(flag, Ordering::Release);
}

/// Whether every online CPU has recorded its final flag.
pub fn all_recorded_final_flag() -> bool {
    CPUS.iter().all(|cpu| {
        !cpu.online.load(Ordering::Acquire)
            || cpu.final_flag.load(Ordering::Acquire) != FLAG_UNKNOWN
    })
}

/// Prints one line of counters per online CPU; `boot` marks the boot CPU
/// (which ran the main thread).
pub fn print_stats(boot: usize) {
    for (i, cpu) in CPUS.iter().enumerate() {
        if !cpu.online.load(Ordering::Acquire) {
            continue;
        }
        let s = &cpu.stats;
        let n = |c: &AtomicUsize| c.load(Ordering::Relaxed);
        let flag = match cpu.final_flag.load(Ordering::Acquire) {
            FLAG_CLEAR => "clear",
            FLAG_SET => "SET",
            _ => "unknown",
        };
        let role = if i == boot { " (boot)" } else { "" };
        println!(
            "cpu {i}{role}: syscalls={} ok={} efault={} errors={} fixups={} lazy={} user-faults={} unmaps={} flag={flag}",
            n(&s.syscalls),
            n(&s.ok),
            n(&s.efault),
            n(&s.errors),
            n(&s.fixups),
            n(&s.lazy),
            n(&s.user_faults),
            n(&s.unmaps),
        );
    }
}
