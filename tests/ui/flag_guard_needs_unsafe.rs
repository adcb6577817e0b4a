//! Safe code cannot leave the fault flag set: a guard dropped out of order
//! or forgotten would, and so would restoring a made-up saved value. Those
//! need `unsafe`; the closure form `access_user_memory` is the safe one.

use axptr::{UserAccessGuard, restore_user_access_flag};

fn main() {
    let a = UserAccessGuard::new();
    let b = UserAccessGuard::new();
    drop(a);
    drop(b);
    core::mem::forget(UserAccessGuard::new());
    restore_user_access_flag(true);
}
