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
    slugify_into(&mut out, text);
    out
}

/// Appends the slug of `text` to `out`; returns whether it added anything. The parser
/// builds `parent.slug` IDs this way without a separate allocation per item.
pub(crate) fn slugify_into(out: &mut String, text: &str) -> bool {
    let base = out.len();
    if text.is_ascii() {
        ascii_slug(out, text.as_bytes());
    } else {
        unicode_slug(out, text);
    }
    cut_at_word(out, base);
    out.len() > base
}

/// Each ASCII byte's slug form: lowercase for letters and digits, 0 for separators.
const SLUG_BYTE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            table[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

/// Item text is nearly always ASCII: build the slug in a stack buffer, eight bytes
/// at a time where it can. Most of an item's text is words with one space between
/// them, and such a stretch maps byte for byte (letters lowercased, the space a dash);
/// anything else (a run of separators, a separator at the edge of the stretch) goes
/// through the byte loop, which carries the state across stretches.
fn ascii_slug(out: &mut String, text: &[u8]) {
    // Room for the limit plus the look-ahead `cut_at_word` needs.
    const KEEP: usize = MAX_SLUG_LEN + 2;
    // A step may write a dash and a whole stretch past `KEEP` before the loop notices.
    let mut buf = [0u8; KEEP + WORD + 1];
    let mut len = 0;
    let mut after_separator = false;
    let mut chunks = text.chunks_exact(WORD);
    for chunk in chunks.by_ref() {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        match same_length_slug(word, len > 0 && !after_separator) {
            Some(slug) => {
                // The separator that ended the last stretch, now that a kept byte
                // follows it.
                buf[len] = b'-';
                len += usize::from(after_separator & (len > 0));
                buf[len..len + WORD].copy_from_slice(&slug.to_le_bytes());
                len += WORD;
                after_separator = false;
            }
            None => {
                for &b in chunk {
                    slug_byte(&mut buf, &mut len, &mut after_separator, b);
                }
            }
        }
        // Past the limit only the cut matters; stop reading a long text early.
        if len >= KEEP {
            break;
        }
    }
    if len < KEEP {
        for &b in chunks.remainder() {
            slug_byte(&mut buf, &mut len, &mut after_separator, b);
        }
    }
    // The same bytes as the general path, which stops after exactly `KEEP`.
    let len = len.min(KEEP);
    // Only ASCII letters, digits and `-` were written.
    out.push_str(std::str::from_utf8(&buf[..len]).unwrap_or_default());
}

const WORD: usize = 8;
const LANES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = LANES * 0x80;

/// One byte of the byte loop, with no data-dependent branch (separators come every
/// few bytes, unpredictably): it writes a dash slot and a character slot and advances
/// past what it kept.
#[inline(always)]
fn slug_byte(buf: &mut [u8], len: &mut usize, after_separator: &mut bool, b: u8) {
    let lower = SLUG_BYTE[usize::from(b)];
    let kept = lower != 0;
    buf[*len] = b'-';
    *len += usize::from(kept & *after_separator & (*len > 0));
    buf[*len] = lower;
    *len += usize::from(kept);
    *after_separator = !kept;
}

/// The slug of eight ASCII bytes when it is exactly as long: every separator stands
/// alone between two kept bytes, so each becomes one dash. `dash_ok` says whether a
/// separator in the first byte may become a dash (something was kept before it and
/// no separator came just before). `None` when the byte loop must decide.
#[inline(always)]
fn same_length_slug(word: u64, dash_ok: bool) -> Option<u64> {
    // High bit of each lane set where the byte lies in `lo..=hi`; lanes stay apart
    // because every byte is below 0x80.
    let in_range = |w: u64, lo: u8, hi: u8| {
        let at_least = w.wrapping_add(LANES * u64::from(0x80 - lo));
        let above = w.wrapping_add(LANES * u64::from(0x7f - hi));
        at_least & !above & HIGH
    };
    let folded = word | (LANES * 0x20);
    let kept = in_range(word, b'0', b'9') | in_range(folded, b'a', b'z');
    let separators = !kept & HIGH;
    let adjacent = separators & (separators >> 8) != 0;
    let ends_kept = kept >> 63 != 0;
    let starts_ok = dash_ok || kept & 0x80 != 0;
    if adjacent || !ends_kept || !starts_ok {
        return None;
    }
    // Digits already have the 0x20 bit, so OR-ing it lowercases every kept byte.
    let keep_mask = (kept >> 7) * 0xff;
    Some((folded & keep_mask) | ((LANES * u64::from(b'-')) & !keep_mask))
}

fn unicode_slug(out: &mut String, text: &str) {
    let base = out.len();
    let mut pending_dash = false;
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
        }
        pending_dash = false;
        if ch.is_ascii() {
            out.push(ch.to_ascii_lowercase());
        } else {
            out.extend(ch.to_lowercase());
        }
        // Past the limit only the cut matters; stop reading a long text early.
        if out.len() - base > MAX_SLUG_LEN + 1 {
            break;
        }
    }
}

/// Long slugs end at a word boundary, so rewording the tail of a long item keeps its ID.
fn cut_at_word(out: &mut String, base: usize) {
    if out.len() - base > MAX_SLUG_LEN {
        let mut cut = base + MAX_SLUG_LEN;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        // Cut at the last word boundary, unless the next character starts a new word
        // anyway (then the cut already is one).
        let next_is_dash = out[cut..].starts_with('-');
        if !next_is_dash {
            if let Some(dash) = out[base..cut].rfind('-') {
                cut = base + dash;
            }
        }
        out.truncate(cut);
    }
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
        ascii_slug(&mut fast, text.as_bytes());
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

    #[test]
    fn slug_of_punctuation_only_is_empty() {
        assert_eq!(slugify("--- !!"), "");
    }
}
