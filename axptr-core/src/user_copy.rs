//! Types that may cross the user/kernel boundary by copying bytes.
//!
//! A value read from user space is whatever bytes the user put there, so the
//! type must accept every bit pattern. A value written to user space must
//! not carry padding, or uninitialized kernel bytes leak out. [`UserCopy`]
//! asserts both; `#[derive(UserCopy)]` proves them for a struct or union at
//! compile time.

/// Plain data that can be copied from and to user memory.
///
/// # Safety
///
/// Implementors promise that:
/// - every bit pattern of `size_of::<Self>()` bytes is a valid `Self`
///   (reads from user space cannot create an invalid value);
/// - `Self` has no padding bytes and no interior mutability (writes to user
///   space copy only initialized bytes);
/// - the all-zero bit pattern is the terminator of null-terminated data
///   (true of integers, and of user pointers, whose zero is null).
///
/// `#[derive(UserCopy)]` checks these for `#[repr(C)]` and
/// `#[repr(transparent)]` structs and unions; implement it by hand only for
/// types whose layout you control. A hand-written impl for a type with
/// `UserCopy` fields should forward their proofs (as the array impl does),
/// or padding inside a field goes unnoticed.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not `UserCopy`: user space can put any bytes in it",
    label = "not plain data that can be copied from or to user memory",
    note = "use integers, arrays, user pointers or a `#[derive(UserCopy)]` struct; \
            for `bool` use `u8`, for `char` use `u32`, for a reference use a user pointer"
)]
pub unsafe trait UserCopy: Copy {
    /// Evaluated wherever a `T` is copied or lent; `#[derive(UserCopy)]`
    /// puts its no-padding assertions here, so that a generic type is
    /// checked for each set of type arguments it is used with. It also
    /// evaluates this constant of every field type, so the proof is
    /// transitive: padding inside a field's type fails the outer type too.
    #[doc(hidden)]
    const __LAYOUT_CHECKED: () = ();
}

macro_rules! impl_user_copy {
    ($($ty:ty),* $(,)?) => {
        $(
            // SAFETY: a primitive number: every bit pattern is valid, no padding.
            unsafe impl UserCopy for $ty {}
        )*
    };
}

impl_user_copy!(
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    f32,
    f64,
    ()
);

// SAFETY: an array of `UserCopy` elements has no padding between elements
// (size is a multiple of alignment) and accepts any bytes element-wise.
unsafe impl<T: UserCopy, const N: usize> UserCopy for [T; N] {
    const __LAYOUT_CHECKED: () = T::__LAYOUT_CHECKED;
}

// SAFETY: zero-sized: no bytes, hence no invalid bit pattern and no padding.
unsafe impl<T: ?Sized> UserCopy for core::marker::PhantomData<T> {}
