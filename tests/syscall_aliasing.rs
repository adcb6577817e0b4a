//! Arguments that name overlapping user memory, one read and one written,
//! never become aliasing references.
//!
//! - Slice arguments are kernel copies in separate allocations: an input
//!   `&[T]` and an output `&mut [T]` over the same user bytes are two
//!   vectors, and writing one never changes the other. The input is a
//!   snapshot taken before the body; output slices are copied back after
//!   it, in parameter order, over whatever the body wrote through pointers.
//! - User pointers are addresses until the body uses them. The copy API
//!   makes no reference into user memory at all.
//! - A reference lent by the reference API (`get`, `get_as_slice`, ...)
//!   borrows the provider mutably, so no second reference into user memory
//!   and no copy through that provider can be made while it lives
//!   (`tests/ui/reference_borrows_provider.rs` shows the compile errors).
//!
//! These tests run under Miri (`scripts/miri.sh`), which reports a `&mut`
//! that aliases another live reference as undefined behaviour; they are
//! clean under Stacked Borrows and under `-Zmiri-tree-borrows`.

mod common;

use core::ffi::{CStr, c_char};

use axptr::{LinuxError, LinuxResult, Syscall, SyscallEvent, UserConstPtr, UserPtr, syscall};
use common::kernel::{Kernel, PAGE, call, errno, kernel, regs};

/// In-place access: the in-place API is `unsafe`: the kernel of this file is
/// single-threaded, and each lent reference ends before the provider is used
/// again (the borrow checker sees to it).
macro_rules! lend {
    ($call:expr) => {
        // SAFETY: see the macro's docs: nothing else reaches the lent memory while the reference lives.
        unsafe { $call }
    };
}

/// Reverses `src` into `dst`, reading and writing alternately, and checks
/// after every write that `src` did not change.
#[syscall]
fn sys_reverse(
    k: &mut Kernel,
    #[len = len] src: &[u8],
    #[len = len] dst: &mut [u8],
    len: usize,
) -> LinuxResult<usize> {
    let before = src.to_vec();
    for i in 0..dst.len() {
        dst[i] = src[src.len() - 1 - i];
        assert_eq!(src, &before[..], "writing dst changed src");
    }
    k.ran.push(String::from_utf8_lossy(src).into_owned());
    Ok(len)
}

fn poked(k: &mut Kernel, addr: usize, bytes: &[u8]) {
    k.space.poke(addr, bytes);
}

#[test]
fn one_buffer_as_input_and_output_slice() {
    let (mut k, p) = kernel();
    poked(&mut k, p.rw, b"abcdef");
    assert_eq!(call::<sys_reverse>(&mut k, &[p.rw, p.rw, 6]), 6);
    // The body saw the bytes as they were before the call.
    assert_eq!(k.ran, ["abcdef"]);
    assert_eq!(k.space.peek(p.rw, 6), b"fedcba");
}

#[test]
fn partly_overlapping_input_and_output_slices() {
    let data = b"abcdefghi";
    for (src, dst, len, want) in [
        // The output starts inside the input, and the other way round.
        (0, 1, 5, &b"aedcbaghi"[..]),
        (1, 0, 5, b"fedcbfghi"),
        (0, 4, 5, b"abcdedcba"),
        (4, 0, 5, b"ihgfefghi"),
        // Adjacent, not overlapping.
        (0, 5, 5, b"abcdeedcba"),
    ] {
        let (mut k, p) = kernel();
        poked(&mut k, p.rw, data);
        assert_eq!(
            call::<sys_reverse>(&mut k, &[p.rw + src, p.rw + dst, len]),
            len as isize
        );
        assert_eq!(k.ran, [String::from_utf8_lossy(&data[src..src + len])]);
        let got = k.space.peek(p.rw, want.len());
        assert_eq!(got, want, "src +{src}, dst +{dst}, {len} bytes");
    }
}

/// XORs `key` into `buf` in place (`#[inout]`).
#[syscall]
fn sys_xor(
    #[len = n]
    #[inout]
    buf: &mut [u8],
    #[len = n] key: &[u8],
    n: usize,
) -> LinuxResult<()> {
    for (b, k) in buf.iter_mut().zip(key) {
        *b ^= *k;
    }
    Ok(())
}

#[test]
fn inout_slice_over_its_own_input() {
    let (mut k, p) = kernel();
    poked(&mut k, p.rw, b"\x01\x02\x03\x04\x05");
    // Same memory: x ^ x, from two separate copies of it.
    assert_eq!(call::<sys_xor>(&mut k, &[p.rw, p.rw, 4]), 0);
    assert_eq!(k.space.peek(p.rw, 5), [0, 0, 0, 0, 5]);
    // Shifted by one: each byte XORed with its successor as it was.
    poked(&mut k, p.rw, b"\x01\x02\x04\x08\x10");
    assert_eq!(call::<sys_xor>(&mut k, &[p.rw, p.rw + 1, 4]), 0);
    assert_eq!(k.space.peek(p.rw, 5), [3, 6, 12, 24, 16]);
}

