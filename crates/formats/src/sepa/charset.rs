//! Transliteration of free text to the SEPA Latin character subset.
//!
//! SEPA text fields may only hold `a-z A-Z 0-9 / - ? : ( ) . , ' +` and the space
//! (`REFERENCE.md`, "SEPA files"). Names of Dutch participants often carry accents (`Müller`,
//! `Hélène`, `Ĳsbrand`); banks reject or mangle them, so every text field goes through
//! [`to_sepa_text`] before it is written.

/// True when `c` belongs to the SEPA Latin subset (the space included).
#[must_use]
pub fn is_sepa_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '/' | '-' | '?' | ':' | '(' | ')' | '.' | ',' | '\'' | '+' | ' '
        )
}

/// Transliterates `text` to the SEPA Latin subset and cuts it to at most `max_chars` characters.
///
/// Rules, in order: letters with diacritics lose them (`é` → `e`, `ç` → `c`), ligatures and
/// special letters are spelled out (`ß` → `ss`, `æ` → `ae`, `ø` → `o`, `ĳ` → `ij`), `&` becomes
/// `+`, typographic quotes and dashes become `'` and `-`, combining marks are dropped and every
/// other character becomes a space. Runs of spaces collapse to one, the result is trimmed and
/// then cut to `max_chars` characters (and trimmed again, so it never ends in a space).
///
/// The result may be empty (for example for text in another script); callers decide whether an
/// empty field is acceptable.
#[must_use]
pub fn to_sepa_text(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars.saturating_mul(2)));
    // Pending space: written only before the next non-space character, which collapses runs
    // and trims the start and the end in one pass.
    let mut space_pending = false;
    let mut chars_written: usize = 0;
    let mut push = |piece: &str, out: &mut String| -> bool {
        for c in piece.chars() {
            if c == ' ' {
                space_pending = chars_written > 0;
                continue;
            }
            let needed = if space_pending { 2 } else { 1 };
            if chars_written + needed > max_chars {
                return false;
            }
            if space_pending {
                out.push(' ');
                space_pending = false;
            }
            out.push(c);
            chars_written += needed;
        }
        true
    };
    let mut buffer = [0_u8; 4];
    for c in text.chars() {
        let piece: &str = if is_sepa_char(c) {
            c.encode_utf8(&mut buffer)
        } else {
            transliterate(c)
        };
        if !push(piece, &mut out) {
            break;
        }
    }
    out
}

/// The SEPA spelling of a character outside the subset: a replacement, `""` (dropped) or `" "`.
fn transliterate(c: char) -> &'static str {
    match c {
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => "A",
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'ª' => "a",
        'Æ' => "AE",
        'æ' => "ae",
        'Ç' | 'Ć' | 'Ĉ' | 'Ċ' | 'Č' => "C",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'Ď' | 'Đ' | 'Ð' => "D",
        'ď' | 'đ' | 'ð' => "d",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ĕ' | 'Ė' | 'Ę' | 'Ě' => "E",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'Ĝ' | 'Ğ' | 'Ġ' | 'Ģ' => "G",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'Ĥ' | 'Ħ' => "H",
        'ĥ' | 'ħ' => "h",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ĩ' | 'Ī' | 'Ĭ' | 'Į' | 'İ' => "I",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'Ĳ' => "IJ",
        'ĳ' => "ij",
        'Ĵ' => "J",
        'ĵ' => "j",
        'Ķ' => "K",
        'ķ' | 'ĸ' => "k",
        'Ĺ' | 'Ļ' | 'Ľ' | 'Ŀ' | 'Ł' => "L",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'Ñ' | 'Ń' | 'Ņ' | 'Ň' | 'Ŋ' => "N",
        'ñ' | 'ń' | 'ņ' | 'ň' | 'ŉ' | 'ŋ' => "n",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ŏ' | 'Ő' => "O",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' | 'º' => "o",
        'Œ' => "OE",
        'œ' => "oe",
        'Ŕ' | 'Ŗ' | 'Ř' => "R",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'Ś' | 'Ŝ' | 'Ş' | 'Š' | 'Ș' => "S",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' | 'ſ' => "s",
        'ß' | 'ẞ' => "ss",
        'Ţ' | 'Ť' | 'Ŧ' | 'Ț' => "T",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'Þ' => "TH",
        'þ' => "th",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ũ' | 'Ū' | 'Ŭ' | 'Ů' | 'Ű' | 'Ų' => "U",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'Ŵ' => "W",
        'ŵ' => "w",
        'Ý' | 'Ÿ' | 'Ŷ' => "Y",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'Ź' | 'Ż' | 'Ž' => "Z",
        'ź' | 'ż' | 'ž' => "z",
        '&' => "+",
        '‘' | '’' | '‚' | '‛' | '`' | '´' | '"' | '“' | '”' | '„' => "'",
        '‐' | '‑' | '‒' | '–' | '—' | '−' | '_' => "-",
        // Combining diacritical marks: a decomposed `e` + U+0301 keeps only its `e`.
        '\u{0300}'..='\u{036F}' => "",
        _ => " ",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dutch_and_european_names_lose_their_accents() {
        assert_eq!(
            to_sepa_text("Hélène Brontë-Çelik", 70),
            "Helene Bronte-Celik"
        );
        assert_eq!(
            to_sepa_text("Straße Æsop Søren Ångström", 70),
            "Strasse AEsop Soren Angstrom"
        );
        assert_eq!(to_sepa_text("ĳsbrand Ĳzerman", 70), "ijsbrand IJzerman");
    }

    #[test]
    fn an_ampersand_becomes_a_plus() {
        assert_eq!(to_sepa_text("Jansen & Zn", 70), "Jansen + Zn");
    }

    #[test]
    fn runs_of_spaces_collapse_and_the_ends_are_trimmed() {
        assert_eq!(to_sepa_text("  a \t\n b;;c  ", 70), "a b c");
    }

    #[test]
    fn decomposed_accents_are_dropped_and_other_scripts_become_empty() {
        assert_eq!(to_sepa_text("e\u{301}e", 10), "ee");
        assert_eq!(to_sepa_text("日本", 10), "");
    }

    #[test]
    fn the_text_is_cut_to_the_maximum_without_a_trailing_space() {
        assert_eq!(to_sepa_text("abc def", 4), "abc");
        assert_eq!(to_sepa_text("ßßß", 3), "sss");
        assert_eq!(to_sepa_text("abc", 0), "");
    }

    proptest! {
        #[test]
        fn the_output_holds_only_sepa_characters_within_the_maximum(
            text in "\\PC{0,200}",
            max_chars in 0_usize..150,
        ) {
            let out = to_sepa_text(&text, max_chars);
            prop_assert!(out.chars().count() <= max_chars);
            prop_assert!(out.chars().all(is_sepa_char));
            prop_assert!(!out.starts_with(' ') && !out.ends_with(' ') && !out.contains("  "));
        }
    }
}
