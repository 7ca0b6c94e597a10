/// Longest slug we produce, in characters: IDs end up in URLs and storage keys, so
/// they stay short, but long enough that two real checklist items rarely collide.
/// Characters, not bytes: a Japanese item would otherwise be cut after 21 of them,
/// and items that share their first 21 would be told apart only by their order.
pub(crate) const MAX_SLUG_LEN: usize = 64;

/// Turns text into a lowercase, hyphen-separated identifier.
///
/// Letters and digits (any script) are kept, everything else becomes a single `-`.
/// Long slugs are cut at a word boundary so that a trailing reword of a long item
/// does not change its ID.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_SLUG_LEN + 8));
    slugify_into(&mut out, text);
    out
}

/// Appends the slug of `text` to `out`; returns whether it added anything. The parser
/// builds `parent.slug` IDs this way without a separate allocation per item.
pub(crate) fn slugify_into(out: &mut String, text: &str) -> bool {
    let base = out.len();
    if ascii_slug(out, text.as_bytes()) {
        // One byte a character: the cut needs no counting.
        cut_at(out, base, base + MAX_SLUG_LEN);
    } else {
        unicode_slug(out, text);
        cut_at_word(out, base);
    }
    out.len() > base
}

/// Item text is nearly always ASCII, and its slug is built eight bytes at a time with
/// word arithmetic: each word is mapped (a letter or digit to its lowercase form,
/// anything else to a dash) without a branch, then copied whole unless a dash in it
/// must be dropped (one after a dash, or at the start), which is rare: prose has one
/// space between words. Deciding byte by byte whether to keep a separator is what
/// made a single byte-wise pass slow: in prose that branch is not predictable.
///
/// Returns false, having written nothing, on text that is not ASCII within what the
/// slug reads; the general path takes it then. Text past the slug's limit is never
/// read, so a long item does not pay for its tail.
fn ascii_slug(out: &mut String, text: &[u8]) -> bool {
    // Room for the limit plus the look-ahead `cut_at_word` needs.
    const KEEP: usize = MAX_SLUG_LEN + 2;
    // A word is copied whole while fewer than `KEEP` bytes are kept.
    let mut buf = [0u8; KEEP + WORD];
    let mut len = 0;
    // The start counts as a separator, so leading ones leave no dash.
    let mut after_dash = true;
    let mut words = text.chunks_exact(WORD);
    for word in words.by_ref() {
        let bits = u64::from_le_bytes(word.try_into().unwrap_or_default());
        if bits & HIGH != 0 {
            return false;
        }
        let (mapped, dashes) = slug_word(bits);
        let drops = dashes & (dashes >> 8) != 0 || (after_dash && dashes & 0x80 != 0);
        if drops {
            for c in mapped.to_le_bytes() {
                compact(&mut buf, &mut len, &mut after_dash, c);
            }
        } else {
            buf[len..len + WORD].copy_from_slice(&mapped.to_le_bytes());
            len += WORD;
            after_dash = dashes >> 63 != 0;
        }
        if len >= KEEP {
            break;
        }
    }
    if len < KEEP {
        for &c in words.remainder() {
            if !c.is_ascii() {
                return false;
            }
            compact(&mut buf, &mut len, &mut after_dash, slug_form(c));
            if len >= KEEP {
                break;
            }
        }
    }
    // A trailing dash stands for separators that nothing kept followed. Stopped at
    // `KEEP`, the slug may end in one that a later word would have kept; `cut_at_word`
    // reads no further than the byte before it, so both give the same ID.
    let len = if len >= KEEP {
        KEEP
    } else {
        len - usize::from(after_dash && len > 0)
    };
    // Only ASCII letters, digits and `-` were written.
    out.push_str(std::str::from_utf8(&buf[..len]).unwrap_or_default());
    true
}

