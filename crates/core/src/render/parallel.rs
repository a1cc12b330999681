//! Rendering on every core: the regions' stacks and the templates'
//! compilation are independent of one another, so they run on scoped
//! threads, and the results come back in input order (the first error in
//! input order wins, as in a plain loop).

use std::sync::atomic::{AtomicUsize, Ordering};

/// `items.iter().map(f).collect::<Result<Vec<_>, _>>()`, on up to
/// [`std::thread::available_parallelism`] threads (the calling one among
/// them), each taking the next item not yet taken, so that uneven items
/// (templates of different sizes) still share the cores evenly.
pub fn map_in_order<T, R, E>(
    items: &[T],
    f: impl Fn(&T) -> Result<R, E> + Sync,
) -> Result<Vec<R>, E>
where
    T: Sync,
    R: Send,
    E: Send,
{
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut mine = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return mine;
            };
            mine.push((i, f(item)));
        }
    };
    let mut done: Vec<(usize, Result<R, E>)> = std::thread::scope(|s| {
        let others: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
        let mut done = work();
        for h in others {
            done.extend(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        done
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::map_in_order;

    #[test]
    fn keeps_order_and_the_first_error() {
        let items: Vec<u32> = (0..37).collect();
        let doubled: Result<Vec<u32>, u32> = map_in_order(&items, |&x| Ok(x * 2));
        assert_eq!(
            doubled.unwrap(),
            items.iter().map(|x| x * 2).collect::<Vec<_>>()
        );
        let failed: Result<Vec<u32>, u32> =
            map_in_order(&items, |&x| if x % 10 == 3 { Err(x) } else { Ok(x) });
        assert_eq!(failed, Err(3));
        let none: Result<Vec<u32>, u32> = map_in_order(&[], |&x: &u32| Ok(x));
        assert_eq!(none, Ok(vec![]));
    }
}
