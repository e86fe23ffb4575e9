//! The rank card: `/rank` as a PNG for platforms that show images. The card
//! is an SVG drawn from the member's numbers and rendered with resvg; names
//! in Chinese or Japanese read correctly because a CJK font (a GB 2312
//! subset of Noto Sans CJK SC) ships inside the binary, and any installed
//! system font covers what it lacks.

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

use crate::domain::Locale;
use crate::i18n::{Arg, t_args};
use crate::render::board_name;
use crate::reply::RankView;

const FONT: &[u8] = include_bytes!("../assets/fonts/LyceumSansCJK-Regular.otf");
const WIDTH: u32 = 800;
const HEIGHT: u32 = 260;
/// Longest name drawn in full; longer ones end in an ellipsis.
const NAME_CHARS: usize = 24;

#[derive(Debug, thiserror::Error)]
pub enum CardError {
    #[error("card SVG rejected: {0}")]
    Svg(String),
    #[error("card could not be encoded: {0}")]
    Png(String),
}

fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            db.load_font_data(FONT.to_vec());
            db.load_system_fonts();
            db.set_sans_serif_family("Noto Sans CJK SC");
            Arc::new(db)
        })
        .clone()
}

/// Escapes text for an SVG text node or attribute.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn shorten(name: &str) -> String {
    if name.chars().count() > NAME_CHARS {
        name.chars().take(NAME_CHARS - 1).chain(['…']).collect()
    } else {
        name.to_owned()
    }
}

fn n(v: impl TryInto<i64>) -> Arg {
    Arg::Number(v.try_into().unwrap_or(i64::MAX))
}

/// The card as SVG, for tests and for platforms that take SVG.
pub fn svg(locale: Locale, community: &str, r: &RankView) -> String {
    let place = match r.place {
        Some((rank, of)) => t_args(locale, "card-rank", &[("rank", n(rank)), ("of", n(of))]),
        None => t_args(locale, "card-unranked", &[]),
    };
    let level = t_args(locale, "card-level", &[("level", n(r.level))]);
    let progress = t_args(
        locale,
        "card-progress",
        &[("into", r.into_level.into()), ("needed", r.level_needs.into())],
    );
    let footer = t_args(
        locale,
        "card-footer",
        &[
            ("balance", r.balance.into()),
            ("streak", n(r.streak)),
            ("badges", n(r.badges)),
        ],
    );
    let bar = 560.0;
    let filled = if r.level_needs > 0 {
        (r.into_level.max(0) as f64 / r.level_needs as f64).clamp(0.0, 1.0) * bar
    } else {
        bar
    };
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="Noto Sans CJK SC, sans-serif">
<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#1f2433"/><stop offset="1" stop-color="#2d3a5a"/></linearGradient></defs>
<rect width="{WIDTH}" height="{HEIGHT}" rx="24" fill="url(#bg)"/>
<circle cx="110" cy="110" r="64" fill="#3c4c78"/>
<text x="110" y="128" font-size="52" fill="#ffffff" text-anchor="middle">{initial}</text>
<text x="200" y="80" font-size="38" fill="#ffffff">{name}</text>
<text x="200" y="116" font-size="22" fill="#aab4d4">{community} · {board}</text>
<text x="760" y="80" font-size="34" fill="#ffd166" text-anchor="end">{place}</text>
<text x="200" y="166" font-size="26" fill="#ffffff">{level}</text>
<text x="760" y="166" font-size="22" fill="#aab4d4" text-anchor="end">{progress}</text>
<rect x="200" y="180" width="{bar}" height="18" rx="9" fill="#11151f"/>
<rect x="200" y="180" width="{filled:.1}" height="18" rx="9" fill="#06d6a0"/>
<text x="200" y="236" font-size="20" fill="#aab4d4">{footer}</text>
</svg>"##,
        initial = xml(&r
            .name
            .chars()
            .next()
            .map(|c| c.to_uppercase().to_string())
            .unwrap_or_default()),
        name = xml(&shorten(&r.name)),
        community = xml(community),
        board = xml(&board_name(locale, r.board)),
        place = xml(&place),
        level = xml(&level),
        progress = xml(&progress),
        footer = xml(&footer),
    )
}

/// The card as PNG bytes.
pub fn png(locale: Locale, community: &str, r: &RankView) -> Result<Vec<u8>, CardError> {
    rasterize(&svg(locale, community, r), WIDTH, HEIGHT)
}

fn rasterize(svg: &str, width: u32, height: u32) -> Result<Vec<u8>, CardError> {
    let options = usvg::Options {
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| CardError::Svg(e.to_string()))?;
    let mut pixmap =
        tiny_skia::Pixmap::new(width, height).ok_or_else(|| CardError::Png("no pixmap".into()))?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| CardError::Png(e.to_string()))
}

/// The size link previews expect (OpenGraph's 1.91:1).
const PREVIEW: (u32, u32) = (1200, 630);
/// Room for the name and for each of the tagline's lines, in half-width
/// units (a CJK character takes two); lines of tagline drawn.
const NAME_UNITS: usize = 28;
const TAGLINE_UNITS: usize = 42;
const TAGLINE_LINES: usize = 3;

