//! riscv64 on QEMU `virt` under OpenSBI: Sv39 paging, SBI for the console,
//! starting harts (HSM) and IPIs (wake-ups and TLB shootdowns), and the
//! `sifive_test` device for QEMU's exit code.

mod boot;
mod trap;

pub use trap::UserContext;

use core::{
    arch::asm,
    sync::atomic::{AtomicBool, Ordering},
};

use page_table_multiarch::riscv::Sv39PageTable;
use qemu_exit::QEMUExit;
use riscv::register::satp;
use sbi_rt::HartMask;

use crate::{cpu, mm::Frames};

/// The architecture's name in the banner.
pub const NAME: &str = "riscv64";
/// The user program's `e_machine`.
pub const ELF_MACHINE: u16 = elf::abi::EM_RISCV;
/// The kernel's RAM: from its load address (OpenSBI owns the 2 MiB below)
/// to the end of `-m 128M`.
pub const RAM_START: usize = 0x8020_0000;
/// End of the RAM the kernel uses.
pub const RAM_END: usize = 0x8800_0000;
/// QEMU virt's `sifive_test` device, which makes QEMU exit.
const SIFIVE_TEST: usize = 0x10_0000;
/// MMIO pages the kernel maps (identity, kernel-only).
pub const DEVICES: [usize; 1] = [SIFIVE_TEST];

/// The Sv39 page table of this kernel.
pub type PageTable = Sv39PageTable<Frames>;

/// Sets up the running hart: traps go to the kernel's handler; user pages
/// stay out of reach (`SUM` clear) until axptr opens them; the instruction
/// cache sees the user program. Of the interrupts only IPIs are enabled:
/// they end `wfi` and interrupt user code (to serve a TLB shootdown), but
/// are never taken in the kernel, which runs with `sstatus.SIE` clear.
pub fn init_cpu() {
    trap::init();
    // SAFETY: clearing SUM only narrows what the kernel may do; the IPI is
    // never taken in S-mode (SIE is clear); `fence.i` has no effect on
    // memory.
    unsafe {
        asm!(
            "csrc sstatus, {sum}",
            "csrc sstatus, {sie}",
            "csrw sie, {ssie}",
            "fence.i",
            sum = in(reg) 1usize << 18,
            sie = in(reg) 1usize << 1,
            ssie = in(reg) SIP_SSIP,
        )
    };
}

/// None: the command line is in the device tree (`/chosen/bootargs`).
pub fn command_line() -> Option<&'static str> {
    None
}

/// Starts every other hart through SBI HSM and waits for them to come
/// online; returns how many harts are online.
pub fn start_secondary_cpus(_dtb: Option<&[u8]>) -> usize {
    let me = cpu::id();
    let mut started = 1;
    for hart in (0..cpu::MAX_CPUS).filter(|&hart| hart != me) {
        // Harts QEMU does not have are refused with `SBI_ERR_INVALID_PARAM`;
        // a hart still finishing its own firmware start-up is retried.
        for _ in 0..START_RETRIES {
            let ret = sbi_rt::hart_start(hart, boot::secondary_entry(), 0);
            if ret.is_ok() {
                started += 1;
            } else if ret.error != SBI_ERR_INVALID_PARAM {
                core::hint::spin_loop();
                continue;
            }
            break;
        }
    }
    while (cpu::online_mask().count_ones() as usize) < started {
        core::hint::spin_loop();
    }
    started
}

/// Attempts to start one hart before giving up on it.
const START_RETRIES: usize = 100_000;
/// SBI's "no such hart" (and other invalid parameters).
const SBI_ERR_INVALID_PARAM: usize = -3isize as usize;

/// Switches the MMU to `pt`.
///
/// # Safety
///
/// `pt` must map the kernel (see [`crate::mm::map_kernel`]) and stay alive
/// while it is active.
pub unsafe fn activate(pt: &PageTable) {
    let ppn = pt.root_paddr().as_usize() >> 12;
    // SAFETY: the caller guarantees the table maps the running kernel, so
    // execution continues at the same (identity-mapped) addresses.
    unsafe { satp::set(satp::Mode::Sv39, 0, ppn) };
    riscv::asm::sfence_vma_all();
}

