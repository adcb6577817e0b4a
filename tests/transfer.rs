//! Transfers with progress: the cursors (`UserReader`, `UserWriter`), the
//! `_partial` copies and imported iovec arrays, with Linux's short-transfer
//! rules: a fault after `n > 0` bytes reports `n`, `EFAULT` only when
//! nothing moved, bytes past the stop are never touched, a short read
//! zeroes the rest of its kernel buffer, and any range outside user space
//! is `EFAULT` before anything moves. On a heap-backed space (also under
//! Miri).

use axptr::{
    LinuxError, MappingFlags, UserConstPtr, UserPtr, UserReader, UserWriter,
    iovec::{IOV_MAX, IoVec, IoVecs, MAX_RW_COUNT},
    testing::HeapSpace,
};

const PAGE: usize = 4096;
const RW: MappingFlags = MappingFlags::READ.union(MappingFlags::WRITE);
const RO: MappingFlags = MappingFlags::READ;
const EFAULT: LinuxError = LinuxError::EFAULT;

/// Page 0 read-write, 1 read-only, 2 unmapped, 3 read-write.
struct Space {
    s: HeapSpace,
    rw: usize,
    ro: usize,
    hole: usize,
    rw3: usize,
}

fn space() -> Space {
    let mut s = HeapSpace::new(4);
    let base = s.base();
    s.map(base, PAGE, RW);
    s.map(base + PAGE, PAGE, RO);
    s.map(base + 3 * PAGE, PAGE, RW);
    Space {
        rw: base,
        ro: base + PAGE,
        hole: base + 2 * PAGE,
        rw3: base + 3 * PAGE,
        s,
    }
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + 1) as u8).collect()
}

#[test]
fn writer_moves_everything_when_the_buffer_is_mapped() {
    let mut sp = space();
    let mut w = UserPtr::<u8>::from(sp.rw + 10).writer(100);
    assert_eq!(w.write(&mut sp.s, &pattern(60)), Ok(60));
    assert_eq!(
        w.write(&mut sp.s, &pattern(60)),
        Ok(40),
        "only 40 bytes left"
    );
    assert_eq!(w.write(&mut sp.s, b"more"), Ok(0));
    assert_eq!((w.transferred(), w.remaining()), (100, 0));
    let mut want = pattern(60);
    want.extend_from_slice(&pattern(40));
    assert_eq!(sp.s.peek(sp.rw + 10, 100), want);
}

#[test]
fn writer_stops_at_a_read_only_page_and_reports_the_count() {
    let mut sp = space();
    sp.s.poke(sp.ro, b"untouched");
    let mut w = UserPtr::<u8>::from(sp.ro - 32).writer(64);
    assert_eq!(w.write(&mut sp.s, &[b'x'; 64]), Ok(32));
    assert_eq!((w.transferred(), w.remaining()), (32, 0), "exhausted");
    // After the fault nothing more moves, and it is not an error either.
    assert_eq!(w.write(&mut sp.s, b"again"), Ok(0));
    assert_eq!(sp.s.peek(sp.ro - 32, 32), [b'x'; 32]);
    assert_eq!(sp.s.peek(sp.ro, 9), b"untouched");
}

#[test]
fn writer_is_efault_only_when_nothing_moved() {
    let mut sp = space();
    let mut w = UserPtr::<u8>::from(sp.hole).writer(16);
    assert_eq!(w.write(&mut sp.s, b"abc"), Err(EFAULT));
    assert_eq!(w.transferred(), 0);
    // A cursor that moved bytes first reports them, then 0 at the fault.
    let mut w = UserPtr::<u8>::from(sp.ro - 4).writer(16);
    assert_eq!(w.write(&mut sp.s, b"abcd"), Ok(4));
    assert_eq!(w.write(&mut sp.s, b"efgh"), Ok(0));
    assert_eq!(w.transferred(), 4);
    // Null.
    let mut w = UserPtr::<u8>::null().writer(1);
    assert_eq!(w.write(&mut sp.s, b"a"), Err(EFAULT));
}

#[test]
fn reader_stops_at_a_hole_and_zeroes_the_rest_of_the_kernel_buffer() {
    let mut sp = space();
    sp.s.poke(sp.hole - 8, b"12345678");
    let mut r = UserConstPtr::<u8>::from(sp.hole - 8).reader(64);
    let mut buf = [0xaa_u8; 32];
    assert_eq!(r.read(&mut sp.s, &mut buf), Ok(8));
    assert_eq!(&buf[..8], b"12345678");
    assert_eq!(
        buf[8..],
        [0; 24],
        "no stale kernel bytes after a short read"
    );
    assert_eq!(r.read(&mut sp.s, &mut buf), Ok(0));
    assert_eq!(buf, [0; 32]);
    let mut r = UserConstPtr::<u8>::from(sp.hole).reader(4);
    let mut buf = [0xaa_u8; 4];
    assert_eq!(r.read(&mut sp.s, &mut buf), Err(EFAULT));
    assert_eq!(buf, [0; 4]);
}

