//! Where a layer and its services find the current policy: a plain `Arc`,
//! or an atomically swappable cell shared with a [`CorsHandle`](crate::CorsHandle).

use std::fmt;
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::protocol::Policy;

/// Where a layer and its services find the current policy.
///
/// A layer from `build()` holds its policy in a plain `Arc`: reading it is
/// free. A layer from `build_reloadable()` holds it in an `ArcSwap`: reading
/// is a lock-free load. Neither takes a lock or allocates per request (`ArcSwap` registers each thread once, on
/// that thread's first load: one allocation per thread, never per request).
#[derive(Clone)]
pub(crate) enum PolicyCell {
    Static(Arc<Policy>),
    Reloadable(Arc<ArcSwap<Policy>>),
}

impl PolicyCell {
    pub(crate) fn new(policy: Policy) -> Self {
        PolicyCell::Static(Arc::new(policy))
    }

    /// The current policy, kept (for `Debug` and inspection).
    #[inline]
    pub(crate) fn load(&self) -> Arc<Policy> {
        match self {
            PolicyCell::Static(policy) => policy.clone(),
            PolicyCell::Reloadable(cell) => cell.load_full(),
        }
    }

    /// Runs `f` on the current policy, without a reference-count bump for
    /// a static policy (a lock-free guard for a reloadable one). A request
    /// is judged by one policy, and its decision is the whole answer: a
    /// reconfiguration landing while the request is in flight changes
    /// nothing about it.
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&Policy) -> R) -> R {
        match self {
            PolicyCell::Static(policy) => f(policy),
            PolicyCell::Reloadable(cell) => f(&cell.load()),
        }
    }
}

impl fmt::Debug for PolicyCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PolicyCell").field(&*self.load()).finish()
    }
}
