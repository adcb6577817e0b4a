// The cases of `tests/syscall_args.rs` (on `HeapSpace`) and
// `tests/syscall_args_sim.rs` (on `SimSpace`), included by both. The
// including file defines `kernel()` and `kernel_with_pages(pages)` for its
// kind of address space.

use core::ffi::CStr;

use axptr::{
    AddrSpace, AddrSpaceProvider, LinuxError, LinuxResult, Syscall, SyscallArg, UserConstPtr,
    UserPtr, syscall,
    syscall::MAX_SLICE_ARG_BYTES,
    testing::HeapSpace,
};
use common::{
    entries::Fd,
    kernel::{Kernel, PAGE, Pages, Space, call, errno, neg},
};

/// In-place access: the in-place API is `unsafe`: the test kernel is single-threaded and
/// drops each lent reference before it returns.
macro_rules! lend {
    ($call:expr) => {
        // SAFETY: see the macro's docs: nothing else reaches the lent memory while the reference lives.
        unsafe { $call }
    };
}

// ---------------------------------------------------------------------------
// Integers

#[syscall]
fn sys_narrow(k: &mut Kernel, a: i8, b: u8, c: i16, d: u16, e: i32, f: u32) -> LinuxResult<()> {
    k.ran.push(format!("{a} {b} {c} {d} {e} {f}"));
    Ok(())
}

#[syscall]
fn sys_wide(k: &mut Kernel, a: i64, b: u64, c: isize, d: usize) -> LinuxResult<()> {
    k.ran.push(format!("{a} {b} {c} {d}"));
    Ok(())
}

#[test]
fn integers_take_the_low_bits_and_sign_extend_from_there() {
    let (mut k, _) = kernel();
    let regs = [
        0xdead_beef_ffff_ff80, // i8: low byte 0x80
        0x1234_5678_9abc_deff, // u8: 0xff
        0x0000_0001_0000_8000, // i16: 0x8000
        0xffff_ffff_ffff_0007, // u16: 7
        0x0000_0001_ffff_fffe, // i32: 0xfffffffe
        0xffff_ffff_0000_0005, // u32: 5
    ];
    assert_eq!(call::<sys_narrow>(&mut k, &regs), 0);
    assert_eq!(k.ran, ["-128 255 -32768 7 -2 5"]);

    let (mut k, _) = kernel();
    assert_eq!(
        call::<sys_wide>(&mut k, &[usize::MAX, usize::MAX, neg(-5), 42]),
        0
    );
    assert_eq!(k.ran, [format!("-1 {} -5 42", u64::MAX)]);
}

#[test]
fn positive_32_bit_values_are_not_sign_extended() {
    let (mut k, _) = kernel();
    let regs = [0x7f, 0x7f, 0x7fff, 0xffff, 0x7fff_ffff, 0xffff_ffff];
    assert_eq!(call::<sys_narrow>(&mut k, &regs), 0);
    assert_eq!(k.ran, ["127 127 32767 65535 2147483647 4294967295"]);
}

// ---------------------------------------------------------------------------
// Results

#[syscall]
fn sys_ret_isize(v: isize) -> LinuxResult<isize> {
    Ok(v)
}

#[syscall]
fn sys_ret_usize(v: usize) -> LinuxResult<usize> {
    Ok(v)
}

#[syscall]
fn sys_ret_i32(v: i32) -> LinuxResult<i32> {
    Ok(v)
}

#[syscall]
fn sys_ret_u32(v: u32) -> LinuxResult<u32> {
    Ok(v)
}

#[syscall]
fn sys_ret_unit() -> LinuxResult<()> {
    Ok(())
}

#[syscall]
fn sys_fail(code: i32) -> LinuxResult<isize> {
    Err(LinuxError::try_from(code).unwrap_or(LinuxError::EINVAL))
}

