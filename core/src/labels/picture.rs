//! A picture of a label: the ZPL dockhand writes, drawn dot for dot at 203 dpi into a PNG, for a
//! preview on a screen or next to a kept database. It reads only the commands `labels` writes
//! (`^FO`, `^A0N`, `^FH^FD`, `^GB`, `^BY`, `^BCN` in mode N with ZPL's invocation codes) and
//! refuses anything else: it is not a general ZPL engine. Barcodes are drawn from the field data
//! the printer gets, with the check symbol the printer adds, so what a scanner reads off the
//! picture is what it reads off the printed label; text is an 8×8 bitmap font scaled to the
//! field's height (not Zebra's font 0: lines run a little longer).

use font8x8::UnicodeFonts;

use super::Label;
use crate::error::{Error, Result};

/// Bar and space widths of Code 128 symbol values 0 to 105 (ISO/IEC 15417, table 1), six
/// elements of 11 modules each, bar first.
const PATTERNS: [&[u8; 6]; 106] = [
    b"212222", b"222122", b"222221", b"121223", b"121322", b"131222", b"122213", b"122312",
    b"132212", b"221213", b"221312", b"231212", b"112232", b"122132", b"122231", b"113222",
    b"123122", b"123221", b"223211", b"221132", b"221231", b"213212", b"223112", b"312131",
    b"311222", b"321122", b"321221", b"312212", b"322112", b"322211", b"212123", b"212321",
    b"232121", b"111323", b"131123", b"131321", b"112313", b"132113", b"132311", b"211313",
    b"231113", b"231311", b"112133", b"112331", b"132131", b"113123", b"113321", b"133121",
    b"313121", b"211331", b"231131", b"213113", b"213311", b"213131", b"311123", b"311321",
    b"331121", b"312113", b"312311", b"332111", b"314111", b"221411", b"431111", b"111224",
    b"111422", b"121124", b"121421", b"141122", b"141221", b"112214", b"112412", b"122114",
    b"122411", b"142112", b"142211", b"241211", b"221114", b"413111", b"241112", b"134111",
    b"111242", b"121142", b"121241", b"114212", b"124112", b"124211", b"411212", b"421112",
    b"421211", b"212141", b"214121", b"412121", b"111143", b"111341", b"131141", b"114113",
    b"114311", b"411113", b"411311", b"113141", b"114131", b"311141", b"411131", b"211412",
    b"211214", b"211232",
];
/// The stop pattern: seven elements, 13 modules.
const STOP: &[u8; 7] = b"2331112";
const START_B: u8 = 104;
const START_C: u8 = 105;
const SWITCH_TO_B: u8 = 100;
const FNC1: u8 = 102;

/// The label drawn as a PNG (8-bit grey, `width` × `height` dots).
pub fn png(label: &Label) -> Result<Vec<u8>> {
    let canvas = draw(label)?;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, canvas.width, canvas.height);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let failed = |e: png::EncodingError| Error::Internal(format!("label picture: {e}"));
    let mut writer = encoder.write_header().map_err(failed)?;
    writer.write_image_data(&canvas.dots).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(out)
}

/// White dots (255) and black ones (0), row by row.
struct Canvas {
    width: u32,
    height: u32,
    dots: Vec<u8>,
}

impl Canvas {
    fn new(width: u32, height: u32) -> Self {
        Canvas {
            width,
            height,
            dots: vec![255; width as usize * height as usize],
        }
    }

    /// Blackens a box; what falls off the label is cut.
    fn fill(&mut self, x: u32, y: u32, w: u32, h: u32) {
        for row in y..y.saturating_add(h).min(self.height) {
            let start = row as usize * self.width as usize;
            let (from, to) = (x.min(self.width), x.saturating_add(w).min(self.width));
            self.dots[start + from as usize..start + to as usize].fill(0);
        }
    }
}

/// Where the next field goes and how it is drawn, as the ZPL so far set it.
#[derive(Default)]
struct Field {
    x: u32,
    y: u32,
    font: u32,
    module: u32,
    /// `^BC`'s bar height: the next `^FD` is a barcode.
    barcode: Option<u32>,
    hex: bool,
}

fn draw(label: &Label) -> Result<Canvas> {
    let mut canvas = Canvas::new(label.width, label.height);
    let mut field = Field {
        font: 28,
        module: 2,
        ..Field::default()
    };
    for command in label.zpl.split('^').skip(1) {
        let command = command.trim_end_matches(['\n', '\r']);
        let (name, params) = command.split_at(command.len().min(2));
        match name {
            "XA" | "XZ" | "CI" | "LH" | "PW" | "LL" | "FS" => {}
            "FH" => field.hex = true,
            "FO" => (field.x, field.y) = pair(params)?,
            "A0" => field.font = numbers(params.trim_start_matches('N'))?[0],
            "BY" => field.module = numbers(params)?[0],
            "BC" => field.barcode = Some(numbers(params.trim_start_matches('N'))?[0]),
            "GB" => {
                let n = numbers(params)?;
                canvas.fill(field.x, field.y, n[0], n[1].max(n[2]));
            }
            "FD" => {
                match field.barcode.take() {
                    Some(height) => bars(&mut canvas, &field, height, params)?,
                    None => text(&mut canvas, &field, &unescape(params, field.hex)),
                }
                field.hex = false;
            }
            other => {
                return Err(Error::invalid(
                    "label",
                    format!("^{other} is not a command dockhand's label picture draws"),
                ));
            }
        }
    }
    Ok(canvas)
}

