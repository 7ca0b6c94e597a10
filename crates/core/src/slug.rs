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

/// Item text is nearly always ASCII, and its slug is built in two passes over stack
/// buffers. The first maps every byte on its own (a letter or digit to its lowercase
/// form, anything else to a dash); it has no branches, so the compiler turns it into
/// vector code. The second drops each dash that follows a dash or starts the slug. It
/// copies eight bytes at a time where none is dropped, which is nearly always: prose
/// has one space between words. Deciding byte by byte whether to keep a separator is
/// what made a single pass slow: in prose that branch is not predictable.
fn ascii_slug(out: &mut String, text: &[u8]) {
    // Room for the limit plus the look-ahead `cut_at_word` needs.
    const KEEP: usize = MAX_SLUG_LEN + 2;
    const BLOCK: usize = 128;
    let mut mapped = [0u8; BLOCK];
    // A word is copied whole while fewer than `KEEP` bytes are kept.
    let mut buf = [0u8; KEEP + WORD];
    let mut len = 0;
    // The start counts as a separator, so leading ones leave no dash.
    let mut after_dash = true;
    'blocks: for block in text.chunks(BLOCK) {
        let mapped = &mut mapped[..block.len()];
        for (m, &b) in mapped.iter_mut().zip(block) {
            *m = slug_form(b);
        }
        let mut words = mapped.chunks_exact(WORD);
        for word in words.by_ref() {
            let bits = u64::from_le_bytes(word.try_into().unwrap_or_default());
            // Every lane is ASCII, so setting its high bit and subtracting one never
            // borrows from the next lane: the high bit is left clear exactly where the
            // byte was a dash.
            let dashes = !((bits ^ (LANES * u64::from(b'-'))) | HIGH).wrapping_sub(LANES) & HIGH;
            let drops = dashes & (dashes >> 8) != 0 || (after_dash && dashes & 0x80 != 0);
            if drops {
                for &c in word {
                    compact(&mut buf, &mut len, &mut after_dash, c);
                }
            } else {
                buf[len..len + WORD].copy_from_slice(word);
                len += WORD;
                after_dash = dashes >> 63 != 0;
            }
            if len >= KEEP {
                break 'blocks;
            }
        }
        for &c in words.remainder() {
            compact(&mut buf, &mut len, &mut after_dash, c);
            if len >= KEEP {
                break 'blocks;
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

/// Cuts an already joined slug (lowercase words and single dashes) to the length
/// `slugify` allows, at a word boundary as it does. For callers that find the words
/// some other way: the browser client splits names with the browser's own Unicode
/// tables rather than shipping Rust's.
pub fn cut_slug(slug: &mut String) {
    cut_at_word(slug, 0);
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
