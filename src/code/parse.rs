//! The parser: tokens to a [`File`], by recursive descent with precedence climbing.
//!
//! It reads the statement and expression grammar of Rust that small programs use, and
//! skips whole any item it does not need to read (a `struct`, an `impl`), so the lowering
//! can accept or refuse it by name. Struct literals, attributes on statements and
//! expressions, labels and generic closures are outside it, and each is an error that
//! says so at its place. Nesting is bounded ([`MAX_DEPTH`]): ten thousand `{` are an
//! error, not a stack overflow.

use super::ast::*;
use super::lex::{Lexed, Pos, Tok, Token};
use super::CodeError;

/// How deep blocks, expressions, patterns and types may nest; each link of a chain
/// (`a.b().c`, `a + b + c`) counts as a level too, since it nests the tree as deep.
pub const MAX_DEPTH: u32 = 64;

/// Parses a lexed source file.
pub fn parse(lexed: &Lexed) -> Result<File, CodeError> {
    let mut p = Parser { t: &lexed.tokens, i: 0, depth: 0, end: end_pos(&lexed.tokens), split: None, base: 0 };
    let mut items = Vec::new();
    while !p.at_end() {
        items.push(p.item()?);
    }
    Ok(File { items })
}

/// Parses a comma-separated list of expressions from a macro body, as `println!` and
/// `assert_eq!` take them: `tokens[body]`, the body without its brackets. (Macros inside
/// keep their bodies as ranges of `tokens`, like any other.)
/// `depth` is how deep the macro itself is nested: it counts towards [`MAX_DEPTH`].
pub fn parse_args(tokens: &[Token], body: std::ops::Range<usize>, depth: u32) -> Result<Vec<Expr>, CodeError> {
    let inner = &tokens[body.clone()];
    let mut p = Parser { t: inner, i: 0, depth, end: end_pos(inner), split: None, base: body.start };
    let mut out = Vec::new();
    while !p.at_end() {
        out.push(p.expr()?);
        if !p.at_end() {
            p.expect(",")?;
        }
    }
    Ok(out)
}

/// Parses the body of a `tokio::select!` (`tokens[body]`, without its braces): an optional
/// `biased;`, then branches `pattern = future [, if condition] => handler` and `else =>
/// handler`, each followed by a comma unless its handler is a block (or it is the last).
/// `depth` is how deep the macro itself is nested, as for [`parse_args`].
pub fn parse_select(tokens: &[Token], body: std::ops::Range<usize>, depth: u32) -> Result<Select, CodeError> {
    let inner = &tokens[body.clone()];
    let mut p = Parser { t: inner, i: 0, depth, end: end_pos(inner), split: None, base: body.start };
    let mut biased = None;
    if p.is_kw("biased") && matches!(p.nth(1), Some(Tok::Punct(";"))) {
        biased = Some(p.pos());
        p.bump();
        p.bump();
    }
    let mut arms = Vec::new();
    while !p.at_end() {
        let pos = p.pos();
        let branch = if p.is_kw("else") && matches!(p.nth(1), Some(Tok::Punct("=>"))) {
            p.bump();
            None
        } else {
            let pat = p.pat()?;
            p.expect("=")?;
            Some((pat, p.expr()?))
        };
        let cond = if branch.is_some() && p.is(",") && matches!(p.nth(1), Some(Tok::Ident(w)) if w == "if") {
            p.bump();
            p.bump();
            Some(p.expr()?)
        } else {
            None
        };
        p.expect("=>")?;
        // A block handler ends at its `}` (what follows is the next branch, not an operand).
        let block = p.is("{");
        let handler = if block { Expr { pos: p.pos(), kind: ExprKind::Block(p.block()?) } } else { p.expr()? };
        arms.push(SelectArm { pos, branch, cond, body: handler });
        if !p.eat(",") && !block && !p.at_end() {
            return Err(p.err(format!("expected `,` after this `select!` branch, found {}", p.found())));
        }
    }
    Ok(Select { biased, arms })
}

fn end_pos(tokens: &[Token]) -> Pos {
    tokens.last().map_or(Pos { line: 1, col: 1, offset: 0 }, |t| Pos { offset: t.end, ..t.pos })
}

struct Parser<'a> {
    t: &'a [Token],
    i: usize,
    depth: u32,
    end: Pos,
    /// The rest of a token split in two (`>` of a `>>` closing two type lists), which is
    /// then the current token, and how many characters in it starts.
    split: Option<(&'static Tok, u32)>,
    /// Where `t` starts in the whole file's tokens (a macro body's parser's slice).
    base: usize,
}

/// Where an expression is: the head of an `if`/`while`/`for`/`match` cannot be followed
/// by a block that belongs to it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Any,
    Head,
}