/// The numbers of a command's parameters (`N` flags and empty ones skipped).
fn numbers(params: &str) -> Result<Vec<u32>> {
    let n: Vec<u32> = params
        .split(',')
        .filter_map(|p| p.trim().parse().ok())
        .collect();
    if n.is_empty() {
        return Err(Error::invalid(
            "label",
            format!("{params:?} holds no number where the picture needs one"),
        ));
    }
    Ok(n)
}

fn pair(params: &str) -> Result<(u32, u32)> {
    match numbers(params)?.as_slice() {
        [x, y, ..] => Ok((*x, *y)),
        _ => Err(Error::invalid(
            "label",
            format!("^FO{params} needs x and y"),
        )),
    }
}

/// `^FH` text: `_XX` are the hex bytes of UTF-8.
fn unescape(data: &str, hex: bool) -> String {
    if !hex {
        return data.to_string();
    }
    let bytes = data.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let byte = (bytes[i] == b'_')
            .then(|| data.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match byte {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Text in the 8×8 font: each glyph dot becomes a block of the font's height / 8 (its width
/// three fifths of that, about Zebra's font 0).
fn text(canvas: &mut Canvas, field: &Field, text: &str) {
    let tall = (field.font / 8).max(1);
    let wide = (field.font * 3 / 40).max(1);
    let mut x = field.x;
    for c in text.chars() {
        let glyph = font8x8::BASIC_FONTS
            .get(c)
            .or_else(|| font8x8::LATIN_FONTS.get(c))
            .or_else(|| font8x8::BASIC_FONTS.get(if c == '…' { '.' } else { '?' }))
            .unwrap_or([0; 8]);
        for (row, bits) in glyph.iter().enumerate() {
            for col in 0..8 {
                if bits & (1 << col) != 0 {
                    canvas.fill(x + col * wide, field.y + row as u32 * tall, wide, tall);
                }
            }
        }
        x += 8 * wide;
    }
}

/// The symbol values of Code 128 field data in ZPL's mode N: `>;` starts subset C, `>:` subset
/// B, `>6` switches to B, `>8` is FNC1; then the check symbol.
fn symbols(data: &str) -> Result<Vec<u8>> {
    let bad = |why: &str| {
        Error::invalid(
            "label",
            format!("barcode data {:?} {why}", crate::error::short(data)),
        )
    };
    let bytes = data.as_bytes();
    let mut values = Vec::with_capacity(bytes.len());
    let mut in_c = match bytes.get(..2) {
        Some(b">;") => true,
        Some(b">:") => false,
        _ => return Err(bad("does not start with >; or >:")),
    };
    values.push(if in_c { START_C } else { START_B });
    let mut i = 2;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1).copied()) {
            (b'>', Some(b'8')) => {
                values.push(FNC1);
                i += 2;
            }
            (b'>', Some(b'6')) if in_c => {
                values.push(SWITCH_TO_B);
                in_c = false;
                i += 2;
            }
            (b'>', _) => return Err(bad("has an invocation code the picture does not draw")),
            (a, Some(b)) if in_c && a.is_ascii_digit() && b.is_ascii_digit() => {
                values.push((a - b'0') * 10 + (b - b'0'));
                i += 2;
            }
            (c, _) if !in_c && (b' '..=b'~').contains(&c) => {
                values.push(c - b' ');
                i += 1;
            }
            _ => return Err(bad("has a character its subset cannot carry")),
        }
    }
    let sum: usize = values
        .iter()
        .enumerate()
        .map(|(i, v)| i.max(1) * usize::from(*v))
        .sum();
    values.push((sum % 103) as u8);
    Ok(values)
}

/// A Code 128 symbol from the field's origin: bars `height` dots tall, modules `module` wide.
fn bars(canvas: &mut Canvas, field: &Field, height: u32, data: &str) -> Result<()> {
    let mut x = field.x;
    let widths = symbols(data)?
        .into_iter()
        .flat_map(|v| PATTERNS[usize::from(v)].iter())
        .chain(STOP.iter());
    for (i, w) in widths.enumerate() {
        let w = u32::from(w - b'0') * field.module;
        if i % 2 == 0 {
            canvas.fill(x, field.y, w, height);
        }
        x += w;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_is_eleven_modules_and_unlike_the_others() {
        let mut seen = std::collections::HashSet::new();
        for p in PATTERNS {
            assert_eq!(p.iter().map(|w| w - b'0').sum::<u8>(), 11, "{p:?}");
            assert!(seen.insert(p), "{p:?} twice");
        }
        assert_eq!(STOP.iter().map(|w| w - b'0').sum::<u8>(), 13);
    }

    #[test]
    fn symbols_carry_the_check_symbol_the_printer_adds() {
        // ISO/IEC 15417's example check: start C, FNC1, 00 37 61 30 32 11 09 10 34 20.
        let v = symbols(">;>800376130321109103420").unwrap();
        assert_eq!(&v[..3], &[START_C, FNC1, 0]);
        let sum: usize = v[..v.len() - 1]
            .iter()
            .enumerate()
            .map(|(i, v)| i.max(1) * usize::from(*v))
            .sum();
        assert_eq!(usize::from(*v.last().unwrap()), sum % 103);
        assert_eq!(
            symbols(">;>80203761234500016>6375").unwrap()[..12],
            [
                START_C,
                FNC1,
                2,
                3,
                76,
                12,
                34,
                50,
                0,
                16,
                SWITCH_TO_B,
                b'3' - b' '
            ]
        );
        assert_eq!(symbols(">:A1").unwrap()[..3], [START_B, 33, 17]);
        assert!(symbols("A1").is_err());
        assert!(symbols(">;1").is_err());
    }

    #[test]
    fn escaped_text_comes_back() {
        assert_eq!(unescape("A_5EB_C3_85se", true), "A^BÅse");
        assert_eq!(unescape("A_5EB", false), "A_5EB");
    }
}
