//! Live reconfiguration: the compiled policy sits in an atomically swappable
//! cell shared by a layer, every service it made, and a [`CorsHandle`].

use std::fmt;
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::builder::CorsBuilder;
use crate::error::ConfigError;
use crate::layer::CorsLayer;
use crate::policy::Policy;

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

/// Swaps the policy of a running layer: made by
/// [`CorsBuilder::build_reloadable`].
///
/// A new configuration goes through exactly the validation of
/// [`CorsBuilder::build`]; when it fails, the running policy stays. When it
/// succeeds it replaces the policy atomically for the layer, every clone of
/// it and every service it made: each request is answered by the old policy
/// or the new one, never a mix. Requests in flight finish with the policy
/// they started with.
///
/// Cloning a handle is a reference-count bump; all clones control the same
/// layer.
///
/// ```
/// use strict_cors::CorsLayer;
///
/// let (cors, handle) = CorsLayer::builder()
///     .allow_origins(["https://old.example.com"])
///     .build_reloadable()?;
///
/// handle.reconfigure(CorsLayer::builder().allow_origins(["https://new.example.com"]))?;
///
/// // A wrong configuration is refused and the running one stays.
/// assert!(handle.reconfigure(CorsLayer::builder().allow_origins(["https://new.example.com/"])).is_err());
///
/// let (parts, ()) = http::Request::get("/")
///     .header("origin", "https://new.example.com")
///     .body(())?
///     .into_parts();
/// assert!(cors.evaluate(&parts).is_allowed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct CorsHandle {
    cell: Arc<ArcSwap<Policy>>,
}

impl CorsHandle {
    /// A reloadable layer and the handle that reloads it.
    pub(crate) fn new_pair(policy: Policy) -> (CorsLayer, CorsHandle) {
        let cell = Arc::new(ArcSwap::from_pointee(policy));
        let layer = CorsLayer::from_cell(PolicyCell::Reloadable(cell.clone()));
        (layer, CorsHandle { cell })
    }

    /// Validates `builder` like [`CorsBuilder::build`] and, when it is valid,
    /// makes it the policy of the layer from now on.
    ///
    /// # Errors
    ///
    /// The [`ConfigError`] that `build()` would return; the running policy
    /// is then left as it was.
    pub fn reconfigure(&self, builder: CorsBuilder) -> Result<(), ConfigError> {
        let policy = builder.compile()?;
        self.cell.store(Arc::new(policy));
        Ok(())
    }
}

impl fmt::Debug for CorsHandle {
    /// Shows the current policy, as the layer's `Debug` does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CorsHandle")
            .field(&CorsLayer::from_cell(PolicyCell::Reloadable(
                self.cell.clone(),
            )))
            .finish()
    }
}
