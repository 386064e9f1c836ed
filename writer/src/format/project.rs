//! Project metadata, `<project>/metadata.json` (FORMAT.md §4): notes, tags and two timestamps.

use super::{json, pyjson};
use serde_json::{Map, Value};

/// The contents of `<project>/metadata.json`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProjectMeta {
    /// Free text.
    pub notes: String,
    /// Project tags, in order, without duplicates when merged by the writer.
    pub tags: Vec<String>,
    /// Naive ISO-8601 time of the first write.
    pub created_at: Option<String>,
    /// Naive ISO-8601 time of the last write.
    pub updated_at: Option<String>,
}

impl ProjectMeta {
    /// The file's bytes as Aspara writes them (indent 2, no trailing newline, four keys).
    pub fn to_json(&self) -> String {
        let mut m = Map::new();
        m.insert("notes".into(), Value::from(self.notes.clone()));
        m.insert("tags".into(), Value::from(self.tags.clone()));
        let opt = |s: &Option<String>| s.clone().map(Value::from).unwrap_or(Value::Null);
        m.insert("created_at".into(), opt(&self.created_at));
        m.insert("updated_at".into(), opt(&self.updated_at));
        pyjson::to_indented(&Value::Object(m))
    }

    /// Reads the file; anything unreadable gives defaults plus the error text. Unknown keys are
    /// dropped, as in Aspara.
    pub fn from_bytes_lossy(bytes: &[u8]) -> (ProjectMeta, Option<String>) {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let v = match json::parse_lenient(bytes) {
            Ok(v) => v,
            Err(e) => return (ProjectMeta::default(), Some(e)),
        };
        let Some(o) = v.as_object() else {
            return (
                ProjectMeta::default(),
                Some("project metadata is not a JSON object".into()),
            );
        };
        let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
        let meta = ProjectMeta {
            notes: s("notes").unwrap_or_default(),
            tags: o
                .get("tags")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|t| t.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            created_at: s("created_at"),
            updated_at: s("updated_at"),
        };
        (meta, None)
    }

    /// Merges tags the way `init(project_tags=...)` does: existing first, new ones appended, no
    /// duplicates, order kept (reference §7 #34).
    pub fn merge_tags<S: AsRef<str>>(&mut self, new: &[S]) {
        for t in new {
            let t = t.as_ref();
            if !self.tags.iter().any(|x| x == t) {
                self.tags.push(t.to_owned());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str =
        include_str!("../../../../shared/fixtures/aspara-py-0.1.0/vision-demo/metadata.json");

    #[test]
    fn fixture_round_trips() {
        let (m, err) = ProjectMeta::from_bytes_lossy(FIXTURE.as_bytes());
        assert!(err.is_none());
        assert_eq!(m.tags, ["cv", "demo"]);
        assert_eq!(m.to_json(), FIXTURE);
    }

    #[test]
    fn tag_merge_keeps_order() {
        let mut m = ProjectMeta {
            tags: vec!["dog".into(), "cat".into()],
            ..Default::default()
        };
        m.merge_tags(&["cat", "rabbit"]);
        assert_eq!(m.tags, ["dog", "cat", "rabbit"]);
    }
}
