//! Domain values that can only hold valid data: parse once at the edge.

/// The text form `platform:id` of a type with `new(platform, id)`,
/// `platform()` and an id accessor: parsing, display and serde through it.
/// A malformed input is refused with the whole input named.
macro_rules! platform_text {
    ($ty:ident, $bad:ident, $id:ident) => {
        impl std::str::FromStr for $ty {
            type Err = $bad;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let bad = || $bad {
                    input: s.to_owned(),
                };
                let (platform, id) = s.trim().split_once(':').ok_or_else(bad)?;
                let platform =
                    $crate::domain::Platform::parse(&platform.to_ascii_lowercase()).ok_or_else(bad)?;
                $ty::new(platform, id).map_err(|_| bad())
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}:{}", self.platform(), self.$id())
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use platform_text;

pub mod channel;
pub mod code;
pub mod identity;
pub mod key;
pub mod locale;
pub mod localized;
pub mod money;
pub mod status;

pub use channel::{BadChannel, Channel};
pub use identity::{BadIdentity, IdentityRef, Platform};
pub use key::Key;
pub use locale::Locale;
pub use localized::LocalizedText;
pub use money::{Money, MoneyRepr};
pub use status::EntitlementStatus;
