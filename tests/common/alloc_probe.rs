//! A global allocator that measures what a stretch of code allocates on
//! its thread: the largest single request and the sum of all requests.
//!
//! A binary that checks allocation bounds installs it:
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOC: common::alloc_probe::Probe = common::alloc_probe::Probe;
//! ```
//!
//! The counters are per thread, so tests running in parallel do not see
//! each other's allocations.

use std::{
    alloc::{GlobalAlloc, Layout, System},
    cell::Cell,
    sync::atomic::{AtomicBool, Ordering},
};

/// The system allocator, with the requests counted.
pub struct Probe;

/// Set by the first allocation through [`Probe`]: it is the global
/// allocator of this binary.
static INSTALLED: AtomicBool = AtomicBool::new(false);

thread_local! {
    // Const-initialized and without destructors: using them never
    // allocates, which an allocator must not do.
    static LARGEST: Cell<usize> = const { Cell::new(0) };
    static TOTAL: Cell<usize> = const { Cell::new(0) };
}

fn record(size: usize) {
    INSTALLED.store(true, Ordering::Relaxed);
    // `try_with`: the thread may be tearing its locals down.
    let _ = LARGEST.try_with(|largest| largest.set(largest.get().max(size)));
    let _ = TOTAL.try_with(|total| total.set(total.get().saturating_add(size)));
}

// SAFETY: every call is forwarded unchanged to the system allocator, which
// upholds the `GlobalAlloc` contract; the bookkeeping only updates
// thread-local counters and never allocates.
unsafe impl GlobalAlloc for Probe {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: the caller's guarantees about `layout` are passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: as in `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` (through this type) with
        // `layout`, as the caller guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        // SAFETY: as in `dealloc`, and the caller guarantees `new_size`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// What a stretch of code allocated.
#[derive(Clone, Copy, Debug)]
pub struct Usage {
    /// The largest single request (a reallocation counts its new size).
    pub largest: usize,
    /// The sum of all requests.
    pub total: usize,
}

/// Runs `f` and returns what it allocated on this thread, or `None` if
/// [`Probe`] is not this binary's global allocator.
pub fn measure<R>(f: impl FnOnce() -> R) -> (R, Option<Usage>) {
    let before = (LARGEST.with(Cell::take), TOTAL.with(Cell::take));
    let result = f();
    // An enclosing measurement still sees what `f` allocated.
    let usage = Usage {
        largest: LARGEST.with(|c| c.replace(before.0.max(c.get()))),
        total: TOTAL.with(|c| c.replace(before.1.saturating_add(c.get()))),
    };
    (result, INSTALLED.load(Ordering::Relaxed).then_some(usage))
}
