//! [`JsonObject`]: a free-form JSON object in a response model (metadata, claims), kept as
//! compact JSON text and parsed into a [`Map`] the first time it is read.
//!
//! Decoding a `serde_json::Map` allocates every key, every string and every nested map, and
//! most callers never read most of a user's three metadata maps; so the decode only checks and
//! copies the object (one allocation) and the map is built on first read.

use std::fmt;
use std::sync::OnceLock;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

/// A JSON object from a response, read as a [`serde_json::Map`] through `Deref`.
///
/// `user.public_metadata.get("plan")`, `meta["seats"]`, `meta.is_empty()` and iteration work
/// as on a `Map`; [`parse`](Self::parse) decodes it straight into your own type;
/// [`into_map`](Self::into_map) gives an owned `Map` to change and send back.
///
/// The decode accepts exactly what decoding a `Map<String, Value>` accepts (any JSON object;
/// not `null`, arrays or scalars), checks every value as that decode would, and keeps the
/// object as compact JSON text; the map is built once, on first read, and can then not fail.
/// Objects nested deeper than [`MAX_DEPTH`](Self::MAX_DEPTH) are refused at decode time.
///
/// ```
/// use clerk_backend::JsonObject;
///
/// let meta: JsonObject = serde_json::from_str(r#"{"plan":"pro","seats":5}"#)?;
/// assert_eq!(meta["plan"], "pro");
///
/// #[derive(serde::Deserialize)]
/// struct Plan { plan: String, seats: u32 }
/// let typed: Plan = meta.parse()?;
/// assert_eq!((typed.plan.as_str(), typed.seats), ("pro", 5));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone)]
pub struct JsonObject {
    /// The object as compact JSON, when it was decoded (not built from a map).
    text: Option<Box<str>>,
    /// The map: set at construction from a map, or on first read of `text`.
    map: OnceLock<Map<String, Value>>,
}

impl JsonObject {
    /// How deeply objects and arrays may nest, counting the object itself: what serde_json
    /// accepts when it parses the text again, so a decoded object can always be read.
    pub const MAX_DEPTH: usize = 127;

    /// An empty object.
    #[must_use]
    pub fn new() -> Self {
        Self::from(Map::new())
    }

    /// The object as a map (what `Deref` gives).
    #[must_use]
    pub fn as_map(&self) -> &Map<String, Value> {
        self.map
            .get_or_init(|| self.text.as_deref().map(parse_text).unwrap_or_default())
    }

    /// The object as an owned map, to change or send back in a request.
    #[must_use]
    pub fn into_map(self) -> Map<String, Value> {
        match (self.map.into_inner(), self.text) {
            (Some(map), _) => map,
            (None, Some(text)) => parse_text(&text),
            (None, None) => Map::new(),
        }
    }

    /// Decode the object into your own type, straight from its JSON text when it has not
    /// been read as a map yet.
    ///
    /// # Errors
    /// The object does not fit `T`.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        match (&self.text, self.map.get()) {
            (Some(text), None) => serde_json::from_str(text),
            _ => T::deserialize(serde::de::IntoDeserializer::into_deserializer(
                self.as_map(),
            )),
        }
    }
}

/// The text was written by [`ValueWriter`] from values a serde deserializer produced, no
/// deeper than [`JsonObject::MAX_DEPTH`], with serde_json's own number and string formatting:
/// serde_json parses it back. The empty map is only for a failure that the tests show cannot
/// happen; a panic would be worse.
fn parse_text(text: &str) -> Map<String, Value> {
    serde_json::from_str(text).unwrap_or_default()
}

impl Default for JsonObject {
    fn default() -> Self {
        Self::new()
    }
}

impl From<Map<String, Value>> for JsonObject {
    fn from(map: Map<String, Value>) -> Self {
        JsonObject {
            text: None,
            map: OnceLock::from(map),
        }
    }
}

impl From<JsonObject> for Map<String, Value> {
    fn from(o: JsonObject) -> Self {
        o.into_map()
    }
}

impl From<JsonObject> for Value {
    fn from(o: JsonObject) -> Self {
        Value::Object(o.into_map())
    }
}

impl FromIterator<(String, Value)> for JsonObject {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        Self::from(Map::from_iter(iter))
    }
}

impl std::ops::Deref for JsonObject {
    type Target = Map<String, Value>;
    fn deref(&self) -> &Map<String, Value> {
        self.as_map()
    }
}

