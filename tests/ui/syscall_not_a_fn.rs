use axptr::syscall;

#[syscall]
struct Handler;

fn main() {
    let _ = Handler;
}
