use axptr::{UserConstPtr, UserCopy};

// Every field is wrong; all are reported at once.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct Request<'a> {
    ready: bool,
    letter: char,
    name: &'a [u8; 8],
    next: Option<core::num::NonZeroU64>,
    raw: *const u8,
}

// The errors are at the fields: taking the struct as a pointer adds none.
fn takes(_: UserConstPtr<Request<'static>>) {}

fn main() {
    takes(UserConstPtr::from(0));
}
