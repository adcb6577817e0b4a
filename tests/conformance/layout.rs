//! What both sides start from: the user memory map, its contents, the file
//! descriptors and the rest of a process's state.

use axptr::{MappingFlags, PAGE_SIZE_4K as PAGE};

/// Where the user memory lives, on the simulation and in the forked child.
pub const BASE: usize = 0x3000_0000;
/// Pages reserved for it (holes included).
pub const PAGES: usize = 40;
pub const SIZE: usize = PAGES * PAGE;

/// The first byte of page `n` of the layout.
pub const fn page(n: usize) -> usize {
    BASE + n * PAGE
}

/// Permissions of an area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prot {
    ReadWrite,
    Read,
    /// `PROT_WRITE` alone: readable too on x86_64, as the sim maps it.
    Write,
    /// Mapped without any permission (`PROT_NONE`).
    Nothing,
}

impl Prot {
    pub fn flags(self) -> MappingFlags {
        match self {
            Prot::ReadWrite => MappingFlags::READ | MappingFlags::WRITE,
            Prot::Read => MappingFlags::READ,
            Prot::Write => MappingFlags::WRITE,
            Prot::Nothing => MappingFlags::empty(),
        }
    }

    pub fn host(self) -> libc::c_int {
        match self {
            Prot::ReadWrite => libc::PROT_READ | libc::PROT_WRITE,
            Prot::Read => libc::PROT_READ,
            Prot::Write => libc::PROT_WRITE,
            Prot::Nothing => libc::PROT_NONE,
        }
    }
}

/// One mapped area.
#[derive(Clone, Copy, Debug)]
pub struct Area {
    pub start: usize,
    pub pages: usize,
    pub prot: Prot,
    /// Mapped lazily on the sim (no page present until touched).
    pub lazy: bool,
}

impl Area {
    pub const fn len(&self) -> usize {
        self.pages * PAGE
    }

    pub const fn end(&self) -> usize {
        self.start + self.len()
    }
}

const fn area(first: usize, pages: usize, prot: Prot, lazy: bool) -> Area {
    Area {
        start: page(first),
        pages,
        prot,
        lazy,
    }
}

/// The memory map. Pages not listed are holes. Every kind of edge a
/// buffer can run across is somewhere: mapped to hole, hole to mapped,
/// writable to read-only and back, to and from write-only and `PROT_NONE`.
pub const AREAS: [Area; 13] = [
    area(0, 2, Prot::ReadWrite, false), // 0-1: data
    // 2: hole
    area(3, 1, Prot::Read, false),      // 3: read-only
    area(4, 1, Prot::ReadWrite, false), // 4
    area(5, 1, Prot::Write, false),     // 5: write-only
    area(6, 1, Prot::ReadWrite, false), // 6
    area(7, 1, Prot::Nothing, false),   // 7: PROT_NONE
    area(8, 1, Prot::ReadWrite, true),  // 8
    // 9: hole
    area(10, 20, Prot::ReadWrite, true), // 10-29: heap, lazy
    // 30: hole
    area(31, 1, Prot::ReadWrite, false), // 31: scratch
    area(32, 1, Prot::Read, false),      // 32: read-only
    area(33, 1, Prot::ReadWrite, false), // 33: scratch
    // 34: hole
    area(35, 1, Prot::ReadWrite, true), // 35
    area(36, 1, Prot::Write, true),     // 36: write-only, lazy
                                        // 37-39: holes
];

/// Named places of the map.
pub const DATA: usize = page(0);
pub const HOLE: usize = page(2);
pub const RO: usize = page(3);
pub const RW4: usize = page(4);
pub const WO: usize = page(5);
pub const RW6: usize = page(6);
pub const NONE: usize = page(7);
pub const RW8: usize = page(8);
pub const HOLE9: usize = page(9);
pub const HEAP: usize = page(10);
pub const HEAP_END: usize = page(30);
pub const SCRATCH: usize = page(31);
pub const RO32: usize = page(32);
pub const WO36: usize = page(36);

