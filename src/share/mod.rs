//! Share links: a scenario and how to view it, round-tripped through the URL fragment.
//!
//! A link's fragment is a list of `key=value` pairs joined by `&`:
//!
//! | key | value | meaning |
//! |---|---|---|
//! | `preset` | a preset id, e.g. `reader-writer` | start from that preset |
//! | `s` | base64url (no padding) of the DEFLATE-compressed scenario JSON | a whole scenario |
//! | `step` | a number | the playhead position |
//! | `speed` | `0.25` … `64`, or `end` | playback speed |
//! | `policy` | `fifo`, `tokio`, `random:SEED`, or `manual:3.1.4` (task ids) | who runs next |
//! | `embed`, `autoplay`, `loop` | `1` or `0` | embed mode and its options |
//! | `theme` | `light` or `dark` | colour theme |
//!
//! Decoding never panics and never runs anything: a fragment is only ever data. Bad input
//! (bad base64, a damaged compressed stream, bad JSON, a fragment or scenario over the size
//! limits, a value out of range) is a [`FragmentError`] with a message a person can act on;
//! the scenario JSON itself is then validated by the scenario layer like any other input.
//! Unknown keys are ignored, so older pages can open newer links.
//!
//! # Examples
//!
//! ```
//! use mutex_playground::share::{Link, Source, Speed};
//!
//! let link = Link {
//!     source: Source::Scenario(r#"{"name":"mine","mutexes":[],"tasks":[]}"#.to_string()),
//!     step: Some(42),
//!     speed: Some(Speed::Times(2.0)),
//!     ..Link::default()
//! };
//! let fragment = link.to_fragment();
//! assert!(fragment.starts_with("s="));
//! assert_eq!(Link::from_fragment(&fragment).unwrap(), link);
//!
//! // Hostile input is an error with a message, not a panic.
//! let err = Link::from_fragment("#s=%%%").unwrap_err();
//! assert!(err.to_string().contains("base64"));
//! ```

pub mod api;
pub mod export;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use std::fmt;

use crate::exec::Policy;

/// The longest fragment we try to read (characters). Browsers accept far longer URLs; a
/// share link this long is already unwieldy, so anything past it is refused early.
pub const MAX_FRAGMENT_LEN: usize = 64 * 1024;
/// The most a compressed scenario may unpack to (bytes), so a tiny link cannot
/// expand into a huge allocation (a "zip bomb").
pub const MAX_SCENARIO_JSON: usize = 1024 * 1024;
/// The most scheduling choices a `policy=manual:...` link may carry.
pub const MAX_MANUAL_CHOICES: usize = 10_000;

/// Where the scenario of a link comes from.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Source {
    /// No scenario in the link: the page's default.
    #[default]
    Default,
    /// A preset, by id (the caller checks that it exists).
    Preset(String),
    /// A whole scenario, as JSON text (the caller validates it).
    Scenario(String),
    /// A bundled lesson, by id (`lesson=seed-002-hand-over`; the caller checks it exists).
    Lesson(String),
    /// A whole lesson, as JSON text (`l=`, packed like `s=`; the caller checks it).
    LessonJson(String),
}

/// The most origins a link's allow-list (`origins=`) may name.
pub const MAX_ORIGINS: usize = 8;

/// Playback speed in a link.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Speed {
    /// Steps per tick relative to normal speed, from [`Speed::MIN`] to [`Speed::MAX`].
    Times(f64),
    /// Jump straight to the end of the run.
    ToEnd,
}

impl Speed {
    /// The slowest speed a link may ask for: a quarter of normal.
    pub const MIN: f64 = 0.25;
    /// The fastest speed a link may ask for: 64 times normal.
    pub const MAX: f64 = 64.0;
}

/// The page's colour theme (a link may ask for one: `theme=light`, `theme=dark`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Dark text on light backgrounds: `theme=light`.
    Light,
    /// Light text on dark backgrounds: `theme=dark`.
    Dark,
}

