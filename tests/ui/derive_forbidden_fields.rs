use axptr::UserCopy;

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

fn main() {}
