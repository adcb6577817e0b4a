//! What must not be survived is not: each scenario runs in a child process
//! (this test binary re-executed with a filter) and must abort with a
//! kernel-style report.
#![cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]

mod sim_support;

use std::os::unix::process::ExitStatusExt;

use axptr::{AddrSpaceProvider, UserConstPtr, access_user_memory, sim::SimSpace};
use sim_support::{PAGE, RO, RW, assert_aborted_with, child_scenario, is_child_for, run_in_child};

/// A space with one lazy read-write page holding 42, in demand-paging mode.
fn lazy_space() -> (SimSpace, usize) {
    let space = SimSpace::new(4 * PAGE).unwrap();
    let page = space.base();
    space.map_lazy(page, PAGE, RW).unwrap();
    space.poke(page, &42u64.to_ne_bytes()).unwrap();
    space.set_demand_paging(true);
    (space, page)
}

#[test]
fn touching_user_memory_without_the_flag_is_an_oops() {
    const NAME: &str = "touching_user_memory_without_the_flag_is_an_oops";
    if is_child_for(NAME) {
        child_scenario(|| {
            let (space, page) = lazy_space();
            let mut user = space.provider();
            // SAFETY: breaks the in-place contract on purpose (the page is
            // lazy and used outside any access window), in a child process,
            // to show the oops.
            let value = unsafe { UserConstPtr::<u64>::from(page).get(&mut user) }.unwrap();
            // The bug: kernel code reads lent user memory without the flag.
            let _ = std::hint::black_box(*value);
        });
    }
    let output = run_in_child(NAME);
    assert_aborted_with(
        &output,
        &[
            "kernel oops",
            "read fault at 0x",
            "accessing_user_memory = false",
        ],
    );
}

#[test]
fn fault_handler_reads_the_faulting_threads_flag() {
    const NAME: &str = "fault_handler_reads_the_faulting_threads_flag";
    if is_child_for(NAME) {
        child_scenario(|| {
            let (_space, page) = lazy_space();
            // Another thread (CPU) is accessing user memory meanwhile: its
            // flag must not excuse this thread's access.
            let (set_tx, set_rx) = std::sync::mpsc::channel();
            let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
            let other = std::thread::spawn(move || {
                access_user_memory(|| {
                    set_tx.send(()).unwrap();
                    let _ = done_rx.recv();
                })
            });
            set_rx.recv().unwrap();
            // SAFETY: none: this is the bug under test (a read of lazy user
            // memory without the flag), and the process is meant to die.
            let _ = unsafe { core::ptr::read_volatile(page as *const u64) };
            drop(done_tx);
            other.join().unwrap();
        });
    }
    let output = run_in_child(NAME);
    assert_aborted_with(&output, &["kernel oops", "accessing_user_memory = false"]);
}

#[test]
fn fault_while_holding_the_address_space_lock_is_a_deadlock() {
    const NAME: &str = "fault_while_holding_the_address_space_lock_is_a_deadlock";
    if is_child_for(NAME) {
        child_scenario(|| {
            let (space, page) = lazy_space();
            space.provider().with_addr_space(|_| {
                access_user_memory(|| {
                    // SAFETY: none: the bug under test touches user memory
                    // with the address-space lock held.
                    unsafe { core::ptr::read_volatile(page as *const u64) }
                })
            });
        });
    }
    let output = run_in_child(NAME);
    assert_aborted_with(
        &output,
        &[
            "deadlock",
            "accessing_user_memory = true",
            "holds the address-space lock",
        ],
    );
}

#[test]
fn reference_to_memory_unmapped_after_validation_cannot_be_rescued() {
    const NAME: &str = "reference_to_memory_unmapped_after_validation_cannot_be_rescued";
    if is_child_for(NAME) {
        child_scenario(|| {
            let space = SimSpace::new(4 * PAGE).unwrap();
            let page = space.base();
            space.map(page, PAGE, RO).unwrap();
            let mut user = space.provider();
            // SAFETY: breaks the in-place contract on purpose (the page is
            // unmapped while lent), in a child process, to show the oops.
            let value = unsafe { UserConstPtr::<u64>::from(page).get(&mut user) }.unwrap();
            space.unmap(page, PAGE).unwrap();
            // Even with the flag set, an in-place access has no fixup.
            let _ = sim_support::touch(value);
        });
    }
    let output = run_in_child(NAME);
    assert_aborted_with(
        &output,
        &[
            "kernel oops",
            "accessing_user_memory = true",
            "outside the fallible copy routine",
        ],
    );
}

#[test]
fn host_faults_outside_simulated_spaces_keep_their_default_action() {
    const NAME: &str = "host_faults_outside_simulated_spaces_keep_their_default_action";
    if is_child_for(NAME) {
        child_scenario(|| {
            let _space = SimSpace::new(PAGE).unwrap(); // installs the handler
            // SAFETY: none: a genuine host bug, which must still crash as a
            // plain segmentation fault.
            let _ = unsafe { core::ptr::read_volatile(std::hint::black_box(16usize) as *const u8) };
        });
    }
    let output = run_in_child(NAME);
    assert_eq!(
        output.status.signal(),
        Some(11),
        "SIGSEGV, as without the sim: {output:?}"
    );
}
