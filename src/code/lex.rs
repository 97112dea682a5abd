//! The lexer: Rust source text to tokens, each with its place.
//!
//! It knows the whole of Rust's token grammar that a small program uses (identifiers, raw
//! identifiers, lifetimes, every literal form, every punctuation), keeps comments aside
//! (the lowering reads a few of them: the program's name and task names), and counts
//! columns in UTF-16 code units, as the editor (a `<textarea>`) does.
//!
//! ```
//! use mutex_playground::code::lex::{lex, Tok};
//!
//! let tokens = lex("let g = db.lock().await; // ok").unwrap();
//! assert_eq!(tokens.tokens[0].tok, Tok::Ident("let".into()));
//! assert_eq!((tokens.tokens[4].pos.line, tokens.tokens[4].pos.col), (1, 11)); // `.`
//! assert_eq!(tokens.comments[0].text, " ok");
//! ```

use super::CodeError;

/// A place in the source: 1-based line and column (UTF-16 code units), and byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Pos {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1, in UTF-16 code units (what a browser's text field counts).
    pub col: u32,
    /// Byte offset in the source.
    pub offset: usize,
}

/// A token's kind and content.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// An identifier or keyword (`r#` stripped from a raw identifier).
    Ident(String),
    /// A lifetime or label, without its `'`.
    Lifetime(String),
    /// An integer literal: its value and suffix (`5_i64` → `(5, "i64")`).
    Int(u64, String),
    /// A float literal (its suffix dropped).
    Float(f64),
    /// A string literal, decoded (raw strings too). Byte strings are [`Tok::Bytes`].
    Str(String),
    /// A byte string or C string literal: outside the subset, kept to say so.
    Bytes,
    /// A character literal.
    Char(char),
    /// Punctuation, longest match first: `::`, `..=`, `+=`, `=>`, `.`...
    Punct(&'static str),
}

/// A token and where it starts and ends.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// What it is.
    pub tok: Tok,
    /// Where it starts.
    pub pos: Pos,
    /// The byte offset just past it.
    pub end: usize,
}

/// A comment, kept aside from the tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// Where its `//` or `/*` is.
    pub pos: Pos,
    /// Its text after `//` (after `//!` or `///` for a doc comment), or inside `/* */`.
    pub text: String,
    /// `//!` (inner doc), `///` (outer doc), or neither.
    pub doc: Doc,
}

/// What kind of comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Doc {
    /// `//` or `/* */`.
    No,
    /// `//!`: documents the enclosing item (the program, at the top of a file).
    Inner,
    /// `///`: documents the next item.
    Outer,
}

/// A lexed source: its tokens and its comments, each in order.
#[derive(Clone, Debug, Default)]
pub struct Lexed {
    /// The tokens.
    pub tokens: Vec<Token>,
    /// The comments.
    pub comments: Vec<Comment>,
}

/// Every punctuation, longest first so a prefix never wins.
const PUNCTS: [&str; 47] = [
    "..=", "...", "<<=", ">>=", "::", "->", "=>", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/=", "%=",
    "^=", "&=", "|=", "<<", ">>", "..", "+", "-", "*", "/", "%", "^", "!", "&", "|", "=", "<", ">", "@", ".", ",", ";",
    ":", "#", "$", "?", "~", "(", ")",
];
const BRACKETS: [&str; 4] = ["[", "]", "{", "}"];

/// Lexes `src`. The first problem (an unterminated string or comment, a character Rust
/// has no token for, a literal out of range) is the error, at its place.
pub fn lex(src: &str) -> Result<Lexed, CodeError> {
    let mut l = Lexer { src, i: 0, line: 1, col: 1 };
    let mut out = Lexed::default();
    loop {
        l.skip_space();
        if l.i >= src.len() {
            return Ok(out);
        }
        let pos = l.pos();
        let slash = src.as_bytes()[l.i] == b'/';
        if slash && l.rest().starts_with("//") {
            let end = l.rest().find('\n').map_or(src.len(), |n| l.i + n);
            let body = &src[l.i + 2..end];
            let (doc, text) = if let Some(t) = body.strip_prefix('!') {
                (Doc::Inner, t)
            } else if body.starts_with('/') && !body.starts_with("//") {
                (Doc::Outer, &body[1..])
            } else {
                (Doc::No, body)
            };
            out.comments.push(Comment { pos, text: text.trim_end_matches('\r').to_string(), doc });
            l.advance_to(end);
            continue;
        }
        if slash && l.rest().starts_with("/*") {
            let text = l.block_comment(pos)?;
            out.comments.push(Comment { pos, text, doc: Doc::No });
            continue;
        }
        let tok = l.token(pos)?;
        out.tokens.push(Token { tok, pos, end: l.i });
    }
}

