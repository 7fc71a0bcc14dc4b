//! How many bytes of file data the import may hold at once, across the reader and every worker.
//!
//! Why: each file (or archive entry) is decoded from memory, and before this budget the reader ran ahead by
//! the channel and the window, so a 32 MB zip of ten 258 MB entries peaked at 1.78 GB with 2 workers and 2.54 GB
//! with 4. Now every file's bytes are reserved before they are read — its size, plus what its gzip layer may
//! expand to — and released when its worker is done with it. Only the reader ever waits for room, and it waits
//! holding nothing it would need to give back, so the workers always drain and nothing deadlocks. A single file
//! larger than the whole budget is read when nothing else is held, alone.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

/// Shared budget of bytes in flight.
#[derive(Debug)]
pub(crate) struct Budget {
    cap: u64,
    state: Mutex<State>,
    cv: Condvar,
}

#[derive(Debug, Default)]
struct State {
    used: u64,
    peak: u64,
}

impl Budget {
    pub fn new(cap: u64) -> Arc<Self> {
        Arc::new(Self { cap, state: Mutex::new(State::default()), cv: Condvar::new() })
    }

    /// Reserve `bytes`, waiting while that would go over the cap — unless everything held is the caller's own
    /// (`own` bytes, e.g. the nested archive the reader is walking), in which case waiting could never end.
    /// `None` when the import was cancelled while waiting.
    pub fn acquire(self: &Arc<Self>, bytes: u64, own: u64, cancel: &AtomicBool) -> Option<Reservation> {
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while s.used.saturating_add(bytes) > self.cap && s.used > own {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            s = self.cv.wait(s).unwrap_or_else(PoisonError::into_inner);
        }
        s.used += bytes;
        s.peak = s.peak.max(s.used);
        Some(Reservation { budget: Arc::clone(self), bytes })
    }

    /// The most bytes ever held at once.
    pub fn peak(&self) -> u64 {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).peak
    }

    /// Wake waiters (after a cancel).
    pub fn wake(&self) {
        let _guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        self.cv.notify_all();
    }

    fn release(&self, bytes: u64) {
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        s.used = s.used.saturating_sub(bytes);
        self.cv.notify_all();
    }
}

/// Bytes held; given back when dropped.
#[derive(Debug)]
pub(crate) struct Reservation {
    budget: Arc<Budget>,
    bytes: u64,
}

impl Reservation {
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Hold `more` bytes too (same waiting rule as [`Budget::acquire`], with this reservation and `own` counted
    /// as the caller's). `false` when cancelled.
    pub fn grow(&mut self, more: u64, own: u64, cancel: &AtomicBool) -> bool {
        match self.budget.acquire(more, own + self.bytes, cancel) {
            Some(mut r) => {
                self.bytes += std::mem::take(&mut r.bytes);
                true
            }
            None => false,
        }
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if self.bytes > 0 {
            self.budget.release(self.bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn waits_for_room_and_lets_a_lone_large_item_through() {
        let b = Budget::new(100);
        let cancel = AtomicBool::new(false);
        let first = b.acquire(60, 0, &cancel).expect("room");
        let b2 = Arc::clone(&b);
        let waiter = std::thread::spawn(move || {
            let cancel = AtomicBool::new(false);
            b2.acquire(60, 0, &cancel).map(|r| r.bytes())
        });
        std::thread::sleep(Duration::from_millis(50));
        assert!(!waiter.is_finished(), "60 + 60 > 100: the second waits");
        drop(first);
        assert_eq!(waiter.join().expect("joined"), Some(60));
        // Larger than the cap, but nothing else held: goes alone.
        let big = b.acquire(250, 0, &cancel).expect("alone");
        assert_eq!(b.peak(), 250);
        drop(big);
        // The caller's own bytes do not block it.
        let mut own = b.acquire(90, 0, &cancel).expect("room");
        assert!(own.grow(50, 0, &cancel));
        assert_eq!(own.bytes(), 140);
    }

    #[test]
    fn a_cancel_ends_the_wait() {
        let b = Budget::new(10);
        let cancel = Arc::new(AtomicBool::new(false));
        let _held = b.acquire(10, 0, &cancel).expect("room");
        let (b2, c2) = (Arc::clone(&b), Arc::clone(&cancel));
        let waiter = std::thread::spawn(move || b2.acquire(5, 0, &c2).is_none());
        std::thread::sleep(Duration::from_millis(20));
        cancel.store(true, Ordering::Relaxed);
        b.wake();
        assert!(waiter.join().expect("joined"), "cancelled, not granted");
    }
}
