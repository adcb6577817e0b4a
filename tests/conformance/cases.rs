//! The cases: (syscall, registers, memory set-up) triples, most of them
//! hostile. Generated from buffer shapes crossed with the calls that take
//! buffers, plus hand-written cases for each call's own rules and order of
//! checks.

use axptr::{PAGE_SIZE_4K as PAGE, iovec::MAX_RW_COUNT};

use super::{
    Case,
    kernel::{PATH_MAX, nr},
    layout::*,
};

const GIB: usize = 1 << 30;

fn case(name: impl Into<String>, nr: usize, args: &[usize]) -> Case {
    let mut regs = [0; 6];
    regs[..args.len()].copy_from_slice(args);
    Case {
        name: name.into(),
        nr,
        args: regs,
        pokes: Vec::new(),
        pipe: vec![pipe_bytes(100)],
        file_pos: 0,
    }
}

impl Case {
    fn poke(mut self, addr: usize, bytes: impl Into<Vec<u8>>) -> Self {
        self.pokes.push((addr, bytes.into()));
        self
    }

    fn pipe(mut self, writes: Vec<Vec<u8>>) -> Self {
        self.pipe = writes;
        self
    }

    fn pos(mut self, pos: u64) -> Self {
        self.file_pos = pos;
        self
    }
}

fn words(words: &[usize]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_ne_bytes()).collect()
}

/// A `struct iovec` array.
fn iov(segments: &[(usize, usize)]) -> Vec<u8> {
    words(
        &segments
            .iter()
            .flat_map(|&(base, len)| [base, len])
            .collect::<Vec<_>>(),
    )
}

fn timespec(sec: i64, nsec: i64) -> Vec<u8> {
    [sec.to_ne_bytes(), nsec.to_ne_bytes()].concat()
}

fn pollfd(fd: i32, events: u16) -> Vec<u8> {
    [
        &fd.to_ne_bytes()[..],
        &events.to_ne_bytes(),
        &0xaaaa_u16.to_ne_bytes(),
    ]
    .concat()
}

/// Where a buffer of `len` bytes starts, for every kind of hostile shape:
/// names and addresses.
fn shapes(len: usize) -> Vec<(String, usize)> {
    let mut shapes = vec![
        ("null".to_owned(), 0),
        ("mapped".to_owned(), DATA + 16),
        ("misaligned".to_owned(), DATA + 3),
        ("ending at a hole".to_owned(), HOLE - len),
        ("in a hole".to_owned(), HOLE),
        ("from a hole into read-only".to_owned(), RO - len / 2),
        ("read-only".to_owned(), RO + 8),
        ("read-only then writable".to_owned(), RW4 - len / 2),
        ("writable then write-only".to_owned(), WO - len / 2),
        ("write-only".to_owned(), WO + 8),
        ("write-only then writable".to_owned(), RW6 - len / 2),
        ("into PROT_NONE".to_owned(), NONE - len / 2),
        ("PROT_NONE".to_owned(), NONE + 8),
        ("from PROT_NONE".to_owned(), RW8 - len / 2),
        ("into a hole after a lazy page".to_owned(), HOLE9 - len / 2),
        ("lazy heap".to_owned(), HEAP + 100),
        ("into read-only after writable".to_owned(), RO32 - len / 2),
        ("lazy write-only".to_owned(), WO36 + 4),
        ("top of user space".to_owned(), TASK_SIZE - len),
        (
            "across the top of user space".to_owned(),
            TASK_SIZE - len / 2,
        ),
        ("at the top of user space".to_owned(), TASK_SIZE),
        ("kernel half".to_owned(), KERNEL),
        ("last page".to_owned(), usize::MAX - PAGE + 1),
        ("non-canonical".to_owned(), 0x8000_0000_0000),
    ];
    for k in [1, 8, 31, 32, 33] {
        if k < len {
            shapes.push((format!("{k} bytes before a hole"), HOLE - k));
        }
    }
    shapes
}

pub fn all() -> Vec<Case> {
    let mut cases = Vec::new();
    buffers(&mut cases);
    reads(&mut cases);
    writes(&mut cases);
    vectors(&mut cases);
    paths(&mut cases);
    others(&mut cases);
    cases
}