/// The first address past user space on Linux x86_64 (4-level paging):
/// `TASK_SIZE_MAX`.
pub const TASK_SIZE: usize = 0x7fff_ffff_f000;
/// The start of the kernel half.
pub const KERNEL: usize = 0xffff_8000_0000_0000;

/// The initial contents of user memory: letters, so that no NUL ends a
/// string by accident and a byte written by a syscall shows.
pub fn pattern(addr: usize) -> u8 {
    b'a' + ((addr / 3 + addr / PAGE) % 26) as u8
}

/// The user memory before the pokes: the pattern over the whole layout.
pub fn blank_image() -> Vec<u8> {
    (BASE..BASE + SIZE).map(pattern).collect()
}

/// The user memory image of a case: `blank`, then the case's pokes.
pub fn image(blank: &[u8], pokes: &[(usize, Vec<u8>)]) -> Vec<u8> {
    let mut image = blank.to_vec();
    for (addr, bytes) in pokes {
        let at = addr - BASE;
        image[at..at + bytes.len()].copy_from_slice(bytes);
    }
    image
}

/// The mapped bytes of an image, areas in order (what is compared).
pub fn mapped(image: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(mapped_len());
    for a in &AREAS {
        out.extend_from_slice(&image[a.start - BASE..a.end() - BASE]);
    }
    out
}

/// The total length of the mapped areas.
pub fn mapped_len() -> usize {
    AREAS.iter().map(Area::len).sum()
}

/// The user address of byte `index` of the compared memory.
pub fn mapped_addr(mut index: usize) -> usize {
    for a in &AREAS {
        if index < a.len() {
            return a.start + index;
        }
        index -= a.len();
    }
    usize::MAX
}

// The file descriptors both processes start with.
/// `/dev/null`, read-write.
pub const FD_NULL: u32 = 0;
/// A memfd, read-write, holding [`file_contents`].
pub const FD_FILE: u32 = 1;
/// The same file opened again read-only (its own position).
pub const FD_FILE_RO: u32 = 2;
/// Pipe A (non-blocking), read end: holds the case's pipe data.
pub const FD_PIPE_R: u32 = 3;
/// Pipe A, write end.
pub const FD_PIPE_W: u32 = 4;
/// Pipe B (non-blocking, empty), read end.
pub const FD_PIPE2_R: u32 = 5;
/// Pipe B, write end.
pub const FD_PIPE2_W: u32 = 6;
/// The working directory, opened `O_RDONLY | O_DIRECTORY`.
pub const FD_DIR: u32 = 7;
/// `/dev/zero`, read-write.
pub const FD_ZERO: u32 = 8;
/// A descriptor that is not open.
pub const FD_BAD: u32 = 99;
/// `RLIMIT_NOFILE` of both processes.
pub const NOFILE: usize = 1024;

/// The memfd's initial contents: three pages and a bit.
pub const FILE_LEN: usize = 3 * PAGE + 1000;

pub fn file_contents() -> Vec<u8> {
    (0..FILE_LEN).map(|i| b'A' + (i % 26) as u8).collect()
}

/// The default contents of pipe A (one write).
pub fn pipe_bytes(len: usize) -> Vec<u8> {
    (0..len).map(|i| b'0' + (i % 10) as u8).collect()
}

/// The signal mask both start with: SIGUSR1 and SIGUSR2 blocked.
pub const INITIAL_SIGMASK: u64 = (1 << (libc::SIGUSR1 - 1)) | (1 << (libc::SIGUSR2 - 1));

/// Files of the working directory (a fresh temporary directory on the
/// host, modelled by the sim): regular files and their contents.
pub const TREE_FILES: [(&str, &[u8]); 2] = [("file", b"hello, world\n"), ("dir/inner", b"inner\n")];
/// Directories of the working directory.
pub const TREE_DIRS: [&str; 1] = ["dir"];
