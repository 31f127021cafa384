//! The tokio runtime the exported async calls run on: one per process, a current-thread
//! runtime driven by one thread of its own (`upbond-runtime`). Foreign threads poll the
//! calls; that thread drives their I/O and timers and runs the few tasks core spawns
//! (connections, a shared refresh). An auth client's load needs no more, and leaving out
//! tokio's multi-thread scheduler keeps about 50 KB out of the shipped library.
//!
//! A forked child (Python `multiprocessing` with the `fork` start method, gunicorn
//! `--preload`) inherits the parent's runtime without its worker threads, so nothing would
//! ever drive its I/O and timers again and the child's next call would hang. The first call in
//! a new process therefore starts a new runtime (the inherited one is leaked: shutting it down
//! would wait for threads that do not exist). Core rebuilds its connection pool the same way.
//!
//! Foreign code polls the futures on its own threads; [`run`] enters this process's runtime
//! around every poll (and the drop), so the I/O, timers and tasks of a call belong to it.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};

use tokio::runtime::{Builder, Handle, Runtime};

use crate::UpbondError;

/// The runtime of the process whose id is stored with it.
static RUNTIME: Mutex<Option<(u32, &'static Runtime)>> = Mutex::new(None);

/// This process's runtime, started on first use.
fn handle() -> Result<Handle, UpbondError> {
    let pid = std::process::id();
    // A plain pair that a panicking holder cannot leave half-written.
    let mut current = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner);
    match *current {
        Some((owner, runtime)) if owner == pid => Ok(runtime.handle().clone()),
        _ => {
            let failed = |e: std::io::Error| {
                upbond_core::Error::Config(format!("cannot start the async runtime: {e}"))
            };
            let runtime = Builder::new_current_thread()
                .thread_name("upbond-blocking")
                .enable_all()
                .build()
                .map_err(failed)?;
            // Lives for the rest of the process; an inherited one is leaked on purpose.
            let runtime: &'static Runtime = Box::leak(Box::new(runtime));
            std::thread::Builder::new()
                .name("upbond-runtime".into())
                .spawn(move || runtime.block_on(std::future::pending::<()>()))
                .map_err(failed)?;
            *current = Some((pid, runtime));
            Ok(runtime.handle().clone())
        }
    }
}

/// A boxed call: one [`Entered`] per result type, not one per exported function.
type Call<'a, T> = Pin<Box<dyn Future<Output = Result<T, UpbondError>> + Send + 'a>>;

/// Runs `call` on this process's runtime.
pub(crate) async fn run<'a, T>(
    call: impl Future<Output = Result<T, UpbondError>> + Send + 'a,
) -> Result<T, UpbondError> {
    let handle = handle()?;
    Entered {
        handle,
        future: Some(Box::pin(call) as Call<'a, T>),
    }
    .await
}

/// A future polled (and dropped) with a runtime entered.
struct Entered<'a, T> {
    handle: Handle,
    future: Option<Call<'a, T>>,
}

impl<T> Future for Entered<'_, T> {
    type Output = Result<T, UpbondError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let _entered = this.handle.enter();
        match this.future.as_mut() {
            Some(future) => {
                let output = future.as_mut().poll(cx);
                if output.is_ready() {
                    this.future = None;
                }
                output
            }
            // Polled again after completion: a bug of the caller, answered by waiting forever.
            None => Poll::Pending,
        }
    }
}

impl<T> Drop for Entered<'_, T> {
    fn drop(&mut self) {
        // A cancelled call drops its timers and connections inside the runtime they use.
        let _entered = self.handle.enter();
        self.future = None;
    }
}