#[test]
fn results_become_the_result_register() {
    let (mut k, _) = kernel();
    assert_eq!(call::<sys_ret_isize>(&mut k, &[neg(-4096)]), -4096);
    assert_eq!(call::<sys_ret_isize>(&mut k, &[neg(7)]), 7);
    assert_eq!(call::<sys_ret_usize>(&mut k, &[0x1000]), 0x1000);
    assert_eq!(call::<sys_ret_i32>(&mut k, &[0x7fff_ffff]), 0x7fff_ffff);
    assert_eq!(call::<sys_ret_u32>(&mut k, &[0xffff_ffff]), 0xffff_ffff);
    assert_eq!(call::<sys_ret_unit>(&mut k, &[]), 0);
    assert_eq!(call::<sys_fail>(&mut k, &[2]), -2);
    assert_eq!(
        call::<sys_fail>(&mut k, &[LinuxError::EAGAIN.code() as usize]),
        errno(LinuxError::EAGAIN)
    );
}

/// The review's reproducer: the output buffer is filled, then a success
/// value that reads as `-ENXIO`.
#[syscall]
fn sys_fill_then_huge(#[len = n] buf: &mut [u8], n: usize) -> LinuxResult<usize> {
    buf.fill(b'x');
    Ok(usize::MAX - 5)
}

#[test]
fn success_values_that_read_as_errno_become_eoverflow() {
    let (mut k, p) = kernel();
    let eoverflow = errno(LinuxError::EOVERFLOW);
    // Every value in -4095..=-1, whatever the handler's return type.
    for v in [-1i64, -2, -6, -4095] {
        assert_eq!(call::<sys_ret_isize>(&mut k, &[neg(v)]), eoverflow, "{v}");
        assert_eq!(call::<sys_ret_usize>(&mut k, &[neg(v)]), eoverflow, "{v}");
        assert_eq!(call::<sys_ret_i32>(&mut k, &[neg(v)]), eoverflow, "{v}");
    }
    // `u32` results never read as errors (they are zero-extended).
    assert_eq!(call::<sys_ret_u32>(&mut k, &[neg(-1)]), 0xffff_ffff);
    assert_eq!(call::<sys_fill_then_huge>(&mut k, &[p.rw, 4]), eoverflow);
}

// ---------------------------------------------------------------------------
// User pointers

#[syscall]
fn sys_ptrs(
    k: &mut Kernel,
    out: UserPtr<u32>,
    input: UserConstPtr<u64>,
    opt: Option<UserPtr<u8>>,
    copt: Option<UserConstPtr<u8>>,
) -> LinuxResult<()> {
    k.ran.push(format!("{out:?} {input:?} {opt:?} {copt:?}"));
    Ok(())
}

#[syscall]
fn sys_store(k: &mut Kernel, dst: UserPtr<u32>, value: u32) -> LinuxResult<()> {
    k.ran.push("store".into());
    dst.write(k, value)
}

#[syscall]
fn sys_load_in_place(k: &mut Kernel, src: UserConstPtr<u32>) -> LinuxResult<u32> {
    k.ran.push("load".into());
    lend!(src.get(k)).copied()
}

#[test]
fn pointers_are_passed_unchecked_and_null_options_are_none() {
    let (mut k, _) = kernel();
    assert_eq!(call::<sys_ptrs>(&mut k, &[0, 0x10, 0, 0x20]), 0);
    assert_eq!(call::<sys_ptrs>(&mut k, &[0x30, 0, 0x40, 0]), 0);
    assert_eq!(
        k.ran,
        [
            "UserPtr(0x0) UserConstPtr(0x10) None Some(UserConstPtr(0x20))",
            "UserPtr(0x30) UserConstPtr(0x0) Some(UserPtr(0x40)) None",
        ]
    );
}

#[test]
fn pointer_arguments_are_validated_when_the_body_uses_them() {
    let (mut k, p) = kernel();
    assert_eq!(call::<sys_store>(&mut k, &[p.rw + 8, 0xabcd]), 0);
    assert_eq!(k.space.peek(p.rw + 8, 4), 0xabcd_u32.to_ne_bytes());
    assert_eq!(call::<sys_load_in_place>(&mut k, &[p.rw + 8]), 0xabcd);

    for bad in [0, p.hole, p.ro] {
        assert_eq!(
            call::<sys_store>(&mut k, &[bad, 1]),
            errno(LinuxError::EFAULT)
        );
    }
    // The reference API needs alignment; a misaligned `u32` is EFAULT.
    assert_eq!(
        call::<sys_load_in_place>(&mut k, &[p.rw + 2]),
        errno(LinuxError::EFAULT)
    );
    assert_eq!(
        k.ran.len(),
        6,
        "these bodies run: the pointers are theirs to check"
    );
}

