//! The syntax tree the parser builds: the part of Rust a small tokio program uses, with a
//! place on everything the lowering may report on. It is not typed and resolves nothing.

use super::lex::Pos;

/// A whole source file: its items, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    /// Every top-level item.
    pub items: Vec<Item>,
}

/// A top-level item.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// Where it starts (its first attribute, or its keyword).
    pub pos: Pos,
    /// Its attributes' paths and bodies as written, e.g. `tokio::main(flavor = "current_thread")`.
    pub attrs: Vec<String>,
    /// What it is.
    pub kind: ItemKind,
}

/// What kind of item.
#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    /// `use a::b::{c, d as e};`: each imported path, with the name it is bound to.
    Use(Vec<(Vec<String>, String)>),
    /// A function with a body the lowering reads.
    Fn {
        /// Its name.
        name: String,
        /// Whether it is `async`.
        is_async: bool,
        /// Whether it takes parameters.
        has_params: bool,
        /// Its body.
        body: Block,
    },
    /// `type Name = Type;`.
    TypeAlias {
        /// Its name.
        name: String,
        /// What it names, as written (generic arguments kept).
        ty: Type,
    },
    /// Any other item (`struct`, `impl`, `mod`, `const`...), skipped whole: its keyword and
    /// name (the type's name for an `impl`).
    Other {
        /// `struct`, `impl`, `enum`...
        keyword: String,
        /// Its name, if it has one.
        name: String,
    },
}

/// A type, as much as the lowering needs: its path's last segment and its arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct Type {
    /// The path's segments (`std::collections::HashMap` → three), empty for a reference,
    /// tuple or other shape.
    pub path: Vec<String>,
    /// Generic arguments of the last segment.
    pub args: Vec<Type>,
}

/// `{ statements }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// Where its `{` is.
    pub pos: Pos,
    /// Where its `}` is.
    pub end: Pos,
    /// Its statements.
    pub stmts: Vec<Stmt>,
}

/// A statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    /// `let pat [: ty] [= init] [else { .. }];`
    Let {
        /// Where `let` is.
        pos: Pos,
        /// The pattern.
        pat: Pat,
        /// The type written after `:`, if any.
        ty: Option<Type>,
        /// The initializer.
        init: Option<Expr>,
        /// Whether it has an `else` block (let-else).
        has_else: bool,
    },
    /// An expression, with or without its `;`.
    Expr(Expr, bool),
    /// An item inside a block (`fn`, `struct`...): outside the subset.
    Item(Item),
}

/// A pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct Pat {
    /// Where it starts.
    pub pos: Pos,
    /// What it is.
    pub kind: PatKind,
}

/// What kind of pattern.
#[derive(Clone, Debug, PartialEq)]
pub enum PatKind {
    /// `_`.
    Wild,
    /// `[ref] [mut] name`.
    Ident {
        /// The name bound.
        name: String,
        /// Whether `mut`.
        is_mut: bool,
    },
    /// `Path(pats)`, like `Some(x)` or `Ok(mut g)`.
    TupleStruct(Vec<String>, Vec<Pat>),
    /// `(a, b)`.
    Tuple(Vec<Pat>),
    /// A literal, a path, a range or a reference pattern: matched, not bound.
    Other,
}

/// An expression, with the place of its first token.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// Where it starts.
    pub pos: Pos,
    /// What it is.
    pub kind: ExprKind,
}

/// A literal.
#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    /// An integer and its suffix.
    Int(u64, String),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A character.
    Char(char),
    /// `true` or `false`.
    Bool(bool),
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    /// `*e`
    Deref,
    /// `!e`
    Not,
    /// `-e`
    Neg,
    /// `&e`
    Ref,
    /// `&mut e`
    RefMut,
}

/// What kind of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A literal.
    Lit(Lit),
    /// A path (`db`, `tokio::spawn`, `Vec::<u8>::new`: generic arguments dropped).
    Path(Vec<String>),
    /// `f(args)`.
    Call(Box<Expr>, Vec<Expr>),
    /// `receiver.method(args)`.
    Method(Box<Expr>, String, Vec<Expr>),
    /// `e.field` or `e.0`.
    Field(Box<Expr>, String),
    /// `e[i]`.
    Index(Box<Expr>, Box<Expr>),
    /// `e.await`.
    Await(Box<Expr>),
    /// `e?`.
    Try(Box<Expr>),
    /// `op e`.
    Unary(UnOp, Box<Expr>),
    /// `a op b`, the operator as written (`+`, `==`, `&&`...).
    Binary(&'static str, Box<Expr>, Box<Expr>),
    /// `a = b`, or `a op= b` with the operator as written (`+=`).
    Assign(&'static str, Box<Expr>, Box<Expr>),
    /// `e as Type`.
    Cast(Box<Expr>, Type),
    /// `a..b`, `a..=b` (inclusive: `true`) and their open forms.
    Range(Option<Box<Expr>>, Option<Box<Expr>>, bool),
    /// `(a, b)`, `()`.
    Tuple(Vec<Expr>),
    /// `(e)`.
    Paren(Box<Expr>),
    /// `[a, b]` or `[a; n]`.
    Array(Vec<Expr>),
    /// `{ .. }`.
    Block(Block),
    /// `unsafe { .. }`.
    Unsafe(Block),
    /// `async [move] { .. }`.
    Async(Block),
    /// `loop { .. }`.
    Loop(Block),
    /// `while cond { .. }` / `while let pat = e { .. }`.
    While(Box<Cond>, Block),
    /// `for pat in e { .. }`.
    For(Pat, Box<Expr>, Block),
    /// `if cond { .. } [else ..]`.
    If(Box<Cond>, Block, Option<Box<Expr>>),
    /// `match e { arms }`.
    Match(Box<Expr>, Vec<Arm>),
    /// `[move] |params| body`.
    Closure(Vec<Pat>, Box<Expr>),
    /// `path!(..)`, `path![..]`, `path!{..}`: the body's tokens, by index, kept for the
    /// lowering to read as it needs (as format arguments, as JSON, as expressions).
    Macro(Vec<String>, std::ops::Range<usize>),
    /// `return`, `break`, `continue` (with a label or value or not).
    Jump(&'static str),
}

/// A condition: a plain boolean expression, or `let pat = e`.
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    /// `cond`.
    Expr(Expr),
    /// `let pat = e`.
    Let(Pat, Expr),
}

/// A `match` arm.
#[derive(Clone, Debug, PartialEq)]
pub struct Arm {
    /// The pattern (alternatives `a | b` read as [`PatKind::Other`]).
    pub pat: Pat,
    /// `if guard`.
    pub guard: Option<Expr>,
    /// `=> body`.
    pub body: Expr,
}

/// The body of a `tokio::select!`, as [`parse_select`](super::parse::parse_select) reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct Select {
    /// Where `biased;` is, if the body starts with it.
    pub biased: Option<Pos>,
    /// The branches, in order (an `else` branch too, where it is written).
    pub arms: Vec<SelectArm>,
}

/// One branch of a `tokio::select!`: `pattern = future [, if condition] => handler`, or
/// `else => handler`.
#[derive(Clone, Debug, PartialEq)]
pub struct SelectArm {
    /// Where it starts.
    pub pos: Pos,
    /// The pattern and the future (`None` for `else`).
    pub branch: Option<(Pat, Expr)>,
    /// `, if condition`: the branch's precondition.
    pub cond: Option<Expr>,
    /// The handler.
    pub body: Expr,
}