impl<'a> IntoIterator for &'a JsonObject {
    type Item = (&'a String, &'a Value);
    type IntoIter = serde_json::map::Iter<'a>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_map().iter()
    }
}

impl PartialEq for JsonObject {
    fn eq(&self, other: &Self) -> bool {
        match (&self.text, &other.text, self.map.get(), other.map.get()) {
            // Same compact text: the same object, without building either map.
            (Some(a), Some(b), None, None) if a == b => true,
            _ => self.as_map() == other.as_map(),
        }
    }
}

impl PartialEq<Map<String, Value>> for JsonObject {
    fn eq(&self, other: &Map<String, Value>) -> bool {
        self.as_map() == other
    }
}

impl PartialEq<Value> for JsonObject {
    fn eq(&self, other: &Value) -> bool {
        other.as_object() == Some(self.as_map())
    }
}

impl fmt::Debug for JsonObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_map(), f)
    }
}

impl Serialize for JsonObject {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match (self.map.get(), &self.text) {
            // Not read yet: a map for this call only, so the object is not held twice.
            (None, Some(text)) => parse_text(text).serialize(s),
            _ => self.as_map().serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for JsonObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Written into a per-thread buffer, then copied once into a box of the exact size:
        // one allocation per object.
        let write = |out: &mut Vec<u8>| -> Result<Box<str>, D::Error> {
            out.clear();
            d.deserialize_map(ObjectWriter(&mut *out))?;
            let text = std::str::from_utf8(out).map_err(de::Error::custom)?;
            Ok(Box::from(text))
        };
        let text = SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut out) => {
                let text = write(&mut out);
                if out.capacity() > SCRATCH_KEEP {
                    *out = Vec::new();
                }
                text
            }
            Err(_) => write(&mut Vec::new()),
        })?;
        Ok(JsonObject {
            text: Some(text),
            map: OnceLock::new(),
        })
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The largest scratch buffer a thread keeps between decodes.
const SCRATCH_KEEP: usize = 64 * 1024;

/// Writes the object it visits as compact JSON; anything else is refused, as `Map`'s own
/// `Deserialize` refuses it (a unit, which some formats give for `null`, is `{}` there too).
struct ObjectWriter<'a>(&'a mut Vec<u8>);

impl<'de> Visitor<'de> for ObjectWriter<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0.extend_from_slice(b"{}");
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        ValueWriter {
            out: self.0,
            depth: 0,
        }
        .visit_map(map)
    }
}

/// Writes the value it visits as compact JSON, accepting what `serde_json::Value`'s own
/// `Deserialize` accepts (numbers and strings formatted by serde_json, so they read back as the
/// same `Value`).
struct ValueWriter<'a> {
    out: &'a mut Vec<u8>,
    /// Objects and arrays open around the value being visited.
    depth: usize,
}

impl ValueWriter<'_> {
    fn scalar<T: Serialize + ?Sized, E: de::Error>(self, v: &T) -> Result<(), E> {
        serde_json::to_writer(&mut *self.out, v).map_err(E::custom)
    }

    fn open<E: de::Error>(&mut self, bracket: u8) -> Result<usize, E> {
        let depth = self.depth + 1;
        if depth > JsonObject::MAX_DEPTH {
            return Err(E::custom(format_args!(
                "JSON nested more than {} levels deep",
                JsonObject::MAX_DEPTH
            )));
        }
        self.out.push(bracket);
        Ok(depth)
    }
}

impl<'de> DeserializeSeed<'de> for ValueWriter<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueWriter<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.scalar(&v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.scalar(&v)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        // As `Value` does: a non-finite float (only other formats produce one) is null.
        self.scalar(&v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.scalar(v)
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let depth = self.open(b'[')?;
        let mut first = true;
        loop {
            if !first {
                self.out.push(b',');
            }
            let at = self.out.len();
            let seed = ValueWriter {
                out: &mut *self.out,
                depth,
            };
            if seq.next_element_seed(seed)?.is_none() {
                // Nothing was written for the end; drop the comma written before it.
                self.out.truncate(at - usize::from(!first));
                break;
            }
            first = false;
        }
        self.out.push(b']');
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let depth = self.open(b'{')?;
        let mut first = true;
        loop {
            if !first {
                self.out.push(b',');
            }
            let at = self.out.len();
            if map.next_key_seed(KeyWriter(&mut *self.out))?.is_none() {
                self.out.truncate(at - usize::from(!first));
                break;
            }
            self.out.push(b':');
            map.next_value_seed(ValueWriter {
                out: &mut *self.out,
                depth,
            })?;
            first = false;
        }
        self.out.push(b'}');
        Ok(())
    }
}