// ---------------------------------------------------------------------------
// Strings

#[syscall]
fn sys_open(k: &mut Kernel, path: &CStr, flags: u32) -> LinuxResult<isize> {
    k.ran.push(format!("open {path:?} {flags:#x}"));
    Ok(3)
}

#[syscall]
fn sys_mount(k: &mut Kernel, source: Option<&CStr>, target: &CStr) -> LinuxResult<()> {
    k.ran.push(format!("mount {source:?} {target:?}"));
    Ok(())
}

#[test]
fn strings_are_copied_before_the_body() {
    let (mut k, p) = kernel();
    k.space.poke(p.rw, b"/etc/passwd\0");
    assert_eq!(call::<sys_open>(&mut k, &[p.rw, 0o2]), 3);
    // A string in a lazy page is populated and read.
    k.space.poke(p.lazy, b"lazy\0");
    assert_eq!(call::<sys_open>(&mut k, &[p.lazy, 0]), 3);
    // A string ending right at the end of its page, before a hole.
    let tail = p.rw + PAGE - 4;
    k.space.poke(tail, b"end\0");
    assert_eq!(call::<sys_open>(&mut k, &[tail, 0]), 3);
    assert_eq!(
        k.ran,
        [
            r#"open "/etc/passwd" 0x2"#,
            r#"open "lazy" 0x0"#,
            r#"open "end" 0x0"#
        ]
    );
}

#[test]
fn bad_strings_stop_the_call_before_the_body() {
    let (mut k, p) = kernel();
    // Null and unmapped.
    assert_eq!(call::<sys_open>(&mut k, &[0, 0]), errno(LinuxError::EFAULT));
    assert_eq!(
        call::<sys_open>(&mut k, &[p.hole, 0]),
        errno(LinuxError::EFAULT)
    );
    // No NUL before the end of the mapping: the scan runs into the hole.
    k.space.poke(p.after_big - 3, b"abc");
    assert_eq!(
        call::<sys_open>(&mut k, &[p.after_big - 3, 0]),
        errno(LinuxError::EFAULT)
    );
    // No NUL within PATH_MAX bytes: ENAMETOOLONG.
    k.space.poke(p.big, &[b'a'; 4 * PAGE]);
    assert_eq!(
        call::<sys_open>(&mut k, &[p.big, 0]),
        errno(LinuxError::ENAMETOOLONG)
    );
    // 4095 bytes and the NUL fit exactly.
    k.space.poke(p.big + 4095, &[0]);
    assert_eq!(call::<sys_open>(&mut k, &[p.big, 0]), 3);
    assert_eq!(k.ran.len(), 1, "only the last call reached the body");
}

