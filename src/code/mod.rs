//! Rust in: a small tokio program read into a scenario ([`crate::scenario::Scenario`]).
//!
//! [`lex`] turns the text into tokens (columns in UTF-16 units, as an editor counts),
//! [`parse`] builds a syntax tree ([`ast`]) of the Rust a small program uses, and
//! [`lower`] reads the tree as a scenario: the mutexes, the spawned tasks and their steps,
//! with the line of each step so the code view can mark where each task is. Everything
//! outside the supported subset is a [`CodeError`] at its place that names the construct;
//! nothing panics, and the work is bounded by the text's size ([`MAX_PROGRAM_BYTES`]) and
//! nesting ([`parse::MAX_DEPTH`]).
//!
//! Rust out is [`scenario::code`](crate::scenario::code); a scenario written out and read
//! back is the same scenario.

pub mod ast;
pub mod highlight;
pub mod lex;
pub mod lower;
pub mod parse;

use crate::scenario::{code::RustProgram, Scenario};
use lex::Pos;
use std::fmt;

/// Reads a program as a scenario, validated, with the program itself (its text and each
/// step's line) for the code view.
///
/// # Errors
///
/// The first problem, at its place: a token Rust has no place for, a construct outside
/// the subset (named), or a scenario that does not validate (at the line of the step
/// validation refuses).
///
/// # Examples
///
/// ```
/// use mutex_playground::code::read;
///
/// let src = r#"
/// use std::sync::Arc;
/// use tokio::sync::Mutex;
///
/// #[tokio::main]
/// async fn main() {
///     let count = Arc::new(Mutex::new(0));
///     let mut handles = Vec::new();
///     for _ in 0..3 {
///         let count = count.clone();
///         handles.push(tokio::spawn(async move {
///             *count.lock().await += 1;
///         }));
///     }
///     for h in handles {
///         h.await.unwrap();
///     }
///     assert_eq!(*count.lock().await, 3);
/// }
/// "#;
/// let (scenario, program) = read(src).unwrap();
/// assert_eq!(scenario.tasks.len(), 4); // main, which joins and asserts, and three tasks
/// assert_eq!(program.line_of("tasks[1].steps[0]"), Some(12));
///
/// let err = read(&src.replace("handles.push(", "tokio::join!{}; handles.push(")).unwrap_err();
/// assert_eq!(err.to_string(), "line 11:9: `tokio::join!` is not supported");
/// ```
pub fn read(src: &str) -> Result<(Scenario, RustProgram), CodeError> {
    if src.len() > MAX_PROGRAM_BYTES {
        // Where the limit falls, so the error has a place like any other.
        let mut cut = MAX_PROGRAM_BYTES;
        while !src.is_char_boundary(cut) {
            cut -= 1;
        }
        let head = &src[..cut];
        let line = head.matches('\n').count() as u32 + 1;
        let col = head.rsplit('\n').next().map_or(0, |l| l.encode_utf16().count()) as u32 + 1;
        return Err(CodeError {
            line,
            col,
            offset: cut,
            message: format!(
                "the program is {} bytes; the limit is {MAX_PROGRAM_BYTES} ({} KiB): it ends here",
                src.len(),
                MAX_PROGRAM_BYTES / 1024
            ),
        });
    }
    let lexed = lex::lex(src)?;
    let file = parse::parse(&lexed)?;
    let lowered = lower::lower(&file, &lexed)?;
    if let Err(e) = lowered.scenario.validate() {
        let line =
            lowered.lines.iter().filter(|(p, _)| e.path.starts_with(p.as_str())).map(|(p, l)| (p.len(), *l)).max();
        let line = line.map_or(1, |(_, l)| l);
        return Err(CodeError { line, col: 1, offset: 0, message: e.message });
    }
    // What the text itself needs to build: tokio, and serde_json if it uses it.
    let mut dependencies = format!("[dependencies]\n{}\n", crate::scenario::code::TOKIO);
    if src.contains("serde_json") || src.contains("json!") {
        dependencies.push_str("serde_json = \"1\"\n");
    }
    let program = RustProgram::from_parts(src.to_string(), dependencies, lowered.lines);
    Ok((lowered.scenario, program))
}

/// The largest program read, in bytes (a 300-line program is about 10 KiB; at this size
/// reading still fits the 10 ms the page allows itself: see BENCHMARKS.md).
pub const MAX_PROGRAM_BYTES: usize = 64 * 1024;

/// Why a program could not be read: where, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeError {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1, in UTF-16 code units.
    pub col: u32,
    /// Byte offset in the program.
    pub offset: usize,
    /// What is wrong, as a sentence that names the construct.
    pub message: String,
}

impl CodeError {
    /// An error at `pos`.
    pub fn at(pos: Pos, message: impl Into<String>) -> CodeError {
        CodeError { line: pos.line, col: pos.col, offset: pos.offset, message: message.into() }
    }
}

impl fmt::Display for CodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}:{}: {}", self.line, self.col, self.message)
    }
}

impl std::error::Error for CodeError {}
