//! Macros the generated models expand: string enums that keep unknown values, and unions
//! dispatched on a discriminator property.

/// A string enum with an `Unknown(String)` variant, so new API values never fail decoding.
#[doc(hidden)]
#[macro_export]
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this version of the crate does not know.
            Unknown(String),
        }

        impl $name {
            /// The wire value.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )*
                    Self::Unknown(s) => s.as_str(),
                }
            }
        }

        impl ::core::convert::From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $value => Self::$variant, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::core::convert::From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $( $value => Self::$variant, )*
                    _ => Self::Unknown(s),
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_str($crate::macros::__private::EnumVisitor::<Self>::new())
            }
        }

        #[cfg(feature = "client-core")]
        impl $crate::rt::QueryValue for $name {
            fn with_str(&self, f: impl FnOnce(&str)) {
                f(self.as_str());
            }
        }
    };
}

/// A union decoded by the value of a tag property (e.g. `object`); unknown tags are kept raw.
#[doc(hidden)]
#[macro_export]
macro_rules! tagged_union {
    (
        $(#[$meta:meta])*
        pub enum $name:ident tag $tag:literal {
            $( $(#[$vmeta:meta])* $variant:ident($ty:ty) = $value:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant($ty), )*
            /// A shape this version of the crate does not know, as received.
            Unknown(::serde_json::Value),
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    // The tag property is optional in the variant's struct: always write it,
                    // so what is serialized decodes back into the same variant.
                    $( Self::$variant(v) => {
                        let mut value = ::serde_json::to_value(v)
                            .map_err(<S::Error as ::serde::ser::Error>::custom)?;
                        if let ::serde_json::Value::Object(map) = &mut value {
                            if map.get($tag).is_none_or(::serde_json::Value::is_null) {
                                map.insert($tag.to_owned(), ::serde_json::Value::from($value));
                            }
                        }
                        ::serde::Serialize::serialize(&value, s)
                    } )*
                    Self::Unknown(v) => ::serde::Serialize::serialize(v, s),
                }
            }
        }

        impl $crate::macros::__private::TaggedUnion for $name {
            const TAG: &'static str = $tag;

            fn known(tag: &str) -> Option<&'static str> {
                match tag {
                    $( $value => Some($value), )*
                    _ => None,
                }
            }

            fn variant<'de, A: ::serde::de::MapAccess<'de>>(
                tag: &'static str,
                map: A,
            ) -> Result<Self, A::Error> {
                let de = ::serde::de::value::MapAccessDeserializer::new(map);
                match tag {
                    $( $value => <$ty as ::serde::Deserialize>::deserialize(de).map(Self::$variant), )*
                    _ => Err(<A::Error as ::serde::de::Error>::custom("unknown tag")),
                }
            }

            fn unknown(value: ::serde_json::Value) -> Self {
                Self::Unknown(value)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::macros::__private::deserialize_tagged(d)
            }
        }
    };
}

/// Support code for the macros above; not public API.
#[doc(hidden)]
pub mod __private {
    use std::fmt;
    use std::marker::PhantomData;

    use serde::Deserialize as _;
    use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde_json::{Map, Value};

    /// What `tagged_union!` generates: which tags are known, and how to decode one variant.
    pub trait TaggedUnion: Sized {
        /// The discriminator property, e.g. `object`.
        const TAG: &'static str;
        /// The variant's tag if `tag` names one.
        fn known(tag: &str) -> Option<&'static str>;
        /// Decode the variant named by a known `tag` from the whole object (`map` yields every
        /// entry, the tag included).
        ///
        /// # Errors
        /// The variant's own decode error.
        fn variant<'de, A: MapAccess<'de>>(tag: &'static str, map: A) -> Result<Self, A::Error>;
        /// The fallback for an unknown or missing tag, or a value that is not an object.
        fn unknown(value: Value) -> Self;
    }

