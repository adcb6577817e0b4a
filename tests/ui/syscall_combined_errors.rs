use axptr::syscall;

struct Kernel;

/// Three mistakes, three errors; the function itself is still emitted, so
/// `main` below does not add a fourth.
#[syscall]
async fn sys_bad<T>(k: &mut Kernel, buf: &[u8], x: T) {
    let _ = (k, buf, x);
}

fn main() {
    let _ = sys_bad::<u8>;
}
