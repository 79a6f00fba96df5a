//! The integration tests: one binary, one module per area.

/// A fresh PostgreSQL database per test.
mod db;
/// The store against a real PostgreSQL.
mod store;
/// The question pool in PostgreSQL: sync, server questions, rotation pool.
mod store_questions;
