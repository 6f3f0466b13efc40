//! Where a layer and its services find the current policy: a plain `Arc`,
//! or an atomically swappable cell shared with a [`CorsHandle`](crate::CorsHandle).

use std::fmt;
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::protocol::Policy;

/// Where a layer and its services find the current policy.
///
/// A layer from `build()` holds its policy in a plain `Arc`: loading it is a
/// reference-count bump. A layer from `build_reloadable()` holds it in an
/// `ArcSwap`: loading is a lock-free read plus the same bump. Neither takes a
/// lock or allocates per request (`ArcSwap` registers each thread once, on
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

    /// The current policy. A request holds on to the `Arc` it loaded for
    /// its whole life, so it is judged and answered by one policy, even when
    /// a reconfiguration lands in between.
    #[inline]
    pub(crate) fn load(&self) -> Arc<Policy> {
        match self {
            PolicyCell::Static(policy) => policy.clone(),
            PolicyCell::Reloadable(cell) => cell.load_full(),
        }
    }
}

impl fmt::Debug for PolicyCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PolicyCell").field(&*self.load()).finish()
    }
}