/// Every call that takes a buffer, with every shape.
fn buffers(cases: &mut Vec<Case>) {
    for (shape, addr) in shapes(64) {
        cases.push(case(
            format!("read memfd 64, {shape}"),
            nr::READ,
            &[FD_FILE as usize, addr, 64],
        ));
        cases.push(case(
            format!("read pipe 64 of 100, {shape}"),
            nr::READ,
            &[FD_PIPE_R as usize, addr, 64],
        ));
        cases.push(case(
            format!("read /dev/zero 64, {shape}"),
            nr::READ,
            &[FD_ZERO as usize, addr, 64],
        ));
        cases.push(case(
            format!("pread64 memfd 64 at 100, {shape}"),
            nr::PREAD64,
            &[FD_FILE as usize, addr, 64, 100],
        ));
        cases.push(case(
            format!("write memfd 64, {shape}"),
            nr::WRITE,
            &[FD_FILE as usize, addr, 64],
        ));
        cases.push(case(
            format!("write empty pipe 64, {shape}"),
            nr::WRITE,
            &[FD_PIPE2_W as usize, addr, 64],
        ));
        cases.push(case(
            format!("write /dev/null 64, {shape}"),
            nr::WRITE,
            &[FD_NULL as usize, addr, 64],
        ));
        cases.push(case(
            format!("getrandom 64, {shape}"),
            nr::GETRANDOM,
            &[addr, 64, 0],
        ));
        cases.push(
            case(
                format!("readv memfd, one iovec {shape}"),
                nr::READV,
                &[FD_FILE as usize, SCRATCH, 1],
            )
            .poke(SCRATCH, iov(&[(addr, 64)])),
        );
        cases.push(
            case(
                format!("writev memfd, one iovec {shape}"),
                nr::WRITEV,
                &[FD_FILE as usize, SCRATCH, 1],
            )
            .poke(SCRATCH, iov(&[(addr, 64)])),
        );
    }
    for (shape, addr) in shapes(4096) {
        cases.push(case(
            format!("read pipe 4096 of 100, {shape}"),
            nr::READ,
            &[FD_PIPE_R as usize, addr, 4096],
        ));
        cases.push(case(
            format!("read /dev/null 4096, {shape}"),
            nr::READ,
            &[FD_NULL as usize, addr, 4096],
        ));
        cases.push(case(
            format!("getcwd 4096, {shape}"),
            nr::GETCWD,
            &[addr, 4096],
        ));
    }
    for (shape, addr) in shapes(390) {
        cases.push(case(format!("uname, {shape}"), nr::UNAME, &[addr]));
    }
    for (shape, addr) in shapes(16) {
        cases.push(case(
            format!("clock_gettime MONOTONIC, {shape}"),
            nr::CLOCK_GETTIME,
            &[1, addr],
        ));
        cases.push(
            case(format!("nanosleep 1ns, {shape}"), nr::NANOSLEEP, &[addr, 0])
                .poke_if_mapped(addr, timespec(0, 1)),
        );
    }
    for (shape, addr) in shapes(8) {
        cases.push(case(format!("pipe2, {shape}"), nr::PIPE2, &[addr, 0]));
        cases.push(case(
            format!("rt_sigprocmask old set, {shape}"),
            nr::RT_SIGPROCMASK,
            &[0, 0, addr, 8],
        ));
        cases.push(
            case(
                format!("rt_sigprocmask SIG_BLOCK new set, {shape}"),
                nr::RT_SIGPROCMASK,
                &[0, addr, 0, 8],
            )
            .poke_if_mapped(addr, words(&[1 << 14])),
        );
        cases.push(
            case(
                format!("openat, path {shape}"),
                nr::OPENAT,
                &[AT_FDCWD, addr, 0, 0],
            )
            .poke_if_mapped(addr, b"file\0".to_vec()),
        );
    }
    for (shape, addr) in shapes(24) {
        let fds = [
            pollfd(FD_PIPE_R as i32, 1),
            pollfd(FD_PIPE2_R as i32, 1),
            pollfd(99, 1),
        ]
        .concat();
        cases.push(
            case(format!("poll 3 fds, {shape}"), nr::POLL, &[addr, 3, 0]).poke_if_mapped(addr, fds),
        );
    }
}

const AT_FDCWD: usize = -100isize as usize;

impl Case {
    /// Pokes `bytes` at `addr` when all of them lie in mapped memory (the
    /// contents a syscall would find there).
    fn poke_if_mapped(self, addr: usize, bytes: Vec<u8>) -> Self {
        let mapped = |byte: usize| AREAS.iter().any(|a| (a.start..a.end()).contains(&byte));
        let end = addr.checked_add(bytes.len());
        if end.is_some_and(|end| (addr..end).all(mapped)) {
            self.poke(addr, bytes)
        } else {
            self
        }
    }
}