#[test]
fn reader_reads_each_byte_once_in_order() {
    let mut sp = space();
    sp.s.poke(sp.rw, &pattern(300));
    let mut r = UserConstPtr::<u8>::from(sp.rw).reader(300);
    let mut got = Vec::new();
    let mut chunk = [0u8; 7];
    while !r.is_empty() {
        let n = r.read(&mut sp.s, &mut chunk).unwrap();
        got.extend_from_slice(&chunk[..n]);
    }
    assert_eq!(got, pattern(300));
    assert_eq!(r.transferred(), 300);
    assert_eq!(r.addr(), sp.rw + 300);
}

#[test]
fn objects_move_whole_or_not_at_all() {
    let mut sp = space();
    let mut w = UserPtr::<u8>::from(sp.rw + 1).writer(12);
    w.write_obj(&mut sp.s, &0x1122_3344_5566_7788_u64).unwrap();
    assert_eq!(w.write_obj(&mut sp.s, &1u64), Err(EFAULT), "4 bytes left");
    let mut r = UserConstPtr::<u8>::from(sp.rw + 1).reader(12);
    assert_eq!(r.read_obj::<u64, _>(&mut sp.s), Ok(0x1122_3344_5566_7788));
    assert_eq!(r.read_obj::<u64, _>(&mut sp.s), Err(EFAULT));
    // An object straddling the hole: EFAULT although a prefix was readable.
    let mut r = UserConstPtr::<u8>::from(sp.hole - 4).reader(8);
    assert_eq!(r.read_obj::<u64, _>(&mut sp.s), Err(EFAULT));
}

#[test]
fn skip_leaves_bytes_untouched() {
    let mut sp = space();
    sp.s.poke(sp.rw, b"abcdef");
    let mut w = UserPtr::<u8>::from(sp.rw).writer(6);
    w.skip(2).unwrap();
    assert_eq!(w.write(&mut sp.s, b"XY"), Ok(2));
    assert_eq!(w.skip(3), Err(EFAULT), "only 2 bytes left");
    assert_eq!(sp.s.peek(sp.rw, 6), b"abXYef");
    let mut r = UserConstPtr::<u8>::from(sp.rw).reader(6);
    r.skip(4).unwrap();
    let mut two = [0; 2];
    assert_eq!(r.read(&mut sp.s, &mut two), Ok(2));
    assert_eq!(&two, b"ef");
}

#[test]
fn zero_clears_up_to_the_first_unwritable_byte() {
    let mut sp = space();
    sp.s.poke(sp.ro - 600, &[0xff; 600]);
    let mut w = UserPtr::<u8>::from(sp.ro - 600).writer(1000);
    assert_eq!(w.zero(&mut sp.s, 1000), Ok(600));
    assert_eq!(sp.s.peek(sp.ro - 600, 600), [0; 600]);
}

#[test]
fn buffers_outside_user_space_are_efault_before_anything_moves() {
    let mut sp = space();
    let end = sp.s.end();
    // Starts in mapped memory, ends past user space: Linux's access_ok of
    // the whole buffer fails, so not even the mapped prefix is written.
    let mut w = UserPtr::<u8>::from(sp.rw3).writer(2 * PAGE);
    assert_eq!(w.write(&mut sp.s, b"abcd"), Err(EFAULT));
    assert_eq!(sp.s.peek(sp.rw3, 4), [0; 4]);
    assert_eq!(w.remaining(), 0);
    // A buffer whose end wraps around the address space.
    let mut r = UserConstPtr::<u8>::from(sp.rw).reader(usize::MAX);
    assert_eq!(r.read(&mut sp.s, &mut [0; 4]), Err(EFAULT));
    // `access_ok` checks without transferring: an empty read would not.
    let mut r = UserConstPtr::<u8>::from(end + PAGE).reader(8);
    assert_eq!(r.read(&mut sp.s, &mut []), Ok(0));
    assert_eq!(r.access_ok(&mut sp.s), Err(EFAULT));
    let mut w = UserPtr::<u8>::from(sp.rw).writer(8);
    assert_eq!(w.access_ok(&mut sp.s), Ok(()));
    assert_eq!(UserWriter::new(0, 0).access_ok(&mut sp.s), Ok(()));
    assert_eq!(
        UserReader::new(usize::MAX, 0).access_ok(&mut sp.s),
        Err(EFAULT)
    );
}