struct Lexer<'a> {
    src: &'a str,
    i: usize,
    line: u32,
    col: u32,
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        &self.src[self.i..]
    }
    fn pos(&self) -> Pos {
        Pos { line: self.line, col: self.col, offset: self.i }
    }
    fn peek(&self) -> Option<char> {
        match self.src.as_bytes().get(self.i) {
            Some(&b) if b < 0x80 => Some(b as char),
            Some(_) => self.rest().chars().next(),
            None => None,
        }
    }
    fn peek2(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        // (ASCII, the common case, is one byte and one UTF-16 unit.)
        self.i += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += c.len_utf16() as u32;
        }
        Some(c)
    }
    fn advance_to(&mut self, end: usize) {
        while self.i < end {
            self.bump();
        }
    }
    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }
    fn err(&self, pos: Pos, message: impl Into<String>) -> CodeError {
        CodeError::at(pos, message)
    }

    fn block_comment(&mut self, pos: Pos) -> Result<String, CodeError> {
        self.advance_to(self.i + 2);
        let start = self.i;
        let mut depth = 1u32;
        while depth > 0 {
            if self.rest().starts_with("/*") {
                depth += 1;
                self.advance_to(self.i + 2);
            } else if self.rest().starts_with("*/") {
                depth -= 1;
                self.advance_to(self.i + 2);
            } else if self.bump().is_none() {
                return Err(self.err(pos, "this block comment is not closed: `*/` is missing"));
            }
        }
        Ok(self.src[start..self.i - 2].to_string())
    }

    fn token(&mut self, pos: Pos) -> Result<Tok, CodeError> {
        let c = self.peek().unwrap_or(' ');
        // Raw identifiers and strings, byte and C strings: only these start with r, b or c.
        if matches!(c, 'r' | 'b' | 'c') {
            if let Some(tok) = self.prefixed(pos)? {
                return Ok(tok);
            }
        }
        if is_ident_start(c) {
            return Ok(Tok::Ident(self.ident()));
        }
        if c.is_ascii_digit() {
            return self.number(pos);
        }
        if c == '"' {
            return self.string(pos).map(Tok::Str);
        }
        if c == '\'' {
            // A lifetime `'a` (no closing quote after one character), or a char literal.
            let after = self.peek2();
            let third = self.rest().chars().nth(2);
            if after.is_some_and(is_ident_start) && third != Some('\'') {
                self.bump();
                return Ok(Tok::Lifetime(self.ident()));
            }
            return self.char_lit(pos).map(Tok::Char);
        }
        // The first byte picks the candidates; the longest that matches wins.
        let rest = self.rest();
        let first = rest.as_bytes()[0];
        for p in PUNCTS.iter().chain(BRACKETS.iter()).filter(|p| p.as_bytes()[0] == first) {
            if rest.as_bytes().starts_with(p.as_bytes()) {
                self.advance_to(self.i + p.len());
                return Ok(Tok::Punct(p));
            }
        }
        let shown = if c.is_control() || c.is_whitespace() { format!("U+{:04X}", c as u32) } else { format!("`{c}`") };
        Err(self.err(pos, format!("unexpected character {shown}: Rust has no token that starts with it")))
    }

    /// `r#ident`, `r"raw"`, `b"bytes"`, `br"raw bytes"`, `c"C"`, `b'x'`: `None` if `r`, `b`
    /// or `c` only starts an identifier here.
    fn prefixed(&mut self, pos: Pos) -> Result<Option<Tok>, CodeError> {
        let rest = self.rest();
        if rest.starts_with("r#") && self.src[self.i + 2..].starts_with(is_ident_start) {
            self.advance_to(self.i + 2);
            return Ok(Some(Tok::Ident(self.ident())));
        }
        if rest.starts_with("r\"") || rest.starts_with("r#") {
            self.bump();
            return self.raw_string(pos).map(|s| Some(Tok::Str(s)));
        }
        if rest.starts_with("b\"") || rest.starts_with("br\"") || rest.starts_with("br#") || rest.starts_with("c\"") {
            let raw = rest.starts_with("br");
            self.advance_to(self.i + if raw { 2 } else { 1 });
            if raw {
                self.raw_string(pos)?;
            } else {
                self.string(pos)?;
            }
            return Ok(Some(Tok::Bytes));
        }
        if rest.starts_with("b'") {
            self.bump();
            self.char_lit(pos)?;
            return Ok(Some(Tok::Bytes));
        }
        Ok(None)
    }

    fn ident(&mut self) -> String {
        let start = self.i;
        while self.peek().is_some_and(is_ident_continue) {
            self.bump();
        }
        self.src[start..self.i].to_string()
    }

    fn number(&mut self, pos: Pos) -> Result<Tok, CodeError> {
        let start = self.i;
        let radix = match self.rest().get(..2) {
            Some("0x") => 16,
            Some("0o") => 8,
            Some("0b") => 2,
            _ => 10,
        };
        if radix != 10 {
            self.advance_to(self.i + 2);
        }
        let mut float = false;
        loop {
            match self.peek() {
                Some(c) if c.is_digit(radix) || c == '_' => {
                    self.bump();
                }
                // `1.5`, but not `1..2` nor `1.max(2)`.
                Some('.') if radix == 10 && !float && self.peek2().is_none_or(|d| d != '.' && !is_ident_start(d)) => {
                    float = true;
                    self.bump();
                }
                Some('e' | 'E') if radix == 10 => {
                    let sign = matches!(self.peek2(), Some('+' | '-'));
                    let digit = self.rest().chars().nth(if sign { 2 } else { 1 }).is_some_and(|d| d.is_ascii_digit());
                    if !digit {
                        break;
                    }
                    float = true;
                    self.advance_to(self.i + if sign { 2 } else { 1 });
                }
                _ => break,
            }
        }
        let digits: String = self.src[start..self.i].chars().filter(|&c| c != '_').collect();
        let suffix = if self.peek().is_some_and(is_ident_start) { self.ident() } else { String::new() };
        if float || suffix.starts_with('f') {
            // serde_json's float reader is in the page already (core's would be a second one).
            let json = if digits.ends_with('.') { format!("{digits}0") } else { digits.clone() };
            return serde_json::from_str::<f64>(&json)
                .map(Tok::Float)
                .map_err(|_| self.err(pos, format!("`{digits}` is not a number Rust can read")));
        }
        let body = if radix == 10 { &digits[..] } else { &digits[2..] };
        match u64::from_str_radix(body, radix) {
            Ok(n) => Ok(Tok::Int(n, suffix)),
            Err(_) if body.is_empty() => Err(self.err(pos, "this number has no digits")),
            Err(_) => Err(self.err(pos, "this number is too large (past 64 bits)")),
        }
    }

    fn escape(&mut self, pos: Pos) -> Result<Option<char>, CodeError> {
        let here = self.pos();
        let c = self.bump().ok_or_else(|| self.err(pos, "this string is not closed"))?;
        Ok(Some(match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            '0' => '\0',
            '\\' => '\\',
            '\'' => '\'',
            '"' => '"',
            'x' => {
                let hex: String = self.rest().chars().take(2).collect();
                let n = u8::from_str_radix(&hex, 16).ok().filter(|&n| n < 0x80 && hex.len() == 2);
                let n = n.ok_or_else(|| self.err(here, "`\\x` takes two hex digits, at most 7f"))?;
                self.advance_to(self.i + 2);
                n as char
            }
            'u' => {
                let close = self.rest().find('}').filter(|_| self.rest().starts_with('{'));
                let close = close.ok_or_else(|| self.err(here, "`\\u` takes `{hex digits}`"))?;
                let hex: String = self.rest()[1..close].chars().filter(|&c| c != '_').collect();
                let c = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                let c = c.ok_or_else(|| self.err(here, "this `\\u{..}` is not a character"))?;
                self.advance_to(self.i + close + 1);
                c
            }
            '\n' => {
                // A line continuation: the break and the next line's indent vanish.
                self.skip_space();
                return Ok(None);
            }
            other => return Err(self.err(here, format!("unknown escape `\\{other}`"))),
        }))
    }

    fn string(&mut self, pos: Pos) -> Result<String, CodeError> {
        self.bump();
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(self.err(pos, "this string is not closed: its `\"` is missing")),
                Some('"') => return Ok(out),
                Some('\\') => out.extend(self.escape(pos)?),
                Some('\r') if self.peek() == Some('\n') => {}
                Some(c) => out.push(c),
            }
        }
    }

    fn raw_string(&mut self, pos: Pos) -> Result<String, CodeError> {
        let hashes = self.rest().chars().take_while(|&c| c == '#').count();
        self.advance_to(self.i + hashes);
        if self.peek() != Some('"') {
            return Err(self.err(pos, "a raw string needs `\"` after its `r#`"));
        }
        self.bump();
        let close = format!("\"{}", "#".repeat(hashes));
        let end = self.rest().find(&close).ok_or_else(|| self.err(pos, "this raw string is not closed"))?;
        let text = self.rest()[..end].replace("\r\n", "\n");
        self.advance_to(self.i + end + close.len());
        Ok(text)
    }

    fn char_lit(&mut self, pos: Pos) -> Result<char, CodeError> {
        self.bump();
        let c = match self.bump() {
            Some('\\') => self.escape(pos)?.unwrap_or(' '),
            Some(c) if c != '\'' && c != '\n' => c,
            _ => return Err(self.err(pos, "this character literal is empty or not closed")),
        };
        if self.bump() != Some('\'') {
            return Err(self.err(pos, "this character literal is not closed: its `'` is missing"));
        }
        Ok(c)
    }
}

