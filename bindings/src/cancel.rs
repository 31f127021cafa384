//! [`CancelToken`]: cancels a long call (device polling) from any thread of the foreign side.

use std::sync::Arc;

use tokio::sync::watch;

/// A cancellation signal for long calls. Cancelling is permanent and wakes every call that
/// waits on this token. (Async callers may also simply cancel their coroutine or task.)
#[derive(uniffi::Object)]
pub struct CancelToken {
    sender: watch::Sender<bool>,
}

#[uniffi::export]
impl CancelToken {
    /// A token that is not cancelled yet.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(CancelToken {
            sender: watch::Sender::new(false),
        })
    }

    /// Cancels every call waiting on this token, now and later.
    pub fn cancel(&self) {
        self.sender.send_replace(true);
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        *self.sender.borrow()
    }
}

impl CancelToken {
    /// Completes once the token is cancelled.
    pub(crate) async fn cancelled(&self) {
        let mut receiver = self.sender.subscribe();
        // The sender lives in `self`, so `wait_for` only ends when the value turns true.
        let _ = receiver.wait_for(|cancelled| *cancelled).await;
    }
}
