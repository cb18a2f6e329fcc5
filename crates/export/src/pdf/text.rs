//! Text on the base-14 fonts: WinAnsi encoding with substitutions, glyph widths, and
//! greedy line breaking into positioned pieces.
//!
//! # Characters the fonts cannot show
//!
//! The base-14 fonts are used with `WinAnsiEncoding` (Windows-1252): ASCII, Latin-1
//! (é, ü, ß, ñ, ø...) and the typographic extras (€ – — “ ” ‘ ’ • … ™ Œ Š Ž). Everything
//! else is substituted, never an error:
//! - Latin letters with other accents lose the accent (ő → o, ł → l, ș → s, ğ → g) and
//!   ligatures are spelled out (ﬁ → fi); a letter written as base + combining accent
//!   (as macOS writes text) is composed when WinAnsi has the composed letter (e + ◌́ → é).
//! - Punctuation and symbols get their closest ASCII form: the many dashes and minus →
//!   `-` or `—`, primes → `'` `"`, arrows → `->` `<-` `<->` `=>`, ≤ ≥ ≠ ≈ → `<=` `>=`
//!   `!=` `~`, check marks → `+`, crosses → `x`, other bullets → `•`, exotic spaces →
//!   a space.
//! - Invisible characters (zero-width spaces and joiners, soft hyphens, variation
//!   selectors, emoji skin-tone modifiers) are dropped.
//! - Anything else (Greek, Cyrillic, CJK, emoji...) becomes `?`, so the reader sees that
//!   something was there. The Markdown and DOCX exports keep every character; the PDF
//!   would need an embedded Unicode font to do the same (see the module docs of `pdf`).

use crate::document::{Span, SpanStyle};

use super::tables::{COMPOSE, HELVETICA, HELVETICA_BOLD, LATIN_FOLDS};

/// The five faces a PDF uses, each a base-14 font every PDF reader has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    Regular,
    Bold,
    Italic,
    BoldItalic,
    Mono,
}

impl Face {
    pub const ALL: [Face; 5] = [
        Face::Regular,
        Face::Bold,
        Face::Italic,
        Face::BoldItalic,
        Face::Mono,
    ];

    pub fn of(style: SpanStyle) -> Face {
        match (style.code, style.bold, style.italic) {
            (true, _, _) => Face::Mono,
            (false, false, false) => Face::Regular,
            (false, true, false) => Face::Bold,
            (false, false, true) => Face::Italic,
            (false, true, true) => Face::BoldItalic,
        }
    }

    /// The name of the font in a page's resources.
    pub fn resource(self) -> &'static [u8] {
        match self {
            Face::Regular => b"F1",
            Face::Bold => b"F2",
            Face::Italic => b"F3",
            Face::BoldItalic => b"F4",
            Face::Mono => b"F5",
        }
    }

    pub fn base_font(self) -> &'static [u8] {
        match self {
            Face::Regular => b"Helvetica",
            Face::Bold => b"Helvetica-Bold",
            Face::Italic => b"Helvetica-Oblique",
            Face::BoldItalic => b"Helvetica-BoldOblique",
            Face::Mono => b"Courier",
        }
    }

    /// Advance width of a WinAnsi byte, in 1/1000 em.
    fn advance(self, byte: u8) -> u16 {
        let index = usize::from(byte.saturating_sub(0x20));
        match self {
            Face::Mono => 600,
            Face::Regular | Face::Italic => HELVETICA.get(index).copied().unwrap_or(556),
            Face::Bold | Face::BoldItalic => HELVETICA_BOLD.get(index).copied().unwrap_or(556),
        }
    }

    /// Width of WinAnsi `bytes` at `size` points.
    pub fn width(self, bytes: &[u8], size: f32) -> f32 {
        let units: u32 = bytes.iter().map(|&b| u32::from(self.advance(b))).sum();
        units as f32 * size / 1000.0
    }
}

/// `text` in WinAnsi, with the substitutions described in the module docs.
pub(crate) fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        push_char(c, &mut out);
    }
    out
}