/// `read` and `pread64`: descriptors, lengths, positions, pipes.
fn reads(cases: &mut Vec<Case>) {
    let r = |name: &str, fd: u32, buf: usize, count: usize| {
        case(name, nr::READ, &[fd as usize, buf, count])
    };
    cases.extend([
        r("read bad fd, null buffer", FD_BAD, 0, 64),
        r("read bad fd, kernel buffer", FD_BAD, KERNEL, 64),
        r(
            "read fd with high bits set in the register",
            FD_FILE,
            DATA,
            64,
        ),
        r("read the write end of a pipe", FD_PIPE_W, DATA, 64),
        r(
            "read the write end of a pipe, kernel buffer",
            FD_PIPE_W,
            KERNEL,
            64,
        ),
        r("read a directory", FD_DIR, DATA, 64),
        r("read a directory, null buffer", FD_DIR, 0, 64),
        r("read a directory, kernel buffer", FD_DIR, KERNEL, 64),
        r("read memfd 0 bytes, null", FD_FILE, 0, 0),
        r("read memfd 0 bytes, in a hole", FD_FILE, HOLE, 0),
        r("read memfd 0 bytes, kernel half", FD_FILE, KERNEL, 0),
        r(
            "read memfd 0 bytes, at the top of user space",
            FD_FILE,
            TASK_SIZE,
            0,
        ),
        r(
            "read memfd 0 bytes, a byte below the top",
            FD_FILE,
            TASK_SIZE - 1,
            0,
        ),
        r("read memfd 0 bytes, last address", FD_FILE, usize::MAX, 0),
        r(
            "read /dev/null 1 byte below the top",
            FD_NULL,
            TASK_SIZE - 1,
            1,
        ),
        r(
            "read /dev/null 16 bytes ending at the top",
            FD_NULL,
            TASK_SIZE - 16,
            16,
        ),
        r(
            "read /dev/null 16 bytes ending a page below the top",
            FD_NULL,
            TASK_SIZE - PAGE - 16,
            16,
        ),
        r("read /dev/null, length -1", FD_NULL, DATA, usize::MAX),
        r(
            "read /dev/null, length SSIZE_MAX + 1",
            FD_NULL,
            DATA,
            1 << 63,
        ),
        r(
            "read /dev/null, length SSIZE_MAX",
            FD_NULL,
            DATA,
            isize::MAX as usize,
        ),
        r(
            "read /dev/null, length to the top of user space",
            FD_NULL,
            DATA,
            TASK_SIZE - DATA,
        ),
        r(
            "read /dev/null, length a byte past the top of user space",
            FD_NULL,
            DATA,
            TASK_SIZE - DATA + 1,
        ),
        r(
            "read /dev/zero 3 GiB into 2 mapped pages",
            FD_ZERO,
            DATA,
            3 * GIB,
        ),
        r("read /dev/zero 0 bytes, kernel half", FD_ZERO, KERNEL, 0),
        r(
            "read memfd all of it into the heap",
            FD_FILE,
            HEAP,
            5 * PAGE,
        ),
        r(
            "read memfd more than the heap holds",
            FD_FILE,
            HEAP_END - 5000,
            FILE_LEN,
        ),
        r(
            "read memfd 8 KiB across a read-only page",
            FD_FILE,
            RO - 100,
            8192,
        ),
        r("read memfd 4 GiB into the heap", FD_FILE, HEAP, 4 * GIB),
        r("read memfd 64 at the end of the file", FD_FILE, DATA, 64).pos(FILE_LEN as u64 - 10),
        r(
            "read memfd 64 past the end of the file, null buffer",
            FD_FILE,
            0,
            64,
        )
        .pos(FILE_LEN as u64 + 10),
        r(
            "read memfd 64 past the end of the file, buffer in a hole",
            FD_FILE,
            HOLE,
            64,
        )
        .pos(FILE_LEN as u64),
        r(
            "read memfd 64 at a page edge of the file into a hole edge",
            FD_FILE,
            HOLE - 10,
            64,
        )
        .pos(PAGE as u64 - 5),
        r(
            "read pipe 100 into a buffer whose tail is unmapped",
            FD_PIPE_R,
            HOLE - 200,
            4096,
        ),
        r(
            "read pipe 100 into 64 with 32 mapped",
            FD_PIPE_R,
            HOLE - 32,
            64,
        ),
        r(
            "read pipe 100 into 100 with 99 mapped",
            FD_PIPE_R,
            HOLE - 99,
            100,
        ),
        r(
            "read pipe 100 into 100 with 100 mapped",
            FD_PIPE_R,
            HOLE - 100,
            100,
        ),
        r(
            "read pipe of two buffers, the second faults",
            FD_PIPE_R,
            HOLE - PAGE - 50,
            2 * PAGE,
        )
        .pipe(vec![pipe_bytes(PAGE + 100)]),
        r(
            "read pipe of two buffers, the first faults",
            FD_PIPE_R,
            HOLE - 50,
            2 * PAGE,
        )
        .pipe(vec![pipe_bytes(PAGE + 100)]),
        r(
            "read pipe of two buffers into a read-only tail",
            FD_PIPE_R,
            RO32 - PAGE - 10,
            2 * PAGE,
        )
        .pipe(vec![pipe_bytes(PAGE + 100)]),
        r("read pipe of merged writes", FD_PIPE_R, DATA, 4096).pipe(vec![
            pipe_bytes(10),
            pipe_bytes(20),
            pipe_bytes(30),
        ]),
        r("read empty pipe", FD_PIPE_R, DATA, 64).pipe(vec![]),
        r("read empty pipe, null buffer", FD_PIPE_R, 0, 64).pipe(vec![]),
        r("read empty pipe, buffer in a hole", FD_PIPE_R, HOLE, 64).pipe(vec![]),
        r("read empty pipe, kernel buffer", FD_PIPE_R, KERNEL, 64).pipe(vec![]),
        r("read empty pipe 0 bytes", FD_PIPE_R, DATA, 0).pipe(vec![]),
        r("read pipe 0 bytes, null", FD_PIPE_R, 0, 0),
        r("read pipe, length -1", FD_PIPE_R, DATA, usize::MAX),
        r(
            "read pipe 64 KiB full of data into the heap",
            FD_PIPE_R,
            HEAP,
            80 * 1024,
        )
        .pipe(vec![pipe_bytes(64 * 1024)]),
        r(
            "read pipe 64 KiB into a buffer with a hole at 60 KiB",
            FD_PIPE_R,
            HEAP_END - 60 * 1024,
            64 * 1024,
        )
        .pipe(vec![pipe_bytes(64 * 1024)]),
        r("read read-only memfd", FD_FILE_RO, DATA, 64),
        r(
            "read overlapping the buffer it is told to fill, misaligned",
            FD_FILE,
            DATA + 4095,
            2,
        ),
    ]);
    // The fd register is an `unsigned int`: the high half is ignored.
    if let Some(case) = cases
        .iter_mut()
        .find(|c| c.name == "read fd with high bits set in the register")
    {
        case.args[0] |= 0xdead_0000_0000;
    }
    let p = |name: &str, fd: u32, buf: usize, count: usize, pos: i64| {
        case(name, nr::PREAD64, &[fd as usize, buf, count, pos as usize])
    };
    cases.extend([
        p("pread64 at 0", FD_FILE, DATA, 64, 0),
        p(
            "pread64 near the end",
            FD_FILE,
            DATA,
            64,
            FILE_LEN as i64 - 5,
        ),
        p(
            "pread64 past the end",
            FD_FILE,
            DATA,
            64,
            FILE_LEN as i64 + 5,
        ),
        p(
            "pread64 past the end, buffer in a hole",
            FD_FILE,
            HOLE,
            64,
            FILE_LEN as i64 + 5,
        ),
        p("pread64 negative offset", FD_FILE, DATA, 64, -1),
        p("pread64 negative offset, bad fd", FD_BAD, DATA, 64, -1),
        p(
            "pread64 negative offset, kernel buffer",
            FD_FILE,
            KERNEL,
            64,
            -1,
        ),
        p("pread64 bad fd", FD_BAD, DATA, 64, 0),
        p("pread64 bad fd, kernel buffer", FD_BAD, KERNEL, 64, 0),
        p("pread64 pipe", FD_PIPE_R, DATA, 64, 0),
        p("pread64 pipe, kernel buffer", FD_PIPE_R, KERNEL, 64, 0),
        p("pread64 write end of a pipe", FD_PIPE_W, DATA, 64, 0),
        p(
            "pread64 offset + count overflows",
            FD_FILE,
            DATA,
            64,
            i64::MAX,
        ),
        p(
            "pread64 offset + count overflows, kernel buffer",
            FD_FILE,
            KERNEL,
            64,
            i64::MAX,
        ),
        p(
            "pread64 offset + count fits exactly",
            FD_FILE,
            DATA,
            64,
            i64::MAX - 64,
        ),
        p(
            "pread64 offset + 0 at LLONG_MAX",
            FD_FILE,
            DATA,
            0,
            i64::MAX,
        ),
        p("pread64 directory", FD_DIR, DATA, 64, 0),
        p("pread64 /dev/null, buffer in a hole", FD_NULL, HOLE, 64, 5),
        p(
            "pread64 /dev/zero into a hole edge",
            FD_ZERO,
            HOLE - 10,
            64,
            0,
        ),
        p("pread64 memfd into a hole edge", FD_FILE, HOLE - 10, 64, 0),
        p("pread64 read-only memfd", FD_FILE_RO, DATA, 64, 3),
        p(
            "pread64 /dev/null 0 bytes, kernel half",
            FD_NULL,
            KERNEL,
            0,
            0,
        ),
    ]);
}

