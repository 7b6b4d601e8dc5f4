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

        impl $crate::http::QueryValue for $name {
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

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(d)?;
                let tag = value.get($tag).and_then(::serde_json::Value::as_str);
                match tag {
                    $( Some($value) => ::serde_json::from_value(value)
                        .map(Self::$variant)
                        .map_err(<D::Error as ::serde::de::Error>::custom), )*
                    _ => Ok(Self::Unknown(value)),
                }
            }
        }
    };
}

/// Support code for the macros above; not public API.
#[doc(hidden)]
pub mod __private {
    use std::marker::PhantomData;

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
