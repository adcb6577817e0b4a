//! Not kernel code: the test rig's stand-in for a second user thread,
//! shared by the demo and the Linux example.

use axptr::sim::SimSpace;

/// A second user thread that calls `munmap` on a buffer while the kernel
/// works on it. Run right after the address-space lock is released, it
/// makes the unlucky interleaving happen every time: the page is validated
/// and faulted in, then vanishes before the copy touches it.
pub struct Racer {
    pub page: usize,
}

impl Racer {
    /// Whether the kernel has faulted the page in (validated it).
    pub fn ready(&self, space: &SimSpace) -> bool {
        space.is_present(self.page)
    }

    pub fn run(self, space: &SimSpace, log: &mut Vec<String>) {
        match space.unmap(self.page, axptr::PAGE_SIZE_4K) {
            Ok(()) => log.push(format!(
                "[user thread 2] munmap({:#x}, 4096), right after the kernel's check",
                self.page
            )),
            Err(err) => log.push(format!("[user thread 2] munmap failed: {err:?}")),
        }
    }
}
