//! [`SimSpace`]: a simulated user address space at real host addresses.

use std::{sync::Arc, vec, vec::Vec};

use core::fmt;

use axerrno::{LinuxError, LinuxResult};
use memory_addr::{VirtAddr, VirtAddrRange};
use page_table_multiarch::MappingFlags;

use super::{
    FaultStats, SimProvider,
    areas::SimAreas,
    fault,
    lock::{SpinGuard, SpinLock},
    registry,
    stats::FaultCounters,
};
use crate::{AddrSpace, inject::FaultInjector};

/// What a space shares with the fault handler.
pub(super) struct Shared {
    pub(super) lock: SpinLock<SimAreas>,
    pub(super) counters: Arc<FaultCounters>,
    base: usize,
    end: usize,
    faults: FaultInjector,
}

impl Shared {
    /// Whether `addr` lies in the space's reserved range.
    pub(super) fn contains(&self, addr: usize) -> bool {
        (self.base..self.end).contains(&addr)
    }
}

/// Keeps the space registered with the fault handler while a handle lives.
struct Registration {
    shared: Arc<Shared>,
    slot: usize,
}

impl Drop for Registration {
    fn drop(&mut self) {
        registry::unregister(self.slot);
    }
}

/// A simulated user address space: one reserved range of host memory whose
/// pages fault like a user process's would.
///
/// - **Areas** are mapped with [`MappingFlags`] (`READ`, `WRITE`,
///   `EXECUTE`), enforced by the host MMU through `mprotect`. As on Linux
///   (x86_64, arm64 and riscv64 page tables cannot express write-only), a
///   writable area is readable too, by validation as by the MMU.
/// - **User space** ([`user_range`](AddrSpace::user_range)) is that of a
///   Linux x86_64 process, `0..0x7fff_ffff_f000`: a zero-length range is
///   valid anywhere below, `EFAULT` above, like Linux's `access_ok`. All edits take page-aligned addresses inside
///   [`base`](Self::base)..[`end`](Self::end) (`EINVAL` otherwise).
/// - **Pages** are present (accessible with their area's permissions) or
///   not (`PROT_NONE`). [`map_lazy`](Self::map_lazy) maps without
///   populating; [`evict`](Self::evict) makes pages non-present again, like
///   reclaim, keeping their contents.
/// - **Population** happens in [`populate_area`](AddrSpace::populate_area)
///   (validation), or — in [demand-paging mode](Self::set_demand_paging) or
///   after an eviction — in the process-wide fault handler, which plays the
///   kernel's: it populates only while
///   [`is_accessing_user_memory`](crate::is_accessing_user_memory) is true,
///   sends unresolvable faults of the copy routine to its fixup (`EFAULT`),
///   and aborts with a kernel-oops report otherwise. [`stats`](Self::stats)
///   tells which path each fault took.
///
/// A `SimSpace` is a cheap handle (`Clone`, `Send`, `Sync`): clones share
/// one space, as threads share a process's address space. The memory is
/// released when the last handle is dropped.
///
/// Kernel code under test reaches it through [`provider`](Self::provider),
/// which holds the space's lock only inside `with_addr_space`, as a kernel
/// does; the space is also an [`AddrSpace`] itself (each method takes the
/// lock), so `&mut space` works as a provider too.
///
/// ```
/// use axptr_core::{LinuxError, MappingFlags, UserConstPtr, UserPtr, sim::SimSpace};
///
/// # if cfg!(miri) { return Ok(()); } // host system calls and signals
/// let space = SimSpace::new(16 * 4096)?;
/// let page = space.base();
/// space.map(page, 4096, MappingFlags::READ | MappingFlags::WRITE)?;
/// space.map(page + 4096, 4096, MappingFlags::READ)?;
///
/// let mut user = space.provider();
/// UserPtr::<u64>::from(page).write(&mut user, 42)?;
/// assert_eq!(space.peek(page, 8)?, 42u64.to_ne_bytes());
/// // A write to the read-only page is EFAULT, not a crash.
/// let ro = UserPtr::<u64>::from(page + 4096);
/// assert_eq!(ro.write(&mut user, 1), Err(LinuxError::EFAULT));
/// // So is an unmapped page.
/// space.unmap(page, 4096)?;
/// assert_eq!(UserConstPtr::<u64>::from(page).read(&mut user), Err(LinuxError::EFAULT));
/// # Ok::<(), LinuxError>(())
/// ```
#[derive(Clone)]
pub struct SimSpace {
    registration: Arc<Registration>,
}