fn push_char(c: char, out: &mut Vec<u8>) {
    if let Some(byte) = winansi(c) {
        out.push(byte);
        return;
    }
    if is_combining(c) {
        // Compose with the letter before it where WinAnsi has the result.
        if let Some(&last) = out.last() {
            let base = char::from(last);
            if let Ok(i) = COMPOSE.binary_search_by(|&(b, m, _)| (b, m).cmp(&(base, c))) {
                if let Some(composed) = winansi(COMPOSE[i].2) {
                    out.pop();
                    out.push(composed);
                }
            }
        }
        return;
    }
    if let Ok(i) = LATIN_FOLDS.binary_search_by(|&(letter, _)| letter.cmp(&c)) {
        out.extend(LATIN_FOLDS[i].1.bytes());
        return;
    }
    let substitute: &str = match c {
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2043}' | '\u{2212}' | '\u{fe63}'
        | '\u{ff0d}' => "-",
        '\u{2015}' => "\u{2014}",
        '\u{2032}' | '\u{201b}' => "'",
        '\u{2033}' | '\u{201f}' => "\"",
        '\u{2190}' => "<-",
        '\u{2192}' | '\u{279c}' | '\u{27a1}' => "->",
        '\u{2194}' => "<->",
        '\u{21d2}' => "=>",
        '\u{2264}' => "<=",
        '\u{2265}' => ">=",
        '\u{2260}' => "!=",
        '\u{2248}' => "~",
        '\u{2713}' | '\u{2714}' | '\u{2705}' | '\u{2611}' => "+",
        '\u{2717}' | '\u{2718}' | '\u{274c}' | '\u{2612}' => "x",
        '\u{2023}' | '\u{25aa}' | '\u{25ab}' | '\u{25cf}' | '\u{25e6}' | '\u{25a0}'
        | '\u{25a1}' | '\u{2219}' => "\u{2022}",
        '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}' => " ",
        '\u{200b}'..='\u{200f}'
        | '\u{2060}'..='\u{2064}'
        | '\u{feff}'
        | '\u{00ad}'
        | '\u{fe00}'..='\u{fe0f}'
        | '\u{1f3fb}'..='\u{1f3ff}'
        | '\u{e0020}'..='\u{e007f}' => "",
        _ => "?",
    };
    for s in substitute.chars() {
        if let Some(byte) = winansi(s) {
            out.push(byte);
        }
    }
}

fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036f}' | '\u{1ab0}'..='\u{1aff}' | '\u{20d0}'..='\u{20ff}')
}

/// The WinAnsi byte for `c`, if it has one (the soft hyphen is left out on purpose:
/// readers differ on whether to draw it).
fn winansi(c: char) -> Option<u8> {
    match c {
        ' '..='~' => u8::try_from(c).ok(),
        '\u{a0}'..='\u{ff}' if c != '\u{ad}' => u8::try_from(c).ok(),
        '\u{20ac}' => Some(0x80),
        '\u{201a}' => Some(0x82),
        '\u{0192}' => Some(0x83),
        '\u{201e}' => Some(0x84),
        '\u{2026}' => Some(0x85),
        '\u{2020}' => Some(0x86),
        '\u{2021}' => Some(0x87),
        '\u{02c6}' => Some(0x88),
        '\u{2030}' => Some(0x89),
        '\u{0160}' => Some(0x8a),
        '\u{2039}' => Some(0x8b),
        '\u{0152}' => Some(0x8c),
        '\u{017d}' => Some(0x8e),
        '\u{2018}' => Some(0x91),
        '\u{2019}' => Some(0x92),
        '\u{201c}' => Some(0x93),
        '\u{201d}' => Some(0x94),
        '\u{2022}' => Some(0x95),
        '\u{2013}' => Some(0x96),
        '\u{2014}' => Some(0x97),
        '\u{02dc}' => Some(0x98),
        '\u{2122}' => Some(0x99),
        '\u{0161}' => Some(0x9a),
        '\u{203a}' => Some(0x9b),
        '\u{0153}' => Some(0x9c),
        '\u{017e}' => Some(0x9e),
        '\u{0178}' => Some(0x9f),
        _ => None,
    }
}

/// An RGB colour, each channel 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Color(pub f32, pub f32, pub f32);

impl Color {
    pub const TEXT: Color = Color(0.13, 0.13, 0.13);
    pub const ACCENT: Color = Color(0.12, 0.22, 0.39);
    pub const MUTED: Color = Color(0.4, 0.4, 0.4);
    pub const LINK: Color = Color(0.02, 0.33, 0.75);
}

/// How a block's text looks before span styles apply.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Look {
    pub size: f32,
    pub color: Color,
    /// Bold whatever the spans say (headings, table headers).
    pub bold: bool,
}

/// The attributes of a piece of text on a line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Ink {
    pub face: Face,
    pub size: f32,
    pub color: Color,
    pub underline: bool,
    pub strike: bool,
}