/// A pointer and two slices over the same user bytes: the body writes user
/// memory through the pointer (copy API), then borrows it in place
/// (reference API), while it holds both kernel copies.
#[syscall]
fn sys_mixed(
    k: &mut Kernel,
    ptr: UserPtr<[u8; 8]>,
    #[len = n] input: &[u8],
    #[len = n] output: &mut [u8],
    n: usize,
) -> LinuxResult<()> {
    output.fill(b'o');
    ptr.write(k, *b"########")?;
    // The input is a snapshot: the write above did not reach it.
    assert_eq!(input, b"abcd");
    {
        let lent = lend!(ptr.get(k))?;
        assert_eq!(lent, b"########");
        lent[7] = b'!';
        // `lent` and `output` coexist; they are different memory.
        output[0] = b'O';
        assert_eq!(lent[0], b'#');
    }
    let now = ptr
        .read(k)
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    k.ran.push(format!("{now:?}"));
    Ok(())
}

#[test]
fn pointer_and_slices_over_the_same_memory() {
    let (mut k, p) = kernel();
    poked(&mut k, p.rw, b"abcdefghij");
    assert_eq!(call::<sys_mixed>(&mut k, &[p.rw, p.rw, p.rw, 4]), 0);
    assert_eq!(k.ran, ["Ok(\"#######!\")"]);
    // The output slice is copied back after the body, over what the body
    // wrote through the pointer; the rest keeps the body's writes.
    assert_eq!(k.space.peek(p.rw, 10), b"Oooo###!ij");
}

/// The reference API on one pointer, then the copy API on an overlapping
/// one, then the other way round: each reference ends before the provider
/// is used again (the borrow checker sees to it).
#[syscall]
fn sys_lend_then_copy(
    k: &mut Kernel,
    word: UserPtr<u32>,
    bytes: UserPtr<[u8; 6]>,
    name: UserConstPtr<c_char>,
) -> LinuxResult<u32> {
    *lend!(word.get(k))? = u32::from_ne_bytes(*b"WXYZ");
    let copied = bytes.read(k)?;
    let shared = lend!(bytes.get(k))?;
    assert_eq!(*shared, copied);
    bytes.write(k, *b"123456")?;
    let whole = lend!(word.get(k))?;
    let value = *whole;
    *whole = value.wrapping_add(1);
    // A C string lent in place over the same bytes, then an overlapping
    // slice written through a copy.
    let len = lend!(name.get_as_cstr(k))?.count_bytes();
    bytes.cast::<u8>().write_slice(k, b"ab\0")?;
    let again = lend!(name.get_as_cstr(k))?.to_bytes().to_vec();
    k.ran.push(format!(
        "{} {len} {:?}",
        String::from_utf8_lossy(&copied),
        String::from_utf8_lossy(&again)
    ));
    Ok(value)
}

#[test]
fn lent_references_and_copies_of_overlapping_pointers_take_turns() {
    let (mut k, p) = kernel();
    poked(&mut k, p.rw, b"....abcdef\0");
    let ret = call::<sys_lend_then_copy>(&mut k, &[p.rw + 4, p.rw + 2, p.rw + 4]);
    // `word` read back after `bytes` overwrote half of it.
    assert_eq!(ret as u32, u32::from_ne_bytes(*b"3456"));
    assert_eq!(k.ran, [r#"..WXYZ 6 """#]);
    assert_eq!(k.space.peek(p.rw, 11), b"..ab\x00456ef\x00");
}

/// Two output slices over the same memory: copied back in parameter order.
#[syscall]
fn sys_two_outputs(
    #[len = n] first: &mut [u8],
    #[len = n] second: &mut [u8],
    n: usize,
) -> LinuxResult<()> {
    first.fill(1);
    second.fill(2);
    first[0] = 3;
    Ok(())
}

#[test]
fn overlapping_outputs_are_copied_back_in_order() {
    let (mut k, p) = kernel();
    assert_eq!(call::<sys_two_outputs>(&mut k, &[p.rw, p.rw + 2, 4]), 0);
    assert_eq!(k.space.peek(p.rw, 7), [3, 1, 2, 2, 2, 2, 0]);
    assert_eq!(call::<sys_two_outputs>(&mut k, &[p.rw + 2, p.rw, 4]), 0);
    assert_eq!(k.space.peek(p.rw, 7), [2, 2, 2, 2, 1, 1, 0]);
}

/// A path and a buffer over the same memory (`readlink(path, buf)`).
#[syscall]
fn sys_readlink(path: &CStr, #[len = size] buf: &mut [u8], size: usize) -> LinuxResult<usize> {
    let target = b"/target";
    let n = target.len().min(buf.len());
    buf[..n].copy_from_slice(&target[..n]);
    // The copied path is untouched by writing the buffer.
    assert_eq!(path.to_bytes(), b"/link");
    Ok(n)
}

#[test]
fn string_and_output_slice_over_the_same_memory_trace_what_the_body_saw() {
    let (mut k, p) = kernel();
    poked(&mut k, p.rw, b"/link\0");
    let mut lines = Vec::new();
    let mut tracer = |event: &SyscallEvent<'_>| lines.push(event.to_string());
    let ret = <sys_readlink as Syscall<Kernel>>::entry(
        &mut k,
        regs(&[p.rw, p.rw, 16]),
        Some(&mut tracer),
    );
    assert_eq!(ret, 7);
    assert_eq!(k.space.peek(p.rw, 8), b"/target\0");
    // The trace shows the copies, not user memory read again.
    assert_eq!(lines, [r#"readlink("/link", "/target", 16) = 7"#]);
    assert_eq!(
        call::<sys_readlink>(&mut k, &[p.rw, p.rw + PAGE - 2, 4]),
        errno(LinuxError::EFAULT),
        "the buffer runs into the read-only page"
    );
}
