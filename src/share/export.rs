//! Exports of a run (filled in once the trace types land).
