//! A tour of axptr's core on a heap-backed test address space: good
//! pointers are read and written, hostile ones become errnos.
//!
//! Run with `cargo run --example core_tour`.

use core::ffi::c_char;

use axptr::{LinuxError, MappingFlags, PATH_MAX, UserConstPtr, UserPtr, testing::HeapSpace};

/// In-place access: the in-place API is `unsafe`: this tour's process is single-threaded,
/// and each reference is dropped before the space is used again. A kernel
/// whose user threads can run meanwhile copies instead.
macro_rules! lend {
    ($call:expr) => {
        // SAFETY: see the macro's docs: nothing else writes or unmaps the lent memory while the reference lives.
        unsafe { $call }
    };
}

const PAGE: usize = 4096;

fn show<T: core::fmt::Debug>(what: &str, result: Result<T, LinuxError>) {
    match result {
        Ok(value) => println!("{what:<48} = {value:?}"),
        Err(err) => println!("{what:<48} = -{} {err:?}", err.code()),
    }
}

fn main() {
    // Page 0 read-write, page 1 read-only, page 2 unmapped, page 3 lazy.
    let mut space = HeapSpace::new(4);
    let base = space.base();
    space.map(base, PAGE, MappingFlags::READ | MappingFlags::WRITE);
    space.map(base + PAGE, PAGE, MappingFlags::READ);
    space.map_lazy(
        base + 3 * PAGE,
        PAGE,
        MappingFlags::READ | MappingFlags::WRITE,
    );
    space.poke(base + 64, b"/etc/passwd\0");
    space.poke(base + 2 * PAGE - 3, b"abc"); // no NUL before the hole

    let s = &mut space;
    let rw = UserPtr::<u64>::from(base);
    show("write u64 to a read-write page", rw.write(s, 0x1234));
    show("read it back", rw.read(s));
    show("read a path (copy)", {
        let mut buf = [0u8; PATH_MAX];
        UserConstPtr::<c_char>::from(base + 64)
            .read_cstr(s, &mut buf)
            .map(|c| c.to_owned())
    });
    show("lend the path in place", {
        lend!(UserConstPtr::<c_char>::from(base + 64).get_as_str(s)).map(str::to_owned)
    });
    show("null pointer", UserConstPtr::<u64>::null().read(s));
    show(
        "unmapped page",
        UserConstPtr::<u64>::from(base + 2 * PAGE).read(s),
    );
    show(
        "write to a read-only page",
        UserPtr::<u64>::from(base + PAGE).write(s, 1),
    );
    show(
        "misaligned reference",
        lend!(UserPtr::<u64>::from(base + 1).get(s)).map(|v| *v),
    );
    show(
        "misaligned copy (allowed)",
        UserPtr::<u64>::from(base + 1).read(s),
    );
    show(
        "overflowing length",
        lend!(UserConstPtr::<u64>::from(base).get_as_slice(s, usize::MAX)).map(<[u64]>::len),
    );
    show(
        "empty slice at null",
        lend!(UserConstPtr::<u64>::null().get_as_slice(s, 0)).map(<[u64]>::len),
    );
    show(
        "string running into a hole",
        lend!(UserConstPtr::<c_char>::from(base + 2 * PAGE - 3).get_as_cstr(s))
            .map(|c| c.to_owned()),
    );
    let before = s.populated_pages();
    show(
        "write into a lazy page",
        UserPtr::<u32>::from(base + 3 * PAGE).write(s, 7),
    );
    println!(
        "{:<48} = {}",
        "pages populated by that write",
        s.populated_pages() - before
    );
    println!(
        "fault flag outside accesses: {}",
        axptr::is_accessing_user_memory()
    );
}
