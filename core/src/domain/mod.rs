//! Domain values that can only hold valid data: parse once at the edge.

pub mod code;
pub mod identity;
pub mod key;
pub mod locale;
pub mod localized;
pub mod money;
pub mod status;

pub use identity::{BadIdentity, IdentityRef, Platform};
pub use key::Key;
pub use locale::Locale;
pub use localized::LocalizedText;
pub use money::{Money, MoneyRepr};
pub use status::EntitlementStatus;
