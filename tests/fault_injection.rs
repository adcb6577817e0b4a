//! Fault injection (`space.faults()`, Linux's `should_fail_usercopy`): the
//! n-th access to a test space fails, at its first byte or after a few
//! (a short copy), so that a handler's error and cleanup paths run.

use core::ffi::c_char;

use axptr::{
    AddrSpaceProvider, LinuxError, LinuxResult, MappingFlags, UserConstPtr, UserPtr, clear_user,
    inject::FaultPlan, testing::HeapSpace,
};

const PAGE: usize = 4096;
const RW: MappingFlags = MappingFlags::READ.union(MappingFlags::WRITE);

fn space(pages: usize) -> (HeapSpace, usize) {
    let mut space = HeapSpace::new(pages);
    let base = space.base();
    space.map(base, pages * PAGE, RW);
    (space, base)
}

/// A kernel's file table: `pipe2` allocates two descriptors and must give
/// them back if it cannot tell user space their numbers.
#[derive(Default)]
struct Files {
    open: Vec<bool>,
}

impl Files {
    fn alloc(&mut self) -> i32 {
        let fd = self
            .open
            .iter()
            .position(|&o| !o)
            .unwrap_or(self.open.len());
        if fd == self.open.len() {
            self.open.push(true);
        } else {
            self.open[fd] = true;
        }
        i32::try_from(fd).expect("few files")
    }

    fn close(&mut self, fd: i32) {
        self.open[usize::try_from(fd).expect("an allocated fd")] = false;
    }

    fn count(&self) -> usize {
        self.open.iter().filter(|&&o| o).count()
    }
}

/// `pipe2(fds, flags)`: reads nothing, allocates two descriptors, copies
/// them out; on a failed copy-out the descriptors are released (Linux's
/// `do_pipe2`: `fput`, `put_unused_fd`).
fn sys_pipe2<P: AddrSpaceProvider>(
    p: &mut P,
    files: &mut Files,
    fds: UserPtr<[i32; 2]>,
) -> LinuxResult<isize> {
    let pair = [files.alloc(), files.alloc()];
    if let Err(err) = fds.write(p, pair) {
        files.close(pair[0]);
        files.close(pair[1]);
        return Err(err);
    }
    Ok(0)
}

/// `openat`-like: reads a path (a copy per block), allocates a descriptor,
/// writes it to a result word; releases it when that write fails.
fn sys_open_into<P: AddrSpaceProvider>(
    p: &mut P,
    files: &mut Files,
    path: UserConstPtr<c_char>,
    out: UserPtr<i32>,
) -> LinuxResult<isize> {
    let path = path.read_cstring(p, 4096)?;
    if path.is_empty() {
        return Err(LinuxError::ENOENT);
    }
    let fd = files.alloc();
    if let Err(err) = out.write(p, fd) {
        files.close(fd);
        return Err(err);
    }
    Ok(0)
}

#[test]
fn pipe2_releases_its_descriptors_when_the_copy_out_fails() {
    let (mut space, base) = space(1);
    let mut files = Files::default();
    let fds = UserPtr::<[i32; 2]>::from(base);

    space.faults().arm(FaultPlan::nth(1));
    assert_eq!(
        sys_pipe2(&mut space, &mut files, fds),
        Err(LinuxError::EFAULT)
    );
    assert_eq!(space.faults().injected(), 1);
    assert_eq!(files.count(), 0, "the descriptors leaked");

    // A short copy-out (the first descriptor written, the second not) is
    // a failure too, and releases both.
    space.faults().arm(FaultPlan::nth(1).after(4));
    assert_eq!(
        sys_pipe2(&mut space, &mut files, fds),
        Err(LinuxError::EFAULT)
    );
    assert_eq!(files.count(), 0, "the descriptors leaked");
    assert_eq!(
        space.peek(base, 4),
        0i32.to_ne_bytes(),
        "the short copy wrote the first"
    );

    // Without a fault, the same handler keeps them.
    assert_eq!(sys_pipe2(&mut space, &mut files, fds), Ok(0));
    assert_eq!(files.count(), 2);
}

