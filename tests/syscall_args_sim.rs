//! The cases of `syscall_args.rs` on the host simulation: user memory at
//! real addresses with real page faults, lazy pages populated by the
//! simulated page-fault handler, unmapped pages that really fault. Every
//! argument kind and every hostile input gives the same result register as
//! on `HeapSpace`, and nothing crashes.
#![cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]

mod common;

use common::kernel::{SpaceKind, kernel_on};

fn kernel() -> (Kernel, Pages) {
    kernel_on(SpaceKind::Sim, 9)
}

fn kernel_with_pages(pages: usize) -> (Kernel, Pages) {
    kernel_on(SpaceKind::Sim, pages)
}

include!("syscall_args/cases.rs");

/// The sim's own fault counters: the string in a lazy page was faulted in
/// by the handler during the copy, not by validation.
#[test]
fn a_string_in_a_lazy_page_is_faulted_in_during_the_copy() {
    let (mut k, p) = kernel();
    k.space.poke(p.lazy, b"lazy\0");
    assert!(!k.space.is_present(p.lazy));
    assert_eq!(call::<sys_open>(&mut k, &[p.lazy, 0]), 3);
    assert!(k.space.is_present(p.lazy));
    let Space::Sim(space) = &k.space else {
        unreachable!("kernel() makes a simulated space")
    };
    let stats = space.stats();
    assert_eq!((stats.resolved, stats.fixups), (1, 0), "{stats:?}");
    assert_eq!(stats.populated_by_check, 0, "{stats:?}");
    assert_eq!(k.ran, [r#"open "lazy" 0x0"#]);
}
