//! A `tracing` subscriber that keeps every event it sees: its level, and its
//! fields as text (by name, and in the order they were recorded).
//!
//! Included with `#[path]` by the binaries that read the layer's events, so
//! that it does not pull the Fetch model or the harness into them.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// One event.
#[derive(Debug, Clone)]
pub struct Captured {
    /// Not every includer looks at the level.
    #[allow(dead_code)]
    pub level: Level,
    /// Every field by name (the last one wins if a name repeats).
    pub fields: BTreeMap<String, String>,
    /// Every field in the order recorded, repeats kept (the logs' whole text).
    #[allow(dead_code)]
    pub in_order: Vec<(String, String)>,
}

impl Captured {
    /// The text of field `name`, or `""` when the event has none.
    #[allow(dead_code)]
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

/// The subscriber; its clones share the events.
#[derive(Clone, Default)]
pub struct Capture {
    events: Arc<Mutex<Vec<Captured>>>,
    /// Keep only events of target `strict_cors` (the layer's own).
    strict_cors_only: bool,
}

impl Capture {
    /// Keeps only the layer's events (target `strict_cors`), not those of
    /// hyper or tokio.
    #[allow(dead_code)]
    pub fn strict_cors_only() -> Self {
        Self {
            strict_cors_only: true,
            ..Self::default()
        }
    }

    /// The events so far.
    pub fn events(&self) -> Vec<Captured> {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

impl Subscriber for Capture {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        !self.strict_cors_only || metadata.target() == "strict_cors"
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        // `enabled` is a hint a dispatcher may skip: check again.
        if !self.enabled(event.metadata()) {
            return;
        }
        let mut in_order = Vec::new();
        event.record(&mut Fields(&mut in_order));
        let fields = in_order.iter().cloned().collect();
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Captured {
                level: *event.metadata().level(),
                fields,
                in_order,
            });
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// Runs `f` with a capture of every event as the thread's subscriber;
/// returns the events.
#[allow(dead_code)]
pub fn capture(f: impl FnOnce()) -> Vec<Captured> {
    let c = Capture::default();
    tracing::subscriber::with_default(c.clone(), f);
    c.events()
}