#[test]
fn every_access_of_a_handler_fails_in_turn_and_nothing_leaks() {
    let (mut space, base) = space(2);
    // A path crossing a page boundary: several block copies.
    let path_at = base + PAGE - 300;
    space.poke(path_at, &[b'a'; 600]);
    space.poke(path_at + 600, &[0]);
    let path = UserConstPtr::<c_char>::from(path_at);
    let out = UserPtr::<i32>::from(base + 2 * PAGE - 4);

    // First learn how many accesses a successful call makes.
    let mut files = Files::default();
    space.faults().arm(FaultPlan::never());
    assert_eq!(sys_open_into(&mut space, &mut files, path, out), Ok(0));
    let accesses = space.faults().accesses();
    assert!(
        accesses >= 3,
        "a string read in blocks and a write: {accesses}"
    );
    files.close(0);

    // Then fail each of them: every failure is EFAULT, and leaks nothing.
    for n in 1..=accesses {
        space.faults().arm(FaultPlan::nth(n));
        assert_eq!(
            sys_open_into(&mut space, &mut files, path, out),
            Err(LinuxError::EFAULT),
            "access {n}"
        );
        assert_eq!(space.faults().injected(), 1, "access {n}");
        assert_eq!(files.count(), 0, "access {n} leaked a descriptor");
    }
}

#[test]
fn a_short_fault_shows_as_partial_progress() {
    let (mut space, base) = space(1);
    space.poke(base, &[7; 100]);
    let p = UserConstPtr::<u8>::from(base);

    // A cursor read stops at the injected fault and reports how far it got.
    space.faults().arm(FaultPlan::nth(1).after(40));
    let mut r = p.reader(100);
    let mut buf = [0xa5; 100];
    assert_eq!(r.read(&mut space, &mut buf), Ok(40));
    assert_eq!(buf[..40], [7; 40]);
    assert_eq!(
        buf[40..],
        [0; 60],
        "the rest of the kernel buffer is zeroed"
    );
    assert!(r.is_empty());

    // A partial copy returns the count; an all-or-nothing one fails and
    // zeroes its destination.
    space.faults().arm(FaultPlan::nth(1).after(10));
    let mut buf = [0xa5; 100];
    assert_eq!(p.read_slice_partial(&mut space, &mut buf), Ok(10));
    space.faults().arm(FaultPlan::nth(1).after(10));
    let mut buf = [0xa5; 100];
    assert_eq!(p.read_slice(&mut space, &mut buf), Err(LinuxError::EFAULT));
    assert_eq!(buf, [0; 100]);

    // A clear, likewise.
    space.faults().arm(FaultPlan::nth(1).after(33));
    assert_eq!(clear_user(&mut space, UserPtr::from(base), 100), Ok(33));
    assert_eq!(space.peek(base, 34), [&[0; 33][..], &[7]].concat());
    // A fault at the first byte moves nothing: EFAULT.
    space.faults().arm(FaultPlan::nth(1));
    assert_eq!(
        clear_user(&mut space, UserPtr::from(base), 100),
        Err(LinuxError::EFAULT)
    );
}

#[test]
fn a_fault_after_the_whole_access_is_no_fault() {
    let (mut space, base) = space(1);
    space.faults().arm(FaultPlan::nth(1).after(8));
    assert_eq!(UserPtr::<u64>::from(base).write(&mut space, 5), Ok(()));
    // The plan is spent.
    assert_eq!(UserPtr::<u64>::from(base).write(&mut space, 6), Ok(()));
    assert_eq!(space.faults().accesses(), 2);
}

#[test]
fn validation_failures_and_empty_accesses_are_not_counted() {
    let (mut space, base) = space(1);
    space.faults().arm(FaultPlan::never());
    assert!(UserPtr::<u64>::from(base + PAGE).read(&mut space).is_err());
    assert_eq!(
        UserPtr::<u8>::from(base).write_slice(&mut space, &[]),
        Ok(())
    );
    assert_eq!(space.faults().accesses(), 0);
    assert_eq!(UserPtr::<u8>::from(base).read(&mut space), Ok(0));
    assert_eq!(space.faults().accesses(), 1);
}