impl Theme {
    /// Its name in a link and in the page's CSS (`data-theme`): `light` or `dark`.
    pub fn name(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The other theme (what a toggle switches to).
    pub fn other(self) -> Theme {
        match self {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        }
    }
}

/// Everything a share or embed link carries.
///
/// Each `None` (and `false`) means the link does not say, and leaves the page's default;
/// such a field is left out of the fragment.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Link {
    /// The scenario to open (`preset=` or `s=`).
    pub source: Source,
    /// Where to put the playhead (`step=`): a step number, or `u64::MAX` for the end of
    /// the run (`step=end`); the page clamps it to the run's steps.
    pub step: Option<u64>,
    /// The playback speed (`speed=`).
    pub speed: Option<Speed>,
    /// Who runs next (`policy=fifo`, `tokio`, `random:SEED`, or `manual:3.1.4`: the player's
    /// choices of task id, at most [`MAX_MANUAL_CHOICES`]; `manual:` alone is none yet).
    pub policy: Option<Policy>,
    /// The colour theme (`theme=`); without it the viewer's own choice applies.
    pub theme: Option<Theme>,
    /// Compact layout for an `<iframe>` (`embed=1`).
    pub embed: bool,
    /// Start playing as soon as the page opens (`autoplay=1`).
    pub autoplay: bool,
    /// Start again from the beginning after the end (`loop=1`, embed mode).
    pub looped: bool,
    /// Show the scenario as a Rust program in embed mode too (`view=code`).
    pub code: bool,
    /// The lock policies to compare side by side, 2 to 4 of `async`, `barging`, `lifo`
    /// and `eventually_fair` (`compare=async,barging`); empty: no comparison.
    pub compare: Vec<crate::scenario::MutexKind>,
    /// The lesson stop to open, counting from 1 (`stop=`; with a lesson source).
    pub stop: Option<u32>,
    /// The origins allowed to drive an embedded page by `postMessage`, and to hear from
    /// it (`origins=https%3A%2F%2Fa.example,https%3A%2F%2Fb.example`); empty: its parent
    /// page, whatever its origin.
    pub origins: Vec<String>,
}

/// Why a fragment could not be read. Each message says what was wrong, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FragmentError {
    /// The fragment is longer than [`MAX_FRAGMENT_LEN`]: none of it was read.
    TooLong {
        /// Its length in bytes, without the leading `#`.
        len: usize,
    },
    /// The `s=` scenario is not base64url; the decoder's message.
    BadBase64(String),
    /// The `s=` scenario does not decompress (not a DEFLATE stream, or a cut one).
    BadCompression,
    /// The `s=` scenario unpacks to more than [`MAX_SCENARIO_JSON`] bytes.
    TooLarge,
    /// The `s=` scenario unpacks to bytes that are not UTF-8 text.
    NotUtf8,
    /// The `s=` scenario is not JSON; the parser's message. (JSON that is not a valid
    /// scenario is the scenario layer's error, not this one.)
    BadJson(String),
    /// A `key=value` part whose value the key does not take.
    BadValue {
        /// The key, cut at 40 characters.
        key: String,
        /// The value as given, cut at 40 characters.
        value: String,
        /// What the key takes, in words, like `` `1` or `0` ``.
        expected: &'static str,
    },
}

impl fmt::Display for FragmentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FragmentError::TooLong { len } => {
                write!(f, "the link is too long to read ({len} characters after #; the limit is {MAX_FRAGMENT_LEN})")
            }
            FragmentError::BadBase64(why) => {
                write!(f, "the scenario in the link is not valid base64url ({why}); was the link cut or edited?")
            }
            FragmentError::BadCompression => {
                f.write_str("the scenario in the link is damaged: it does not decompress; was the link cut or edited?")
            }
            FragmentError::TooLarge => {
                write!(f, "the scenario in the link unpacks to more than {} KiB, the limit", MAX_SCENARIO_JSON / 1024)
            }
            FragmentError::NotUtf8 => f.write_str("the scenario in the link is not text (not UTF-8)"),
            FragmentError::BadJson(why) => write!(f, "the scenario in the link is not valid JSON: {why}"),
            FragmentError::BadValue { key, value, expected } => {
                write!(f, "`{key}={value}` in the link: expected {expected}")
            }
        }
    }
}

impl std::error::Error for FragmentError {}

impl Link {
    /// A link that opens preset `id` with everything else at its default.
    pub fn preset(id: &str) -> Link {
        Link { source: Source::Preset(id.to_string()), ..Link::default() }
    }