/// `write`: descriptors, lengths, pipes, files.
fn writes(cases: &mut Vec<Case>) {
    let w = |name: &str, fd: u32, buf: usize, count: usize| {
        case(name, nr::WRITE, &[fd as usize, buf, count])
    };
    cases.extend([
        w("write bad fd, null buffer", FD_BAD, 0, 64),
        w("write read-only memfd", FD_FILE_RO, DATA, 64),
        w("write read-only memfd, null buffer", FD_FILE_RO, 0, 64),
        w("write read end of a pipe", FD_PIPE_R, DATA, 64),
        w("write a directory", FD_DIR, DATA, 64),
        w("write /dev/null, null buffer", FD_NULL, 0, 64),
        w("write /dev/null 1 MiB from a hole", FD_NULL, HOLE, 1 << 20),
        w("write /dev/null 3 GiB", FD_NULL, DATA, 3 * GIB),
        w("write /dev/null, kernel buffer", FD_NULL, KERNEL, 1),
        w("write /dev/null, length -1", FD_NULL, DATA, usize::MAX),
        w("write /dev/null 0 bytes, kernel half", FD_NULL, KERNEL, 0),
        w("write /dev/zero 64, null buffer", FD_ZERO, 0, 64),
        w("write memfd 0 bytes, kernel half", FD_FILE, KERNEL, 0),
        w("write memfd 0 bytes, null", FD_FILE, 0, 0),
        w("write memfd across a hole", FD_FILE, HOLE - 32, 64),
        w("write memfd from a hole", FD_FILE, HOLE, 64),
        w(
            "write memfd 3 pages ending in a hole",
            FD_FILE,
            DATA + 100,
            3 * PAGE,
        ),
        w("write memfd past its end", FD_FILE, DATA, 64).pos(FILE_LEN as u64 + 100),
        w("write memfd from the lazy heap", FD_FILE, HEAP, 20 * PAGE),
        w("write memfd 4 GiB from the heap", FD_FILE, HEAP, 4 * GIB),
        w(
            "write pipe with data, merging, across a hole",
            FD_PIPE_W,
            HOLE - 32,
            64,
        ),
        w("write pipe with data, merging", FD_PIPE_W, DATA, 64),
        w(
            "write pipe with data, a page and a bit, across a hole",
            FD_PIPE_W,
            HOLE - 100,
            PAGE + 200,
        ),
        w(
            "write pipe with data, whole pages, second faults",
            FD_PIPE_W,
            HOLE - PAGE - 10,
            2 * PAGE,
        ),
        w(
            "write empty pipe, a page and a bit, the bit faults",
            FD_PIPE2_W,
            HOLE - PAGE - 50,
            PAGE + 100,
        ),
        w(
            "write empty pipe, second page faults",
            FD_PIPE2_W,
            HOLE - 5000,
            8192,
        ),
        w(
            "write empty pipe 80 KiB: fills it",
            FD_PIPE2_W,
            HEAP,
            80 * 1024,
        ),
        w(
            "write empty pipe 80 KiB, hole at 70 KiB",
            FD_PIPE2_W,
            HEAP_END - 70 * 1024,
            80 * 1024,
        ),
        w(
            "write empty pipe 0 bytes, kernel half",
            FD_PIPE2_W,
            KERNEL,
            0,
        ),
        w("write empty pipe 0 bytes, null", FD_PIPE2_W, 0, 0),
        w("write full pipe", FD_PIPE_W, DATA, 64).pipe(vec![pipe_bytes(64 * 1024)]),
        w("write full pipe, buffer in a hole", FD_PIPE_W, HOLE, 64)
            .pipe(vec![pipe_bytes(64 * 1024)]),
        w("write overlapping read-only page", FD_FILE, RO32 - 8, 16),
    ]);
}