/// Eight ASCII bytes' slug forms (see [`slug_form`]), and the high bit of each lane
/// that became a dash. Each range test adds to the low seven bits of a lane, which
/// never carries into the next lane: every byte is below 0x80.
#[inline(always)]
fn slug_word(bits: u64) -> (u64, u64) {
    let at_least = |floor: u8| (bits + LANES * u64::from(0x80 - floor)) & HIGH;
    let folded = bits | (LANES * 0x20);
    let folded_at_least = |floor: u8| (folded + LANES * u64::from(0x80 - floor)) & HIGH;
    let digit = at_least(b'0') & !at_least(b'9' + 1);
    let letter = folded_at_least(b'a') & !folded_at_least(b'z' + 1);
    let kept = digit | letter;
    // A whole lane of ones where the byte is kept.
    let mask = (kept >> 7) * 0xff;
    let mapped = (folded & mask) | ((LANES * u64::from(b'-')) & !mask);
    (mapped, !kept & HIGH)
}

const WORD: usize = 8;
const LANES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = LANES * 0x80;

/// An ASCII byte's slug form: lowercase for letters and digits, `-` for the rest.
#[inline(always)]
fn slug_form(b: u8) -> u8 {
    // Digits already have the 0x20 bit, so OR-ing it lowercases letters and leaves
    // digits alone.
    let folded = b | 0x20;
    let kept = (b.wrapping_sub(b'0') < 10) | (folded.wrapping_sub(b'a') < 26);
    if kept { folded } else { b'-' }
}

/// Keeps `c` unless it is a dash after a dash (or at the start); no data-dependent
/// branch.
#[inline(always)]
fn compact(buf: &mut [u8], len: &mut usize, after_dash: &mut bool, c: u8) {
    let dash = c == b'-';
    buf[*len] = c;
    *len += usize::from(!(dash & *after_dash));
    *after_dash = dash;
}

fn unicode_slug(out: &mut String, text: &str) {
    // One text, one ID: é may be saved as one character or as e and a combining
    // accent (macOS file names, some editors and keyboards), and both read the same.
    let composed: String;
    let text = match unicode_normalization::is_nfc_quick(text.chars()) {
        unicode_normalization::IsNormalized::Yes => text,
        _ => {
            composed = unicode_normalization::UnicodeNormalization::nfc(text).collect();
            &composed
        }
    };
    let base = out.len();
    let mut pending_dash = false;
    let mut kept = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // Item text is nearly always ASCII; only other scripts pay for decoding.
        let ch = if b.is_ascii() {
            i += 1;
            char::from(b)
        } else {
            let Some(ch) = text[i..].chars().next() else {
                break;
            };
            i += ch.len_utf8();
            ch
        };
        let keep = ch.is_ascii_alphanumeric() || (!ch.is_ascii() && ch.is_alphanumeric());
        if !keep {
            pending_dash = true;
            continue;
        }
        if pending_dash && out.len() > base {
            out.push('-');
            kept += 1;
        }
        pending_dash = false;
        if ch.is_ascii() {
            out.push(ch.to_ascii_lowercase());
            kept += 1;
        } else {
            for lower in ch.to_lowercase() {
                out.push(lower);
                kept += 1;
            }
        }
        // Past the limit only the cut matters; stop reading a long text early.
        if kept > MAX_SLUG_LEN + 1 {
            break;
        }
    }
}

/// Cuts an already joined slug (lowercase words and single dashes) to the length
/// `slugify` allows, at a word boundary as it does. For callers that find the words
/// some other way: the browser client splits names with the browser's own Unicode
/// tables rather than shipping Rust's.
pub fn cut_slug(slug: &mut String) {
    cut_at_word(slug, 0);
}

/// Long slugs end at a word boundary, so rewording the tail of a long item keeps its ID.
fn cut_at_word(out: &mut String, base: usize) {
    // Bytes bound characters: a slug this short has no character past the limit.
    if out.len() - base <= MAX_SLUG_LEN {
        return;
    }
    if let Some((at, _)) = out[base..].char_indices().nth(MAX_SLUG_LEN) {
        cut_at(out, base, base + at);
    }
}