    /// The fragment for this link, without the leading `#`.
    pub fn to_fragment(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        match &self.source {
            Source::Default => {}
            Source::Preset(id) => parts.push(format!("preset={}", escape(id))),
            Source::Scenario(json) => parts.push(format!("s={}", pack(json))),
            Source::Lesson(id) => parts.push(format!("lesson={}", escape(id))),
            Source::LessonJson(json) => parts.push(format!("l={}", pack(json))),
        }
        if let Some(stop) = self.stop {
            parts.push(format!("stop={stop}"));
        }
        match self.step {
            Some(u64::MAX) => parts.push("step=end".into()),
            Some(step) => parts.push(format!("step={step}")),
            None => {}
        }
        match self.speed {
            Some(Speed::Times(x)) => parts.push(format!("speed={x}")),
            Some(Speed::ToEnd) => parts.push("speed=end".into()),
            None => {}
        }
        if let Some(policy) = &self.policy {
            parts.push(format!("policy={policy}"));
        }
        if let Some(theme) = self.theme {
            parts.push(format!("theme={}", theme.name()));
        }
        for (key, on) in [("embed", self.embed), ("autoplay", self.autoplay), ("loop", self.looped)] {
            if on {
                parts.push(format!("{key}=1"));
            }
        }
        if self.code {
            parts.push("view=code".into());
        }
        if !self.compare.is_empty() {
            let names: Vec<&str> = self.compare.iter().map(|k| k.name()).collect();
            parts.push(format!("compare={}", names.join(",")));
        }
        if !self.origins.is_empty() {
            let origins: Vec<String> = self.origins.iter().map(|o| escape(o)).collect();
            parts.push(format!("origins={}", origins.join(",")));
        }
        parts.join("&")
    }

    /// Reads a fragment (with or without the leading `#`), strictly: the first part that
    /// cannot be read is the error. Never panics. See [`read`](Link::read) for the
    /// forgiving reader the page uses.
    pub fn from_fragment(fragment: &str) -> Result<Link, FragmentError> {
        let (link, mut problems) = Link::read(fragment);
        match problems.is_empty() {
            true => Ok(link),
            false => Err(problems.remove(0)),
        }
    }

    /// Reads a fragment, keeping every part that can be read: each part that cannot is
    /// left at its default and named in the problems, in order. A stranger's link with
    /// one bad parameter (`#preset=deadlock&step=-1`) still opens the deadlock preset.
    /// `step=end` is the end of the run (`u64::MAX`, clamped to the run's steps).
    ///
    /// # Examples
    ///
    /// ```
    /// use mutex_playground::share::{Link, Source};
    ///
    /// let (link, problems) = Link::read("#preset=deadlock&step=-1&embed=1&autoplay=yes");
    /// assert_eq!(link.source, Source::Preset("deadlock".into()));
    /// assert!(link.embed && !link.autoplay);
    /// let problems: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    /// assert_eq!(problems, [
    ///     "`step=-1` in the link: expected a step number, or `end`",
    ///     "`autoplay=yes` in the link: expected `1` or `0`",
    /// ]);
    /// assert_eq!(Link::read("step=end").0.step, Some(u64::MAX));
    /// ```
    pub fn read(fragment: &str) -> (Link, Vec<FragmentError>) {
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        let mut link = Link::default();
        if fragment.len() > MAX_FRAGMENT_LEN {
            return (link, vec![FragmentError::TooLong { len: fragment.len() }]);
        }
        let mut problems = Vec::new();
        for pair in fragment.split('&').filter(|p| !p.is_empty()) {
            if let Err(problem) = link.read_pair(pair) {
                problems.push(problem);
            }
        }
        (link, problems)
    }

