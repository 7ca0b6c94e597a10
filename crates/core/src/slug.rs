/// Longest slug we produce: IDs end up in URLs and storage keys, so they stay short,
/// but long enough that two real checklist items rarely collide.
const MAX_SLUG_LEN: usize = 64;

/// Turns text into a lowercase, hyphen-separated identifier.
///
/// Letters and digits (any script) are kept, everything else becomes a single `-`.
/// Long slugs are cut at a word boundary so that a trailing reword of a long item
/// does not change its ID.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_SLUG_LEN + 8));
    let mut pending_dash = false;
    for ch in text.chars() {
        let keep = ch.is_ascii_alphanumeric() || (!ch.is_ascii() && ch.is_alphanumeric());
        if !keep {
            pending_dash = true;
            continue;
        }
        if pending_dash && !out.is_empty() {
            out.push('-');
        }
        pending_dash = false;
        if ch.is_ascii() {
            out.push(ch.to_ascii_lowercase());
        } else {
            out.extend(ch.to_lowercase());
        }
        // Past the limit only the cut below matters; stop reading a long text early.
        if out.len() > MAX_SLUG_LEN + 1 {
            break;
        }
    }
    if out.len() > MAX_SLUG_LEN {
        let mut cut = MAX_SLUG_LEN;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        // Cut at the last word boundary, unless the next character starts a new word
        // anyway (then the cut already is one).
        let next_is_dash = out[cut..].starts_with('-');
        if !next_is_dash {
            if let Some(dash) = out[..cut].rfind('-') {
                cut = dash;
            }
        }
        out.truncate(cut);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_collapses_punctuation_and_case() {
        assert_eq!(
            slugify("All tests passing (`cargo test`)"),
            "all-tests-passing-cargo-test"
        );
        assert_eq!(
            slugify("  HTTPS/WSS  Configuration "),
            "https-wss-configuration"
        );
    }

    #[test]
    fn slug_keeps_non_latin_letters() {
        assert_eq!(slugify("Überprüfung der Daten"), "überprüfung-der-daten");
    }

    #[test]
    fn long_slug_is_cut_at_a_word_boundary() {
        let s = slugify(&"word ".repeat(40));
        assert!(s.len() <= MAX_SLUG_LEN);
        assert!(s.ends_with("word"));
    }

    #[test]
    fn slug_of_punctuation_only_is_empty() {
        assert_eq!(slugify("--- !!"), "");
    }
}