/// Cuts the slug that starts at `base` before the character at `limit`, back to the
/// last word boundary, unless the character there starts a new word anyway (then the
/// cut already is one).
fn cut_at(out: &mut String, base: usize, limit: usize) {
    if out.len() <= limit {
        return;
    }
    let mut cut = limit;
    if !out[cut..].starts_with('-') {
        if let Some(dash) = out[base..cut].rfind('-') {
            cut = base + dash;
        }
    }
    out.truncate(cut);
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
    fn a_long_slug_in_another_script_keeps_64_characters_not_bytes() {
        let text = "データベース".repeat(12);
        let slug = slugify(&text);
        assert_eq!(slug.chars().count(), 64, "{slug}");
        // With words, the cut is at the last whole one within 64 characters.
        let words = "überprüfung ".repeat(8);
        assert_eq!(slugify(&words), ["überprüfung"; 5].join("-"));
    }

    #[test]
    fn composed_and_decomposed_accents_give_one_slug() {
        let composed = "D\u{e9}ploiement \u{e9}t\u{e9}";
        let decomposed = "De\u{301}ploiement e\u{301}te\u{301}";
        assert_eq!(slugify(decomposed), slugify(composed));
        assert_eq!(slugify(composed), "d\u{e9}ploiement-\u{e9}t\u{e9}");
    }

    #[test]
    fn an_explicit_id_with_a_decomposed_accent_is_the_composed_one() {
        let parsed = crate::parse_str("t", "# T\n\n- [ ] Named {#e\u{301}tape}\n");
        let c = parsed.checklist.unwrap();
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        assert_eq!(c.items[0].id, "\u{e9}tape");
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
    fn slug_appended_to_a_prefix_counts_its_limit_from_the_prefix() {
        let mut id = String::from("section.sub.");
        assert!(slugify_into(&mut id, &"word ".repeat(40)));
        assert_eq!(id, format!("section.sub.{}", slugify(&"word ".repeat(40))));
        let mut empty = String::from("p.");
        assert!(!slugify_into(&mut empty, "!!"));
    }

    /// Both paths' slugs of `text`, cut as `slugify` cuts them.
    fn both_paths(text: &str) -> (String, String) {
        let (mut fast, mut general) = (String::new(), String::new());
        assert!(ascii_slug(&mut fast, text.as_bytes()));
        cut_at_word(&mut fast, 0);
        unicode_slug(&mut general, text);
        cut_at_word(&mut general, 0);
        (fast, general)
    }

    proptest::proptest! {
        #[test]
        fn ascii_fast_path_matches_the_general_one(text in "[ -~]{0,200}") {
            let (fast, general) = both_paths(&text);
            proptest::prop_assert_eq!(fast, general);
        }

        // Word-like text takes the eight-byte path far more often than random
        // printable bytes do; both paths must agree at every alignment.
        #[test]
        fn word_stretches_slug_like_the_general_path(
            text in "[ .(]{0,2}([a-zA-Z0-9]{1,9}[ ,./:()_-]{1,2}){0,14}[a-zA-Z0-9]{0,9}[ .]{0,2}"
        ) {
            let (fast, general) = both_paths(&text);
            proptest::prop_assert_eq!(fast, general);
        }
    }

    #[test]
    fn eight_byte_stretches_slug_like_single_bytes() {
        for text in [
            "abcdefgh",
            "ABCD EFGH",
            "a b c d e f g h i j",
            " leading space!",
            "ends with space  ",
            "Zz09 @[`{ 9a",
            "run  of  double  spaces here",
        ] {
            let (fast, general) = both_paths(text);
            assert_eq!(fast, general, "{text:?}");
        }
    }

    // The fast path stops reading at the slug's limit, so it may see ASCII only where
    // the text goes on in another script; it must agree with the general path then,
    // and hand over to it whenever a letter it would keep is not ASCII.
    #[test]
    fn text_in_another_script_slugs_alike_wherever_that_starts() {
        for words in 0..20 {
            let text = format!("{}Überprüfung der Daten", "step ".repeat(words));
            let mut general = String::new();
            unicode_slug(&mut general, &text);
            cut_at_word(&mut general, 0);
            assert_eq!(slugify(&text), general, "{text:?}");
        }
    }

    #[test]
    fn slug_of_punctuation_only_is_empty() {
        assert_eq!(slugify("--- !!"), "");
    }
}
