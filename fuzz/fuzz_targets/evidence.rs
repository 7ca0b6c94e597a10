//! Any bytes as an evidence file: reading, verifying, merging and restoring a run from
//! it must never panic. This is the path a hostile file takes through the browser's
//! import and through `checkdown verify` and `merge`, from this version of the
//! checklist or (rebased) from another.
#![no_main]

use checkdown_core::evidence::{Evidence, merge, verify};
use checkdown_core::run::{Session, changes_from_evidence, rebase};
use libfuzzer_sys::fuzz_target;

const SOURCE: &str = include_str!("../../docs/examples/release.md");
const HONEST: &str = include_str!("../../docs/examples/release.evidence.json");

fuzz_target!(|data: &[u8]| {
    let Ok(evidence) = serde_json::from_slice::<Evidence>(data) else {
        return;
    };
    let Some(checklist) = checkdown_core::parse_str("release", SOURCE).checklist else {
        return;
    };
    let _ = verify(&evidence, &checklist, Some("sha256:abc"));
    if let Ok(honest) = serde_json::from_str::<Evidence>(HONEST) {
        let _ = merge(&evidence, &honest, &checklist);
        let _ = merge(&honest, &evidence, &checklist);
    }
    let session = Session::new(&checklist, changes_from_evidence(&evidence, &checklist));
    let _ = session.status();
    let _ = session.problems();
    let _ = session.evidence(evidence.run.clone());
    // Whatever hash it claims, read as a file from another version of the checklist.
    if let Ok(rebased) = rebase(&evidence, &checklist) {
        let again = rebased.evidence(&checklist);
        let _ = verify(&again, &checklist, None);
    }
});