#[test]
fn partial_copies_report_bytes_moved() {
    let mut sp = space();
    sp.s.poke(sp.hole - 6, b"tail!!");
    let mut buf = [0xaa_u8; 16];
    let src = UserConstPtr::<u8>::from(sp.hole - 6);
    assert_eq!(src.read_slice_partial(&mut sp.s, &mut buf), Ok(6));
    assert_eq!(&buf[..6], b"tail!!");
    assert_eq!(buf[6..], [0; 10]);
    assert_eq!(
        UserConstPtr::<u8>::from(sp.hole).read_slice_partial(&mut sp.s, &mut buf),
        Err(EFAULT)
    );
    let dst = UserPtr::<u16>::from(sp.ro - 3);
    assert_eq!(dst.write_slice_partial(&mut sp.s, &[0x4141; 4]), Ok(3));
    assert_eq!(
        UserPtr::<u16>::from(sp.ro).write_slice_partial(&mut sp.s, &[1]),
        Err(EFAULT)
    );
    // The all-or-nothing forms refuse the same buffers.
    assert_eq!(src.read_slice(&mut sp.s, &mut buf), Err(EFAULT));
    assert_eq!(buf, [0; 16], "zeroed on error");
}

fn iovecs(s: &mut HeapSpace, at: usize, iov: &[IoVec]) -> UserConstPtr<IoVec> {
    let bytes: Vec<u8> = iov
        .iter()
        .flat_map(|v| [v.base.to_ne_bytes(), v.len.to_ne_bytes()].concat())
        .collect();
    s.poke(at, &bytes);
    UserConstPtr::from(at)
}

#[test]
fn iovec_import_follows_linux_rules_in_order() {
    let mut sp = space();
    let at = sp.rw3;
    let seg = |base, len| IoVec { base, len };
    // Too many elements: EINVAL before the array is read (it is unmapped).
    let bad_array = UserConstPtr::<IoVec>::from(sp.hole);
    assert_eq!(
        IoVecs::import(&mut sp.s, bad_array, IOV_MAX + 1),
        Err(LinuxError::EINVAL)
    );
    assert_eq!(IoVecs::import(&mut sp.s, bad_array, 1), Err(EFAULT));
    // An empty array is fine anywhere.
    assert_eq!(
        IoVecs::import(&mut sp.s, bad_array, 0).unwrap().total_len(),
        0
    );
    // A negative length wins over an earlier out-of-bounds buffer.
    let end = sp.s.end();
    let p = iovecs(&mut sp.s, at, &[seg(end + PAGE, 8), seg(sp.rw, usize::MAX)]);
    assert_eq!(IoVecs::import(&mut sp.s, p, 2), Err(LinuxError::EINVAL));
    // A buffer outside user space: EFAULT, even if unused ones follow.
    let p = iovecs(&mut sp.s, at, &[seg(sp.rw, 8), seg(end + PAGE, 8)]);
    assert_eq!(IoVecs::import(&mut sp.s, p, 2), Err(EFAULT));
    // Lengths adding up past SSIZE_MAX: the element that overflows lies
    // outside user space first (Linux x86_64: EFAULT, not EINVAL).
    let half = isize::MAX as usize / 2 + 1;
    let p = iovecs(&mut sp.s, at, &[seg(sp.rw, half), seg(sp.rw, half)]);
    assert_eq!(IoVecs::import(&mut sp.s, p, 2), Err(EFAULT));
    // Elements are checked as they are read: a negative length before an
    // unreadable element is EINVAL, after one EFAULT.
    let p = iovecs(&mut sp.s, sp.hole - 16, &[seg(sp.rw, usize::MAX)]);
    assert_eq!(IoVecs::import(&mut sp.s, p, 2), Err(LinuxError::EINVAL));
    let p = iovecs(&mut sp.s, sp.hole - 16, &[seg(sp.rw, 8)]);
    assert_eq!(IoVecs::import(&mut sp.s, p, 2), Err(EFAULT));
    // A single element is capped at MAX_RW_COUNT before its bounds check
    // (Linux's `import_ubuf`); two are each checked whole.
    // (Bounds checked on a space whose user space is the whole address
    // space: only the arithmetic of the check matters, nothing is read.)
    let near_top = usize::MAX - (1 << 40);
    let p = iovecs(&mut sp.s, at, &[seg(near_top, 1 << 62), seg(sp.rw, 1)]);
    let single = IoVecs::import(&mut Unbounded(&mut sp.s), p, 1);
    assert_eq!(single.map(|v| v.total_len()), Ok(MAX_RW_COUNT));
    let two = IoVecs::import(&mut Unbounded(&mut sp.s), p, 2);
    assert_eq!(two.map(|v| v.total_len()), Err(EFAULT));
    // Unmapped buffers inside user space are not checked at import.
    let p = iovecs(&mut sp.s, at, &[seg(sp.hole, 8), seg(0, 0)]);
    let v = IoVecs::import(&mut sp.s, p, 2).unwrap();
    assert_eq!(v.total_len(), 8);
}

