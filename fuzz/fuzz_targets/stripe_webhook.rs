//! A Stripe webhook: the first line is the Stripe-Signature header, the
//! rest the body. Verification must refuse without panicking; a body signed
//! with the right secret must verify; parsing any body must not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lyceum_stripe::signature::sign;

const SECRET: &str = "whsec_fuzz";
const NOW: i64 = 1_790_000_000;

fuzz_target!(|data: &[u8]| {
    let (header, body) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&data[..0], data),
    };
    let header = std::str::from_utf8(header).ok();
    let secrets = [SECRET.to_owned()];
    let _ = lyceum_stripe::verify(header, body, &secrets, NOW);
    let signed = sign(body, SECRET, NOW);
    assert!(lyceum_stripe::verify(Some(&signed), body, &secrets, NOW).is_ok());
    let _ = lyceum_stripe::parse_event(body);
});
