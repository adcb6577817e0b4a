//! Linux's usercopy KUnit suite (`lib/tests/usercopy_kunit.c`), ported to
//! axptr on a `HeapSpace` (so Miri runs it): each test is named after the
//! original case and checks what it checks.
//!
//! The original maps two pages of user memory (read, write, execute) and
//! allocates two pages of kernel memory. Here the kernel memory is a `Vec`
//! outside the space: as on Linux, a kernel address passed as a user one
//! must fail, whichever side of the copy it is on.
//!
//! One adaptation: `copy_struct_from_user` caps the user size at a page
//! (`E2BIG` above, as every Linux caller does), so its cases use a
//! one-page struct where the original uses two pages.

use axptr::{
    EXTENSIBLE_SIZE_MAX, LinuxError, MappingFlags, UserConstPtr, UserCopy, UserPtr,
    check_zeroed_user, clear_user, copy_struct_from_user, testing::HeapSpace,
};

const PAGE: usize = 4096;

/// The original's `usercopy_test_init`: two pages of user memory and two
/// of kernel memory.
struct Fixture {
    space: HeapSpace,
    umem: usize,
    kmem: Vec<u8>,
}

fn init() -> Fixture {
    let mut space = HeapSpace::new(2);
    let umem = space.base();
    space.map(
        umem,
        2 * PAGE,
        MappingFlags::READ | MappingFlags::WRITE | MappingFlags::EXECUTE,
    );
    Fixture {
        space,
        umem,
        kmem: vec![0; 2 * PAGE],
    }
}

/// The original's `is_zeroed` (`memchr_inv(from, 0, size) == NULL`).
fn is_zeroed(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| b == 0)
}

/// `put_user` then `get_user` of one value at the start of user memory.
fn legit<T>(f: &mut Fixture, check: T)
where
    T: UserCopy + PartialEq + std::fmt::Debug + Default,
{
    let ptr = UserPtr::<T>::from(f.umem);
    assert_eq!(
        ptr.write(&mut f.space, check),
        Ok(()),
        "legitimate put_user failed"
    );
    assert_eq!(
        ptr.read(&mut f.space),
        Ok(check),
        "legitimate get_user failed to do copy"
    );
}

/// `get_user` and `put_user` of one value at a kernel address: both fail,
/// the get leaves its destination zero and the put does not write kernel
/// memory.
fn illegal<T>(f: &mut Fixture, check: T)
where
    T: UserCopy + PartialEq + std::fmt::Debug + Default,
{
    let kernel = f.kmem.as_mut_ptr().addr();
    let mut val = [check];
    assert_eq!(
        UserConstPtr::<T>::from(kernel).read_slice(&mut f.space, &mut val),
        Err(LinuxError::EFAULT),
        "illegal get_user passed"
    );
    assert_eq!(val[0], T::default(), "zeroing failure for illegal get_user");
    let marker = 0xF09F_A4AF_F09F_A4AFu64.to_ne_bytes();
    f.kmem[..8].copy_from_slice(&marker);
    let kernel = f.kmem.as_mut_ptr().addr();
    assert_eq!(
        UserPtr::<T>::from(kernel).write(&mut f.space, check),
        Err(LinuxError::EFAULT),
        "illegal put_user passed"
    );
    assert_eq!(
        f.kmem[..8],
        marker,
        "illegal put_user wrote to kernel memory!"
    );
}

/// Legitimate usage: none of these copies fail.
#[test]
fn usercopy_test_valid() {
    let mut f = init();
    f.kmem.fill(0x3a);
    let user = UserPtr::<u8>::from(f.umem);
    assert_eq!(
        user.write_slice(&mut f.space, &f.kmem[..PAGE]),
        Ok(()),
        "legitimate copy_to_user failed"
    );
    f.kmem[..PAGE].fill(0);
    assert_eq!(
        user.read_slice(&mut f.space, &mut f.kmem[..PAGE]),
        Ok(()),
        "legitimate copy_from_user failed"
    );
    assert_eq!(
        f.kmem[..PAGE],
        f.kmem[PAGE..],
        "legitimate usercopy failed to copy data"
    );

    legit(&mut f, 0x5au8);
    legit(&mut f, 0x5a5bu16);
    legit(&mut f, 0x5a5b_5c5du32);
    legit(&mut f, 0x5a5b_5c5d_6a6b_6c6du64);
}

/// Invalid usage: none of these copies succeed.
#[test]
fn usercopy_test_invalid() {
    let mut f = init();
    // Prepare kernel memory with check values.
    f.kmem[..PAGE].fill(0x5a);
    f.kmem[PAGE..].fill(0);
    let kernel = f.kmem.as_ptr().addr();

    // Reject kernel-to-kernel copies through copy_from_user.
    let (dst, _) = f.kmem.split_at_mut(PAGE);
    assert_eq!(
        UserConstPtr::<u8>::from(kernel + PAGE).read_slice(&mut f.space, dst),
        Err(LinuxError::EFAULT),
        "illegal all-kernel copy_from_user passed"
    );
    // The destination half of the buffer was zeroed.
    assert_eq!(
        f.kmem[PAGE..],
        f.kmem[..PAGE],
        "zeroing failure for illegal all-kernel copy_from_user"
    );

    f.kmem[..PAGE].fill(0x5a);
    let (first, second) = f.kmem.split_at(PAGE);
    let before = first.to_vec();
    assert_eq!(
        UserPtr::<u8>::from(kernel).write_slice(&mut f.space, second),
        Err(LinuxError::EFAULT),
        "illegal all-kernel copy_to_user passed"
    );
    // The original's "reversed" copy_to_user has a user address as its
    // source: in Rust the source is a kernel slice, so it is a copy of the
    // user bytes; the destination is still a kernel address.
    let user_bytes = f.space.peek(f.umem, PAGE);
    assert_eq!(
        UserPtr::<u8>::from(kernel).write_slice(&mut f.space, &user_bytes),
        Err(LinuxError::EFAULT),
        "illegal reversed copy_to_user passed"
    );
    assert_eq!(f.kmem[..PAGE], before, "kernel memory was written");

    illegal(&mut f, 0x5au8);
    illegal(&mut f, 0x5a5bu16);
    illegal(&mut f, 0x5a5b_5c5du32);
    illegal(&mut f, 0x5a5b_5c5d_6a6b_6c6du64);
}