/// Drops this hart's cached translation of `vaddr`.
pub fn flush_tlb_local(vaddr: usize) {
    riscv::asm::sfence_vma(0, vaddr);
}

/// Drops the translations of `[start, start + len)` on every other online
/// hart, and returns once they all have (the page-table cursor has already
/// flushed the running hart): each gets a flush request and an IPI, and
/// acknowledges from wherever it notices the request first (a trap from
/// user mode, a lock it waits for, or sleep; see [`clear_wakeup`]). They
/// flush their whole TLB, so the range is not needed.
///
/// Not SBI's `remote_sfence_vma`: with the OpenSBI 1.1 that Debian's QEMU
/// 7.2 loads, the race hung inside that call now and then (see
/// `docs/qemu.md`).
pub fn shoot_down_tlb(_start: usize, _len: usize) {
    let others = cpu::online_mask() & !(1 << cpu::id());
    if others == 0 {
        return;
    }
    let targets = || (0..cpu::MAX_CPUS).filter(move |&i| others & (1 << i) != 0);
    for i in targets() {
        FLUSH_REQUESTED[i].store(true, Ordering::Release);
    }
    let _ = sbi_rt::send_ipi(HartMask::from_mask_base(others, 0));
    for i in targets() {
        while FLUSH_REQUESTED[i].load(Ordering::Acquire) {
            core::hint::spin_loop();
        }
    }
}

/// By hart: set by a hart shooting down TLB entries, cleared by the hart
/// once it has flushed its TLB.
static FLUSH_REQUESTED: [AtomicBool; cpu::MAX_CPUS] =
    [const { AtomicBool::new(false) }; cpu::MAX_CPUS];

/// Flushes this hart's TLB if another hart asked it to, and says so.
pub fn serve_flush_request() {
    let request = &FLUSH_REQUESTED[cpu::id()];
    if request.load(Ordering::Acquire) {
        riscv::asm::sfence_vma_all();
        request.store(false, Ordering::Release);
    }
}

/// Makes code just written, visible to this hart's instruction fetches
/// (the others run `fence.i` when they start, after the program is
/// loaded).
pub fn sync_icache(_addr: usize, _len: usize) {
    // SAFETY: `fence.i` only orders instruction fetches after stores.
    unsafe { asm!("fence.i") };
}

const SIP_SSIP: usize = 1 << 1;

/// Forgets a pending IPI, after serving a TLB flush request it may have
/// brought: call before checking what to wait for, and after a trap from
/// user mode for an IPI.
pub fn clear_wakeup() {
    // SAFETY: clears the supervisor software interrupt pending bit.
    unsafe { asm!("csrc sip, {bit}", bit = in(reg) SIP_SSIP) };
    serve_flush_request();
}

/// Sleeps until an IPI arrives (one since [`clear_wakeup`] returns at
/// once). Interrupts stay globally off in the kernel (`sstatus.SIE`):
/// `wfi` resumes on the pending IPI without taking it.
pub fn wait_for_event() {
    // SAFETY: waits; touches no memory.
    unsafe { asm!("wfi") };
}

/// Wakes every other online hart (SBI IPI).
pub fn wake_all() {
    let others = cpu::online_mask() & !(1 << cpu::id());
    if others != 0 {
        let _ = sbi_rt::send_ipi(HartMask::from_mask_base(others, 0));
    }
}

/// Writes bytes to the console through the SBI firmware. The OpenSBI that
/// QEMU's `-bios default` loads (v1.1) lacks the debug-console extension,
/// so this uses the legacy `console_putchar`.
pub fn console_write(bytes: &[u8]) {
    for &byte in bytes {
        #[allow(deprecated)]
        sbi_rt::legacy::console_putchar(usize::from(byte));
    }
}

/// Stops the machine: QEMU exits with 0 if `success`, with 1 otherwise.
pub fn shutdown(success: bool) -> ! {
    // SAFETY: the address of QEMU virt's `sifive_test`, identity-mapped
    // (and reachable before paging too).
    let device = unsafe { qemu_exit::RISCV64::new(SIFIVE_TEST as u64) };
    if success {
        device.exit_success()
    } else {
        device.exit_failure()
    }
}