#[test]
fn optional_strings_are_none_for_null() {
    let (mut k, p) = kernel();
    k.space.poke(p.rw, b"/dev/sda\0/mnt\0");
    assert_eq!(call::<sys_mount>(&mut k, &[0, p.rw + 9]), 0);
    assert_eq!(call::<sys_mount>(&mut k, &[p.rw, p.rw + 9]), 0);
    assert_eq!(
        call::<sys_mount>(&mut k, &[p.hole, p.rw + 9]),
        errno(LinuxError::EFAULT)
    );
    assert_eq!(
        k.ran,
        [r#"mount None "/mnt""#, r#"mount Some("/dev/sda") "/mnt""#]
    );
}

// ---------------------------------------------------------------------------
// Input slices

#[syscall]
fn sys_write(
    k: &mut Kernel,
    fd: i32,
    #[len = count] buf: &[u8],
    count: usize,
) -> LinuxResult<usize> {
    let head = String::from_utf8_lossy(&buf[..buf.len().min(8)]);
    k.ran
        .push(format!("write {fd} {head:?} {} {count}", buf.len()));
    Ok(buf.len())
}

#[syscall]
fn sys_sum(k: &mut Kernel, #[len = count] values: &[u32], count: i32) -> LinuxResult<u32> {
    k.ran.push(format!("sum {values:?} {count}"));
    Ok(values.iter().sum())
}

#[test]
fn input_slices_are_copied_before_the_body() {
    let (mut k, p) = kernel();
    k.space.poke(p.rw, b"hello, world");
    assert_eq!(call::<sys_write>(&mut k, &[1, p.rw, 5]), 5);
    // Crossing from one mapped page into the next.
    k.space.poke(p.big + PAGE - 2, b"abcd");
    assert_eq!(call::<sys_write>(&mut k, &[1, p.big + PAGE - 2, 4]), 4);
    // From a lazy page, which gets populated.
    k.space.poke(p.lazy, b"zz");
    assert_eq!(call::<sys_write>(&mut k, &[2, p.lazy, 2]), 2);
    assert_eq!(
        k.ran,
        [
            r#"write 1 "hello" 5 5"#,
            r#"write 1 "abcd" 4 4"#,
            r#"write 2 "zz" 2 2"#
        ]
    );
}

#[test]
fn misaligned_input_slices_are_fine_because_they_are_copies() {
    let (mut k, p) = kernel();
    let mut bytes = Vec::new();
    for v in [1u32, 2, 3] {
        bytes.extend_from_slice(&v.to_ne_bytes());
    }
    k.space.poke(p.rw + 1, &bytes);
    assert_eq!(call::<sys_sum>(&mut k, &[p.rw + 1, 3]), 6);
    assert_eq!(k.ran, ["sum [1, 2, 3] 3"]);
}

#[test]
fn empty_slices_are_valid_anywhere_in_user_space_only() {
    let (mut k, p) = kernel();
    for addr in [0, p.hole] {
        assert_eq!(call::<sys_write>(&mut k, &[1, addr, 0]), 0);
    }
    assert_eq!(k.ran.len(), 2);
    // Outside user space, Linux's `access_ok` refuses even an empty range.
    assert_eq!(
        call::<sys_write>(&mut k, &[1, usize::MAX, 0]),
        errno(LinuxError::EFAULT)
    );
    assert_eq!(k.ran.len(), 2, "the body did not run");
}

#[test]
fn bad_input_slices_stop_the_call_before_the_body() {
    let (mut k, p) = kernel();
    let efault = errno(LinuxError::EFAULT);
    // Null, unmapped, partly unmapped (the last byte is in the hole).
    assert_eq!(call::<sys_write>(&mut k, &[1, 0, 1]), efault);
    assert_eq!(call::<sys_write>(&mut k, &[1, p.hole, 1]), efault);
    assert_eq!(call::<sys_write>(&mut k, &[1, p.ro + PAGE - 4, 5]), efault);
    // A length whose end lies past the mapping, and a huge one (`-1` as
    // `size_t`).
    assert_eq!(call::<sys_write>(&mut k, &[1, p.big, 4 * PAGE + 1]), efault);
    assert_eq!(call::<sys_write>(&mut k, &[1, p.big, usize::MAX]), efault);
    // A range whose end overflows the address space.
    assert_eq!(call::<sys_write>(&mut k, &[1, usize::MAX - 2, 8]), efault);
    // An `int` length takes the low 32 bits of its register: here 1.
    assert_eq!(call::<sys_sum>(&mut k, &[p.rw, 0x4000_0000_0000_0001]), 0);
    // A negative signed length is EINVAL, as Linux says for `int` counts.
    assert_eq!(
        call::<sys_sum>(&mut k, &[p.rw, neg(-1)]),
        errno(LinuxError::EINVAL)
    );
    assert_eq!(
        k.ran,
        ["sum [0] 1"],
        "only the valid length reached the body"
    );
}

#[syscall]
fn sys_sum_wide(
    k: &mut Kernel,
    #[len = _count] values: &[u64],
    _count: usize,
) -> LinuxResult<usize> {
    k.ran.push("sum_wide".into());
    Ok(values.len())
}

#[test]
fn overflowing_byte_size_is_efault() {
    let (mut k, p) = kernel();
    // 2^61 elements of 8 bytes: the byte size wraps to 0.
    assert_eq!(
        call::<sys_sum_wide>(&mut k, &[p.rw, 1 << 61]),
        errno(LinuxError::EFAULT)
    );
    assert_eq!(
        call::<sys_sum_wide>(&mut k, &[p.rw, usize::MAX / 4]),
        errno(LinuxError::EFAULT)
    );
    assert!(k.ran.is_empty());
}

#[test]
#[cfg_attr(miri, ignore = "copies megabytes")]
fn long_buffers_are_cut_to_the_kernel_limit() {
    let len = 2 * MAX_SLICE_ARG_BYTES;
    let (mut k, _) = kernel_with_pages(9 + len / PAGE);
    let start = k.space.base() + 9 * PAGE;
    let ret = call::<sys_write>(&mut k, &[1, start, len]);
    assert_eq!(ret, MAX_SLICE_ARG_BYTES as isize, "a short write");
    assert_eq!(
        k.ran,
        [format!(
            r#"write 1 "\0\0\0\0\0\0\0\0" {MAX_SLICE_ARG_BYTES} {len}"#
        )]
    );
}

// ---------------------------------------------------------------------------
// Output slices

/// Fills the whole buffer with `a` and reports `produced` elements.
#[syscall]
fn sys_read(
    k: &mut Kernel,
    produced: isize,
    #[len = count] buf: &mut [u8],
    count: usize,
) -> LinuxResult<isize> {
    assert!(buf.iter().all(|&b| b == 0), "output buffers start zeroed");
    buf.fill(b'a');
    k.ran.push(format!("read {} {count}", buf.len()));
    Ok(produced)
}

#[syscall]
fn sys_fill(k: &mut Kernel, #[len = n] buf: &mut [u16], n: u32) -> LinuxResult<()> {
    k.ran.push(format!("fill {n}"));
    buf.fill(0x0102);
    Ok(())
}

#[syscall]
fn sys_fail_after_writing(
    k: &mut Kernel,
    #[len = _n] buf: &mut [u8],
    _n: usize,
) -> LinuxResult<isize> {
    k.ran.push("fail".into());
    buf.fill(b'!');
    Err(LinuxError::EIO)
}

#[test]
fn output_slices_copy_back_what_the_result_counts() {
    let (mut k, p) = kernel();
    k.space.poke(p.rw, b"xxxxxxxx");
    assert_eq!(call::<sys_read>(&mut k, &[3, p.rw, 8]), 3);
    assert_eq!(
        k.space.peek(p.rw, 8),
        b"aaaxxxxx",
        "bytes past the count are untouched"
    );
    // A count above the buffer is clamped; a negative one copies nothing
    // (and reads as an error, so it becomes EOVERFLOW).
    assert_eq!(call::<sys_read>(&mut k, &[100, p.rw, 8]), 100);
    assert_eq!(k.space.peek(p.rw, 9), b"aaaaaaaa\0");
    k.space.poke(p.rw, b"yyyy");
    assert_eq!(
        call::<sys_read>(&mut k, &[neg(-1), p.rw, 4]),
        errno(LinuxError::EOVERFLOW)
    );
    assert_eq!(k.space.peek(p.rw, 4), b"yyyy");
    // Into a lazy page.
    assert_eq!(call::<sys_read>(&mut k, &[2, p.lazy, 2]), 2);
    assert_eq!(k.space.peek(p.lazy, 2), b"aa");
    assert_eq!(k.ran.len(), 4);
}

#[test]
fn unit_results_copy_back_the_whole_buffer() {
    let (mut k, p) = kernel();
    // Misaligned `u16`s: copies need no alignment.
    assert_eq!(call::<sys_fill>(&mut k, &[p.rw + 1, 3]), 0);
    assert_eq!(k.space.peek(p.rw, 8), [0, 2, 1, 2, 1, 2, 1, 0]);
}

#[test]
fn output_slices_are_not_copied_back_on_error() {
    let (mut k, p) = kernel();
    k.space.poke(p.rw, b"keep");
    assert_eq!(
        call::<sys_fail_after_writing>(&mut k, &[p.rw, 4]),
        errno(LinuxError::EIO)
    );
    assert_eq!(k.space.peek(p.rw, 4), b"keep");
    assert_eq!(k.ran, ["fail"]);
}

#[test]
fn bad_output_slices_stop_the_call_before_the_body() {
    let (mut k, p) = kernel();
    let efault = errno(LinuxError::EFAULT);
    assert_eq!(call::<sys_read>(&mut k, &[1, 0, 4]), efault);
    assert_eq!(call::<sys_read>(&mut k, &[1, p.hole, 4]), efault);
    // Read-only target.
    assert_eq!(call::<sys_read>(&mut k, &[1, p.ro, 4]), efault);
    // Partly read-only: the last byte is on the read-only page.
    assert_eq!(call::<sys_read>(&mut k, &[1, p.ro - 3, 4]), efault);
    // Huge and overflowing lengths.
    assert_eq!(call::<sys_read>(&mut k, &[1, p.rw, usize::MAX]), efault);
    assert_eq!(call::<sys_fill>(&mut k, &[p.rw, 0x8000_0000]), efault);
    assert_eq!(call::<sys_read>(&mut k, &[1, p.big, 4 * PAGE + 1]), efault);
    assert!(k.ran.is_empty());
    assert_eq!(k.space.peek(p.ro, 4), [0; 4]);
}

#[test]
#[cfg_attr(miri, ignore = "copies megabytes")]
fn long_output_buffers_are_cut_to_the_kernel_limit() {
    let len = MAX_SLICE_ARG_BYTES + PAGE;
    let (mut k, _) = kernel_with_pages(9 + len / PAGE);
    let start = k.space.base() + 9 * PAGE;
    assert_eq!(
        call::<sys_read>(&mut k, &[len as isize as usize, start, len]),
        len as isize
    );
    assert_eq!(k.ran, [format!("read {MAX_SLICE_ARG_BYTES} {len}")]);
    // A short read: the prefix was written, the rest untouched.
    assert_eq!(k.space.peek(start + MAX_SLICE_ARG_BYTES - 1, 2), [b'a', 0]);
}

// ---------------------------------------------------------------------------
// In-out slices

/// `poll`-like: `[fd, events, revents]` triples; returns how many are
/// ready, but every entry is written back.
#[syscall]
fn sys_poll(
    k: &mut Kernel,
    #[len = _nfds]
    #[inout]
    fds: &mut [[u32; 3]],
    _nfds: u32,
) -> LinuxResult<isize> {
    k.ran.push(format!("poll {fds:?}"));
    let mut ready = 0;
    for fd in fds.iter_mut() {
        fd[2] = fd[1] & 1;
        ready += fd[2] as isize;
    }
    Ok(ready)
}

#[test]
fn inout_slices_are_copied_in_and_back_whole() {
    let (mut k, p) = kernel();
    let words: Vec<u8> = [[3u32, 1, 9], [4, 0, 9], [5, 1, 9]]
        .iter()
        .flatten()
        .flat_map(|w| w.to_ne_bytes())
        .collect();
    k.space.poke(p.rw, &words);
    assert_eq!(call::<sys_poll>(&mut k, &[p.rw, 3]), 2);
    assert_eq!(k.ran, ["poll [[3, 1, 9], [4, 0, 9], [5, 1, 9]]"]);
    let back: Vec<u32> = k
        .space
        .peek(p.rw, 36)
        .chunks(4)
        .map(|c| u32::from_ne_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(
        back,
        [3, 1, 1, 4, 0, 0, 5, 1, 1],
        "all entries are written back"
    );
    // In-out needs both permissions.
    assert_eq!(
        call::<sys_poll>(&mut k, &[p.ro, 1]),
        errno(LinuxError::EFAULT)
    );
    assert_eq!(k.ran.len(), 1);
}

// ---------------------------------------------------------------------------
// Overlapping buffers

#[syscall]
fn sys_reverse(
    k: &mut Kernel,
    #[len = len] src: &[u8],
    #[len = len] dst: &mut [u8],
    len: usize,
) -> LinuxResult<usize> {
    for (d, s) in dst.iter_mut().zip(src.iter().rev()) {
        *d = *s;
    }
    // Writing `dst` never changes `src`, even when the user passed the same
    // memory for both: they are separate kernel copies.
    k.ran.push(format!("{:?}", String::from_utf8_lossy(src)));
    // Nor does writing user memory through the context.
    UserPtr::<u8>::from(k.space.base()).write(k, b'#')?;
    k.ran.push(format!("{:?}", String::from_utf8_lossy(src)));
    Ok(len)
}

#[syscall]
fn sys_two_outputs(
    #[len = _len] first: &mut [u8],
    #[len = _len] second: &mut [u8],
    _len: usize,
) -> LinuxResult<()> {
    first.fill(1);
    second.fill(2);
    Ok(())
}

#[test]
fn overlapping_input_and_output_do_not_alias() {
    let (mut k, p) = kernel();
    k.space.poke(p.rw, b"abcdef");
    assert_eq!(call::<sys_reverse>(&mut k, &[p.rw, p.rw, 6]), 6);
    assert_eq!(k.ran, [r#""abcdef""#, r#""abcdef""#]);
    assert_eq!(k.space.peek(p.rw, 6), b"fedcba");
    // Partly overlapping.
    k.space.poke(p.rw, b"abcdef");
    assert_eq!(call::<sys_reverse>(&mut k, &[p.rw, p.rw + 2, 4]), 4);
    assert_eq!(k.space.peek(p.rw, 6), b"#bdcba");
}

#[test]
fn overlapping_outputs_are_copied_back_in_parameter_order() {
    let (mut k, p) = kernel();
    assert_eq!(call::<sys_two_outputs>(&mut k, &[p.rw, p.rw + 2, 4]), 0);
    assert_eq!(k.space.peek(p.rw, 6), [1, 1, 2, 2, 2, 2]);
}

// ---------------------------------------------------------------------------
// Kernel conversions

// `Fd` (from `common::entries`): a file descriptor whose negative numbers
// are refused with EBADF.

/// An open file, looked up in the kernel's table before the body runs.
struct OpenFile(&'static str);

impl SyscallArg<Kernel> for OpenFile {
    fn from_syscall_arg(k: &mut Kernel, raw: usize) -> LinuxResult<Self> {
        let fd = usize::try_from(raw as u32 as i32).map_err(|_| LinuxError::EBADF)?;
        k.files
            .get(fd)
            .copied()
            .map(OpenFile)
            .ok_or(LinuxError::EBADF)
    }
}

/// Open flags: unknown bits are EINVAL.
struct OFlags(u32);

impl<C: ?Sized> SyscallArg<C> for OFlags {
    fn from_syscall_arg(_ctx: &mut C, raw: usize) -> LinuxResult<Self> {
        let bits = raw as u32;
        if bits & !0o3 != 0 {
            return Err(LinuxError::EINVAL);
        }
        Ok(OFlags(bits))
    }
}

#[syscall]
fn sys_fstat(k: &mut Kernel, fd: Fd, file: OpenFile, flags: OFlags) -> LinuxResult<()> {
    k.ran.push(format!("fd {} {} {}", fd.0, file.0, flags.0));
    Ok(())
}

#[syscall]
fn sys_openat(k: &mut Kernel, dirfd: Fd, path: &CStr) -> LinuxResult<isize> {
    k.ran.push(format!("{} {path:?}", dirfd.0));
    Ok(3)
}

#[test]
fn kernel_types_convert_through_the_public_trait() {
    let (mut k, _) = kernel();
    assert_eq!(call::<sys_fstat>(&mut k, &[0, 1, 2]), 0);
    assert_eq!(k.ran, ["fd 0 /etc/passwd 2"]);
    let ebadf = errno(LinuxError::EBADF);
    assert_eq!(call::<sys_fstat>(&mut k, &[neg(-1), 1, 2]), ebadf);
    assert_eq!(
        call::<sys_fstat>(&mut k, &[0, 7, 2]),
        ebadf,
        "not in the table"
    );
    assert_eq!(
        call::<sys_fstat>(&mut k, &[0, 1, 0o100]),
        errno(LinuxError::EINVAL)
    );
    assert_eq!(k.ran.len(), 1);
}

#[test]
fn by_value_arguments_convert_before_strings_and_the_first_error_wins() {
    let (mut k, p) = kernel();
    // Both the descriptor and the path are bad: the descriptor is first.
    assert_eq!(
        call::<sys_openat>(&mut k, &[neg(-1), 0]),
        errno(LinuxError::EBADF)
    );
    assert_eq!(
        call::<sys_openat>(&mut k, &[0, p.hole]),
        errno(LinuxError::EFAULT)
    );
    assert!(k.ran.is_empty());
}

// ---------------------------------------------------------------------------
// Contexts

#[syscall]
fn sys_generic<P: AddrSpaceProvider>(_p: &mut P, path: &CStr) -> LinuxResult<usize> {
    Ok(path.to_bytes().len())
}

#[syscall]
fn sys_impl_context(p: &mut impl AddrSpaceProvider, src: UserConstPtr<u8>) -> LinuxResult<u32> {
    src.read(p).map(u32::from)
}

#[syscall]
fn sys_no_context(a: u32, b: u32) -> LinuxResult<u32> {
    Ok(a.wrapping_sub(b))
}

#[test]
fn handlers_generic_over_the_context_serve_any_provider() {
    let (mut k, p) = kernel();
    k.space.poke(p.rw, b"four\0");
    assert_eq!(call::<sys_generic>(&mut k, &[p.rw]), 4);
    assert_eq!(call::<sys_impl_context>(&mut k, &[p.rw]), b'f' as isize);
    assert_eq!(call::<sys_no_context>(&mut k, &[5, 3]), 2);

    // The same handlers on a bare address space.
    let mut space = HeapSpace::new(1);
    let base = space.base();
    space.map(base, PAGE, common::kernel::RW);
    space.poke(base, b"ab\0");
    assert_eq!(
        <sys_generic as Syscall<HeapSpace>>::call(&mut space, [base, 0, 0, 0, 0, 0]),
        2
    );
    assert_eq!(
        <sys_impl_context as Syscall<HeapSpace>>::call(&mut space, [base + 1, 0, 0, 0, 0, 0]),
        b'b' as isize
    );
    assert_eq!(
        <sys_no_context as Syscall<HeapSpace>>::call(&mut space, [1, 3, 0, 0, 0, 0]),
        0xffff_fffe
    );
    assert_eq!(
        <sys_generic as Syscall<HeapSpace>>::call(&mut space, [0; 6]),
        errno(LinuxError::EFAULT)
    );
}

#[test]
fn handlers_stay_callable_as_functions() {
    let (mut k, _) = kernel();
    assert_eq!(sys_no_context(2, 1), Ok(1));
    assert_eq!(sys_write(&mut k, 1, b"direct", 6), Ok(6));
    assert_eq!(k.ran, [r#"write 1 "direct" 6 6"#]);
}

// ---------------------------------------------------------------------------
// Cost: how often the address space is consulted

/// A provider that counts how often the address space is taken.
struct Counting {
    space: Space,
    locks: usize,
}

impl AddrSpaceProvider for Counting {
    type AddrSpace = dyn AddrSpace;

    fn with_addr_space<R>(&mut self, f: impl FnOnce(&mut Self::AddrSpace) -> R) -> R {
        self.locks += 1;
        self.space.with(f)
    }
}

#[syscall]
fn sys_checksum(#[len = count] data: &[u8], count: usize) -> LinuxResult<usize> {
    Ok(data.iter().map(|&b| usize::from(b)).sum())
}

#[test]
#[cfg_attr(miri, ignore = "copies a megabyte")]
fn an_input_slice_within_the_cap_takes_the_address_space_once() {
    let (k, pages) = kernel();
    let mut counting = Counting {
        space: k.space,
        locks: 0,
    };
    counting.space.poke(pages.rw, &[1, 2, 3]);
    let ret = <sys_checksum as Syscall<Counting>>::call(
        &mut counting,
        common::kernel::regs(&[pages.rw, 3]),
    );
    assert_eq!(ret, 6);
    assert_eq!(counting.locks, 1, "validated and populated in one visit");
    // Past the cap, the whole buffer is checked once more.
    let big = MAX_SLICE_ARG_BYTES + 1;
    let mut large = Counting {
        space: kernel_with_pages(9 + big / PAGE + 1).0.space,
        locks: 0,
    };
    let start = large.space.base() + 9 * PAGE;
    let ret =
        <sys_checksum as Syscall<Counting>>::call(&mut large, common::kernel::regs(&[start, big]));
    assert_eq!(ret, 0);
    assert_eq!(large.locks, 2);
}