fn units(c: char) -> usize {
    if c.is_ascii() { 1 } else { 2 }
}

/// Splits text into lines of at most `room` units, the last one ending in
/// an ellipsis when the text is longer than `lines` of them.
fn wrap(text: &str, room: usize, lines: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for c in text.chars().filter(|c| !c.is_control()) {
        if used + units(c) > room {
            if out.len() + 1 == lines {
                line.pop();
                line.push('…');
                out.push(line);
                return out;
            }
            out.push(std::mem::take(&mut line));
            used = 0;
        }
        line.push(c);
        used += units(c);
    }
    out.push(line);
    out
}

/// A community's link-preview image: its name and tagline on the card's
/// colours, for the `og:image` of its public pages.
pub fn storefront_svg(locale: Locale, name: &str, tagline: Option<&str>) -> String {
    let (w, h) = PREVIEW;
    let tagline: String = wrap(tagline.unwrap_or_default(), TAGLINE_UNITS, TAGLINE_LINES)
        .iter()
        .enumerate()
        .map(|(i, line)| {
            format!(
                r##"<text x="80" y="{}" font-size="40" fill="#cfd8ee">{}</text>"##,
                330 + i * 56,
                xml(line.trim())
            )
        })
        .collect();
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="Noto Sans CJK SC, sans-serif">
<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#1f2433"/><stop offset="1" stop-color="#2d3a5a"/></linearGradient></defs>
<rect width="{w}" height="{h}" fill="url(#bg)"/>
<rect x="80" y="120" width="120" height="10" rx="5" fill="#06d6a0"/>
<text x="80" y="240" font-size="64" fill="#ffffff">{name}</text>
{tagline}
<text x="80" y="570" font-size="30" fill="#aab4d4">{join}</text>
</svg>"##,
        name = xml(&wrap(name, NAME_UNITS, 1).concat()),
        join = xml(&t_args(locale, "card-join", &[])),
    )
}

pub fn storefront_png(locale: Locale, name: &str, tagline: Option<&str>) -> Result<Vec<u8>, CardError> {
    let (w, h) = PREVIEW;
    rasterize(&storefront_svg(locale, name, tagline), w, h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::periods::Board;

    fn view(name: &str) -> RankView {
        RankView {
            name: name.into(),
            board: Board::Week,
            place: Some((3, 120)),
            board_points: 80,
            level: 4,
            into_level: 120,
            level_needs: 340,
            balance: 900,
            streak: 6,
            badges: 2,
        }
    }

    /// The name's area (right of the avatar, around its baseline) as RGBA.
    fn name_area(png_bytes: &[u8]) -> Vec<u8> {
        let pixmap = tiny_skia::Pixmap::decode_png(png_bytes).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        for y in 40..90 {
            for x in 200..460 {
                if let Some(p) = pixmap.pixel(x, y) {
                    out.extend([p.red(), p.green(), p.blue()]);
                }
            }
        }
        out
    }

    #[test]
    fn chinese_names_are_drawn_not_left_blank_or_boxed() {
        let card = |name: &str| png(Locale::ZhCn, "学习社", &view(name)).unwrap_or_else(|e| panic!("{e}"));
        let one = card("王小明");
        assert_eq!(&one[1..4], b"PNG");
        let inked = name_area(&one)
            .chunks(3)
            .filter(|p| p.iter().all(|c| *c > 200))
            .count();
        assert!(inked > 300, "only {inked} inked pixels");
        // Without a font for these characters every one of them would be
        // the same blank or box, and two names of equal length would look
        // alike; with glyphs they differ.
        assert_ne!(name_area(&one), name_area(&card("王大明")));
    }

    #[test]
    fn markup_in_names_is_text_and_long_names_are_shortened() {
        let s = svg(
            Locale::En,
            "A & B",
            &view("<b>Robert'); DROP</b> with a very long name indeed"),
        );
        assert!(s.contains(">&lt;b&gt;Robert&apos;); DROP&lt;/b&gt; w…<"), "{s}");
        assert!(s.contains("A &amp; B"));
        assert!(png(Locale::En, "A & B", &view("<b>x</b>")).is_ok());
    }

    #[test]
    fn preview_lines_fit_wide_and_narrow_letters_and_end_in_an_ellipsis() {
        assert_eq!(wrap("abcdef", 4, 2), ["abcd", "ef"]);
        assert_eq!(wrap("学习异步编程", 4, 2), ["学习", "异…"]);
        assert_eq!(wrap("", 4, 2), [""]);
        let svg = storefront_svg(Locale::ZhCn, "<b>社群</b>", Some("一二三"));
        assert!(
            svg.contains("&lt;b&gt;社群&lt;/b&gt;") && svg.contains("一二三"),
            "{svg}"
        );
        let png = storefront_png(Locale::En, "Lyceum", None).unwrap_or_else(|e| panic!("{e}"));
        assert!(png.starts_with(b"\x89PNG"));
    }
}