/// `check_zeroed_user` agrees with a scan of the kernel's copy on every
/// `[start, end)` of a 1024-byte window across the page boundary (every
/// 37th start and end under Miri, where the 525,000 windows would take
/// hours).
#[test]
fn usercopy_test_check_nonzero_user() {
    let mut f = init();
    let size = 1024;
    let offset = PAGE - size / 2;
    let zero_start = size / 4;
    let zero_end = size - zero_start;

    // [ 00 ff 00 ff ... 00 00 00 00 ... ff 00 ff 00 ]
    let kmem = &mut f.kmem[offset..offset + size];
    kmem.fill(0);
    for i in (1..zero_start).step_by(2) {
        kmem[i] = 0xff;
    }
    for i in (zero_end..size).step_by(2) {
        kmem[i] = 0xff;
    }
    let umem = f.umem + offset;
    assert_eq!(
        UserPtr::<u8>::from(umem).write_slice(&mut f.space, kmem),
        Ok(()),
        "legitimate copy_to_user failed"
    );

    let step = if cfg!(miri) { 37 } else { 1 };
    for start in (0..=size).step_by(step) {
        for end in (start..=size).step_by(step) {
            let got = check_zeroed_user(
                &mut f.space,
                UserConstPtr::<u8>::from(umem + start),
                end - start,
            );
            let expected = is_zeroed(&f.kmem[offset + start..offset + end]);
            assert_eq!(
                got,
                Ok(expected),
                "check_zeroed_user mismatch (start={start}, end={end})"
            );
        }
    }
}

/// The four size cases of `copy_struct_from_user`.
#[test]
fn usercopy_test_copy_struct_from_user() {
    let mut f = init();
    let size = EXTENSIBLE_SIZE_MAX;
    let umem = UserPtr::<u8>::from(f.umem);
    let umem_src = vec![0x3eu8; size];
    let mut expected = vec![0u8; size];
    assert_eq!(
        umem.write_slice(&mut f.space, &umem_src),
        Ok(()),
        "legitimate copy_to_user failed"
    );

    // Basic case: usize == ksize.
    let (ksize, usize) = (size, size);
    expected[..ksize].copy_from_slice(&umem_src[..ksize]);
    f.kmem.fill(0);
    assert_eq!(
        copy_struct_from_user(&mut f.space, &mut f.kmem[..ksize], umem, usize),
        Ok(()),
        "copy_struct_from_user(usize == ksize) failed"
    );
    assert_eq!(
        f.kmem[..ksize],
        expected[..ksize],
        "copy_struct_from_user(usize == ksize) gives unexpected copy"
    );

    // Old user space: usize < ksize.
    let (ksize, usize) = (size, size / 2);
    expected[..usize].copy_from_slice(&umem_src[..usize]);
    expected[usize..ksize].fill(0);
    f.kmem.fill(0x77); // the kernel's rest must be zeroed, not kept
    assert_eq!(
        copy_struct_from_user(&mut f.space, &mut f.kmem[..ksize], umem, usize),
        Ok(()),
        "copy_struct_from_user(usize < ksize) failed"
    );
    assert_eq!(
        f.kmem[..ksize],
        expected[..ksize],
        "copy_struct_from_user(usize < ksize) gives unexpected copy"
    );

    // New user space, non-zero extra bytes: E2BIG.
    let (ksize, usize) = (size / 2, size);
    f.kmem.fill(0);
    assert_eq!(
        copy_struct_from_user(&mut f.space, &mut f.kmem[..ksize], umem, usize),
        Err(LinuxError::E2BIG),
        "copy_struct_from_user(usize > ksize) didn't give E2BIG"
    );

    // New user space, zero extra bytes: success.
    let (ksize, usize) = (size / 2, size);
    expected[..ksize].copy_from_slice(&umem_src[..ksize]);
    assert_eq!(
        clear_user(&mut f.space, umem.wrapping_add(ksize), usize - ksize),
        Ok(usize - ksize),
        "legitimate clear_user failed"
    );
    f.kmem.fill(0);
    assert_eq!(
        copy_struct_from_user(&mut f.space, &mut f.kmem[..ksize], umem, usize),
        Ok(()),
        "copy_struct_from_user(usize > ksize) failed"
    );
    assert_eq!(
        f.kmem[..ksize],
        expected[..ksize],
        "copy_struct_from_user(usize > ksize) gives unexpected copy"
    );

    // Beyond the cap, whatever the bytes: E2BIG.
    assert_eq!(
        copy_struct_from_user(&mut f.space, &mut f.kmem[..ksize], umem, size + 1),
        Err(LinuxError::E2BIG),
        "copy_struct_from_user(usize > cap) didn't give E2BIG"
    );
}