    /// Reads one `key=value` part into `self`; on error `self` is unchanged.
    fn read_pair(&mut self, pair: &str) -> Result<(), FragmentError> {
        let (key, value) = pair.split_once('=').unwrap_or((pair, "1"));
        let bad =
            |expected: &'static str| FragmentError::BadValue { key: shorten(key), value: shorten(value), expected };
        match key {
            "preset" => {
                let id = unescape(value);
                if !is_id(&id) {
                    return Err(bad("a preset name (letters, digits and dashes)"));
                }
                self.source = Source::Preset(id);
            }
            "s" => self.source = Source::Scenario(unpack(value)?),
            "lesson" => {
                let id = unescape(value);
                if !is_id(&id) {
                    return Err(bad("a lesson's id (letters, digits and dashes)"));
                }
                self.source = Source::Lesson(id);
            }
            "l" => self.source = Source::LessonJson(unpack(value)?),
            "view" => {
                if value != "code" {
                    return Err(bad("`code`"));
                }
                self.code = true;
            }
            "compare" => {
                let kinds: Option<Vec<crate::scenario::MutexKind>> = value
                    .split(',')
                    .map(|n| crate::scenario::MutexKind::named(n).filter(|k| k.is_policy_mutex()))
                    .collect();
                match kinds {
                    Some(k) if (2..=4).contains(&k.len()) && k.iter().enumerate().all(|(i, a)| !k[..i].contains(a)) => {
                        self.compare = k
                    }
                    _ => {
                        return Err(bad("2 to 4 of `async`, `barging`, `lifo`, `eventually_fair`, separated by commas"))
                    }
                }
            }
            "stop" => {
                self.stop = Some(value.parse().ok().filter(|&n| n >= 1).ok_or_else(|| bad("a stop number from 1"))?)
            }
            "origins" => {
                let origins: Vec<String> = value.split(',').map(unescape).collect();
                if origins.len() > MAX_ORIGINS || !origins.iter().all(|o| is_origin(o)) {
                    return Err(bad("up to 8 origins like `https://example.org`, separated by commas"));
                }
                self.origins = origins;
            }
            "step" => {
                self.step = Some(match value {
                    "end" => u64::MAX,
                    _ => value.parse().map_err(|_| bad("a step number, or `end`"))?,
                })
            }
            "speed" => {
                self.speed = Some(if value == "end" {
                    Speed::ToEnd
                } else {
                    match parse_decimal(value) {
                        Some(x) if (Speed::MIN..=Speed::MAX).contains(&x) => Speed::Times(x),
                        _ => return Err(bad("a number from 0.25 to 64, or `end`")),
                    }
                })
            }
            "policy" => {
                self.policy = Some(
                    parse_policy(value).ok_or_else(|| bad("`fifo`, `tokio`, `random:SEED` or `manual:ID.ID...`"))?,
                )
            }
            "theme" => {
                self.theme = Some(match value {
                    "light" => Theme::Light,
                    "dark" => Theme::Dark,
                    _ => return Err(bad("`light` or `dark`")),
                })
            }
            "embed" | "autoplay" | "loop" => {
                let on = match value {
                    "1" | "true" => true,
                    "0" | "false" => false,
                    _ => return Err(bad("`1` or `0`")),
                };
                match key {
                    "embed" => self.embed = on,
                    "autoplay" => self.autoplay = on,
                    _ => self.looped = on,
                }
            }
            _ => {} // unknown keys: ignored, for links made by newer versions
        }
        Ok(())
    }
}

/// A preset's or a lesson's id: 1 to 64 letters, digits, `-` and `_`.
fn is_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A web origin as a browser writes it: `https://host` or `http://host:port`, nothing after.
///
/// ```
/// use mutex_playground::share::is_origin;
///
/// assert!(is_origin("https://course.example.org") && is_origin("http://127.0.0.1:8080"));
/// assert!(!is_origin("https://a.example/path") && !is_origin("*") && !is_origin("javascript:x"));
/// ```
pub fn is_origin(o: &str) -> bool {
    let Some(rest) = o.strip_prefix("https://").or_else(|| o.strip_prefix("http://")) else { return false };
    let (host, port) = rest.split_once(':').unwrap_or((rest, "1"));
    o.len() <= 200
        && !host.is_empty()
        && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && port.parse::<u16>().is_ok_and(|p| p > 0)
}

fn parse_policy(value: &str) -> Option<Policy> {
    Policy::parse(value).filter(|p| !matches!(p, Policy::Manual { choices } if choices.len() > MAX_MANUAL_CHOICES))
}

/// JSON text → DEFLATE → base64url without padding.
pub fn pack(json: &str) -> String {
    URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9))
}

