//! Not kernel code: the user side's bump allocator, shared by the demo and
//! the Linux example.

use axptr::{LinuxError, LinuxResult};

/// A bump allocator over a region of user memory: `[next, end)` is free.
pub struct Region {
    pub next: usize,
    pub end: usize,
}

impl Region {
    pub fn alloc(&mut self, len: usize, align: usize) -> LinuxResult<usize> {
        let start = self.next.next_multiple_of(align);
        let end = start.checked_add(len).ok_or(LinuxError::ENOMEM)?;
        if end > self.end {
            return Err(LinuxError::ENOMEM);
        }
        self.next = end;
        Ok(start)
    }
}
