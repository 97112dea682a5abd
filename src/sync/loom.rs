//! Shims so the same code runs on std and under loom (`RUSTFLAGS="--cfg loom"`).
