//! Money as integer minor units of an ISO 4217 currency; never floating point.

use std::fmt;

use iso_currency::Currency;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Money {
    amount_minor: i64,
    currency: Currency,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadMoney {
    #[error("`{0}` is not an ISO 4217 currency code")]
    Currency(String),
    #[error("amount must be zero or more minor units, got {0}")]
    Negative(i64),
}

/// An amount as people read it, such as `19.99 USD`; a stored amount whose
/// currency is not ISO 4217 still shows, as its raw units and code.
pub fn price_text(amount_minor: i64, currency: &str) -> String {
    Money::new(amount_minor, currency)
        .map_or_else(|_| format!("{amount_minor} {currency}"), |m| m.to_string())
}

impl Money {
    pub fn new(amount_minor: i64, currency_code: &str) -> Result<Self, BadMoney> {
        if amount_minor < 0 {
            return Err(BadMoney::Negative(amount_minor));
        }
        let currency = Currency::from_code(&currency_code.to_ascii_uppercase())
            .ok_or_else(|| BadMoney::Currency(currency_code.to_owned()))?;
        Ok(Money {
            amount_minor,
            currency,
        })
    }

    pub fn amount_minor(&self) -> i64 {
        self.amount_minor
    }

    pub fn currency_code(&self) -> String {
        self.currency.code().to_owned()
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exponent = u32::from(self.currency.exponent().unwrap_or(0));
        let code = self.currency.code();
        if exponent == 0 {
            return write!(f, "{} {code}", self.amount_minor);
        }
        let scale = 10_i64.pow(exponent);
        write!(
            f,
            "{}.{:0width$} {code}",
            self.amount_minor / scale,
            self.amount_minor % scale,
            width = exponent as usize
        )
    }
}

/// The serialized form used in JSON output and in config: minor units plus code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoneyRepr {
    pub amount: i64,
    pub currency: String,
}

impl From<Money> for MoneyRepr {
    fn from(m: Money) -> Self {
        MoneyRepr {
            amount: m.amount_minor,
            currency: m.currency_code(),
        }
    }
}

impl TryFrom<&MoneyRepr> for Money {
    type Error = BadMoney;

    fn try_from(r: &MoneyRepr) -> Result<Self, Self::Error> {
        Money::new(r.amount, &r.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_currency_exponent() {
        let usd = Money::new(1999, "usd").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(usd.to_string(), "19.99 USD");
        let jpy = Money::new(500, "JPY").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(jpy.to_string(), "500 JPY");
        let cny = Money::new(9905, "CNY").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cny.to_string(), "99.05 CNY");
    }

    #[test]
    fn rejects_bad_currency_and_negative_amounts() {
        assert_eq!(Money::new(1, "XYZ1"), Err(BadMoney::Currency("XYZ1".into())));
        assert_eq!(Money::new(-1, "USD"), Err(BadMoney::Negative(-1)));
    }
}
