//! A reference model of axptr's validation rules.
//!
//! Deliberately naive, so that it is obviously right: the address space is a
//! plain map from page number to (flags, bytes), every rule is a direct
//! reading of the validation table (`axptr::guide::transfers`), ranges are walked page by page and
//! null-terminated data element by element, and all arithmetic on user
//! numbers is done in `u128`, where nothing a 64-bit register holds can
//! overflow. It shares no code with `axptr-core`'s `check.rs`.
//!
//! Used by the property tests (`tests/model.rs`) and the fuzz targets
//! (`fuzz/`), which compare every answer of the real implementation with
//! this one.

use std::{collections::BTreeMap, ops::Range};

use axptr::{LinuxError, MappingFlags};

/// The page size of the model (4 KiB).
pub const PAGE: usize = 4096;
/// The limit of the reference API's null-terminated data, terminator
/// included (Linux `PATH_MAX`).
pub const PATH_MAX: usize = 4096;
const PAGE_U: u128 = PAGE as u128;

/// How a request reaches user memory.
#[derive(Clone, Copy, Debug)]
pub struct Access {
    /// The permissions each byte must be mapped with.
    pub flags: MappingFlags,
    /// The reference API (lends memory in place): needs alignment and at
    /// most `isize::MAX` bytes. The copy API needs neither.
    pub reference: bool,
}

/// Size and alignment of the element type of a request.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    /// `size_of::<T>()`.
    pub size: usize,
    /// `align_of::<T>()`.
    pub align: usize,
}

/// The model's answer to a request.
#[derive(Debug)]
pub struct Verdict<T> {
    /// What the call must return.
    pub result: Result<T, LinuxError>,
    /// Bytes whose pages must be present afterwards (lazy pages populated);
    /// only meaningful on `Ok`.
    pub needed: Range<u128>,
    /// Bytes whose pages the call may populate: the pages it examined.
    pub reach: Range<u128>,
}

/// One mapped page: its permissions and contents.
#[derive(Clone, Debug)]
pub struct ModelPage {
    /// The permissions the page is mapped with.
    pub flags: MappingFlags,
    /// The page's bytes (zeroes for a page not yet populated).
    pub bytes: Vec<u8>,
}

/// A user address space: mapped pages by page number; everything absent
/// is unmapped.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// Page number (`address / PAGE`) to page.
    pub pages: BTreeMap<u128, ModelPage>,
    /// User space is `[0, user_end)` (`AddrSpace::user_range`): an empty
    /// range is fine at any address up to `user_end`, `EFAULT` beyond.
    pub user_end: u128,
}

impl Model {
    /// Whether every byte of `[start, start + len)` is mapped with `flags`.
    /// Stops at the first unmapped page, so a hostile length ends quickly.
    pub fn mapped(&self, start: u128, len: u128, flags: MappingFlags) -> bool {
        if len == 0 {
            return true;
        }
        let last = (start + len - 1) / PAGE_U;
        (start / PAGE_U..=last).all(|page| {
            self.pages
                .get(&page)
                .is_some_and(|p| p.flags.contains(flags))
        })
    }

    /// The byte at `addr` (which must be mapped).
    pub fn byte(&self, addr: u128) -> u8 {
        self.pages[&(addr / PAGE_U)].bytes[(addr % PAGE_U) as usize]
    }