impl<'a> Parser<'a> {
    fn at_end(&self) -> bool {
        self.i >= self.t.len()
    }
    fn tok(&self) -> Option<&'a Tok> {
        match self.split {
            Some((rest, _)) => Some(rest),
            None => self.t.get(self.i).map(|t| &t.tok),
        }
    }
    /// Moves past the current token (or the split rest of one).
    fn bump(&mut self) {
        self.split = None;
        self.i += 1;
    }
    fn nth(&self, n: usize) -> Option<&'a Tok> {
        self.t.get(self.i + n).map(|t| &t.tok)
    }
    fn pos(&self) -> Pos {
        let mut pos = self.t.get(self.i).map_or(self.end, |t| t.pos);
        if let Some((_, n)) = self.split {
            pos.col += n;
            pos.offset += n as usize;
        }
        pos
    }
    fn is(&self, p: &str) -> bool {
        matches!(self.tok(), Some(Tok::Punct(q)) if *q == p)
    }
    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.tok(), Some(Tok::Ident(w)) if w == kw)
    }
    fn eat(&mut self, p: &str) -> bool {
        let yes = self.is(p);
        if yes {
            self.bump();
        }
        yes
    }
    fn eat_kw(&mut self, kw: &str) -> bool {
        let yes = self.is_kw(kw);
        if yes {
            self.bump();
        }
        yes
    }
    fn err(&self, message: impl Into<String>) -> CodeError {
        CodeError::at(self.pos(), message)
    }
    fn found(&self) -> String {
        match self.tok() {
            None => "the end of the program".into(),
            Some(Tok::Ident(w)) => format!("`{w}`"),
            Some(Tok::Punct(p)) => format!("`{p}`"),
            Some(Tok::Lifetime(l)) => format!("`'{l}`"),
            Some(Tok::Str(_) | Tok::Bytes) => "a string".into(),
            Some(_) => "a literal".into(),
        }
    }
    fn expect(&mut self, p: &str) -> Result<(), CodeError> {
        if self.eat(p) {
            Ok(())
        } else {
            Err(self.err(format!("expected `{p}`, found {}", self.found())))
        }
    }
    fn ident(&mut self) -> Result<String, CodeError> {
        match self.tok() {
            Some(Tok::Ident(w)) => {
                self.bump();
                Ok(w.clone())
            }
            _ => Err(self.err(format!("expected a name, found {}", self.found()))),
        }
    }
    /// Just past the previous token (its end, on its line).
    fn after_previous(&self) -> Pos {
        match self.i.checked_sub(1).and_then(|i| self.t.get(i)) {
            // Tokens that span lines are strings; their end column is approximate then.
            Some(t) => Pos { line: t.pos.line, col: t.pos.col + (t.end - t.pos.offset) as u32, offset: t.end },
            None => self.pos(),
        }
    }

    fn deeper(&mut self) -> Result<(), CodeError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(format!("the program nests more than {MAX_DEPTH} levels deep here")));
        }
        Ok(())
    }

    /// Skips one token tree: a bracketed group whole, or one token.
    fn skip_tree(&mut self) -> Result<(), CodeError> {
        let open = self.pos();
        let mut stack: Vec<&str> = Vec::new();
        loop {
            match self.tok() {
                None if stack.is_empty() => return Ok(()),
                None => return Err(CodeError::at(open, "this bracket is not closed")),
                Some(Tok::Punct(p @ ("(" | "[" | "{"))) => stack.push(p),
                Some(Tok::Punct(p @ (")" | "]" | "}"))) => {
                    let want = match stack.pop() {
                        Some("(") => ")",
                        Some("[") => "]",
                        Some(_) => "}",
                        None => return Err(self.err(format!("unexpected `{p}`: nothing is open here"))),
                    };
                    if *p != want {
                        return Err(self.err(format!("expected `{want}`, found `{p}`")));
                    }
                }
                Some(_) => {}
            }
            self.bump();
            if stack.is_empty() {
                return Ok(());
            }
        }
    }

    fn attrs(&mut self) -> Result<Vec<String>, CodeError> {
        let mut attrs = Vec::new();
        while self.is("#") {
            self.bump();
            self.eat("!");
            if !self.is("[") {
                return Err(self.err("expected `[` after `#`"));
            }
            let start = self.i + 1;
            self.skip_tree()?;
            let text: Vec<String> = self.t[start..self.i - 1].iter().map(|t| tok_text(&t.tok)).collect();
            attrs.push(text.concat());
        }
        Ok(attrs)
    }

    fn item(&mut self) -> Result<Item, CodeError> {
        let pos = self.pos();
        let attrs = self.attrs()?;
        if self.eat_kw("pub") && self.is("(") {
            self.skip_tree()?;
        }
        let kind = if self.eat_kw("use") {
            let mut out = Vec::new();
            self.use_tree(Vec::new(), &mut out)?;
            self.expect(";")?;
            ItemKind::Use(out)
        } else if self.is_kw("type") {
            self.bump();
            let name = self.ident()?;
            self.expect("=")?;
            let ty = self.ty()?;
            self.expect(";")?;
            ItemKind::TypeAlias { name, ty }
        } else if self.is_kw("fn") || (self.is_kw("async") && matches!(self.nth(1), Some(Tok::Ident(w)) if w == "fn")) {
            let is_async = self.eat_kw("async");
            self.bump();
            let name = self.ident()?;
            if self.is("<") {
                self.generics()?;
            }
            if !self.is("(") {
                return Err(self.err(format!("expected `(` after `fn {name}`")));
            }
            let has_params = !matches!(self.nth(1), Some(Tok::Punct(")")));
            self.skip_tree()?;
            // A return type, a where clause: up to the body.
            while !self.is("{") && !self.is(";") && !self.at_end() {
                self.skip_tree()?;
            }
            if self.eat(";") {
                ItemKind::Other { keyword: "fn".into(), name }
            } else {
                let body = self.block()?;
                ItemKind::Fn { name, is_async, has_params, body }
            }
        } else {
            let keyword = match self.tok() {
                Some(Tok::Ident(w)) => w.clone(),
                _ => return Err(self.err(format!("expected an item (`use`, `fn`...), found {}", self.found()))),
            };
            self.bump();
            // `impl<T> Trait for Name<T>`: the name is the last path before `{`.
            let mut name = String::new();
            while !self.is("{") && !self.is(";") && !self.at_end() {
                if let Some(Tok::Ident(w)) = self.tok() {
                    if name.is_empty() || !matches!(w.as_str(), "for" | "where") {
                        name = w.clone();
                    }
                }
                if self.is("<") {
                    self.generics()?;
                } else {
                    self.skip_tree()?;
                }
                if keyword == "impl" && self.is_kw("for") {
                    self.bump();
                    name.clear();
                }
            }
            if !self.eat(";") {
                self.skip_tree()?;
            }
            ItemKind::Other { keyword, name }
        };
        Ok(Item { pos, attrs, kind })
    }

    /// Skips `<...>` (generics of an item), counting angle brackets.
    fn generics(&mut self) -> Result<(), CodeError> {
        let open = self.pos();
        let mut depth = 0i32;
        loop {
            match self.tok() {
                None => return Err(CodeError::at(open, "this `<` is not closed")),
                Some(Tok::Punct("<")) => depth += 1,
                Some(Tok::Punct(">")) => depth -= 1,
                Some(Tok::Punct(">>")) => depth -= 2,
                Some(Tok::Punct("->")) => {}
                Some(Tok::Punct("(" | "[")) => {
                    self.skip_tree()?;
                    continue;
                }
                _ => {}
            }
            self.bump();
            if depth <= 0 {
                return Ok(());
            }
        }
    }

    fn use_tree(&mut self, prefix: Vec<String>, out: &mut Vec<(Vec<String>, String)>) -> Result<(), CodeError> {
        self.deeper()?;
        let mut path = prefix;
        self.eat("::");
        loop {
            if self.eat("{") {
                while !self.eat("}") {
                    self.use_tree(path.clone(), out)?;
                    if !self.eat(",") {
                        self.expect("}")?;
                        break;
                    }
                }
                break;
            }
            if self.eat("*") {
                // A glob: every name under the path (the lowering looks there last).
                out.push((path.clone(), "*".to_string()));
                break;
            }
            let seg = self.ident()?;
            path.push(seg.clone());
            if self.eat("::") {
                continue;
            }
            let name = if self.eat_kw("as") { self.ident()? } else { seg };
            out.push((path, name));
            break;
        }
        self.depth -= 1;
        Ok(())
    }

    fn ty(&mut self) -> Result<Type, CodeError> {
        self.deeper()?;
        let ty = if self.eat("&") {
            if matches!(self.tok(), Some(Tok::Lifetime(_))) {
                self.bump();
            }
            self.eat_kw("mut");
            let inner = self.ty()?;
            Type { path: Vec::new(), args: vec![inner] }
        } else if self.is("(") || self.is("[") {
            self.skip_tree()?;
            Type { path: Vec::new(), args: Vec::new() }
        } else if self.is_kw("impl") || self.is_kw("dyn") {
            self.bump();
            let inner = self.ty()?;
            while self.eat("+") {
                self.ty()?;
            }
            inner
        } else if self.eat("_") || matches!(self.tok(), Some(Tok::Lifetime(_))) {
            if matches!(self.tok(), Some(Tok::Lifetime(_))) {
                self.bump();
            }
            Type { path: Vec::new(), args: Vec::new() }
        } else {
            let mut path = vec![self.ident()?];
            let mut args = Vec::new();
            loop {
                if self.eat("::") {
                    path.push(self.ident()?);
                } else if self.is("<") {
                    args = self.type_args()?;
                } else if self.is("(") && matches!(path.last().map(String::as_str), Some("Fn" | "FnMut" | "FnOnce")) {
                    self.skip_tree()?;
                    if self.eat("->") {
                        self.ty()?;
                    }
                } else {
                    break;
                }
            }
            Type { path, args }
        };
        self.depth -= 1;
        Ok(ty)
    }

    /// `<A, B>`, splitting a `>>` that closes two lists.
    fn type_args(&mut self) -> Result<Vec<Type>, CodeError> {
        self.expect("<")?;
        let mut args = Vec::new();
        loop {
            if self.close_angle() {
                return Ok(args);
            }
            if matches!(self.tok(), Some(Tok::Lifetime(_) | Tok::Int(..))) {
                self.bump();
            } else {
                // `Item = T` in `impl Iterator<Item = T>`.
                if matches!(self.nth(1), Some(Tok::Punct("="))) {
                    self.bump();
                    self.bump();
                }
                args.push(self.ty()?);
            }
            if !self.eat(",") {
                if self.close_angle() {
                    return Ok(args);
                }
                return Err(self.err(format!("expected `,` or `>` in a type, found {}", self.found())));
            }
        }
    }

    /// Eats one `>`, splitting `>>`, `>=` or `>>=` in place.
    fn close_angle(&mut self) -> bool {
        match self.tok() {
            Some(Tok::Punct(">")) => {
                self.bump();
                true
            }
            Some(Tok::Punct(rest @ (">>" | ">=" | ">>="))) => {
                let rest: &'static str = match *rest {
                    ">>" => ">",
                    ">=" => "=",
                    _ => ">=",
                };
                self.split_angle(rest);
                true
            }
            _ => false,
        }
    }

    /// Makes the rest of the current token (`>` of `>>`) the current token.
    fn split_angle(&mut self, rest: &'static str) {
        static GT: Tok = Tok::Punct(">");
        static EQ: Tok = Tok::Punct("=");
        static GE: Tok = Tok::Punct(">=");
        let tok = match rest {
            ">" => &GT,
            "=" => &EQ,
            _ => &GE,
        };
        self.split = Some((tok, self.split.map_or(1, |s| s.1 + 1)));
    }

    fn block(&mut self) -> Result<Block, CodeError> {
        let pos = self.pos();
        if !self.eat("{") {
            return Err(self.err(format!("expected `{{`, found {}", self.found())));
        }
        self.deeper()?;
        let mut stmts = Vec::new();
        loop {
            if self.is("}") {
                break;
            }
            if self.at_end() {
                return Err(CodeError::at(pos, "this `{` is not closed"));
            }
            if self.eat(";") {
                continue;
            }
            stmts.push(self.stmt()?);
        }
        let end = self.pos();
        self.bump();
        self.depth -= 1;
        Ok(Block { pos, end, stmts })
    }

    fn stmt(&mut self) -> Result<Stmt, CodeError> {
        let pos = self.pos();
        if self.is("#") {
            return Err(self.err("attributes on statements are not supported"));
        }
        if self.eat_kw("let") {
            let pat = self.pat()?;
            let ty = if self.eat(":") { Some(self.ty()?) } else { None };
            let init = if self.eat("=") { Some(self.expr()?) } else { None };
            let has_else = self.eat_kw("else");
            if has_else {
                self.block()?;
            }
            if !self.eat(";") {
                // Where the `;` should be: just after the statement, as rustc says it.
                let at = self.after_previous();
                return Err(CodeError::at(at, format!("expected `;` to end this `let`, found {}", self.found())));
            }
            return Ok(Stmt::Let { pos, pat, ty, init, has_else });
        }
        let item_kw = ["fn", "struct", "enum", "impl", "use", "mod", "trait", "const", "static", "type"];
        if item_kw.iter().any(|k| self.is_kw(k)) && !(self.is_kw("const") && self.nth(1) == Some(&Tok::Punct("{"))) {
            return self.item().map(Stmt::Item);
        }
        // A statement that starts with a block-like expression ends with its block (as in
        // Rust: `for .. { } *x += 1;` is two statements, not a product).
        let block_like = ["for", "loop", "while", "if", "match", "unsafe"].iter().any(|k| self.is_kw(k))
            || self.is("{")
            || self.brace_macro_ahead();
        let e = if block_like {
            self.deeper()?;
            let e = self.primary(Ctx::Any)?;
            self.depth -= 1;
            e
        } else {
            self.expr()?
        };
        if self.eat(";") {
            return Ok(Stmt::Expr(e, true));
        }
        if self.is("}") || ends_with_block(&e) {
            return Ok(Stmt::Expr(e, false));
        }
        Err(CodeError::at(self.after_previous(), format!("expected `;` after this statement, found {}", self.found())))
    }

    /// Whether a macro called with braces starts here (`tokio::select! { .. }`): as a
    /// statement, it ends at its closing brace.
    fn brace_macro_ahead(&self) -> bool {
        let mut n = 0;
        while matches!(self.nth(n), Some(Tok::Ident(_))) {
            match self.nth(n + 1) {
                Some(Tok::Punct("::")) => n += 2,
                Some(Tok::Punct("!")) => return matches!(self.nth(n + 2), Some(Tok::Punct("{"))),
                _ => return false,
            }
        }
        false
    }

    fn pat(&mut self) -> Result<Pat, CodeError> {
        self.deeper()?;
        let first = self.pat_one()?;
        let pat = if self.is("|") && !matches!(self.nth(1), Some(Tok::Punct("|"))) {
            while self.eat("|") {
                self.pat_one()?;
            }
            Pat { pos: first.pos, kind: PatKind::Other }
        } else {
            first
        };
        self.depth -= 1;
        Ok(pat)
    }

    fn pat_one(&mut self) -> Result<Pat, CodeError> {
        let pos = self.pos();
        let kind = match self.tok() {
            Some(Tok::Ident(w)) if w == "_" => {
                self.bump();
                PatKind::Wild
            }
            Some(Tok::Punct("&")) | Some(Tok::Punct("&&")) => {
                self.bump();
                self.eat_kw("mut");
                self.deeper()?;
                self.pat_one()?;
                self.depth -= 1;
                PatKind::Other
            }
            Some(Tok::Punct("(")) => PatKind::Tuple(self.pat_list()?),
            Some(Tok::Int(..) | Tok::Float(_) | Tok::Str(_) | Tok::Char(_)) | Some(Tok::Punct("-")) => {
                self.eat("-");
                self.bump();
                if self.eat("..=") || self.eat("..") {
                    self.eat("-");
                    self.bump();
                }
                PatKind::Other
            }
            Some(Tok::Punct("..")) => {
                self.bump();
                PatKind::Other
            }
            Some(Tok::Ident(_)) => {
                self.eat_kw("ref");
                let is_mut = self.eat_kw("mut");
                let mut path = vec![self.ident()?];
                while self.eat("::") {
                    path.push(self.ident()?);
                }
                if self.is("(") {
                    PatKind::TupleStruct(path, self.pat_list()?)
                } else if self.is("{") {
                    return Err(self.err("struct patterns are not supported"));
                } else if path.len() == 1 && !matches!(path[0].as_str(), "None" | "true" | "false") {
                    PatKind::Ident { name: path.pop().unwrap_or_default(), is_mut }
                } else {
                    PatKind::Other
                }
            }
            _ => return Err(self.err(format!("expected a pattern, found {}", self.found()))),
        };
        Ok(Pat { pos, kind })
    }

    /// `(a, b)`: the patterns in parentheses (the `(` is current).
    fn pat_list(&mut self) -> Result<Vec<Pat>, CodeError> {
        self.bump();
        let mut pats = Vec::new();
        while !self.eat(")") {
            pats.push(self.pat()?);
            if !self.eat(",") {
                self.expect(")")?;
                break;
            }
        }
        Ok(pats)
    }

    fn expr(&mut self) -> Result<Expr, CodeError> {
        self.expr_in(Ctx::Any)
    }

    fn expr_in(&mut self, ctx: Ctx) -> Result<Expr, CodeError> {
        self.deeper()?;
        let e = self.assign(ctx);
        self.depth -= 1;
        e
    }

    fn assign(&mut self, ctx: Ctx) -> Result<Expr, CodeError> {
        let lhs = self.range(ctx)?;
        const OPS: [&str; 11] = ["=", "+=", "-=", "*=", "/=", "%=", "^=", "&=", "|=", "<<=", ">>="];
        if let Some(Tok::Punct(op)) = self.tok() {
            if let Some(op) = OPS.iter().find(|o| *o == op) {
                self.bump();
                let rhs = self.expr_in(ctx)?;
                return Ok(Expr { pos: lhs.pos, kind: ExprKind::Assign(op, Box::new(lhs), Box::new(rhs)) });
            }
        }
        Ok(lhs)
    }

    fn range(&mut self, ctx: Ctx) -> Result<Expr, CodeError> {
        let pos = self.pos();
        if self.is("..") || self.is("..=") {
            let inclusive = self.is("..=");
            self.bump();
            let hi = if self.starts_expr(ctx) { Some(Box::new(self.binary(0, ctx)?)) } else { None };
            return Ok(Expr { pos, kind: ExprKind::Range(None, hi, inclusive) });
        }
        let lo = self.binary(0, ctx)?;
        if self.is("..") || self.is("..=") {
            let inclusive = self.is("..=");
            self.bump();
            let hi = if self.starts_expr(ctx) { Some(Box::new(self.binary(0, ctx)?)) } else { None };
            return Ok(Expr { pos, kind: ExprKind::Range(Some(Box::new(lo)), hi, inclusive) });
        }
        Ok(lo)
    }

    fn starts_expr(&self, ctx: Ctx) -> bool {
        match self.tok() {
            None => false,
            Some(Tok::Punct(p)) => match *p {
                "(" | "[" | "-" | "!" | "*" | "&" | "|" | "::" => true,
                "{" => ctx == Ctx::Any,
                _ => false,
            },
            Some(_) => true,
        }
    }

    fn binary(&mut self, min: u8, ctx: Ctx) -> Result<Expr, CodeError> {
        let base = self.depth;
        let mut lhs = self.unary(ctx)?;
        let r = self.binary_rest(&mut lhs, min, ctx);
        self.depth = base;
        r.map(|()| lhs)
    }

    fn binary_rest(&mut self, lhs: &mut Expr, min: u8, ctx: Ctx) -> Result<(), CodeError> {
        loop {
            if self.is_kw("as") {
                if min > 11 {
                    break;
                }
                self.bump();
                let ty = self.ty()?;
                self.deeper()?;
                let inner = std::mem::replace(lhs, Expr { pos: lhs.pos, kind: ExprKind::Tuple(Vec::new()) });
                *lhs = Expr { pos: inner.pos, kind: ExprKind::Cast(Box::new(inner), ty) };
                continue;
            }
            let Some(Tok::Punct(op)) = self.tok() else { break };
            let prec = match *op {
                "||" => 1,
                "&&" => 2,
                "==" | "!=" | "<" | ">" | "<=" | ">=" => 3,
                "|" => 4,
                "^" => 5,
                "&" => 6,
                "<<" | ">>" => 7,
                "+" | "-" => 8,
                "*" | "/" | "%" => 9,
                _ => break,
            };
            if prec < min {
                break;
            }
            self.bump();
            self.deeper()?;
            let rhs = self.binary(prec + 1, ctx)?;
            let inner = std::mem::replace(lhs, Expr { pos: lhs.pos, kind: ExprKind::Tuple(Vec::new()) });
            *lhs = Expr { pos: inner.pos, kind: ExprKind::Binary(op, Box::new(inner), Box::new(rhs)) };
        }
        Ok(())
    }

    fn unary(&mut self, ctx: Ctx) -> Result<Expr, CodeError> {
        let pos = self.pos();
        let op = match self.tok() {
            Some(Tok::Punct("*")) => Some(UnOp::Deref),
            Some(Tok::Punct("!")) => Some(UnOp::Not),
            Some(Tok::Punct("-")) => Some(UnOp::Neg),
            Some(Tok::Punct("&")) | Some(Tok::Punct("&&")) => Some(UnOp::Ref),
            _ => None,
        };
        let Some(mut op) = op else { return self.postfix(ctx) };
        let double = self.is("&&");
        self.bump();
        if op == UnOp::Ref && self.eat_kw("mut") {
            op = UnOp::RefMut;
        }
        self.deeper()?;
        let inner = self.unary(ctx)?;
        self.depth -= 1;
        let mut e = Expr { pos, kind: ExprKind::Unary(op, Box::new(inner)) };
        if double {
            e = Expr { pos, kind: ExprKind::Unary(UnOp::Ref, Box::new(e)) };
        }
        Ok(e)
    }

    fn postfix(&mut self, ctx: Ctx) -> Result<Expr, CodeError> {
        let base = self.depth;
        let e = self.primary(ctx).and_then(|e| self.postfix_rest(e));
        self.depth = base;
        e
    }

    fn postfix_rest(&mut self, mut e: Expr) -> Result<Expr, CodeError> {
        loop {
            let pos = e.pos;
            if self.eat("?") {
                e = Expr { pos, kind: ExprKind::Try(Box::new(e)) };
            } else if self.is("(") {
                let args = self.args(")")?;
                e = Expr { pos, kind: ExprKind::Call(Box::new(e), args) };
            } else if self.is("[") {
                self.bump();
                let idx = self.expr()?;
                self.expect("]")?;
                e = Expr { pos, kind: ExprKind::Index(Box::new(e), Box::new(idx)) };
            } else if self.eat(".") {
                match self.tok() {
                    Some(Tok::Ident(w)) if w == "await" => {
                        self.bump();
                        e = Expr { pos, kind: ExprKind::Await(Box::new(e)) };
                    }
                    Some(Tok::Ident(name)) => {
                        let name = name.clone();
                        self.bump();
                        if self.eat("::") {
                            self.type_args()?;
                        }
                        if self.is("(") {
                            let args = self.args(")")?;
                            e = Expr { pos, kind: ExprKind::Method(Box::new(e), name, args) };
                        } else {
                            e = Expr { pos, kind: ExprKind::Field(Box::new(e), name) };
                        }
                    }
                    Some(Tok::Int(n, _)) => {
                        let name = n.to_string();
                        self.bump();
                        e = Expr { pos, kind: ExprKind::Field(Box::new(e), name) };
                    }
                    Some(Tok::Float(_)) => return Err(self.err("`x.0.1` tuple fields are not supported")),
                    _ => return Err(self.err(format!("expected a method or field after `.`, found {}", self.found()))),
                }
            } else {
                return Ok(e);
            }
            self.deeper()?;
        }
    }

    /// `(a, b)` or `[a, b]`: the open bracket is current.
    fn args(&mut self, close: &str) -> Result<Vec<Expr>, CodeError> {
        self.bump();
        let mut args = Vec::new();
        while !self.eat(close) {
            args.push(self.expr()?);
            if !self.eat(",") {
                self.expect(close)?;
                break;
            }
        }
        Ok(args)
    }

    fn primary(&mut self, ctx: Ctx) -> Result<Expr, CodeError> {
        let pos = self.pos();
        let lit = |k| Ok(Expr { pos, kind: ExprKind::Lit(k) });
        let Some(tok) = self.tok() else {
            return Err(self.err("expected an expression, found the end of the program"));
        };
        match tok {
            Tok::Int(n, s) => {
                self.bump();
                lit(Lit::Int(*n, s.clone()))
            }
            Tok::Float(f) => {
                self.bump();
                lit(Lit::Float(*f))
            }
            Tok::Str(s) => {
                self.bump();
                lit(Lit::Str(s.clone()))
            }
            Tok::Char(c) => {
                self.bump();
                lit(Lit::Char(*c))
            }
            Tok::Bytes => Err(self.err("byte and C strings are not supported")),
            Tok::Lifetime(_) => Err(self.err("loop labels are not supported")),
            Tok::Punct("(") => self.paren(pos),
            Tok::Punct("[") => self.array(pos),
            Tok::Punct("{") => Ok(Expr { pos, kind: ExprKind::Block(self.block()?) }),
            Tok::Punct("|") | Tok::Punct("||") => self.closure(pos),
            Tok::Punct("::") | Tok::Punct("<") => {
                if self.is("<") {
                    return Err(self.err("qualified paths (`<T as Trait>::f`) are not supported"));
                }
                self.bump();
                self.path_expr(pos, ctx)
            }
            Tok::Punct(p) => Err(self.err(format!("expected an expression, found `{p}`"))),
            Tok::Ident(w) => self.word(pos, w, ctx),
        }
    }

    // The rarer forms, each in its own function: the recursion through `primary` keeps a
    // small stack frame (a deeply nested program must hit MAX_DEPTH, not the stack's end).

    #[inline(never)]
    fn paren(&mut self, pos: Pos) -> Result<Expr, CodeError> {
        self.bump();
        let mut items = Vec::new();
        let mut comma = false;
        while !self.eat(")") {
            items.push(self.expr()?);
            comma = self.eat(",");
            if !comma {
                self.expect(")")?;
                break;
            }
        }
        let kind = if items.len() == 1 && !comma {
            ExprKind::Paren(Box::new(items.pop().unwrap_or(Expr { pos, kind: ExprKind::Tuple(Vec::new()) })))
        } else {
            ExprKind::Tuple(items)
        };
        Ok(Expr { pos, kind })
    }

    #[inline(never)]
    fn array(&mut self, pos: Pos) -> Result<Expr, CodeError> {
        self.bump();
        let mut items = Vec::new();
        while !self.eat("]") {
            items.push(self.expr()?);
            if self.eat(";") {
                items.push(self.expr()?);
                self.expect("]")?;
                break;
            }
            if !self.eat(",") {
                self.expect("]")?;
                break;
            }
        }
        Ok(Expr { pos, kind: ExprKind::Array(items) })
    }

    #[inline(never)]
    fn word(&mut self, pos: Pos, w: &'a str, ctx: Ctx) -> Result<Expr, CodeError> {
        let lit = |k| Ok(Expr { pos, kind: ExprKind::Lit(k) });
        match w {
            "true" | "false" => {
                self.bump();
                lit(Lit::Bool(w == "true"))
            }
            "async" => {
                self.bump();
                self.eat_kw("move");
                if self.is("|") || self.is("||") {
                    return Err(self.err("async closures are not supported"));
                }
                Ok(Expr { pos, kind: ExprKind::Async(self.block()?) })
            }
            "move" => {
                self.bump();
                self.closure(pos)
            }
            "unsafe" => {
                self.bump();
                Ok(Expr { pos, kind: ExprKind::Unsafe(self.block()?) })
            }
            "loop" => {
                self.bump();
                Ok(Expr { pos, kind: ExprKind::Loop(self.block()?) })
            }
            "while" => {
                self.bump();
                let cond = self.cond()?;
                Ok(Expr { pos, kind: ExprKind::While(Box::new(cond), self.block()?) })
            }
            "for" => {
                self.bump();
                let pat = self.pat()?;
                if !self.eat_kw("in") {
                    return Err(self.err(format!("expected `in` in this `for`, found {}", self.found())));
                }
                let iter = self.expr_in(Ctx::Head)?;
                Ok(Expr { pos, kind: ExprKind::For(pat, Box::new(iter), self.block()?) })
            }
            "if" => self.if_expr(),
            "match" => {
                self.bump();
                let scrutinee = self.expr_in(Ctx::Head)?;
                self.expect("{")?;
                let mut arms = Vec::new();
                while !self.eat("}") {
                    let pat = self.pat()?;
                    let guard = if self.eat_kw("if") { Some(self.expr()?) } else { None };
                    self.expect("=>")?;
                    let body = self.expr()?;
                    let block_body = matches!(body.kind, ExprKind::Block(_));
                    arms.push(Arm { pat, guard, body });
                    if !self.eat(",") && !block_body && !self.is("}") {
                        return Err(self.err(format!("expected `,` after this match arm, found {}", self.found())));
                    }
                }
                Ok(Expr { pos, kind: ExprKind::Match(Box::new(scrutinee), arms) })
            }
            "return" | "break" | "continue" => {
                let kw: &'static str = match w {
                    "return" => "return",
                    "break" => "break",
                    _ => "continue",
                };
                self.bump();
                if matches!(self.tok(), Some(Tok::Lifetime(_))) {
                    return Err(self.err("loop labels are not supported"));
                }
                if self.starts_expr(ctx) && !self.is("}") {
                    self.expr_in(ctx)?;
                }
                Ok(Expr { pos, kind: ExprKind::Jump(kw) })
            }
            "let" => Err(self.err("`let` is only a statement here (or a condition of `if let`/`while let`)")),
            _ => self.path_expr(pos, ctx),
        }
    }

    fn closure(&mut self, pos: Pos) -> Result<Expr, CodeError> {
        let mut params = Vec::new();
        if !self.eat("||") {
            self.expect("|")?;
            while !self.eat("|") {
                // A `|` here closes the parameters: no or-patterns.
                self.deeper()?;
                params.push(self.pat_one()?);
                self.depth -= 1;
                if self.eat(":") {
                    self.ty()?;
                }
                if !self.eat(",") {
                    self.expect("|")?;
                    break;
                }
            }
        }
        if self.eat("->") {
            self.ty()?;
        }
        let body = self.expr()?;
        Ok(Expr { pos, kind: ExprKind::Closure(params, Box::new(body)) })
    }

    fn cond(&mut self) -> Result<Cond, CodeError> {
        if self.eat_kw("let") {
            let pat = self.pat()?;
            self.expect("=")?;
            let e = self.expr_in(Ctx::Head)?;
            if self.is("&&") {
                return Err(self.err("`let` chains are not supported"));
            }
            Ok(Cond::Let(pat, e))
        } else {
            Ok(Cond::Expr(self.expr_in(Ctx::Head)?))
        }
    }

    fn if_expr(&mut self) -> Result<Expr, CodeError> {
        let pos = self.pos();
        self.bump();
        let cond = self.cond()?;
        let then = self.block()?;
        let other = if self.eat_kw("else") {
            if self.is_kw("if") {
                self.deeper()?;
                let e = self.if_expr()?;
                self.depth -= 1;
                Some(Box::new(e))
            } else {
                let at = self.pos();
                Some(Box::new(Expr { pos: at, kind: ExprKind::Block(self.block()?) }))
            }
        } else {
            None
        };
        Ok(Expr { pos, kind: ExprKind::If(Box::new(cond), then, other) })
    }

    /// A path, a macro call, or (refused) a struct literal.
    fn path_expr(&mut self, pos: Pos, ctx: Ctx) -> Result<Expr, CodeError> {
        let mut path = vec![self.ident()?];
        loop {
            if self.is("::") && matches!(self.nth(1), Some(Tok::Punct("<"))) {
                self.bump();
                self.type_args()?;
            } else if self.eat("::") {
                path.push(self.ident()?);
            } else {
                break;
            }
        }
        if self.is("!") && matches!(self.nth(1), Some(Tok::Punct("(" | "[" | "{"))) {
            self.bump();
            let start = self.i + 1;
            self.skip_tree()?;
            return Ok(Expr { pos, kind: ExprKind::Macro(path, self.base + start..self.base + self.i - 1) });
        }
        if ctx == Ctx::Any && self.is("{") && path.last().is_some_and(|s| s.starts_with(char::is_uppercase)) {
            return Err(CodeError::at(
                pos,
                format!("struct literals (`{} {{ .. }}`) are not supported", path.join("::")),
            ));
        }
        Ok(Expr { pos, kind: ExprKind::Path(path) })
    }
}

/// Whether an expression statement may go without `;` (it ends with a block).
fn ends_with_block(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Block(_)
            | ExprKind::Unsafe(_)
            | ExprKind::Loop(_)
            | ExprKind::While(..)
            | ExprKind::For(..)
            | ExprKind::If(..)
            | ExprKind::Match(..)
    ) || matches!(e.kind, ExprKind::Macro(..))
}

/// A token as source text (for attributes).
pub fn tok_text(t: &Tok) -> String {
    match t {
        Tok::Ident(w) => format!("{w} "),
        Tok::Lifetime(l) => format!("'{l}"),
        Tok::Int(n, s) => format!("{n}{s}"),
        Tok::Float(f) => f.to_string(),
        Tok::Str(s) => format!("{s:?}"),
        Tok::Bytes => "b\"\"".into(),
        Tok::Char(c) => format!("{c:?}"),
        Tok::Punct(p) => p.to_string(),
    }
}