impl SimSpace {
    /// Reserves a space of `size` bytes (a non-zero multiple of the page
    /// size), all unmapped, and installs the fault handler if this is the
    /// first space of the process. The host chooses the base address.
    ///
    /// # Errors
    ///
    /// `EINVAL` for a bad size or if the fault handler cannot be installed;
    /// the host's error if the memory cannot be reserved; `ENOMEM` if too
    /// many spaces (256) exist at once.
    pub fn new(size: usize) -> LinuxResult<Self> {
        Self::reserve(size, None)
    }

    /// Reserves a space as [`new`](Self::new) does, at the base address
    /// `base`: the user addresses of a test are then the same in every run
    /// (strace logs, expected transcripts). Nothing already mapped in the
    /// host process is ever replaced: a taken range is an error, and the
    /// caller picks another base or falls back to [`new`](Self::new).
    ///
    /// ```
    /// use axptr_core::{LinuxError, sim::SimSpace};
    ///
    /// # if cfg!(miri) { return Ok(()); } // host system calls and signals
    /// let space = SimSpace::new_at(0x5a00_0000, 16 * 4096)?;
    /// assert_eq!(space.base(), 0x5a00_0000);
    /// // The range is taken while the space lives.
    /// assert_eq!(SimSpace::new_at(0x5a00_0000, 4096).err(), Some(LinuxError::EEXIST));
    /// # Ok::<(), LinuxError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new), and `EINVAL` for a null or unaligned `base`
    /// or a range that overflows; `EEXIST` if any page of the range is
    /// already mapped in the host process (another space, the program, its
    /// heap or libraries).
    pub fn new_at(base: usize, size: usize) -> LinuxResult<Self> {
        if base.checked_add(size).is_none() {
            return Err(LinuxError::EINVAL);
        }
        Self::reserve(size, Some(base))
    }

    fn reserve(size: usize, at: Option<usize>) -> LinuxResult<Self> {
        if !fault::install() {
            return Err(LinuxError::EINVAL);
        }
        let counters = Arc::new(FaultCounters::default());
        let areas = SimAreas::new(size, at, counters.clone())?;
        let shared = Arc::new(Shared {
            base: areas.base(),
            end: areas.end(),
            faults: FaultInjector::new(areas.base(), areas.end()),
            lock: SpinLock::new(areas),
            counters,
        });
        let slot = registry::register(shared.clone())?;
        Ok(Self {
            registration: Arc::new(Registration { shared, slot }),
        })
    }

    fn shared(&self) -> &Shared {
        &self.registration.shared
    }

