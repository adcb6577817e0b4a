//! The fault flag: nesting, restoration on every exit path, per thread.

use axptr::{UserAccessGuard, access_user_memory, is_accessing_user_memory};

#[test]
fn guards_nest_and_restore_the_previous_value() {
    assert!(!is_accessing_user_memory());
    // SAFETY: both guards are locals, dropped in reverse order of creation.
    let outer = unsafe { UserAccessGuard::new() };
    assert!(is_accessing_user_memory());
    {
        // SAFETY: dropped at the end of this block, before `outer`.
        let _inner = unsafe { UserAccessGuard::new() };
        assert!(is_accessing_user_memory());
    }
    assert!(
        is_accessing_user_memory(),
        "the inner guard must not clear the outer access"
    );
    drop(outer);
    assert!(!is_accessing_user_memory());
}

#[test]
fn closure_form_nests() {
    let seen = access_user_memory(|| {
        let inner = access_user_memory(is_accessing_user_memory);
        (inner, is_accessing_user_memory())
    });
    assert_eq!(seen, (true, true));
    assert!(!is_accessing_user_memory());
}

#[test]
fn flag_is_restored_when_the_access_unwinds() {
    let result = std::panic::catch_unwind(|| {
        access_user_memory(|| {
            assert!(is_accessing_user_memory());
            panic!("a bug inside the access");
        })
    });
    assert!(result.is_err());
    assert!(!is_accessing_user_memory());
}

#[test]
fn each_thread_has_its_own_flag() {
    // SAFETY: a local, dropped at the end of the test.
    let _guard = unsafe { UserAccessGuard::new() };
    let other = std::thread::spawn(is_accessing_user_memory).join().unwrap();
    assert!(!other, "a fresh thread starts clear, with no setup");
    assert!(is_accessing_user_memory());
}

#[test]
fn take_and_restore_carry_the_flag_across_a_switch() {
    // SAFETY: a local, dropped at the end of the test.
    let _guard = unsafe { UserAccessGuard::new() };
    let saved = axptr::take_user_access_flag();
    assert!(saved);
    assert!(!is_accessing_user_memory());
    // SAFETY: the value taken above, restored where the "task" was
    // switched out (this test plays both halves of the switch).
    unsafe { axptr::restore_user_access_flag(saved) };
    assert!(is_accessing_user_memory());
}