    /// Decode a tagged union without buffering the object.
    ///
    /// The entries before the tag (none when the tag comes first, as in the API's responses) are
    /// held as `Value`s; once the tag is read, the variant decodes straight from the input with
    /// those entries replayed in front. So a known variant costs what decoding the variant's
    /// struct costs, and a decode error inside it keeps its full JSON path (it used to be
    /// flattened by an intermediate `serde_json::from_value`). Unknown tags, objects without a
    /// tag and non-objects become `Unknown(Value)`, exactly as before.
    ///
    /// # Errors
    /// The variant's decode error, or the deserializer's.
    pub fn deserialize_tagged<'de, T: TaggedUnion, D: Deserializer<'de>>(
        d: D,
    ) -> Result<T, D::Error> {
        d.deserialize_any(TaggedVisitor::<T>(PhantomData))
    }

    struct TaggedVisitor<T>(PhantomData<T>);

    /// A map key: the tag (not allocated), or any other key.
    enum Key {
        Tag,
        Other(String),
    }

    struct KeySeed(&'static str);

    impl<'de> DeserializeSeed<'de> for KeySeed {
        type Value = Key;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
            d.deserialize_str(self)
        }
    }

    impl Visitor<'_> for KeySeed {
        type Value = Key;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string key")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
            Ok(if v == self.0 {
                Key::Tag
            } else {
                Key::Other(v.to_owned())
            })
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Key, E> {
            Ok(if v == self.0 { Key::Tag } else { Key::Other(v) })
        }
    }

    impl<'de, T: TaggedUnion> Visitor<'de> for TaggedVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "an object with a `{}` property", T::TAG)
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
            let mut before: Vec<(String, Value)> = Vec::new();
            while let Some(key) = map.next_key_seed(KeySeed(T::TAG))? {
                match key {
                    Key::Other(k) => {
                        let v: Value = map.next_value()?;
                        before.push((k, v));
                    }
                    Key::Tag => {
                        let tag: Value = map.next_value()?;
                        if let Some(name) = tag.as_str().and_then(T::known) {
                            let replay = Replay {
                                before: before.into_iter(),
                                tag: Some((T::TAG, tag)),
                                value: None,
                                rest: map,
                            };
                            return T::variant(name, replay);
                        }
                        before.push((T::TAG.to_owned(), tag));
                        let mut object: Map<String, Value> = before.into_iter().collect();
                        while let Some((k, v)) = map.next_entry::<String, Value>()? {
                            object.insert(k, v);
                        }
                        return Ok(T::unknown(Value::Object(object)));
                    }
                }
            }
            Ok(T::unknown(Value::Object(before.into_iter().collect())))
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
            let mut items = Vec::new();
            while let Some(v) = seq.next_element::<Value>()? {
                items.push(v);
            }
            Ok(T::unknown(Value::Array(items)))
        }

        fn visit_bool<E: de::Error>(self, v: bool) -> Result<T, E> {
            Ok(T::unknown(Value::Bool(v)))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
            Ok(T::unknown(Value::from(v)))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
            Ok(T::unknown(Value::from(v)))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
            Ok(T::unknown(Value::from(v)))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            Ok(T::unknown(Value::String(v.to_owned())))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<T, E> {
            Ok(T::unknown(Value::String(v)))
        }
        fn visit_unit<E: de::Error>(self) -> Result<T, E> {
            Ok(T::unknown(Value::Null))
        }
        fn visit_none<E: de::Error>(self) -> Result<T, E> {
            Ok(T::unknown(Value::Null))
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
            serde::Deserialize::deserialize(d).map(T::unknown)
        }
    }

    /// The object's entries read before the tag, the tag, then the rest of the input map.
    struct Replay<A> {
        before: std::vec::IntoIter<(String, Value)>,
        tag: Option<(&'static str, Value)>,
        value: Option<Value>,
        rest: A,
    }

    impl<'de, A: MapAccess<'de>> MapAccess<'de> for Replay<A> {
        type Error = A::Error;

        fn next_key_seed<K: DeserializeSeed<'de>>(
            &mut self,
            seed: K,
        ) -> Result<Option<K::Value>, A::Error> {
            if let Some((k, v)) = self.before.next() {
                self.value = Some(v);
                return seed
                    .deserialize(de::value::StringDeserializer::<A::Error>::new(k))
                    .map(Some);
            }
            if let Some((k, v)) = self.tag.take() {
                self.value = Some(v);
                return seed
                    .deserialize(de::value::StrDeserializer::<A::Error>::new(k))
                    .map(Some);
            }
            self.rest.next_key_seed(seed)
        }

        fn next_value_seed<V: DeserializeSeed<'de>>(
            &mut self,
            seed: V,
        ) -> Result<V::Value, A::Error> {
            match self.value.take() {
                Some(v) => seed.deserialize(v).map_err(de::Error::custom),
                None => self.rest.next_value_seed(seed),
            }
        }
    }

    /// A required field sent as `null` decodes as its default (`false`, empty), as an absent
    /// one does through `#[serde(default)]`: the drift policy for booleans, lists and maps.
    ///
    /// # Errors
    /// The value's own decode error when it is neither `null` nor a `T`.
    pub fn null_as_default<'de, D: Deserializer<'de>, T: serde::Deserialize<'de> + Default>(
        d: D,
    ) -> Result<T, D::Error> {
        Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
    }

    /// Visits a string (borrowed or owned) into any `From<&str>` type.
    pub struct EnumVisitor<T>(PhantomData<T>);

    impl<T> EnumVisitor<T> {
        #[must_use]
        pub fn new() -> Self {
            EnumVisitor(PhantomData)
        }
    }

    impl<T> Default for EnumVisitor<T> {
        fn default() -> Self {
            Self::new()
        }
    }

    impl<T: for<'a> From<&'a str> + From<String>> serde::de::Visitor<'_> for EnumVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
            Ok(T::from(v))
        }
        fn visit_string<E: serde::de::Error>(self, v: String) -> Result<T, E> {
            Ok(T::from(v))
        }
    }
}

