//! Any bytes: parsing, outlining and serialising must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = checkdown_core::parse("fuzz", data);
    let _ = checkdown_core::outline(&parsed);
    if let Some(checklist) = &parsed.checklist {
        let _ = checklist.all_items();
        let _ = checklist.item_count();
    }
});
