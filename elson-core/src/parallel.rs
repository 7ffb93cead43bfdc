//! Scoped worker threads for the long batch kernels.
//!
//! Why threads in a pure core: a rolling volatility over 10⁷ prices is
//! compute-bound at a few ns a price, and its work splits into independent
//! parts (see `volatility::close_to_close::batch_parts`), so a second core
//! halves it. The threads are scoped (they end before the call returns, no
//! pool, no global state but the cached core count), the count is bounded by
//! [`std::thread::available_parallelism`], and short series never spawn one.
//! The results are the same bits whatever the number of threads.

use std::sync::{Mutex, OnceLock};
use std::thread;

/// Upper bound on the threads of one call, whatever the machine: past a few
/// cores the kernels are bound by memory bandwidth.
const MAX_THREADS: usize = 8;

/// The threads a batch kernel may use: the available parallelism (cached:
/// reading it costs system calls), at most [`MAX_THREADS`], at least 1.
pub(crate) fn max_threads() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| {
        thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, MAX_THREADS)
    })
}

/// Runs `work` on every job, the first on the calling thread and each other
/// on a scoped thread of its own, and returns the results in the jobs'
/// order. A job whose thread cannot be started runs on the calling thread
/// afterwards; a panic in a job is resumed on the calling thread.
pub(crate) fn run_all<T: Send, R: Send>(jobs: Vec<T>, work: impl Fn(T) -> R + Sync) -> Vec<R> {
    // Each job in a slot that whichever thread runs it empties, so that a
    // job whose thread failed to start is still there to run inline.
    let slots: Vec<Mutex<Option<T>>> = jobs.into_iter().map(|j| Mutex::new(Some(j))).collect();
    let work = &work;
    let run = |slot: &Mutex<Option<T>>| slot.lock().ok().and_then(|mut j| j.take()).map(work);
    let Some((first, rest)) = slots.split_first() else { return Vec::new() };
    thread::scope(|scope| {
        let handles: Vec<_> = rest
            .iter()
            .map(|slot| thread::Builder::new().spawn_scoped(scope, move || run(slot)).ok())
            .collect();
        let mut results = Vec::with_capacity(slots.len());
        results.extend(run(first));
        for (slot, handle) in rest.iter().zip(handles) {
            let done = match handle.map(|h| h.join()) {
                Some(Ok(r)) => r,
                Some(Err(panic)) => std::panic::resume_unwind(panic),
                None => None,
            };
            results.extend(done.or_else(|| run(slot)));
        }
        results
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_the_jobs_order() {
        let out = run_all((0..5).collect(), |i: u64| (i, std::thread::current().id()));
        assert_eq!(out.iter().map(|r| r.0).collect::<Vec<_>>(), vec![0, 1, 2, 3, 4]);
        // The first job runs on the calling thread, the others on their own.
        assert_eq!(out[0].1, std::thread::current().id());
        assert!(out[1..].iter().all(|r| r.1 != out[0].1));
        assert!(run_all(Vec::<u8>::new(), |x| x).is_empty());
        assert!(max_threads() >= 1 && max_threads() <= MAX_THREADS);
    }
}