// Decodes real models: those of the users group.
#[cfg(all(test, feature = "api-users"))]
mod tests {
    use crate::models::{EmailAddressVerification, VerificationStatus};
    use serde_json::json;

    fn decode(v: &serde_json::Value) -> EmailAddressVerification {
        // From text (streaming path) and from a `Value` (nested `from_value`) must agree.
        let from_text: EmailAddressVerification = serde_json::from_str(&v.to_string()).unwrap();
        let from_value: EmailAddressVerification = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(from_text, from_value);
        from_text
    }

    #[test]
    fn tag_first_and_tag_later_decode_the_same_variant() {
        let first = r#"{"object":"verification_otp","status":"verified","strategy":"email_code","attempts":1}"#;
        let later = r#"{"attempts":1,"status":"verified","object":"verification_otp","strategy":"email_code"}"#;
        for text in [first, later] {
            let v: EmailAddressVerification = serde_json::from_str(text).unwrap();
            let EmailAddressVerification::VerificationOtp(otp) = v else {
                panic!("wrong variant for {text}: {v:?}");
            };
            assert_eq!(otp.object.as_deref(), Some("verification_otp"));
            assert_eq!(otp.status, VerificationStatus::Verified);
            assert_eq!(otp.attempts, Some(1));
        }
    }

    #[test]
    fn unknown_missing_or_odd_tags_keep_the_whole_value() {
        for v in [
            json!({"status": "verified", "object": "verification_new_kind", "x": [1, {"y": null}]}),
            json!({"status": "verified", "strategy": "admin"}),
            json!({"object": 7, "status": "verified"}),
            json!("verified"),
            json!([1, 2]),
            json!(3.5),
        ] {
            assert_eq!(decode(&v), EmailAddressVerification::Unknown(v.clone()));
        }
    }

    #[cfg(feature = "client-core")]
    #[test]
    fn a_bad_field_inside_a_variant_reports_its_full_path() {
        let body = br#"[{"id":"idn_1","object":"email_address","email_address":"a@b.c","reserved":false,
            "verification":{"object":"verification_otp","status":"verified","strategy":"email_code","attempts":"many"},
            "linked_to":[],"created_at":1,"updated_at":1}]"#;
        let err = crate::decode::DecodeError::decode::<Vec<crate::models::EmailAddress>>(
            http::StatusCode::OK,
            bytes::Bytes::from_static(body),
        )
        .unwrap_err();
        assert_eq!(err.path, "[0].verification.attempts");
    }

    #[test]
    fn round_trips_through_serialize() {
        let v = json!({"object": "verification_admin", "status": "verified", "strategy": "admin"});
        let decoded = decode(&v);
        assert!(matches!(
            decoded,
            EmailAddressVerification::VerificationAdmin(_)
        ));
        assert_eq!(serde_json::to_value(&decoded).unwrap(), v);
    }
}
