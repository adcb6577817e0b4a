//! The in-memory file system (inodes, path resolution) and pipes.

use std::{
    cell::RefCell,
    collections::{BTreeMap, VecDeque},
    rc::Rc,
};

use axptr::{LinuxError, LinuxResult};

use super::{FileKind, Process, args::DirFd};
use crate::abi::{self, Timespec};

/// An inode: a regular file, a directory or a symbolic link.
pub struct Inode {
    pub ino: u64,
    /// Type and permission bits (`S_IFREG | 0o644`).
    pub mode: u32,
    pub nlink: u64,
    /// A file's contents, a link's target.
    pub data: Vec<u8>,
    /// A directory's entries.
    pub entries: BTreeMap<Vec<u8>, Node>,
    pub xattrs: BTreeMap<Vec<u8>, Vec<u8>>,
    pub atime: Timespec,
    pub mtime: Timespec,
    pub ctime: Timespec,
}

pub type Node = Rc<RefCell<Inode>>;

impl Inode {
    pub fn new(ino: u64, mode: u32, data: &[u8], now: Timespec) -> Node {
        Rc::new(RefCell::new(Self {
            ino,
            mode,
            nlink: if mode & abi::S_IFMT == abi::S_IFDIR {
                2
            } else {
                1
            },
            data: data.to_vec(),
            entries: BTreeMap::new(),
            xattrs: BTreeMap::new(),
            atime: now,
            mtime: now,
            ctime: now,
        }))
    }

    pub fn file_type(&self) -> u32 {
        self.mode & abi::S_IFMT
    }

    pub fn is_dir(&self) -> bool {
        self.file_type() == abi::S_IFDIR
    }

    pub fn is_symlink(&self) -> bool {
        self.file_type() == abi::S_IFLNK
    }

    /// `getdents64`'s `d_type`.
    pub fn dirent_type(&self) -> u8 {
        match self.file_type() {
            abi::S_IFDIR => abi::DT_DIR,
            abi::S_IFLNK => abi::DT_LNK,
            abi::S_IFIFO => abi::DT_FIFO,
            abi::S_IFCHR => abi::DT_CHR,
            abi::S_IFSOCK => abi::DT_SOCK,
            _ => abi::DT_REG,
        }
    }
}

/// How many symbolic links one lookup follows (Linux `MAXSYMLINKS`).
const MAX_SYMLINKS: usize = 40;

/// A path looked up: the normalized absolute path and its inode.
pub struct Found {
    pub path: Vec<u8>,
    pub node: Node,
}

/// A path whose last component may not exist yet: its directory, the
/// name, and the inode if it exists.
pub struct FoundParent {
    pub dir: Node,
    pub name: Vec<u8>,
    pub path: Vec<u8>,
    pub node: Option<Node>,
}

/// Splits `path` into components, `.` dropped and `..` applied.
fn normalize(base: &[u8], path: &[u8]) -> Vec<Vec<u8>> {
    let mut parts: Vec<Vec<u8>> = Vec::new();
    let start: &[u8] = if path.first() == Some(&b'/') {
        b""
    } else {
        base
    };
    for part in start
        .split(|&b| b == b'/')
        .chain(path.split(|&b| b == b'/'))
    {
        match part {
            b"" | b"." => {}
            b".." => {
                parts.pop();
            }
            part => parts.push(part.to_vec()),
        }
    }
    parts
}

fn join(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut path = Vec::new();
    for part in parts {
        path.push(b'/');
        path.extend_from_slice(part);
    }
    if path.is_empty() {
        path.push(b'/');
    }
    path
}

impl Process {
    /// The directory a relative path of an `*at` call starts from.
    fn base_path(&self, dirfd: DirFd, path: &[u8]) -> LinuxResult<Vec<u8>> {
        if path.first() == Some(&b'/') {
            return Ok(Vec::new());
        }
        if dirfd.0 == abi::AT_FDCWD {
            return Ok(self.cwd.clone());
        }
        let file = self.file(dirfd.0)?;
        let file = file.borrow();
        match &file.kind {
            FileKind::Node(node) if node.borrow().is_dir() => Ok(file.path.clone()),
            _ => Err(LinuxError::ENOTDIR),
        }
    }

