//! The browser client, embedded at compile time by `build.rs`.

/// The wasm-bindgen output of `checkdown-web`.
pub struct Client {
    pub js: &'static [u8],
    pub wasm: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/client.rs"));

/// Loads the generated module. Kept as a file (not inline) so pages work under a
/// `script-src 'self'` Content-Security-Policy.
pub const BOOT_JS: &str = include_str!("../../../site/assets/checkdown.js");
pub const STYLE_CSS: &str = include_str!("../../../site/assets/style.css");
pub const FAVICON_SVG: &str = include_str!("../../../site/assets/favicon.svg");
pub const THEME_JS: &str = include_str!("../../../site/assets/theme.js");