impl Ink {
    fn of(span: &Span, look: Look) -> Ink {
        let mut style = span.style;
        style.bold |= look.bold;
        let face = Face::of(style);
        Ink {
            face,
            // Courier looks large next to Helvetica.
            size: if face == Face::Mono {
                look.size * 0.92
            } else {
                look.size
            },
            color: if span.link.is_some() {
                Color::LINK
            } else {
                look.color
            },
            underline: span.link.is_some(),
            strike: span.style.strike,
        }
    }
}

/// Text in one ink at a position on its line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Piece {
    pub x: f32,
    pub ink: Ink,
    pub bytes: Vec<u8>,
    pub width: f32,
}

/// One line of laid-out text; `x` of its pieces is relative to the line's start.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Line {
    pub pieces: Vec<Piece>,
    pub width: f32,
}

impl Line {
    fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    /// Appends `bytes` (already measured) in `ink`, joining the last piece if it matches.
    fn push(&mut self, ink: Ink, bytes: &[u8], width: f32) {
        match self.pieces.last_mut() {
            Some(last) if last.ink == ink => {
                last.bytes.extend_from_slice(bytes);
                last.width += width;
            }
            _ => self.pieces.push(Piece {
                x: self.width,
                ink,
                bytes: bytes.to_vec(),
                width,
            }),
        }
        self.width += width;
    }

    /// One line of literal text (code): no wrapping, spaces kept.
    pub fn literal(bytes: &[u8], ink: Ink) -> Line {
        let mut line = Line::default();
        line.push(ink, bytes, ink.face.width(bytes, ink.size));
        line
    }
}

enum Token {
    Word(Vec<(Ink, Vec<u8>)>),
    Space(Ink),
    Break,
}

fn tokens(spans: &[Span], look: Look) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut word: Vec<(Ink, Vec<u8>)> = Vec::new();
    let flush = |word: &mut Vec<(Ink, Vec<u8>)>, tokens: &mut Vec<Token>| {
        if !word.is_empty() {
            tokens.push(Token::Word(std::mem::take(word)));
        }
    };
    for span in spans {
        let ink = Ink::of(span, look);
        let mut buf = [0u8; 4];
        for c in span.text.chars() {
            match c {
                '\n' => {
                    flush(&mut word, &mut tokens);
                    tokens.push(Token::Break);
                }
                ' ' => {
                    flush(&mut word, &mut tokens);
                    tokens.push(Token::Space(ink));
                }
                c if is_combining(c) => {
                    // Composes with the letter before it (e + ◌́ → é) where WinAnsi can.
                    if let Some((last, text)) = word.last_mut() {
                        if *last == ink {
                            push_char(c, text);
                        }
                    }
                }
                c => {
                    let bytes = encode(c.encode_utf8(&mut buf));
                    if bytes.is_empty() {
                        continue;
                    }
                    match word.last_mut() {
                        Some((last, text)) if *last == ink => text.extend_from_slice(&bytes),
                        _ => word.push((ink, bytes)),
                    }
                }
            }
        }
    }
    flush(&mut word, &mut tokens);
    tokens
}

