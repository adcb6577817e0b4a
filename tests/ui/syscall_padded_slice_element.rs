use axptr::{LinuxResult, Syscall, UserCopy, syscall, testing::HeapSpace};

// Fine for `Pair<u32, u32>`; padded for `Pair<u8, u64>`: a slice argument
// of those is caught where the entry is instantiated.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct Pair<A, B> {
    a: A,
    b: B,
}

#[syscall]
fn sys_good(#[len = n] pairs: &[Pair<u32, u32>], n: usize) -> LinuxResult<usize> {
    Ok(pairs.len().min(n))
}

#[syscall]
fn sys_padded(#[len = n] pairs: &mut [Pair<u8, u64>], n: usize) -> LinuxResult<usize> {
    Ok(pairs.len().min(n))
}

fn main() {
    let mut space = HeapSpace::new(1);
    let _ = <sys_good as Syscall<HeapSpace>>::call(&mut space, [0; 6]);
    let _ = <sys_padded as Syscall<HeapSpace>>::call(&mut space, [0; 6]);
}