/// `readv` and `writev`: iovec arrays.
fn vectors(cases: &mut Vec<Case>) {
    let at = SCRATCH;
    let v = |name: String, nr: usize, fd: u32, segs: &[(usize, usize)]| {
        case(name, nr, &[fd as usize, at, segs.len()]).poke(at, iov(segs))
    };
    for (call, nr) in [("readv", nr::READV), ("writev", nr::WRITEV)] {
        let fds: [(&str, u32); 4] = if nr == nr::READV {
            [
                ("memfd", FD_FILE),
                ("pipe", FD_PIPE_R),
                ("/dev/zero", FD_ZERO),
                ("/dev/null", FD_NULL),
            ]
        } else {
            [
                ("memfd", FD_FILE),
                ("empty pipe", FD_PIPE2_W),
                ("pipe with data", FD_PIPE_W),
                ("/dev/null", FD_NULL),
            ]
        };
        for (file, fd) in fds {
            let mut add = |what: &str, segs: &[(usize, usize)]| {
                cases.push(v(format!("{call} {file}, {what}"), nr, fd, segs))
            };
            add(
                "three good iovecs",
                &[(DATA, 10), (DATA + 100, 20), (RW4, 30)],
            );
            add("second iovec in a hole", &[(DATA, 10), (HOLE, 10)]);
            add("first iovec in a hole", &[(HOLE, 10), (DATA, 10)]);
            add(
                "second iovec in the kernel half",
                &[(DATA, 10), (KERNEL, 10)],
            );
            add("second iovec null", &[(DATA, 10), (0, 10)]);
            add(
                "second iovec runs into a hole",
                &[(DATA, 10), (HOLE - 5, 10)],
            );
            add("second iovec read-only", &[(DATA, 10), (RO, 10)]);
            add(
                "empty iovecs at bad addresses",
                &[(0, 0), (HOLE, 0), (DATA, 10)],
            );
            add("empty iovec in the kernel half", &[(KERNEL, 0), (DATA, 10)]);
            add("all empty", &[(0, 0), (HOLE, 0)]);
            add(
                "lengths past SSIZE_MAX",
                &[(DATA, isize::MAX as usize), (DATA, 2)],
            );
            add(
                "two lengths adding past SSIZE_MAX",
                &[(DATA, 1 << 62), (DATA, 1 << 62)],
            );
            add("a negative length", &[(DATA, 10), (DATA, usize::MAX)]);
            add(
                "a negative length after a kernel buffer",
                &[(KERNEL, 10), (DATA, usize::MAX)],
            );
            add("one iovec of 2^62 bytes", &[(DATA, 1 << 62)]);
            add("one iovec of 3 GiB", &[(DATA, 3 * GIB)]);
            add(
                "MAX_RW_COUNT then more",
                &[(DATA, MAX_RW_COUNT), (DATA, 100)],
            );
            add("the same buffer twice", &[(DATA, 10), (DATA, 10)]);
        }
        // A bad element at every position of four.
        for bad in 0..4 {
            for (what, seg) in [
                ("in a hole", (HOLE, 8)),
                ("in the kernel", (KERNEL, 8)),
                ("of negative length", (DATA, usize::MAX)),
            ] {
                let mut segs = [(DATA, 8), (DATA + 8, 8), (DATA + 16, 8), (DATA + 24, 8)];
                segs[bad] = seg;
                cases.push(v(
                    format!("{call} memfd, element {bad} of 4 {what}"),
                    nr,
                    FD_FILE,
                    &segs,
                ));
            }
        }
        let fd = if nr == nr::READV { FD_FILE } else { FD_NULL };
        let c = |name: &str, fd: u32, array: usize, count: usize| {
            case(format!("{call} {name}"), nr, &[fd as usize, array, count])
        };
        cases.extend([
            c("no iovecs, null array", fd, 0, 0),
            c("no iovecs, array in a hole", fd, HOLE, 0),
            c("no iovecs, array in the kernel half", fd, KERNEL, 0),
            c("1025 iovecs", fd, DATA, 1025),
            c("1025 iovecs, null array", fd, 0, 1025),
            c("count -1", fd, DATA, usize::MAX),
            c("count with high bits", fd, DATA, 1 << 32),
            c("null array", fd, 0, 2),
            c("array in a hole", fd, HOLE, 2),
            c("array in the kernel half", fd, KERNEL, 2),
            c("array across the top of user space", fd, TASK_SIZE - 16, 2),
            c("bad fd, array in the kernel half", FD_BAD, KERNEL, 2),
            c("bad fd, 1025 iovecs", FD_BAD, DATA, 1025),
            c("directory", FD_DIR, SCRATCH, 1).poke(SCRATCH, iov(&[(DATA, 8)])),
            c("directory, null array", FD_DIR, 0, 1),
        ]);
        let wrong = if nr == nr::READV {
            FD_PIPE_W
        } else {
            FD_PIPE_R
        };
        cases.extend([
            c("wrong-mode fd, null array", wrong, 0, 2),
            c("wrong-mode fd, 1025 iovecs", wrong, DATA, 1025),
            // The array runs into a hole: its first element is readable.
            c("array running into a hole", fd, HOLE - 16, 2).poke(HOLE - 16, iov(&[(DATA, 8)])),
            c(
                "array running into a hole, first length negative",
                fd,
                HOLE - 16,
                2,
            )
            .poke(HOLE - 16, iov(&[(DATA, usize::MAX)])),
            c(
                "array running into a hole, first buffer in the kernel",
                fd,
                HOLE - 16,
                2,
            )
            .poke(HOLE - 16, iov(&[(KERNEL, 8)])),
            c("element straddling a hole", fd, HOLE - 8, 1).poke(HOLE - 8, words(&[DATA])),
            c("array in a read-only page", fd, RO, 1).poke(RO, iov(&[(DATA, 8)])),
            c("array in a write-only page", fd, WO, 1).poke(WO, iov(&[(DATA, 8)])),
            c("misaligned array", fd, SCRATCH + 3, 2)
                .poke(SCRATCH + 3, iov(&[(DATA, 8), (DATA + 8, 8)])),
            c("array overlapping its own buffer", fd, DATA, 1).poke(DATA, iov(&[(DATA, 16)])),
        ]);
    }
}