    /// The bytes of `[addr, addr + len)` (which must be mapped).
    pub fn bytes(&self, addr: usize, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len);
        for (page, offsets) in Self::pieces(addr, len) {
            out.extend_from_slice(&self.pages[&page].bytes[offsets]);
        }
        out
    }

    /// Stores `data` at `addr` (which must be mapped).
    pub fn write(&mut self, addr: usize, data: &[u8]) {
        let mut data = data;
        for (page, offsets) in Self::pieces(addr, data.len()) {
            let (here, rest) = data.split_at(offsets.len());
            let page = self.pages.get_mut(&page).expect("mapped");
            page.bytes[offsets].copy_from_slice(here);
            data = rest;
        }
    }

    /// `[addr, addr + len)` cut at page boundaries: each page number with
    /// the range of offsets in it. (A page at a time rather than a byte at
    /// a time for speed alone: the fuzz targets and Miri run this a lot.)
    fn pieces(addr: usize, len: usize) -> impl Iterator<Item = (u128, Range<usize>)> {
        let end = addr as u128 + len as u128;
        let mut at = addr as u128;
        std::iter::from_fn(move || {
            if at >= end {
                return None;
            }
            let page = at / PAGE_U;
            let offset = (at % PAGE_U) as usize;
            let stop = end.min((page + 1) * PAGE_U);
            let piece = (page, offset..offset + (stop - at) as usize);
            at = stop;
            Some(piece)
        })
    }

    /// `count` elements of `layout` at `addr`: `read`, `write`,
    /// `read_slice`, `write_slice`, `get`, `get_as_slice`, `check_region`.
    pub fn region(&self, addr: usize, count: usize, layout: Layout, access: Access) -> Verdict<()> {
        let start = addr as u128;
        let len = count as u128 * layout.size as u128;
        let result = if len == 0 {
            // Nothing to touch: fine at any address inside user space, null
            // included (Linux's `access_ok`).
            if start <= self.user_end {
                Ok(())
            } else {
                Err(LinuxError::EFAULT)
            }
        } else if addr == 0
            || (access.reference && (addr % layout.align != 0 || len > isize::MAX as u128))
            || !self.mapped(start, len, access.flags)
        {
            Err(LinuxError::EFAULT)
        } else {
            Ok(())
        };
        // A region is validated whole before anything is populated.
        let touched = if result.is_ok() {
            start..start + len
        } else {
            start..start
        };
        Verdict {
            result,
            needed: touched.clone(),
            reach: touched,
        }
    }

    /// A transfer with progress of up to `len` bytes at `addr`
    /// (`read_slice_partial`, `write_slice_partial`, the cursors): the
    /// number of bytes moved, from `addr` up to the first byte not mapped
    /// with `flags`. A range outside user space (Linux's `access_ok`)
    /// moves nothing; `EFAULT` when nothing moved of a non-empty range.
    pub fn partial(&self, addr: usize, len: usize, flags: MappingFlags) -> Verdict<usize> {
        let start = addr as u128;
        let end = start + len as u128;
        let in_bounds = end <= self.user_end && end <= usize::MAX as u128;
        let mut moved = 0u128;
        if in_bounds {
            while start + moved < end && self.mapped(start + moved, 1, flags) {
                let page_end = ((start + moved) / PAGE_U + 1) * PAGE_U;
                moved = page_end.min(end) - start;
            }
        }
        let result = if !in_bounds || (moved == 0 && len != 0) {
            Err(LinuxError::EFAULT)
        } else {
            Ok(moved as usize)
        };
        // The pages moved through are validated (and populated); nothing
        // else is touched.
        Verdict {
            result,
            needed: start..start + moved,
            reach: start..start + moved,
        }
    }

    /// `check_zeroed_user(addr, len)`: whether the bytes are all zero,
    /// looking a page at a time and stopping at the first non-zero byte
    /// (nothing after it is examined). A range outside user space is
    /// `EFAULT`, as is an unreadable byte before the first non-zero one.
    pub fn zeroed(&self, addr: usize, len: usize) -> Verdict<bool> {
        let start = addr as u128;
        let end = start + len as u128;
        let verdict = |result, stop: u128| Verdict {
            result,
            needed: start..stop,
            reach: start..stop,
        };
        if end > self.user_end {
            return verdict(Err(LinuxError::EFAULT), start);
        }
        let mut at = start;
        while at < end {
            let page_end = end.min((at / PAGE_U + 1) * PAGE_U);
            if at == 0 || !self.mapped(at, page_end - at, MappingFlags::READ) {
                return verdict(Err(LinuxError::EFAULT), at);
            }
            if (at..page_end).any(|b| self.byte(b) != 0) {
                return verdict(Ok(false), page_end);
            }
            at = page_end;
        }
        verdict(Ok(true), end)
    }

    /// `copy_struct_from_user` of a kernel struct of `kernel_size` bytes
    /// from `user_size` bytes at `addr`: `Ok` when the kernel struct gets
    /// the first `min(kernel_size, user_size)` user bytes (and zeroes).
    pub fn extensible_in(&self, addr: usize, kernel_size: usize, user_size: usize) -> Verdict<()> {
        let start = addr as u128;
        let size = kernel_size.min(user_size);
        let fail = |err| Verdict {
            result: Err(err),
            needed: start..start,
            reach: start..start + user_size.max(size) as u128,
        };
        if user_size > PAGE {
            return fail(LinuxError::E2BIG);
        }
        if user_size > size {
            let tail = start + size as u128;
            if tail > usize::MAX as u128 {
                return fail(LinuxError::EFAULT);
            }
            match self.zeroed(tail as usize, user_size - size).result {
                Err(err) => return fail(err),
                Ok(false) => return fail(LinuxError::E2BIG),
                Ok(true) => {}
            }
        }
        let byte = Layout { size: 1, align: 1 };
        let read = Access {
            flags: MappingFlags::READ,
            reference: false,
        };
        match self.region(addr, size, byte, read).result {
            Err(err) => fail(err),
            Ok(()) => Verdict {
                result: Ok(()),
                needed: start..start + user_size as u128,
                reach: start..start + user_size.max(size) as u128,
            },
        }
    }

    /// `read_arg_strings(addr, stack)` with Linux's other limits: the
    /// strings of a null-terminated array of pointers at `addr`, each
    /// string and each pointer charged to `stack` (`E2BIG` when they do not
    /// fit, when the array has more than `max_strings` pointers, or a
    /// string more than `max_string` bytes with its NUL). Returns the
    /// strings and the budget left. Which pages it populates is not
    /// modelled.
    pub fn arg_strings(
        &self,
        addr: usize,
        mut stack: usize,
        max_strings: usize,
        max_string: usize,
    ) -> Result<(Vec<Vec<u8>>, usize), LinuxError> {
        if addr == 0 {
            return Ok((Vec::new(), stack));
        }
        let word = Layout {
            size: size_of::<usize>(),
            align: 1,
        };
        let byte = Layout { size: 1, align: 1 };
        let read = Access {
            flags: MappingFlags::READ,
            reference: false,
        };
        let most = max_strings.min(stack / word.size);
        let count = match self.null_terminated(addr, word, read, most + 1).result {
            Ok(n) => n,
            Err(LinuxError::ENAMETOOLONG) => return Err(LinuxError::E2BIG),
            Err(err) => return Err(err),
        };
        stack -= count * word.size;
        let mut strings = Vec::new();
        for i in 0..count {
            let at = addr + i * word.size;
            let ptr = usize::from_ne_bytes(self.bytes(at, word.size).try_into().expect("a word"));
            let limit = max_string.min(stack);
            let n = match self.null_terminated(ptr, byte, read, limit).result {
                Ok(n) => n,
                Err(LinuxError::ENAMETOOLONG) => return Err(LinuxError::E2BIG),
                Err(err) => return Err(err),
            };
            stack -= n + 1;
            strings.push(self.bytes(ptr, n));
        }
        Ok((strings, stack))
    }

    /// Null-terminated data at `addr`: the number of elements before the
    /// first all-zero one, looking at no more than `limit` elements
    /// (terminator included).
    pub fn null_terminated(
        &self,
        addr: usize,
        layout: Layout,
        access: Access,
        limit: usize,
    ) -> Verdict<usize> {
        let start = addr as u128;
        let size = layout.size as u128;
        let verdict = |result, examined: u128| {
            // The last element examined starts at `last`. A scan validates a
            // page at a time, so it may populate up to the end of that page
            // (or of the element, if it is longer), never past the limit.
            let end = match examined.checked_sub(1) {
                None => start,
                Some(index) => {
                    let last = start + index * size;
                    let page_end = (last / PAGE_U + 1) * PAGE_U;
                    page_end.max(last + size).min(start + limit as u128 * size)
                }
            };
            let needed = match result {
                Ok(n) => start..start + (n as u128 + 1) * size,
                Err(_) => start..start,
            };
            Verdict {
                result,
                needed,
                reach: start..end,
            }
        };
        if addr == 0 || (access.reference && addr % layout.align != 0) {
            return verdict(Err(LinuxError::EFAULT), 0);
        }
        for i in 0..limit {
            let at = start + i as u128 * size;
            if !self.mapped(at, size, access.flags) {
                return verdict(Err(LinuxError::EFAULT), i as u128 + 1);
            }
            if (0..size).all(|k| self.byte(at + k) == 0) {
                return verdict(Ok(i), i as u128 + 1);
            }
        }
        verdict(Err(LinuxError::ENAMETOOLONG), limit as u128)
    }
}
