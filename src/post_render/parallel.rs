//! Work on a slice split across threads, one slice per core, when there is enough of it: threads cost more
//! than they save on small streams. Results come back in slice order, so the first error in stream order wins.

/// `work` on consecutive slices of `items`, in parallel when there are at least `per_thread` items per thread;
/// one result per slice, in order.
pub fn slices<T: Send, R: Send>(
    items: &mut [T],
    per_thread: usize,
    work: impl Fn(&mut [T]) -> R + Sync,
) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = (items.len() / per_thread).clamp(1, cores);
    if threads == 1 {
        return vec![work(items)];
    }
    let size = items.len().div_ceil(threads);
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks_mut(size)
            .map(|slice| scope.spawn(move || work(slice)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a worker thread does not panic"))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_is_worked_on_once_and_results_keep_their_order() {
        for len in [0, 1, 5, 100] {
            let mut items: Vec<usize> = (0..len).collect();
            let results = slices(&mut items, 4, |s| {
                s.iter_mut().for_each(|x| *x *= 2);
                s.to_vec()
            });
            assert_eq!(
                results.concat(),
                (0..len).map(|x| x * 2).collect::<Vec<_>>()
            );
            assert_eq!(items, (0..len).map(|x| x * 2).collect::<Vec<_>>());
        }
    }
}