/// `openat`: paths of every length and shape, flags, directory descriptors.
fn paths(cases: &mut Vec<Case>) {
    let o = |name: &str, dirfd: usize, path: usize, flags: usize| {
        case(
            format!("openat {name}"),
            nr::OPENAT,
            &[dirfd, path, flags, 0],
        )
    };
    let at = SCRATCH;
    let named = |name: &str, path: &[u8], flags: usize| {
        o(name, AT_FDCWD, at, flags).poke(at, [path, b"\0"].concat())
    };
    const O_WRONLY: usize = 0o1;
    const O_RDWR: usize = 0o2;
    const O_CREAT: usize = 0o100;
    const O_EXCL: usize = 0o200;
    const O_DIRECTORY: usize = 0o200000;
    const O_TMPFILE: usize = 0o20200000;
    cases.extend([
        named("file", b"file", 0),
        named("file read-write", b"file", O_RDWR),
        named("file in a directory", b"dir/inner", 0),
        named("dot-dot", b"dir/../file", 0),
        named("missing", b"missing", 0),
        named("empty path", b"", 0),
        named("trailing slash on a file", b"file/", 0),
        named("through a file", b"file/x", 0),
        named("directory", b"dir", 0),
        named("directory with a slash", b"dir/", 0),
        named("directory for writing", b"dir", O_WRONLY),
        named("file with O_DIRECTORY", b"file", O_DIRECTORY),
        named("directory with O_DIRECTORY", b"dir", O_DIRECTORY),
        named(
            "existing file with O_CREAT|O_EXCL",
            b"file",
            O_CREAT | O_EXCL,
        ),
        named("/dev/null", b"/dev/null", O_RDWR),
        named("missing absolute", b"/nonexistent-axptr/x", 0),
        named("255-byte name", &[b'n'; 255], 0),
        named("256-byte name", &[b'n'; 256], 0),
        named(
            "256-byte name under a missing directory",
            &[&b"missing/"[..], &[b'n'; 256]].concat(),
            0,
        ),
        named(
            "256-byte directory name",
            &[&[b'n'; 256][..], b"/x"].concat(),
            0,
        ),
        named("flags with high bits", b"file", 1 << 40),
        o("null path", AT_FDCWD, 0, 0),
        o("null path, bad dirfd", FD_BAD as usize, 0, 0),
        o("path in a hole", AT_FDCWD, HOLE, 0),
        o("path in the kernel half", AT_FDCWD, KERNEL, 0),
        o("path at the top of user space", AT_FDCWD, TASK_SIZE - 1, 0),
        o("null path with O_TMPFILE read-only", AT_FDCWD, 0, O_TMPFILE),
        o(
            "null path with O_CREAT|O_DIRECTORY",
            AT_FDCWD,
            0,
            O_CREAT | O_DIRECTORY,
        ),
        o("relative, bad dirfd", FD_BAD as usize, at, 0).poke(at, b"file\0".to_vec()),
        o("relative, negative dirfd", -5isize as usize, at, 0).poke(at, b"file\0".to_vec()),
        o("relative, dirfd a memfd", FD_FILE as usize, at, 0).poke(at, b"file\0".to_vec()),
        o("relative, dirfd the directory", FD_DIR as usize, at, 0)
            .poke(at, b"dir/inner\0".to_vec()),
        o("empty path, bad dirfd", FD_BAD as usize, at, 0).poke(at, b"\0".to_vec()),
        o(
            "AT_FDCWD with high bits in the register",
            0x1_0000_0000 | AT_FDCWD as u32 as usize,
            at,
            0,
        )
        .poke(at, b"file\0".to_vec()),
        o("unterminated at a hole", AT_FDCWD, HOLE - 4, 0).poke(HOLE - 4, b"file".to_vec()),
        o("terminated right before a hole", AT_FDCWD, HOLE - 5, 0)
            .poke(HOLE - 5, b"file\0".to_vec()),
        o("unterminated at PROT_NONE", AT_FDCWD, NONE - 4, 0).poke(NONE - 4, b"file".to_vec()),
        o("in a read-only page", AT_FDCWD, RO + 1, 0).poke(RO + 1, b"file\0".to_vec()),
        o("in a write-only page", AT_FDCWD, WO + 1, 0).poke(WO + 1, b"file\0".to_vec()),
        o("across writable into read-only", AT_FDCWD, RO32 - 2, 0)
            .poke(RO32 - 2, b"file\0".to_vec()),
        o("in PROT_NONE", AT_FDCWD, NONE, 0).poke(NONE, b"file\0".to_vec()),
    ]);
    // The whole path's length: PATH_MAX with the NUL, ± 1, in the heap;
    // `./` components keep it naming `file`.
    let dots = |len: usize| -> Vec<u8> {
        let tail: &[u8] = if len % 2 == 0 { b"file" } else { b"/file" };
        [b"./".repeat((len - tail.len()) / 2), tail.to_vec()].concat()
    };
    for len in [PATH_MAX - 2, PATH_MAX - 1, PATH_MAX, PATH_MAX + 1] {
        let path = dots(len);
        assert_eq!(path.len(), len);
        cases.push(
            o(&format!("path of {len} bytes and a NUL"), AT_FDCWD, HEAP, 0)
                .poke(HEAP, [&path[..], b"\0"].concat()),
        );
    }
    // Unterminated paths that run into a hole: before and at PATH_MAX.
    for len in [PATH_MAX - 1, PATH_MAX, PATH_MAX + 1] {
        cases.push(
            o(
                &format!("unterminated {len} bytes then a hole"),
                AT_FDCWD,
                HEAP_END - len,
                0,
            )
            .poke(HEAP_END - len, vec![b'x'; len]),
        );
    }
}