/// Writes an object key: a string, as `Map<String, Value>` requires.
struct KeyWriter<'a>(&'a mut Vec<u8>);

impl<'de> DeserializeSeed<'de> for KeyWriter<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyWriter<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        serde_json::to_writer(&mut *self.0, v).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn nested(depth: usize) -> String {
        // `depth` objects, one inside the other.
        let mut s = String::new();
        for _ in 0..depth {
            s.push_str(r#"{"a":"#);
        }
        s.push('1');
        for _ in 0..depth {
            s.push('}');
        }
        s
    }

    #[test]
    fn reads_as_the_map_serde_json_decodes() {
        let text =
            r#"{"b":[1,-2,3.5,1e300,-0.0,"x\"y\u00e9\ud83d\ude00"],"a":{"n":null,"t":true},"a":0}"#;
        let ours: JsonObject = serde_json::from_str(text).unwrap();
        let theirs: Map<String, Value> = serde_json::from_str(text).unwrap();
        assert_eq!(*ours, theirs);
        assert_eq!(ours.clone().into_map(), theirs);
        assert_eq!(serde_json::to_value(&ours).unwrap(), Value::Object(theirs));
    }

    #[test]
    fn refuses_what_a_map_refuses() {
        for bad in [
            "null",
            "[]",
            "\"s\"",
            "1",
            r#"{"a":1e400}"#,
            r#"{"a":"\ud800"}"#,
            r#"{"a":[1,]}"#,
            r#"{"a" 1}"#,
        ] {
            assert!(
                serde_json::from_str::<Map<String, Value>>(bad).is_err(),
                "{bad}"
            );
            assert!(serde_json::from_str::<JsonObject>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_an_object_or_a_unit_is_an_object_whatever_the_format() {
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error, SeqDeserializer, U32Deserializer, UnitDeserializer};
        // Formats other than JSON may hand a top-level sequence, unit or number to
        // `deserialize_map` (serde's value deserializers forward it to `deserialize_any`):
        // refused as `Map` refuses them, or an empty object for a unit, as `Map` gives.
        let seq = || SeqDeserializer::<_, Error>::new(vec![1_u8].into_iter());
        assert!(JsonObject::deserialize(seq()).is_err());
        assert!(<Map<String, Value>>::deserialize(seq()).is_err());
        let unit = UnitDeserializer::<Error>::new;
        assert_eq!(JsonObject::deserialize(unit()).unwrap(), Map::new());
        assert_eq!(
            <Map<String, Value>>::deserialize(unit()).unwrap(),
            Map::new()
        );
        let five: U32Deserializer<Error> = 5_u32.into_deserializer();
        assert!(JsonObject::deserialize(five).is_err());
    }

    #[test]
    fn depth_limit_keeps_every_decoded_object_readable() {
        let ok = nested(JsonObject::MAX_DEPTH);
        // Through a `Value` deserializer, which has no recursion limit of its own.
        let value: Value = {
            let mut v = json!(1);
            for _ in 0..JsonObject::MAX_DEPTH + 1 {
                v = json!({ "a": v });
            }
            v
        };
        let deep: Result<JsonObject, _> = serde_json::from_value(value);
        assert!(deep.unwrap_err().to_string().contains("nested more than"));
        // The bound is serde_json's own: one level more does not parse as text either.
        assert!(
            serde_json::from_str::<Map<String, Value>>(&nested(JsonObject::MAX_DEPTH + 1)).is_err()
        );
        let obj: JsonObject = serde_json::from_str(&ok).unwrap();
        let expected: Map<String, Value> = serde_json::from_str(&ok).unwrap();
        assert_eq!(obj.into_map(), expected);
    }

    #[test]
    fn parse_reads_the_text_or_the_map() {
        #[derive(serde::Deserialize, PartialEq, Debug)]
        struct P {
            plan: String,
        }
        let decoded: JsonObject = serde_json::from_str(r#"{"plan":"pro"}"#).unwrap();
        let built = JsonObject::from_iter([("plan".to_owned(), json!("pro"))]);
        for o in [&decoded, &built] {
            assert_eq!(o.parse::<P>().unwrap(), P { plan: "pro".into() });
        }
        assert_eq!(decoded, built);
        assert!(decoded.parse::<Vec<u8>>().is_err());
    }
}