#[test]
fn disarm_cancels_and_arm_restarts_the_count() {
    let (mut space, base) = space(1);
    let p = UserPtr::<u32>::from(base);
    space.faults().arm(FaultPlan::nth(2));
    assert_eq!(p.read(&mut space), Ok(0));
    space.faults().disarm();
    assert_eq!(p.read(&mut space), Ok(0));
    assert_eq!(space.faults().accesses(), 2);
    assert_eq!(space.faults().injected(), 0);
    space.faults().arm(FaultPlan::nth(1));
    assert_eq!(space.faults().accesses(), 0);
    assert_eq!(p.read(&mut space), Err(LinuxError::EFAULT));
}

#[test]
fn injection_in_one_space_leaves_another_alone() {
    let (mut a, base_a) = space(1);
    let (mut b, base_b) = space(1);
    a.faults().arm(FaultPlan::nth(1));
    assert_eq!(UserPtr::<u8>::from(base_b).read(&mut b), Ok(0));
    assert_eq!(b.faults().accesses(), 0, "never armed");
    assert_eq!(
        UserPtr::<u8>::from(base_a).read(&mut a),
        Err(LinuxError::EFAULT)
    );
    drop(a);
    // A dropped space releases its hook: many come and go.
    for _ in 0..200 {
        let (s, _) = space(1);
        s.faults().arm(FaultPlan::never());
    }
    assert_eq!(UserPtr::<u8>::from(base_b).read(&mut b), Ok(0));
}

#[test]
fn an_injected_fault_in_a_string_is_efault() {
    let (mut space, base) = space(1);
    space.poke(base, b"hello\0");
    let p = UserConstPtr::<c_char>::from(base);
    space.faults().arm(FaultPlan::nth(1).after(3));
    assert_eq!(p.read_cstring(&mut space, 100), Err(LinuxError::EFAULT));
    assert_eq!(
        p.read_cstring(&mut space, 100).map(|s| s.into_bytes()),
        Ok(b"hello".to_vec())
    );
}

#[test]
#[should_panic(expected = "counted from 1")]
fn the_zeroth_access_is_no_plan() {
    let _ = FaultPlan::nth(0);
}

/// The same hook on the simulated space, over the real copy routine.
#[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]
mod sim {
    use axptr::{
        LinuxError, MappingFlags, UserConstPtr, UserPtr, inject::FaultPlan, sim::SimSpace,
    };

    const PAGE: usize = 4096;

    #[test]
    fn the_nth_access_to_a_simulated_space_fails_and_a_short_one_reports_its_count() {
        let space = SimSpace::new(4 * PAGE).expect("space");
        let base = space.base();
        space
            .map(base, PAGE, MappingFlags::READ | MappingFlags::WRITE)
            .expect("map");
        space.poke(base, &[9; 64]).expect("poke");
        let mut user = space.provider();
        let p = UserConstPtr::<u8>::from(base);

        space.faults().arm(FaultPlan::nth(2).after(5));
        let mut buf = [0u8; 64];
        assert_eq!(p.read_slice_partial(&mut user, &mut buf), Ok(64));
        assert_eq!(p.read_slice_partial(&mut user, &mut buf), Ok(5));
        assert_eq!(buf[..5], [9; 5]);
        assert_eq!(buf[5..], [0; 59]);
        // Clones share the space and its hook.
        assert_eq!(space.clone().faults().accesses(), 2);

        space.faults().arm(FaultPlan::nth(1));
        assert_eq!(
            UserPtr::<u64>::from(base).write(&mut user, 1),
            Err(LinuxError::EFAULT)
        );
        assert_eq!(space.peek(base, 8).expect("peek"), [9; 8]);
        // No page fault was involved: the routine was cut short.
        assert_eq!(space.stats().fixups, 0);
    }
}
