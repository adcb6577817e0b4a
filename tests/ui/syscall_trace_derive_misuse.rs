use axptr::SyscallTrace;

#[derive(SyscallTrace)]
enum Kind {
    A,
}

#[derive(SyscallTrace)]
union Word {
    a: u32,
    b: i32,
}

#[derive(SyscallTrace)]
struct Bad {
    #[trace(bin)]
    a: u32,
    #[trace(hex, oct)]
    b: u32,
}

#[derive(SyscallTrace)]
#[trace(hex)]
struct OnStruct {
    a: u32,
}

fn main() {}
