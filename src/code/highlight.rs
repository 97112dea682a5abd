//! Syntax highlighting for the editor: a forgiving scan that never fails, so text being
//! typed (an unclosed string, half a comment) still colours sensibly.
//!
//! ```
//! use mutex_playground::code::highlight::{highlight, Class};
//!
//! let src = "let n = 5; // five";
//! let spans: Vec<(&str, Class)> = highlight(src).into_iter().map(|(r, c)| (&src[r], c)).collect();
//! assert_eq!(spans, [("let", Class::Keyword), ("5", Class::Number), ("// five", Class::Comment)]);
//! ```

use std::ops::Range;

/// What a highlighted span is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// `let`, `async`, `for`...
    Keyword,
    /// A string or character literal.
    Str,
    /// A number.
    Number,
    /// A comment.
    Comment,
    /// A macro's name with its `!`.
    Macro,
    /// A name that starts with a capital: a type.
    Type,
}

impl Class {
    /// The CSS class the editor gives it.
    pub fn css(self) -> &'static str {
        match self {
            Class::Keyword => "hl-kw",
            Class::Str => "hl-str",
            Class::Number => "hl-num",
            Class::Comment => "hl-com",
            Class::Macro => "hl-mac",
            Class::Type => "hl-ty",
        }
    }
}

const KEYWORDS: [&str; 36] = [
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static",
    "struct", "super", "trait", "true", "type", "use", "where", "while",
];

/// The highlighted spans of `src`, in order, as byte ranges; text between them is plain.
pub fn highlight(src: &str) -> Vec<(Range<usize>, Class)> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            i = src[i..].find('\n').map_or(b.len(), |n| i + n);
            out.push((start..i, Class::Comment));
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i = src[i + 2..].find("*/").map_or(b.len(), |n| i + 2 + n + 2);
            out.push((start..i, Class::Comment));
        } else if c == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(b.len());
            out.push((start..i, Class::Str));
        } else if c == b'\'' {
            // A char literal (`'a'`, `'\n'`) or a lifetime (`'a`): only the first is a string.
            let close = src[i + 1..].char_indices().take(11).find(|&(k, ch)| ch == '\'' && k > 0).map(|(k, _)| k);
            match close {
                Some(k) if b[i + 1] == b'\\' || src[i + 1..i + 1 + k].chars().count() == 1 => {
                    i += k + 2;
                    out.push((start..i, Class::Str));
                }
                _ => i += 1,
            }
        } else if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || (b[i] == b'.' && next_digit(b, i))) {
                i += 1;
            }
            out.push((start..i, Class::Number));
        } else if c == b'_' || c.is_ascii_alphabetic() || c >= 0x80 {
            let end = src[i..].find(|ch: char| !(ch == '_' || ch.is_alphanumeric())).map_or(b.len(), |n| i + n);
            // A non-ASCII character that is not a letter: step over it whole.
            i = if end == i { i + src[i..].chars().next().map_or(1, char::len_utf8) } else { end };
            let word = &src[start..i];
            if b.get(i) == Some(&b'!') && b.get(i + 1) != Some(&b'=') {
                i += 1;
                out.push((start..i, Class::Macro));
            } else if KEYWORDS.contains(&word) {
                out.push((start..i, Class::Keyword));
            } else if word.starts_with(|ch: char| ch.is_ascii_uppercase()) {
                out.push((start..i, Class::Type));
            }
        } else {
            i += 1;
        }
    }
    out
}

fn next_digit(b: &[u8], i: usize) -> bool {
    b.get(i + 1).is_some_and(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(src: &str) -> Vec<(&str, Class)> {
        highlight(src).into_iter().map(|(r, c)| (&src[r], c)).collect()
    }

    #[test]
    fn unfinished_text_still_highlights() {
        assert_eq!(classes("println!(\"open"), [("println!", Class::Macro), ("\"open", Class::Str)]);
        assert_eq!(classes("/* never closed"), [("/* never closed", Class::Comment)]);
        assert_eq!(classes("x != 1.5 'a' 'b"), [("1.5", Class::Number), ("'a'", Class::Str)]);
        assert_eq!(classes("Arc::new(\"\\\"\")"), [("Arc", Class::Type), ("\"\\\"\"", Class::Str)]);
    }

    #[test]
    fn spans_are_on_char_boundaries_whatever_the_text() {
        for src in ["é🦀'é'\"🦀", "'🦀", "\"\\", "1.🦀", "a€b", "'\\u{1F980}'"] {
            for (r, _) in highlight(src) {
                assert!(src.is_char_boundary(r.start) && src.is_char_boundary(r.end), "{src:?} {r:?}");
            }
        }
    }
}