/// The rest: each call's own arguments and order of checks.
fn others(cases: &mut Vec<Case>) {
    let at = SCRATCH;
    // getcwd
    let g = |name: &str, buf: usize, size: usize| {
        case(format!("getcwd {name}"), nr::GETCWD, &[buf, size])
    };
    cases.extend([
        g("null, size 0", 0, 0),
        g("null, size 1", 0, 1),
        g("kernel half, size 1", KERNEL, 1),
        g("null, size 4096", 0, 4096),
        g("size -1", DATA, usize::MAX),
        g("size -1 in a hole", HOLE, usize::MAX),
        g("size far past the top of user space", DATA, TASK_SIZE),
    ]);
    // uname, clock_gettime, nanosleep
    cases.extend([
        case(
            "uname straddling a hole by one byte",
            nr::UNAME,
            &[HOLE - 389],
        ),
        case("uname ending at a hole", nr::UNAME, &[HOLE - 390]),
    ]);
    let c = |name: &str, clock: usize, tp: usize| {
        case(
            format!("clock_gettime {name}"),
            nr::CLOCK_GETTIME,
            &[clock, tp],
        )
    };
    for clock in [0, 1, 2, 3, 4, 5, 6, 7, 11] {
        cases.push(c(&format!("clock {clock}"), clock, DATA));
        cases.push(c(&format!("clock {clock}, null"), clock, 0));
    }
    for clock in [10usize, 12, 16, 42, -1isize as usize, 0x7fff_ffff] {
        cases.push(c(&format!("bad clock {}", clock as i32), clock, DATA));
        cases.push(c(&format!("bad clock {}, null", clock as i32), clock, 0));
    }
    cases.push(c("clock id with high bits", 0x5_0000_0001, DATA));
    let n = |name: &str, req: Vec<u8>, rem: usize| {
        case(format!("nanosleep {name}"), nr::NANOSLEEP, &[at, rem]).poke(at, req)
    };
    cases.extend([
        n("0 s", timespec(0, 0), 0),
        n("1 ns, rem in the kernel half", timespec(0, 1), KERNEL),
        n("1 ns, rem in a read-only page", timespec(0, 1), RO),
        n("negative seconds", timespec(-1, 0), 0),
        n("negative nanoseconds", timespec(0, -1), 0),
        n("a second of nanoseconds", timespec(0, 1_000_000_000), 0),
        n(
            "huge seconds and bad nanoseconds",
            timespec(i64::MAX, 1_000_000_000),
            0,
        ),
        n("rem the same as req", timespec(0, 1), at),
    ]);
    // pipe2
    let p = |name: &str, fds: usize, flags: usize| {
        case(format!("pipe2 {name}"), nr::PIPE2, &[fds, flags])
    };
    cases.extend([
        p("O_NONBLOCK", DATA, 0o4000),
        p("O_CLOEXEC", DATA, 0o2000000),
        p("O_DIRECT", DATA, 0o40000),
        p("bad flag", DATA, 1),
        p("bad flag, null", 0, 1),
        p("all flags", 0, 0xffff_ffff),
        p("flags with high bits", DATA, 1 << 32),
        p("straddling a hole", HOLE - 4, 0),
        p("straddling a read-only page", RO32 - 4, 0),
    ]);
    // poll
    let entries = [
        pollfd(FD_PIPE_R as i32, 0x1),
        pollfd(FD_PIPE2_R as i32, 0x1),
        pollfd(-1, 0x1),
        pollfd(99, 0x1),
        pollfd(FD_FILE as i32, 0xffff),
        pollfd(FD_PIPE_W as i32, 0x4),
        pollfd(FD_NULL as i32, 0),
        pollfd(FD_DIR as i32, 0x1),
    ]
    .concat();
    let q = |name: &str, fds: usize, nfds: usize| {
        case(format!("poll {name}"), nr::POLL, &[fds, nfds, 0])
    };
    cases.extend([
        q("8 kinds of fd", at, 8).poke(at, entries.clone()),
        q("8 kinds of fd, empty pipe", at, 8)
            .poke(at, entries.clone())
            .pipe(vec![]),
        q("8 kinds of fd, full pipe", at, 8)
            .poke(at, entries.clone())
            .pipe(vec![pipe_bytes(64 * 1024)]),
        q("across into a read-only page", RO32 - 16, 8).poke(RO32 - 16, entries[..16].to_vec()),
        q("read-only array", RO, 2).poke(RO, entries[..16].to_vec()),
        q("array running into a hole", HOLE - 16, 3).poke(HOLE - 16, entries[..16].to_vec()),
        q("no fds, null", 0, 0),
        q("no fds, kernel half", KERNEL, 0),
        q("no fds, in a hole", HOLE, 0),
        q("1024 fds, null", 0, 1024),
        q("1025 fds, null", 0, 1025),
        q("nfds -1", 0, u32::MAX as usize),
        q("nfds with high bits", at, 0x1_0000_0001).poke(at, entries[..8].to_vec()),
        q("misaligned array", at + 1, 2).poke(at + 1, entries[..16].to_vec()),
    ]);
    // getrandom
    let r = |name: &str, buf: usize, len: usize, flags: usize| {
        case(
            format!("getrandom {name}"),
            nr::GETRANDOM,
            &[buf, len, flags],
        )
    };
    cases.extend([
        r("bad flag, null", 0, 64, 8),
        r("GRND_RANDOM|GRND_INSECURE, null", 0, 64, 6),
        r("GRND_NONBLOCK", DATA, 64, 1),
        r("GRND_INSECURE", DATA, 64, 4),
        r("flags with high bits", DATA, 64, 1 << 32),
        r("0 bytes, null", 0, 0, 0),
        r("0 bytes, kernel half", KERNEL, 0, 0),
        r("length -1", DATA, usize::MAX, 0),
        r("1 TiB into the heap", HEAP, 1 << 40, 0),
        r("20 bytes, 10 mapped", HOLE - 10, 20, 0),
        r("32 bytes, 31 mapped", HOLE - 31, 32, 0),
        r("33 bytes, 32 mapped", HOLE - 32, 33, 0),
        r("into a read-only page", RO32 - 100, 200, 0),
    ]);
    // rt_sigprocmask
    let s = |name: &str, how: usize, set: usize, oset: usize, size: usize| {
        case(
            format!("rt_sigprocmask {name}"),
            nr::RT_SIGPROCMASK,
            &[how, set, oset, size],
        )
    };
    let set = words(&[(1 << 14) | (1 << 8) | (1 << 18)]);
    cases.extend([
        s("SIG_BLOCK with SIGKILL and SIGSTOP", 0, at, at + 8, 8).poke(at, set.clone()),
        s("SIG_UNBLOCK", 1, at, at + 8, 8).poke(at, set.clone()),
        s("SIG_SETMASK", 2, at, 0, 8).poke(at, set.clone()),
        s("bad how with a set", 3, at, at + 8, 8).poke(at, set.clone()),
        s("bad how without a set", 3, 0, at + 8, 8),
        s("bad how, set in the kernel half", 3, KERNEL, 0, 8),
        s("sigsetsize 4", 0, KERNEL, KERNEL, 4),
        s("sigsetsize 16", 0, at, 0, 16).poke(at, set.clone()),
        s("set and old set the same", 0, at, at, 8).poke(at, set.clone()),
        s("new set applied, old set read-only", 2, at, RO, 8).poke(at, set.clone()),
        s(
            "new set applied, old set in the kernel half",
            2,
            at,
            KERNEL,
            8,
        )
        .poke(at, set.clone()),
        s("set straddling a hole", 0, HOLE - 4, 0, 8),
        s("nothing", 0, 0, 0, 8),
    ]);
}
