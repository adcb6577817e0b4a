//! The host-testing guide's example (docs/guide/host-testing.md, also a
//! doctest there) as an integration test, because CI runs the sim tests
//! optimized too: the optimizer must not move user accesses out of the
//! flagged region.
#![cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]

use axptr::{AddrSpaceProvider, LinuxError, LinuxResult, MappingFlags, sim::SimSpace};
use axptr::{UserConstPtr, UserPtr};

/// The handler under test, generic over the provider as in the kernel.
fn sys_sum<P: AddrSpaceProvider>(
    aspace: &mut P,
    nums: UserConstPtr<u32>,
    len: usize,
    out: UserPtr<u64>,
) -> LinuxResult<isize> {
    let mut buf = [0u32; 64];
    let buf = buf.get_mut(..len).ok_or(LinuxError::EINVAL)?;
    nums.read_slice(aspace, buf)?;
    out.write(aspace, buf.iter().map(|&n| u64::from(n)).sum())?;
    Ok(0)
}

#[test]
fn sys_sum_turns_hostile_pointers_into_efault() {
    const PAGE: usize = 4096;
    let space = SimSpace::new(16 * PAGE).unwrap();
    // Page 0 read-only input, page 1 unmapped, page 2 lazy output.
    let (input, hole, out) = (space.base(), space.base() + PAGE, space.base() + 2 * PAGE);
    space.map(input, PAGE, MappingFlags::READ).unwrap();
    space
        .map_lazy(out, PAGE, MappingFlags::READ | MappingFlags::WRITE)
        .unwrap();
    space
        .poke(input, &[1u32, 2, 3].map(u32::to_ne_bytes).concat())
        .unwrap();

    let mut user = space.provider(); // locks the space only while validating
    assert_eq!(sys_sum(&mut user, input.into(), 3, out.into()), Ok(0));
    assert_eq!(space.peek(out, 8).unwrap(), 6u64.to_ne_bytes());
    // Output to a read-only page, input running into a hole.
    assert_eq!(
        sys_sum(&mut user, input.into(), 3, input.into()),
        Err(LinuxError::EFAULT)
    );
    assert_eq!(
        sys_sum(&mut user, (hole - 4).into(), 2, out.into()),
        Err(LinuxError::EFAULT)
    );
    // Demand paging: validation only checks, the fault handler populates.
    space.evict(out, PAGE).unwrap();
    space.set_demand_paging(true);
    let before = space.stats();
    assert_eq!(sys_sum(&mut user, input.into(), 1, out.into()), Ok(0));
    assert_eq!(space.stats().resolved, before.resolved + 1);
}