    fn lock(&self) -> SpinGuard<'_, SimAreas> {
        self.shared().lock.lock()
    }

    /// The first address of the space (page-aligned, never null).
    #[must_use]
    pub fn base(&self) -> usize {
        self.shared().base
    }

    /// One past the last address of the space.
    #[must_use]
    pub fn end(&self) -> usize {
        self.shared().end
    }

    /// The space's fault injection: make the *n*-th access to its memory
    /// fail, as if another thread had unmapped it (see
    /// [`inject`](crate::inject)). Shared by all handles of the space.
    #[must_use]
    pub fn faults(&self) -> &FaultInjector {
        &self.shared().faults
    }

    /// A provider for kernel code under test: takes the space's lock for
    /// the duration of each `with_addr_space`, as a kernel's would.
    #[must_use]
    pub fn provider(&self) -> SimProvider<'_> {
        SimProvider::new(&self.shared().lock)
    }

    /// Maps `[addr, addr + size)` with `flags`, present at once, zero-filled
    /// (replacing what was mapped there).
    ///
    /// # Errors
    ///
    /// `EINVAL` for an unaligned or out-of-space range; `ENOMEM` if the
    /// host refuses.
    pub fn map(&self, addr: usize, size: usize, flags: MappingFlags) -> LinuxResult<()> {
        let mut areas = self.lock();
        let end = areas.edit_range(addr, size)?;
        areas.map(addr, end, flags, true)
    }

    /// Maps `[addr, addr + size)` with `flags`, zero-filled, populated only
    /// on demand (by validation or by the fault handler).
    ///
    /// # Errors
    ///
    /// As [`map`](Self::map).
    pub fn map_lazy(&self, addr: usize, size: usize, flags: MappingFlags) -> LinuxResult<()> {
        let mut areas = self.lock();
        let end = areas.edit_range(addr, size)?;
        areas.map(addr, end, flags, false)
    }

    /// Unmaps `[addr, addr + size)` (holes in it are fine): its pages stop
    /// being accessible at once and lose their contents.
    ///
    /// # Errors
    ///
    /// As [`map`](Self::map).
    pub fn unmap(&self, addr: usize, size: usize) -> LinuxResult<()> {
        let mut areas = self.lock();
        let end = areas.edit_range(addr, size)?;
        areas.unmap(addr, end)
    }

    /// Changes the flags of the mapped parts of `[addr, addr + size)`;
    /// present pages get the new permissions at once.
    ///
    /// # Errors
    ///
    /// As [`map`](Self::map).
    pub fn protect(&self, addr: usize, size: usize, flags: MappingFlags) -> LinuxResult<()> {
        let mut areas = self.lock();
        let end = areas.edit_range(addr, size)?;
        areas.protect(addr, end, flags)
    }

    /// Makes the present pages of `[addr, addr + size)` non-present again,
    /// keeping their contents, as reclaim would: the next touch faults.
    /// Use it after validation to exercise the fault handler.
    ///
    /// # Errors
    ///
    /// As [`map`](Self::map).
    pub fn evict(&self, addr: usize, size: usize) -> LinuxResult<()> {
        let mut areas = self.lock();
        let end = areas.edit_range(addr, size)?;
        areas.evict(addr, end)
    }

    /// In demand-paging mode, [`populate_area`](AddrSpace::populate_area)
    /// only checks the range, and the fault handler makes pages present on
    /// first touch (as a kernel that does not pre-fault would). Off by
    /// default.
    ///
    /// The copy API and the null-terminated scans fault pages in with the
    /// flag set. References lent by the reference API point to pages that
    /// are not present yet: a plain access through them (without the flag)
    /// is an oops, which is how a handler that relies on lent references
    /// where it should copy shows up. The scoped `with` family touches them
    /// inside the access window, where the fault is expected and resolved.
    pub fn set_demand_paging(&self, on: bool) {
        self.lock().set_demand_paging(on);
    }

    /// Writes `bytes` at `addr` regardless of permissions and presence
    /// (test set-up; pages stay as present as they were). Racing with an
    /// access of the same bytes is as racy as a user thread writing them.
    ///
    /// # Errors
    ///
    /// `EFAULT` unless the range lies in mapped areas.
    pub fn poke(&self, addr: usize, bytes: &[u8]) -> LinuxResult<()> {
        let areas = self.lock();
        let offset = areas.mapped_offset(addr, bytes.len())?;
        areas.memory().write_alias(offset, bytes);
        Ok(())
    }

    /// Reads `len` bytes at `addr` regardless of permissions and presence
    /// (test inspection).
    ///
    /// # Errors
    ///
    /// `EFAULT` unless the range lies in mapped areas.
    pub fn peek(&self, addr: usize, len: usize) -> LinuxResult<Vec<u8>> {
        let areas = self.lock();
        let offset = areas.mapped_offset(addr, len)?;
        let mut out = vec![0; len];
        areas.memory().read_alias(offset, &mut out);
        Ok(out)
    }

    /// Whether the page containing `addr` is present.
    #[must_use]
    pub fn is_present(&self, addr: usize) -> bool {
        self.lock().is_present(addr)
    }

    /// How the faults on this space were handled so far.
    #[must_use]
    pub fn stats(&self) -> FaultStats {
        self.shared().counters.snapshot()
    }
}

impl fmt::Debug for SimSpace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimSpace")
            .field("base", &format_args!("{:#x}", self.base()))
            .field("end", &format_args!("{:#x}", self.end()))
            .finish_non_exhaustive()
    }
}

/// Each method takes the space's lock for its own duration.
// SAFETY: every answer is that of the locked `SimAreas`, which keeps the
// promises of the trait.
unsafe impl AddrSpace for SimSpace {
    fn check_region_access(&self, range: VirtAddrRange, flags: MappingFlags) -> bool {
        self.lock().check_region_access(range, flags)
    }

    fn populate_area(
        &mut self,
        start: VirtAddr,
        size: usize,
        flags: MappingFlags,
    ) -> LinuxResult<()> {
        self.lock().populate_area(start, size, flags)
    }

    fn user_range(&self) -> VirtAddrRange {
        super::USER_SPACE
    }
}