    /// Walks `parts` from the root, following symbolic links in the middle
    /// and, if `follow`, at the end.
    fn walk(&self, mut parts: Vec<Vec<u8>>, follow: bool) -> LinuxResult<Found> {
        let mut links = 0;
        'restart: loop {
            let mut node = self.root.clone();
            for (i, part) in parts.iter().enumerate() {
                let next = {
                    let dir = node.borrow();
                    if !dir.is_dir() {
                        return Err(LinuxError::ENOTDIR);
                    }
                    dir.entries.get(part).cloned().ok_or(LinuxError::ENOENT)?
                };
                let last = i + 1 == parts.len();
                if next.borrow().is_symlink() && (!last || follow) {
                    links += 1;
                    if links > MAX_SYMLINKS {
                        return Err(LinuxError::ELOOP);
                    }
                    let target = next.borrow().data.clone();
                    let here = join(&parts[..i]);
                    let mut expanded = normalize(&here, &target);
                    expanded.extend(parts.iter().skip(i + 1).cloned());
                    parts = expanded;
                    continue 'restart;
                }
                node = next;
            }
            return Ok(Found {
                path: join(&parts),
                node,
            });
        }
    }

    /// Looks `path` up relative to `dirfd` (an empty path is `ENOENT`).
    pub fn lookup(&self, dirfd: DirFd, path: &[u8], follow: bool) -> LinuxResult<Found> {
        if path.is_empty() {
            return Err(LinuxError::ENOENT);
        }
        let base = self.base_path(dirfd, path)?;
        self.walk(normalize(&base, path), follow)
    }

    /// Looks up the directory of `path`'s last component.
    pub fn lookup_parent(&self, dirfd: DirFd, path: &[u8]) -> LinuxResult<FoundParent> {
        if path.is_empty() {
            return Err(LinuxError::ENOENT);
        }
        let base = self.base_path(dirfd, path)?;
        let mut parts = normalize(&base, path);
        let name = parts.pop().ok_or(LinuxError::EBUSY)?;
        let dir = self.walk(parts, true)?;
        if !dir.node.borrow().is_dir() {
            return Err(LinuxError::ENOTDIR);
        }
        let node = dir.node.borrow().entries.get(&name).cloned();
        let mut path = dir.path;
        if path != b"/" {
            path.push(b'/');
        }
        path.extend_from_slice(&name);
        Ok(FoundParent {
            dir: dir.node,
            name,
            path,
            node,
        })
    }

    /// Creates an inode in `dir` (which must not hold `name` yet).
    pub fn create_in(&mut self, dir: &Node, name: &[u8], mode: u32, data: &[u8]) -> Node {
        let node = Inode::new(self.next_ino(), mode, data, self.clock.realtime());
        let mut dir = dir.borrow_mut();
        if node.borrow().is_dir() {
            dir.nlink += 1;
        }
        dir.entries.insert(name.to_vec(), node.clone());
        node
    }
}

/// A pipe's buffer and how many ends are open.
pub struct Pipe {
    pub ino: u64,
    pub buf: VecDeque<u8>,
    pub readers: usize,
    pub writers: usize,
}

/// How much a pipe holds (Linux's default, 16 pages).
pub const PIPE_CAPACITY: usize = 65536;

/// One end of a pipe; dropping the last description of an end closes it.
pub struct PipeEnd {
    pub pipe: Rc<RefCell<Pipe>>,
    pub write: bool,
}

impl PipeEnd {
    /// A new pipe's two ends.
    pub fn pair(ino: u64) -> (Self, Self) {
        let pipe = Rc::new(RefCell::new(Pipe {
            ino,
            buf: VecDeque::new(),
            readers: 1,
            writers: 1,
        }));
        (
            Self {
                pipe: pipe.clone(),
                write: false,
            },
            Self { pipe, write: true },
        )
    }
}

impl Drop for PipeEnd {
    fn drop(&mut self) {
        let mut pipe = self.pipe.borrow_mut();
        if self.write {
            pipe.writers = pipe.writers.saturating_sub(1);
        } else {
            pipe.readers = pipe.readers.saturating_sub(1);
        }
    }
}

/// The file system the process boots with.
pub fn boot_fs(now: Timespec) -> Node {
    let mut ino = 1;
    let mut node = |mode: u32, data: &[u8]| {
        ino += 1;
        Inode::new(ino, mode, data, now)
    };
    let dir = |mode| mode | abi::S_IFDIR;
    let reg = |mode| mode | abi::S_IFREG;
    let root = node(dir(0o755), b"");
    let tree: [(&[u8], u32, &[u8]); 13] = [
        (b"etc", dir(0o755), b""),
        (b"etc/hostname", reg(0o644), b"axptr\n"),
        (
            b"etc/passwd",
            reg(0o644),
            b"root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n",
        ),
        (
            b"etc/localtime",
            abi::S_IFLNK | 0o777,
            b"/usr/share/zoneinfo/UTC",
        ),
        (b"usr", dir(0o755), b""),
        (b"usr/share", dir(0o755), b""),
        (b"usr/share/zoneinfo", dir(0o755), b""),
        (b"usr/share/zoneinfo/UTC", reg(0o644), b"TZif2"),
        (b"bin", dir(0o755), b""),
        (b"bin/sh", reg(0o755), b"\x7fELF"),
        (b"home", dir(0o755), b""),
        (b"home/user", dir(0o755), b""),
        (b"tmp", dir(0o1777), b""),
    ];
    for (path, mode, data) in tree {
        let mut parts = path.split(|&b| b == b'/').collect::<Vec<_>>();
        let Some(name) = parts.pop() else { continue };
        let mut dir = root.clone();
        for part in parts {
            let next = dir.borrow().entries.get(part).cloned();
            let Some(next) = next else { break };
            dir = next;
        }
        let child = node(mode, data);
        if child.borrow().is_dir() {
            dir.borrow_mut().nlink += 1;
        }
        dir.borrow_mut().entries.insert(name.to_vec(), child);
    }
    root
}
