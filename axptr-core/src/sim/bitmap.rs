//! One bit per page: present or not.
//!
//! Validation of already-present pages must cost a few word tests, not a
//! system call per page; so population state lives here, and the host's
//! page protection follows it.

use std::{vec, vec::Vec};

use core::ops::Range;

/// A fixed-size set of page indices.
pub(super) struct PageBitmap {
    words: Vec<u64>,
}

/// The mask of bits `lo..hi` of one word (`lo < hi <= 64`).
fn mask(lo: usize, hi: usize) -> u64 {
    let upper = if hi == 64 { u64::MAX } else { (1u64 << hi) - 1 };
    upper & !((1u64 << lo) - 1)
}

impl PageBitmap {
    pub(super) fn new(pages: usize) -> Self {
        Self {
            words: vec![0; pages.div_ceil(64)],
        }
    }

    pub(super) fn get(&self, page: usize) -> bool {
        self.words[page / 64] & (1 << (page % 64)) != 0
    }

    /// Calls `f(word_index, mask)` for the words covering `pages`.
    fn for_words(pages: Range<usize>, mut f: impl FnMut(usize, u64) -> bool) -> bool {
        let mut page = pages.start;
        while page < pages.end {
            let word = page / 64;
            let hi = (pages.end - word * 64).min(64);
            if !f(word, mask(page % 64, hi)) {
                return false;
            }
            page = (word + 1) * 64;
        }
        true
    }

    pub(super) fn set(&mut self, pages: Range<usize>) {
        Self::for_words(pages, |word, mask| {
            self.words[word] |= mask;
            true
        });
    }

    pub(super) fn clear(&mut self, pages: Range<usize>) {
        Self::for_words(pages, |word, mask| {
            self.words[word] &= !mask;
            true
        });
    }

    pub(super) fn all_set(&self, pages: Range<usize>) -> bool {
        Self::for_words(pages, |word, mask| self.words[word] & mask == mask)
    }

    /// The maximal runs of pages in `pages` whose bit equals `set`.
    pub(super) fn runs(&self, pages: Range<usize>, set: bool) -> Runs<'_> {
        Runs {
            bitmap: self,
            next: pages.start,
            end: pages.end,
            set,
        }
    }
}

/// Iterator of [`PageBitmap::runs`].
pub(super) struct Runs<'a> {
    bitmap: &'a PageBitmap,
    next: usize,
    end: usize,
    set: bool,
}

impl Iterator for Runs<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        while self.next < self.end && self.bitmap.get(self.next) != self.set {
            self.next += 1;
        }
        if self.next >= self.end {
            return None;
        }
        let start = self.next;
        while self.next < self.end && self.bitmap.get(self.next) == self.set {
            self.next += 1;
        }
        Some(start..self.next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_across_words() {
        let mut bits = PageBitmap::new(200);
        bits.set(60..130);
        assert!(bits.all_set(60..130));
        assert!(!bits.all_set(59..130));
        assert!(!bits.all_set(60..131));
        bits.clear(64..65);
        assert_eq!(
            bits.runs(0..200, true).collect::<Vec<_>>(),
            [60..64, 65..130]
        );
        assert_eq!(
            bits.runs(50..70, false).collect::<Vec<_>>(),
            [50..60, 64..65]
        );
        bits.set(0..200);
        assert!(bits.all_set(0..200));
        assert!(bits.all_set(5..5));
    }
}
