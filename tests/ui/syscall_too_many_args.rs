use axptr::{LinuxResult, syscall};

struct Kernel;

#[syscall]
fn sys_seven(
    k: &mut Kernel,
    a: usize,
    b: usize,
    c: usize,
    d: usize,
    e: usize,
    f: usize,
    g: usize,
) -> LinuxResult<()> {
    let _ = (k, a, b, c, d, e, f, g);
    Ok(())
}

fn main() {}
