//! Live reconfiguration: [`CorsBuilder::build_reloadable`] and the
//! [`CorsHandle`] that swaps the policy of a running layer.

use std::fmt;
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::cell::PolicyCell;
use crate::config::{CorsBuilder, CorsConfig};
use crate::diagnostics::Runtime;
use crate::error::ConfigError;
use crate::layer::CorsLayer;
use crate::protocol::Policy;

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
    /// The layer's runtime state, which a reload keeps.
    runtime: Arc<Runtime>,
}

impl CorsHandle {
    /// A reloadable layer and the handle that reloads it.
    pub(crate) fn new_pair(policy: Policy) -> (CorsLayer, CorsHandle) {
        let cell = Arc::new(ArcSwap::from_pointee(policy));
        let runtime = Arc::new(Runtime::new());
        let layer = CorsLayer::from_cell(PolicyCell::Reloadable(cell.clone()), runtime.clone());
        (layer, CorsHandle { cell, runtime })
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

    /// The configuration the layer runs now, as data: the same as
    /// [`CorsLayer::config`] on the layer, and after a successful
    /// [`reconfigure`](Self::reconfigure) the new one.
    ///
    /// ```
    /// use strict_cors::CorsLayer;
    ///
    /// let (_cors, handle) = CorsLayer::builder()
    ///     .allow_origins(["https://old.example.com"])
    ///     .build_reloadable()?;
    /// handle.reconfigure(CorsLayer::builder().allow_origins(["https://new.example.com"]))?;
    /// assert_eq!(handle.config().allowed_origins, ["https://new.example.com"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn config(&self) -> CorsConfig {
        CorsConfig::from_policy(&self.cell.load())
    }
}

impl fmt::Debug for CorsHandle {
    /// Shows the current policy, as the layer's `Debug` does (short, and
    /// cheap for any allowlist).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CorsHandle")
            .field(&CorsLayer::from_cell(
                PolicyCell::Reloadable(self.cell.clone()),
                self.runtime.clone(),
            ))
            .finish()
    }
}

impl CorsBuilder {
    /// Like [`build`](Self::build), and also returns a [`CorsHandle`] that
    /// swaps the layer's policy while it runs (for every clone of the layer
    /// and every service made from it), refusing invalid configurations.
    ///
    /// The request path is that of a layer from `build()`, plus a lock-free
    /// load of the current policy: no lock, and no allocation per request
    /// (the underlying `ArcSwap` registers each thread once, on its first
    /// request).
    ///
    /// # Errors
    ///
    /// As for [`build`](Self::build).
    pub fn build_reloadable(self) -> Result<(CorsLayer, CorsHandle), ConfigError> {
        Ok(CorsHandle::new_pair(self.compile()?))
    }
}
