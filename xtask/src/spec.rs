//! Loading an OpenAPI document and reading it with `$ref` resolution.

use std::path::Path;

use serde_json::Value;

/// A loaded spec, kept as JSON so unknown keywords and vendor extensions survive.
pub struct Spec {
    pub doc: Value,
    /// File name (for the `@generated` header).
    pub file_name: String,
    /// sha256 of the file bytes.
    pub sha256: String,
}

impl Spec {
    pub fn load(path: &Path) -> Result<Spec, String> {
        let bytes = std::fs::read(path).map_err(|e| {
            format!(
                "cannot read OpenAPI spec {}: {e}\n(set CLERK_OPENAPI_SPEC or check out ../shared/openapi next to the repo)",
                path.display()
            )
        })?;
        Self::from_bytes(
            &bytes,
            &path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        )
    }

    pub fn from_bytes(bytes: &[u8], file_name: &str) -> Result<Spec, String> {
        use sha2::Digest as _;
        let doc: Value = serde_norway::from_slice(bytes)
            .map_err(|e| format!("{file_name}: invalid YAML: {e}"))?;
        let sha256 = sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Spec {
            doc,
            file_name: file_name.to_owned(),
            sha256,
        })
    }

    /// Add the properties an overlay file declares (see `xtask/overlay/bapi.json`).
    ///
    /// # Errors
    /// An unreadable overlay, or a pointer that no longer names an object schema.
    pub fn apply_overlay(&mut self, overlay: &str) -> Result<(), String> {
        let overlay: Value =
            serde_json::from_str(overlay).map_err(|e| format!("overlay: invalid JSON: {e}"))?;
        let patches = overlay
            .get("patches")
            .and_then(Value::as_array)
            .ok_or("overlay: no `patches` array")?;
        for patch in patches {
            let at = str_of(patch, "at").ok_or("overlay: a patch without `at`")?;
            let target = self
                .doc
                .pointer_mut(at)
                .and_then(Value::as_object_mut)
                .ok_or_else(|| format!("overlay: `{at}` does not name a schema in the spec"))?;
            let props = target
                .entry("properties")
                .or_insert_with(|| Value::Object(serde_json::Map::new()))
                .as_object_mut()
                .ok_or_else(|| format!("overlay: `{at}/properties` is not an object"))?;
            for (name, schema) in patch
                .get("add")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                props.entry(name.clone()).or_insert_with(|| schema.clone());
            }
        }
        Ok(())
    }

    /// Follow a local `$ref` (`#/components/...`).
    pub fn lookup(&self, reference: &str) -> Option<&Value> {
        let pointer = reference.strip_prefix('#')?;
        self.doc.pointer(pointer)
    }

    /// Resolve `v` if it is a `$ref`, repeatedly.
    pub fn deref<'a>(&'a self, mut v: &'a Value) -> &'a Value {
        for _ in 0..16 {
            match v
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| self.lookup(r))
            {
                Some(next) => v = next,
                None => break,
            }
        }
        v
    }

    pub fn schemas(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.iter())
    }
}

/// Last segment of a `#/components/schemas/Name` reference.
pub fn ref_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

pub fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

pub fn bool_of(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// The first sentence of a description, on one line, safe for a doc comment.
pub fn short_doc(desc: Option<&str>) -> Option<String> {
    let d = desc?.trim();
    if d.is_empty() {
        return None;
    }
    let para = d.split("\n\n").next().unwrap_or(d);
    let line: String = para.split_whitespace().collect::<Vec<_>>().join(" ");
    let end = line.find(". ").map_or(line.len(), |i| i + 1);
    let mut s = line[..end].to_owned();
    if s.len() > 300 {
        let mut cut = 300;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push('…');
    }
    // Keep rustdoc from reading stray markup as HTML or code.
    Some(s.replace('<', "&lt;").replace('>', "&gt;"))
}

/// Render a doc comment block with the given indentation.
pub fn doc_lines(out: &mut String, indent: &str, lines: &[String]) {
    for l in lines {
        if l.is_empty() {
            out.push_str(indent);
            out.push_str("///\n");
        } else {
            out.push_str(indent);
            out.push_str("/// ");
            out.push_str(l);
            out.push('\n');
        }
    }
}
