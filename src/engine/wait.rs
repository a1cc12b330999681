//! Waiting on remote state: exponential backoff between polls of a
//! condition, never a fixed sleep that ignores the state.

use std::time::Duration;

/// Backoff between polls: starts short, grows by half each time, capped.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
    max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            next: Duration::from_millis(200),
            max: Duration::from_secs(5),
        }
    }
}

impl Backoff {
    /// A backoff from `first` up to `max`.
    pub fn new(first: Duration, max: Duration) -> Self {
        Backoff { next: first, max }
    }

    /// The delay the next `wait` will use.
    pub fn peek(&self) -> Duration {
        self.next
    }

    /// Sleep for the current delay and grow it.
    pub async fn wait(&mut self) {
        tokio::time::sleep(self.next).await;
        self.next = (self.next * 3 / 2).min(self.max);
    }

    /// Start again from the shortest delay (after progress was seen).
    pub fn reset(&mut self) {
        self.next = Duration::from_millis(200).min(self.max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_to_the_cap() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_millis(300));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        let mut seen = Vec::new();
        rt.block_on(async {
            for _ in 0..5 {
                seen.push(b.peek());
                b.wait().await;
            }
        });
        assert_eq!(
            seen,
            [100, 150, 225, 300, 300]
                .map(Duration::from_millis)
                .to_vec()
        );
    }
}
