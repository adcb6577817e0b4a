use axptr::SyscallTrace;

/// No trace rendering.
struct Inner;

#[derive(SyscallTrace)]
struct Outer {
    ok: u32,
    inner: Inner,
}

fn main() {}