/// The inverse of [`pack`], with the size limits applied before anything large is allocated.
pub fn unpack(packed: &str) -> Result<String, FragmentError> {
    // base64 of the largest compressed payload we could accept is bounded by the fragment
    // limit already; decoding is linear.
    let compressed =
        URL_SAFE_NO_PAD.decode(packed.trim_end_matches('=')).map_err(|e| FragmentError::BadBase64(e.to_string()))?;
    let bytes =
        miniz_oxide::inflate::decompress_to_vec_with_limit(&compressed, MAX_SCENARIO_JSON).map_err(|e| {
            match e.status {
                miniz_oxide::inflate::TINFLStatus::HasMoreOutput => FragmentError::TooLarge,
                _ => FragmentError::BadCompression,
            }
        })?;
    let text = String::from_utf8(bytes).map_err(|_| FragmentError::NotUtf8)?;
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&text) {
        return Err(FragmentError::BadJson(e.to_string()));
    }
    Ok(text)
}

/// Percent-escapes what could break the `k=v&k=v` syntax.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            // Byte-wise, so a multi-byte character after `%` cannot split a slice.
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `s.parse::<f64>()` for the decimal forms (`2`, `0.25`, `+1.5`, `.5`, `5.`, `25e-2`), without
/// core's float parser: that one brings a 17 kB table (10 kB gzipped) into the page for this one
/// use. The same value as `parse` wherever that is exact to compute (up to 15 significant digits
/// and a power of ten up to 22 away); a last-bit difference is possible past that, which no speed
/// notices. `inf`, `nan` and the like are `None`: no speed is one.
fn parse_decimal(s: &str) -> Option<f64> {
    let (negative, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (mantissa, exponent) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (s, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if int.len() + frac.len() == 0 || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    let mut power: i64 = match exponent {
        None => 0,
        Some(e) => {
            let (sign, digits) = match e.as_bytes().first() {
                Some(b'-') => (-1, &e[1..]),
                Some(b'+') => (1, &e[1..]),
                _ => (1, e),
            };
            if digits.is_empty() || !all_digits(digits) {
                return None;
            }
            sign * digits.bytes().fold(0i64, |n, b| (n * 10 + i64::from(b - b'0')).min(100_000))
        }
    };
    // The significant digits, as many as fit in a u64; the rest only move the power.
    let mut digits: u64 = 0;
    for (i, b) in int.bytes().chain(frac.bytes()).enumerate() {
        let in_frac = i >= int.len();
        if digits < 1_000_000_000_000_000_000 {
            digits = digits * 10 + u64::from(b - b'0');
            power -= i64::from(in_frac);
        } else {
            power += i64::from(!in_frac);
        }
    }
    let scale = 10f64.powi(power.unsigned_abs().min(400) as i32);
    let x = if power >= 0 { digits as f64 * scale } else { digits as f64 / scale };
    Some(if negative { -x } else { x })
}

/// Keeps error messages short whatever the link holds.
fn shorten(s: &str) -> String {
    if s.chars().count() <= 40 {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(40).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_round_trips() {
        let link = Link {
            source: Source::Scenario("{\"name\":\"x ✓\",\"tasks\":[]}".into()),
            step: Some(12),
            speed: Some(Speed::Times(0.25)),
            policy: Some(Policy::Manual { choices: vec![0, 3, 1] }),
            theme: Some(Theme::Dark),
            embed: true,
            autoplay: true,
            looped: true,
            stop: Some(3),
            origins: vec!["https://a.example".into(), "http://127.0.0.1:8080".into()],
            code: true,
            compare: vec![crate::scenario::MutexKind::Lifo, crate::scenario::MutexKind::Async],
        };
        assert_eq!(Link::from_fragment(&link.to_fragment()), Ok(link));
        let preset = Link {
            speed: Some(Speed::ToEnd),
            policy: Some(Policy::Random { seed: u64::MAX }),
            ..Link::preset("reader-writer")
        };
        assert_eq!(Link::from_fragment(&format!("#{}", preset.to_fragment())), Ok(preset));
        assert_eq!(Link::from_fragment(""), Ok(Link::default()));
    }

    #[test]
    fn compare_takes_two_to_four_distinct_policies() {
        use crate::scenario::MutexKind;
        let read = |f: &str| Link::from_fragment(f).map(|l| l.compare);
        assert_eq!(read("compare=barging,async"), Ok(vec![MutexKind::Barging, MutexKind::Async]));
        assert!(read("compare=async,barging,lifo,eventually_fair").is_ok());
        for bad in ["compare=async", "compare=async,async", "compare=async,rwlock", "compare=", "compare=a,b,c,d,e"] {
            let e = read(bad).unwrap_err().to_string();
            assert!(e.contains("2 to 4 of"), "{bad}: {e}");
        }
    }

    #[test]
    fn speeds_parse_as_str_parse_does() {
        let cases = [
            "0.25",
            "64",
            "1",
            "1.5",
            ".5",
            "5.",
            "+2",
            "-2",
            "2e1",
            "2E+1",
            "6.4e1",
            "25e-2",
            "0.0000001e7",
            "00002",
            "0064.000",
            "1.1",
            "3.3",
            "12.345678901234",
            "",
            ".",
            "e5",
            "1e",
            "1e+",
            "1e-",
            "+",
            "-",
            "1_0",
            " 1",
            "1 ",
            "1..2",
            "1e2e3",
            "0x10",
            "inf",
            "-inf",
            "infinity",
            "NaN",
            "nan",
            "1e400",
            "1e-400",
            "1e99999999999999999999",
        ];
        for s in cases {
            let ours = parse_decimal(s);
            match s.parse::<f64>() {
                Ok(x) if x.is_finite() => assert_eq!(ours, Some(x), "{s:?}"),
                Ok(_) => assert!(ours.is_none_or(|x| !(Speed::MIN..=Speed::MAX).contains(&x)), "{s:?}"),
                Err(_) => assert_eq!(ours, None, "{s:?}"),
            }
        }
        for q in 1..=256u32 {
            let x = f64::from(q) / 4.0;
            assert_eq!(parse_decimal(&format!("{x}")), Some(x));
            assert_eq!(parse_decimal(&format!("{x:e}")), Some(x));
        }
        for q in 0..20_000u32 {
            let s = format!("{}.{:03}", q / 1000, q % 1000);
            assert_eq!(parse_decimal(&s), s.parse().ok(), "{s}");
        }
    }

    #[test]
    fn hostile_fragments_are_clear_errors() {
        let cases: &[(&str, &str)] = &[
            ("s=!!!", "base64"),
            ("s=AAAA", "damaged"),
            ("speed=fast", "speed=fast"),
            ("speed=1000", "0.25 to 64"),
            ("step=-1", "step number"),
            ("policy=manual:1.x", "manual"),
            ("theme=<script>", "light"),
            ("preset=<img src=x>", "preset name"),
            ("embed=yes", "`1` or `0`"),
        ];
        for (fragment, needle) in cases {
            let err = Link::from_fragment(fragment).expect_err(fragment).to_string();
            assert!(err.contains(needle), "{fragment}: {err}");
        }
        let huge = "a".repeat(MAX_FRAGMENT_LEN + 1);
        assert!(matches!(Link::from_fragment(&huge), Err(FragmentError::TooLong { .. })));
        assert_eq!(
            Link::from_fragment(&format!("s={}", pack("{not json"))).unwrap_err().to_string().split(':').next(),
            Some("the scenario in the link is not valid JSON")
        );
        let not_utf8 = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&[0xff, 0xfe], 9));
        assert_eq!(Link::from_fragment(&format!("s={not_utf8}")), Err(FragmentError::NotUtf8));
    }

    #[test]
    fn a_compression_bomb_is_refused_before_it_is_unpacked() {
        let bomb = format!("[\"{}\"]", "0".repeat(MAX_SCENARIO_JSON * 4));
        let packed = pack(&bomb);
        assert!(packed.len() < MAX_FRAGMENT_LEN, "the bomb fits in a link ({} chars)", packed.len());
        assert_eq!(unpack(&packed), Err(FragmentError::TooLarge));
    }

    #[test]
    fn unknown_keys_are_ignored_and_escapes_round_trip() {
        assert_eq!(Link::from_fragment("future=thing&preset=counter"), Ok(Link::preset("counter")));
        assert_eq!(unescape(&escape("a b&c=d%")), "a b&c=d%");
        assert_eq!(unescape("%4"), "%4");
        assert_eq!(unescape("%zz%41"), "%zzA");
        assert_eq!(unescape("%é1"), "%é1");
    }
}