/// Rust's identifiers are Unicode's XID classes; any non-ASCII character outside the
/// whitespace is taken as one here (no Unicode tables in the page: a program rustc would
/// refuse for an odd character is still read, which is harmless).
fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic() || (!c.is_ascii() && !c.is_whitespace())
}

fn is_ident_continue(c: char) -> bool {
    c == '_' || c.is_ascii_alphanumeric() || (!c.is_ascii() && !c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        lex(src).unwrap().tokens.into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn literals_and_punctuation() {
        assert_eq!(
            toks(r##"5_i64 0x1f 1.5 1e3 2.max 0..3 r#"a"b"# "\u{1F980}\n" 'x' '\'' 'a r#fn"##),
            vec![
                Tok::Int(5, "i64".into()),
                Tok::Int(31, String::new()),
                Tok::Float(1.5),
                Tok::Float(1000.0),
                Tok::Int(2, String::new()),
                Tok::Punct("."),
                Tok::Ident("max".into()),
                Tok::Int(0, String::new()),
                Tok::Punct(".."),
                Tok::Int(3, String::new()),
                Tok::Str("a\"b".into()),
                Tok::Str("🦀\n".into()),
                Tok::Char('x'),
                Tok::Char('\''),
                Tok::Lifetime("a".into()),
                Tok::Ident("fn".into()),
            ]
        );
        assert_eq!(toks("a..=b::c+=1"), toks("a ..= b :: c += 1"));
    }

    #[test]
    fn columns_count_utf16_units() {
        let lexed = lex("let s = \"🦀é\"; x\n  y").unwrap();
        let x = &lexed.tokens[5];
        assert_eq!(x.tok, Tok::Ident("x".into()));
        // `let s = "` is 9 units, the crab 2, é 1, `"; ` 3: x is at column 16.
        assert_eq!((x.pos.line, x.pos.col), (1, 16));
        assert_eq!((lexed.tokens[6].pos.line, lexed.tokens[6].pos.col), (2, 3));
    }

    #[test]
    fn unterminated_things_are_errors_at_their_start() {
        for (src, at, says) in [
            ("let a = \"open", (1, 9), "not closed"),
            ("x /* a /* b */", (1, 3), "block comment"),
            ("\n  ''", (2, 3), "character literal"),
            ("a @@ # ` b", (1, 8), "unexpected character"),
            ("r#", (1, 1), "raw string"),
            ("99999999999999999999", (1, 1), "too large"),
        ] {
            let e = lex(src).unwrap_err();
            assert_eq!((e.line, e.col), at, "{src}");
            assert!(e.message.contains(says), "{src}: {}", e.message);
        }
    }

    #[test]
    fn comments_are_kept_aside() {
        let lexed = lex("//! name\n/// item\n// \"task\"\nfn /* in */ x").unwrap();
        let docs: Vec<(Doc, &str)> = lexed.comments.iter().map(|c| (c.doc, c.text.as_str())).collect();
        assert_eq!(docs, [(Doc::Inner, " name"), (Doc::Outer, " item"), (Doc::No, " \"task\""), (Doc::No, " in ")]);
        assert_eq!(lexed.tokens.len(), 2);
    }
}
