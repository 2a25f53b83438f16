//! Enums that travel and are stored as text: one macro gives each its stable name and parsing, so
//! the names on the wire, in the events, in databases and in error messages are the same words.

/// A fieldless enum with a stable text name per value (storage layers convert through this).
pub trait TextEnum: Sized + Copy + 'static {
    /// The enum's name, for errors.
    const NAME: &'static str;
    /// Every value, in declaration order.
    fn all() -> &'static [Self];
    /// The stored and displayed name.
    fn as_text(self) -> &'static str;
    /// Parses a stored name.
    fn from_text(text: &str) -> Option<Self>;
}

/// Declares a fieldless enum carried as snake_case text.
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and displayed name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses a stored name.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl $crate::TextEnum for $name {
            const NAME: &'static str = stringify!($name);
            fn all() -> &'static [Self] {
                Self::ALL
            }
            fn as_text(self) -> &'static str {
                self.as_str()
            }
            fn from_text(text: &str) -> Option<Self> {
                Self::parse(text)
            }
        }

        // By hand rather than derived: a wrong value is quoted (a short prefix of it) with the
        // values allowed, in words a person can act on.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                $name::parse(&text).ok_or_else(|| {
                    <D::Error as serde::de::Error>::custom($crate::text_enum::unknown(
                        stringify!($name),
                        &text,
                        &[$($text),+],
                    ))
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// The sentence for a text that is none of an enum's names.
#[doc(hidden)]
pub fn unknown(name: &str, text: &str, allowed: &[&str]) -> String {
    format!(
        "{:?} is not a {name} (one of {})",
        crate::error::prefix(text, 32),
        allowed.join(", ")
    )
}
