//! Shutting the machine down, with an exit code QEMU passes on.
//!
//! SBI's system reset powers the machine off, but QEMU then exits 0 whatever
//! the reason. QEMU virt's `sifive_test` device makes QEMU exit with a chosen
//! code, so a failure is written there first and the host test sees it.

/// The `sifive_test` device of QEMU virt (identity-mapped by [`crate::mm`]).
pub const SIFIVE_TEST_BASE: usize = 0x10_0000;
/// `sifive_test`: exit with the code in bits 16.. (here 1).
const SIFIVE_TEST_FAIL_1: u32 = (1 << 16) | 0x3333;

/// Powers off; QEMU exits with 0 if `success`, with 1 otherwise.
pub fn shutdown(success: bool) -> ! {
    if success {
        sbi_rt::system_reset(sbi_rt::Shutdown, sbi_rt::NoReason);
    } else {
        // SAFETY: the device register is mapped at its physical address
        // (identity-mapped under paging, as before it); the write only stops
        // the machine.
        unsafe { (SIFIVE_TEST_BASE as *mut u32).write_volatile(SIFIVE_TEST_FAIL_1) };
        sbi_rt::system_reset(sbi_rt::Shutdown, sbi_rt::SystemFailure);
    }
    loop {
        core::hint::spin_loop();
    }
}
