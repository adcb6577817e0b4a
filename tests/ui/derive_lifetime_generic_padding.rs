use core::marker::PhantomData;

use axptr::UserCopy;

// Only a lifetime is generic: the layout is known here, so the padding
// after `a` is refused at the definition, even if `L` is never copied.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct L<'a> {
    a: u8,
    b: u32,
    _p: PhantomData<&'a ()>,
}

fn main() {
    let _ = L { a: 1, b: 2, _p: PhantomData };
}