/// Breaks `spans` into lines at most `max_width` wide: between words where possible,
/// inside a word (a long URL) where it is wider than a line. Spaces at line ends are
/// dropped and runs of spaces shown as one. A `'\n'` forces a break.
pub(crate) fn wrap(spans: &[Span], look: Look, max_width: f32) -> Vec<Line> {
    // Widths are sums of floats: text measured to fit exactly must still fit.
    let max_width = max_width + 0.01;
    let mut lines = Vec::new();
    let mut line = Line::default();
    let mut space: Option<Ink> = None;
    for token in tokens(spans, look) {
        match token {
            Token::Break => {
                lines.push(std::mem::take(&mut line));
                space = None;
            }
            Token::Space(ink) => {
                if !line.is_empty() && space.is_none() {
                    space = Some(ink);
                }
            }
            Token::Word(pieces) => {
                let width: f32 = pieces
                    .iter()
                    .map(|(ink, bytes)| ink.face.width(bytes, ink.size))
                    .sum();
                if let Some(ink) = space.take() {
                    let space_width = ink.face.width(b" ", ink.size);
                    if line.width + space_width + width <= max_width {
                        line.push(ink, b" ", space_width);
                    } else {
                        lines.push(std::mem::take(&mut line));
                    }
                }
                for (ink, bytes) in pieces {
                    if line.width + ink.face.width(&bytes, ink.size) <= max_width {
                        let width = ink.face.width(&bytes, ink.size);
                        line.push(ink, &bytes, width);
                        continue;
                    }
                    for byte in bytes {
                        let width = ink.face.width(&[byte], ink.size);
                        if line.width + width > max_width && !line.is_empty() {
                            lines.push(std::mem::take(&mut line));
                        }
                        line.push(ink, &[byte], width);
                    }
                }
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    while lines.last().is_some_and(Line::is_empty) {
        lines.pop();
    }
    lines
}

/// The width of `spans` on one line, and of their widest word (the narrowest a column
/// can be without breaking words).
pub(crate) fn measure(spans: &[Span], look: Look) -> (f32, f32) {
    let mut natural = 0.0f32;
    let mut line = 0.0f32;
    let mut widest_word = 0.0f32;
    for token in tokens(spans, look) {
        match token {
            Token::Break => line = 0.0,
            Token::Space(ink) => line += ink.face.width(b" ", ink.size),
            Token::Word(pieces) => {
                let width: f32 = pieces
                    .iter()
                    .map(|(ink, bytes)| ink.face.width(bytes, ink.size))
                    .sum();
                widest_word = widest_word.max(width);
                line += width;
            }
        }
        natural = natural.max(line);
    }
    (natural, widest_word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> Vec<Span> {
        vec![Span {
            text: text.to_owned(),
            style: SpanStyle::default(),
            link: None,
        }]
    }

    const LOOK: Look = Look {
        size: 10.0,
        color: Color::TEXT,
        bold: false,
    };

    #[test]
    fn encoding_table() {
        let cases: &[(&str, &[u8])] = &[
            ("abc", b"abc"),
            ("caf\u{e9} \u{fc}ber", b"caf\xe9 \xfcber"),
            (
                "\u{20ac}5 \u{2013} \u{201c}x\u{201d}",
                b"\x805 \x96 \x93x\x94",
            ),
            ("e\u{301}", b"\xe9"),
            ("Z\u{30c}", b"\x8e"),
            ("x\u{301}", b"x"),
            ("\u{142}\u{f3}d\u{17a}", b"l\xf3dz"),
            ("\u{fb01}nal", b"final"),
            ("a\u{200b}b\u{ad}c", b"abc"),
            ("\u{2192} \u{2264}", b"-> <="),
            ("\u{2713} \u{2717}", b"+ x"),
            ("\u{3b1}\u{1f600}", b"??"),
            ("\u{1f44d}\u{1f3fd}", b"?"),
            ("a\u{202f}b", b"a b"),
        ];
        for (text, expected) in cases {
            assert_eq!(encode(text), *expected, "{text:?}");
        }
    }

    #[test]
    fn every_winansi_byte_has_a_width() {
        let undefined = [0x7f, 0x81, 0x8d, 0x8f, 0x90, 0x9d];
        for byte in (0x20u8..=0xff).filter(|b| !undefined.contains(b)) {
            assert!(Face::Regular.advance(byte) > 0, "{byte:#x}");
            assert!(Face::Bold.advance(byte) > 0, "{byte:#x}");
        }
        assert_eq!(Face::Regular.width(b"a", 10.0), 5.56);
    }

    #[test]
    fn wraps_between_words() {
        let lines = wrap(
            &plain("aaa bbb ccc"),
            LOOK,
            Face::Regular.width(b"aaa bbb", 10.0),
        );
        let texts: Vec<Vec<u8>> = lines
            .iter()
            .map(|l| l.pieces.iter().flat_map(|p| p.bytes.clone()).collect())
            .collect();
        assert_eq!(texts, vec![b"aaa bbb".to_vec(), b"ccc".to_vec()]);
    }

    #[test]
    fn breaks_a_word_wider_than_the_line() {
        let lines = wrap(&plain(&"w".repeat(100)), LOOK, 100.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.width <= 100.0));
    }

    #[test]
    fn forced_breaks_and_spaces() {
        let lines = wrap(&plain("a  b\nc "), LOOK, 500.0);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].pieces[0].bytes, b"a b");
        assert_eq!(lines[1].pieces[0].bytes, b"c");
    }

    #[test]
    fn measure_reports_the_widest_word() {
        let (natural, word) = measure(&plain("ab abcd"), LOOK);
        assert_eq!(natural, Face::Regular.width(b"ab abcd", 10.0));
        assert_eq!(word, Face::Regular.width(b"abcd", 10.0));
    }
}
