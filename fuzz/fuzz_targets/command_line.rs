//! A chat line as a member or admin might type it: parsed into a command
//! or refused with a message, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lyceum_core::Command;

fuzz_target!(|line: &str| {
    let _ = Command::parse_line(line);
});
