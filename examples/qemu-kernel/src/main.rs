//! A small riscv64 kernel whose syscalls go through axptr.
//!
//! It boots on QEMU's virt machine under OpenSBI, turns on Sv39 paging
//! (page tables from `page_table_multiarch`), sets up `percpu` so that
//! axptr's `ACCESSING_USER_MEM` flag is a real per-CPU variable, maps a user
//! program with read-write, read-only and lazily populated areas, and runs
//! it in U-mode. The program makes good and hostile syscalls; the kernel
//! prints each result, then powers off (QEMU exits 0, or 1 after an oops).
//!
//! ```text
//! cargo build --release     # from this directory
//! qemu-system-riscv64 -machine virt -bios default -nographic -m 128M -smp 1 \
//!     -no-reboot -kernel target/riscv64gc-unknown-none-elf/release/axptr-qemu-kernel
//! ```
#![no_std]
#![no_main]

mod aspace;
mod console;
mod fdt;
mod lock;
mod mm;
mod power;
mod syscall;
mod trap;
mod user;

use core::{
    arch::global_asm,
    fmt,
    sync::atomic::{AtomicBool, Ordering},
};

use aspace::{USER_SPACE, UserSpace};
use trap::{COPY_FAULTS_FIXED_UP, Cause, LAZY_PAGES_FAULTED_IN, UserContext};

const BOOT_STACK_SIZE: usize = 64 * 1024;

#[unsafe(link_section = ".bss.stack")]
static mut BOOT_STACK: [u8; BOOT_STACK_SIZE] = [0; BOOT_STACK_SIZE];

// OpenSBI enters here in S-mode with a0 = hart id, a1 = device tree.
global_asm!(
    r#"
    .section .text.entry
    .globl _start
_start:
    la t0, _sbss
    la t1, _ebss
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:  la sp, {stack}
    li t0, {stack_size}
    add sp, sp, t0
    call {main}
3:  j 3b
"#,
    stack = sym BOOT_STACK,
    stack_size = const BOOT_STACK_SIZE,
    main = sym kernel_main,
);

extern "C" fn kernel_main(_hart_id: usize, dtb: usize) -> ! {
    // The flag lives in the per-CPU area, addressed through gp.
    if percpu::init_in_place().is_err() {
        oops(format_args!("percpu initialization failed"));
    }
    percpu::init_percpu_reg(0);
    trap::init();
    // SAFETY: OpenSBI passes the device tree in a1; nothing has been
    // allocated yet that could overwrite it.
    let stray_access = unsafe { fdt::has_bootarg(dtb, "stray-access") };
    // SAFETY: as above.
    let strace = unsafe { fdt::has_bootarg(dtb, "strace") };
    if let Err(err) = mm::init() {
        oops(format_args!("cannot set up memory: {err:?}"));
    }

    let entry = match set_up_user_space() {
        Ok(entry) => entry,
        Err(err) => oops(format_args!("cannot set up user space: {err:?}")),
    };
    println!("axptr qemu kernel: Sv39 paging on, percpu flag ready, entering user space");

    let status = run_user_program(entry, strace);
    println!("user program exited with status {status}");
    println!(
        "lazy pages faulted in by the kernel's fault handler: {}",
        LAZY_PAGES_FAULTED_IN.load(Ordering::Relaxed)
    );
    println!(
        "copy faults turned into EFAULT by axptr's fixup: {}",
        COPY_FAULTS_FIXED_UP.load(Ordering::Relaxed)
    );
    if stray_access {
        touch_user_memory_without_axptr();
    }
    power::shutdown(status == 0)
}

/// Builds the user address space, switches to its page table, and returns
/// the program's entry point.
fn set_up_user_space() -> axptr::LinuxResult<usize> {
    let mut space = UserSpace::new()?;
    let entry = user::map_program(&mut space)?;
    let mut slot = USER_SPACE.lock();
    let space = slot.insert(space);
    // SAFETY: the table maps the kernel (`UserSpace::new`) and lives in a
    // static for the rest of the run.
    unsafe { mm::activate(space.page_table()) };
    Ok(entry)
}

/// Runs the user program until it exits; returns its status.
fn run_user_program(entry: usize, strace: bool) -> i32 {
    let mut ctx = UserContext::new(entry, 0);
    loop {
        let cause = ctx.run();
        match cause {
            Cause::Exception(riscv::interrupt::supervisor::Exception::UserEnvCall) => {
                ctx.sepc += 4;
                let nr = ctx.a(7);
                if nr == syscall::SYS_EXIT {
                    return ctx.a(0) as i32;
                }
                let args = [ctx.a(0), ctx.a(1), ctx.a(2), ctx.a(3), ctx.a(4), ctx.a(5)];
                let ret = syscall::dispatch(nr, args, strace);
                if axptr::is_accessing_user_memory() {
                    oops(format_args!(
                        "the fault flag is still set after syscall {nr}"
                    ));
                }
                ctx.set_a0(ret as usize);
            }
            _ => {
                // Demand paging for the user's own accesses to lazy pages.
                let resolved = cause.page_fault_access().is_some_and(|access| {
                    USER_SPACE
                        .lock()
                        .as_mut()
                        .is_some_and(|space| space.handle_page_fault(ctx.stval, access))
                });
                if !resolved {
                    println!("user program killed: {cause:?}");
                    return -1;
                }
            }
        }
    }
}

/// The bug axptr exists to prevent, on purpose (`-append stray-access`):
/// the kernel reads a lazy user page directly, without the fault flag. The
/// fault handler must not populate it: this must end in an oops.
fn touch_user_memory_without_axptr() {
    let page = user::LAZY_BASE + 2 * axptr::PAGE_SIZE_4K;
    println!("stray access: the kernel reads a lazy user page without axptr");
    let ptr = core::ptr::with_exposed_provenance::<u8>(page);
    // SAFETY: none; this read is the kernel bug being demonstrated. It
    // faults, and the oops stops the machine before the value is used.
    let value = unsafe { ptr.read_volatile() };
    println!("stray access read {value}: the fault handler let a kernel bug through");
}

static OOPSING: AtomicBool = AtomicBool::new(false);

/// Reports a kernel bug and stops the machine with a failure.
pub fn oops(what: fmt::Arguments<'_>) -> ! {
    if !OOPSING.swap(true, Ordering::Relaxed) {
        println!("kernel oops: {what}");
    }
    power::shutdown(false)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    oops(format_args!("panic: {info}"))
}
