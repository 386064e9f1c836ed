//! Run colours: one colour per run, the same in every chart of a project.
//!
//! The rule: a project's runs are listed once in a fixed order — the dashboard uses the order the runs
//! were started (ties by name), so a run that starts later takes the next colour and never shifts the
//! colours of the runs already on screen — and run number `i` in that list gets [`color_for_index`]`(i)`.
//! Selecting or hiding runs does not change any colour, since the index comes from the whole list,
//! not from the runs a chart shows. A name missing from the list (a run that appeared between two
//! refreshes) falls back to a hash of its name, which is stable too.
//!
//! The palette: Tableau 10, then the same ten hues darkened, then hues spaced by the golden angle, so
//! every index gets a colour and neighbours stay distinguishable.

use std::collections::HashMap;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// CSS hex form, `#1f77b4`.
    pub fn to_hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Mixes this colour with white; `amount` 0 keeps it, 1 gives white (for faint raw lines).
    pub fn lighten(self, amount: f64) -> Rgb {
        let a = amount.clamp(0.0, 1.0);
        let mix = |c: u8| (f64::from(c) + (255.0 - f64::from(c)) * a).round() as u8;
        Rgb(mix(self.0), mix(self.1), mix(self.2))
    }
}

/// Tableau 10 (matplotlib's `tab10`).
pub const TABLEAU10: [Rgb; 10] = [
    Rgb(0x1f, 0x77, 0xb4),
    Rgb(0xff, 0x7f, 0x0e),
    Rgb(0x2c, 0xa0, 0x2c),
    Rgb(0xd6, 0x27, 0x28),
    Rgb(0x94, 0x67, 0xbd),
    Rgb(0x8c, 0x56, 0x4b),
    Rgb(0xe3, 0x77, 0xc2),
    Rgb(0x7f, 0x7f, 0x7f),
    Rgb(0xbc, 0xbd, 0x22),
    Rgb(0x17, 0xbe, 0xcf),
];

/// The colour of run number `i` in the project's run list.
///
/// `0..10`: Tableau 10; `10..20`: the same hues at 65 % brightness; from 20: golden-angle hues at
/// alternating lightness.
pub fn color_for_index(i: usize) -> Rgb {
    if i < 10 {
        return TABLEAU10[i];
    }
    if i < 20 {
        let Rgb(r, g, b) = TABLEAU10[i - 10];
        let dark = |c: u8| (f64::from(c) * 0.65).round() as u8;
        return Rgb(dark(r), dark(g), dark(b));
    }
    // 137.508° steps never repeat a hue exactly; the offset keeps index 20 away from tab10's blue.
    let k = (i - 20) as f64;
    let hue = (k * 137.507_764 + 15.0) % 360.0;
    let lightness = if i % 2 == 0 { 0.42 } else { 0.55 };
    hsl(hue, 0.65, lightness)
}

fn hsl(h: f64, s: f64, l: f64) -> Rgb {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = h / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let to = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    Rgb(to(r), to(g), to(b))
}

/// FNV-1a, for the fallback colour of a name missing from the list.
fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The colour of every run of a project (see the module docs for the rule).
#[derive(Debug, Clone, Default)]
pub struct RunColors {
    index: HashMap<String, usize>,
}

impl RunColors {
    /// Assigns colours in the given order (duplicates keep their first place).
    pub fn new<'a, I: IntoIterator<Item = &'a str>>(runs: I) -> Self {
        let mut index = HashMap::new();
        for name in runs {
            let next = index.len();
            index.entry(name.to_string()).or_insert(next);
        }
        RunColors { index }
    }

    /// The run's place in the list, if it is listed.
    pub fn position(&self, run: &str) -> Option<usize> {
        self.index.get(run).copied()
    }

    /// The run's colour: by its place in the list, else by a hash of its name.
    pub fn color(&self, run: &str) -> Rgb {
        match self.position(run) {
            Some(i) => color_for_index(i),
            None => color_for_index((fnv1a(run) % 20) as usize),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distance(a: Rgb, b: Rgb) -> i32 {
        let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).abs();
        d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)
    }

    #[test]
    fn palette_is_distinguishable() {
        let first: Vec<Rgb> = (0..20).map(color_for_index).collect();
        for i in 0..first.len() {
            for j in 0..i {
                assert!(
                    distance(first[i], first[j]) >= 40,
                    "{i} {:?} vs {j} {:?}",
                    first[i],
                    first[j]
                );
            }
        }
        assert_eq!(color_for_index(0).to_hex(), "#1f77b4");
        assert_eq!(color_for_index(10), Rgb(0x14, 0x4d, 0x75));
        // Beyond the fixed palette: colours still exist, are not white and neighbours differ.
        for i in 20..200 {
            let c = color_for_index(i);
            assert!(c != Rgb(255, 255, 255));
            assert!(distance(c, color_for_index(i + 1)) >= 40, "{i}");
        }
    }

    #[test]
    fn run_keeps_its_colour() {
        let all = RunColors::new(["run-a", "run-b", "run-c"]);
        assert_eq!(all.color("run-a"), TABLEAU10[0]);
        assert_eq!(all.color("run-c"), TABLEAU10[2]);
        // A later run takes the next colour; the earlier ones keep theirs.
        let grown = RunColors::new(["run-a", "run-b", "run-c", "run-0"]);
        assert_eq!(grown.color("run-c"), all.color("run-c"));
        assert_eq!(grown.color("run-0"), TABLEAU10[3]);
        // Duplicates keep their first place.
        let dup = RunColors::new(["x", "y", "x"]);
        assert_eq!(dup.position("x"), Some(0));
        assert_eq!(dup.position("y"), Some(1));
        // Unknown names: deterministic fallback.
        assert_eq!(all.color("late"), RunColors::default().color("late"));
        assert_eq!(all.position("late"), None);
    }

    #[test]
    fn lighten_mixes_with_white() {
        assert_eq!(Rgb(0, 100, 255).lighten(0.5), Rgb(128, 178, 255));
        assert_eq!(Rgb(10, 20, 30).lighten(0.0), Rgb(10, 20, 30));
        assert_eq!(Rgb(10, 20, 30).lighten(2.0), Rgb(255, 255, 255));
    }
}