#[test]
fn iovec_total_is_capped_at_max_rw_count() {
    let mut sp = space();
    let seg = |len| IoVec { base: 0, len };
    let p = iovecs(
        &mut sp.s,
        sp.rw3,
        &[seg(MAX_RW_COUNT - 10), seg(100), seg(5)],
    );
    // Our user space is small; the cap is arithmetic on the lengths alone,
    // so check it on a space whose bounds allow such buffers.
    let mut big = Unbounded(&mut sp.s);
    let v = IoVecs::import(&mut big, p, 3).unwrap();
    assert_eq!(v.total_len(), MAX_RW_COUNT);
    let lens: Vec<usize> = v.segments().iter().map(|s| s.len).collect();
    assert_eq!(lens, [MAX_RW_COUNT - 10, 10, 0]);
}

/// A `HeapSpace` whose user space bounds are the whole address space (its
/// mappings are unchanged): for arithmetic that needs huge in-bounds
/// ranges. Nothing is ever transferred through it.
struct Unbounded<'a>(&'a mut HeapSpace);

// SAFETY: every mapping answer is the `HeapSpace`'s; only the bounds are
// wider, and a range outside the heap allocation is never mapped there.
unsafe impl axptr::AddrSpace for Unbounded<'_> {
    fn check_region_access(&self, range: axptr::VirtAddrRange, flags: MappingFlags) -> bool {
        self.0.check_region_access(range, flags)
    }
    fn populate_area(
        &mut self,
        start: axptr::VirtAddr,
        size: usize,
        flags: MappingFlags,
    ) -> axptr::LinuxResult<()> {
        self.0.populate_area(start, size, flags)
    }
    fn user_range(&self) -> axptr::VirtAddrRange {
        axptr::VirtAddrRange::new(0.into(), usize::MAX.into())
    }
}

#[test]
fn iovec_cursors_cross_segments_and_stop_at_the_first_fault() {
    let mut sp = space();
    let seg = |base, len| IoVec { base, len };
    // 4 bytes, an empty segment, 6 bytes ending at the read-only page, then
    // a fine segment that must not be reached.
    let p = iovecs(
        &mut sp.s,
        sp.rw3,
        &[
            seg(sp.rw, 4),
            seg(sp.rw, 0),
            seg(sp.ro - 3, 6),
            seg(sp.rw + 100, 8),
        ],
    );
    let mut w = IoVecs::import(&mut sp.s, p, 4).unwrap().writer();
    assert_eq!(w.remaining(), 18);
    assert_eq!(w.write(&mut sp.s, b"abcdefghijklmnopqr"), Ok(7));
    assert_eq!(w.write(&mut sp.s, b"more"), Ok(0));
    assert_eq!(w.transferred(), 7);
    assert_eq!(sp.s.peek(sp.rw, 4), b"abcd");
    assert_eq!(sp.s.peek(sp.ro - 3, 3), b"efg");
    assert_eq!(sp.s.peek(sp.rw + 100, 8), [0; 8], "past the fault");

    // Reading: the second segment is a hole after 5 good bytes.
    sp.s.poke(sp.rw + 200, b"hello");
    let p = iovecs(&mut sp.s, sp.rw3, &[seg(sp.rw + 200, 5), seg(sp.hole, 5)]);
    let mut r = IoVecs::import(&mut sp.s, p, 2).unwrap().reader();
    let mut buf = [0xaa; 10];
    assert_eq!(r.read(&mut sp.s, &mut buf), Ok(5));
    assert_eq!(&buf, b"hello\0\0\0\0\0");
    // Nothing moved at all: EFAULT.
    let p = iovecs(&mut sp.s, sp.rw3, &[seg(sp.hole, 5), seg(sp.rw, 5)]);
    let mut r = IoVecs::import(&mut sp.s, p, 2).unwrap().reader();
    assert_eq!(r.read(&mut sp.s, &mut buf), Err(EFAULT));
}
