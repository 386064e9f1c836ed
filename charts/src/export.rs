//! Chart data export: CSV text and the export file name (reference §6.3 and §7 #43).
//!
//! Same shape as Aspara 0.1.0's CSV download, so existing scripts keep working: header
//! `series,step,value`, one line per point as `"<series>",step,value` with `"` in names doubled, series
//! without points skipped, and a final `\n`. Values use [`crate::range::format_value`] (shortest
//! round-trip text), so `5e-324` stays `5e-324`; non-finite values are written as `NaN`, `Infinity`
//! and `-Infinity`, which pandas and most CSV readers parse back.

/// One series of a CSV export: a name and its points.
#[derive(Debug, Clone, Copy)]
pub struct CsvSeries<'a> {
    /// The series name (a run name, or `run/metric`).
    pub name: &'a str,
    /// Steps, one per value.
    pub steps: &'a [u64],
    /// Values, one per step (read up to the shorter length).
    pub values: &'a [f64],
}

/// The CSV text of the given series.
pub fn to_csv(series: &[CsvSeries<'_>]) -> String {
    let mut out = String::from("series,step,value\n");
    for s in series {
        let n = s.steps.len().min(s.values.len());
        if n == 0 {
            continue;
        }
        let quoted = format!("\"{}\"", s.name.replace('"', "\"\""));
        for (step, &v) in s.steps[..n].iter().zip(&s.values[..n]) {
            let value = if v.is_nan() {
                "NaN".to_string()
            } else if v == f64::INFINITY {
                "Infinity".to_string()
            } else {
                crate::range::format_value(v)
            };
            out.push_str(&quoted);
            out.push(',');
            out.push_str(&step.to_string());
            out.push(',');
            out.push_str(&value);
            out.push('\n');
        }
    }
    out
}

/// A file name from a chart title: lowercased, every character outside `[a-z0-9]` replaced by `_`;
/// `chart` when nothing is left.
pub fn sanitize_file_name(title: &str) -> String {
    let s: String = title
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "chart".to_string() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_export_matches_reference() {
        let csv = to_csv(&[
            CsvSeries {
                name: "run \"a\"",
                steps: &[0, 1, 2],
                values: &[0.5, f64::NAN, 0.3],
            },
            CsvSeries {
                name: "empty",
                steps: &[],
                values: &[],
            },
            CsvSeries {
                name: "b",
                steps: &[3, 4],
                values: &[5e-324, f64::NEG_INFINITY],
            },
        ]);
        assert_eq!(
            csv,
            "series,step,value\n\"run \"\"a\"\"\",0,0.5\n\"run \"\"a\"\"\",1,NaN\n\"run \"\"a\"\"\",2,0.3\n\"b\",3,5e-324\n\"b\",4,-Infinity\n"
        );
        assert_eq!(to_csv(&[]), "series,step,value\n");
        let inf = to_csv(&[CsvSeries {
            name: "x",
            steps: &[9_007_199_254_740_993],
            values: &[f64::INFINITY],
        }]);
        assert_eq!(inf, "series,step,value\n\"x\",9007199254740993,Infinity\n");
    }

    #[test]
    fn b35_file_name_sanitiser() {
        assert_eq!(sanitize_file_name("train/loss"), "train_loss");
        assert_eq!(
            sanitize_file_name("</title><script>x</script>"),
            "__title__script_x__script_"
        );
        assert_eq!(sanitize_file_name("Accuracy Top-1"), "accuracy_top_1");
        assert_eq!(sanitize_file_name("Élan"), "_lan");
        assert_eq!(sanitize_file_name(""), "chart");
    }
}
