//! Problems found in a checklist source, with enough position data for rustc-style
//! reports (file:line:col and a snippet).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Error => "error",
            Self::Warning => "warning",
        })
    }
}

/// One problem. `start..end` are byte offsets into the file as read (before any BOM is
/// dropped); `line` and `column` (1-based, in characters) point at `start`.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize, JsonSchema)]
#[error("{line}:{column}: {severity}[{code}]: {message}")]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable code, e.g. `E004`; docs/format.md lists them all.
    pub code: String,
    pub message: String,
    pub line: usize,
    pub column: usize,
    pub start: usize,
    pub end: usize,
    /// What the underlined snippet says.
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Codes, in one place so docs and tests cannot drift from the parser.
pub mod codes {
    pub const INVALID_UTF8: &str = "E001";
    pub const UNTERMINATED_FRONT_MATTER: &str = "E002";
    pub const INVALID_FRONT_MATTER: &str = "E003";
    pub const MISSING_TITLE: &str = "E004";
    pub const DUPLICATE_ID: &str = "E005";
    pub const SIGNOFF_WITHOUT_ROLE: &str = "E006";
    pub const INVALID_ID: &str = "E007";
    pub const NESTED_TOO_DEEP: &str = "E008";
    pub const MARKDOWN_LIBRARY_FAILED: &str = "E009";
    pub const EMPTY_ITEM: &str = "W001";
    pub const NO_ITEMS: &str = "W002";
    pub const UNKNOWN_FRONT_MATTER_KEY: &str = "W003";
    pub const BOX_LOOKALIKE: &str = "W004";
    pub const UNCLOSED_CODE_BLOCK: &str = "W005";
    pub const ATTRIBUTE_TYPO: &str = "W006";
    pub const BLANK_IN_CONTENT: &str = "W007";
    pub const ORDER_DEPENDENT_ID: &str = "W008";
    pub const INDENTED_TASKS: &str = "W009";
    pub const SECTION_ID_AFTER_ITEM: &str = "W010";
    /// Given by the CLI, which can see the files: a link to a Markdown file that no
    /// page of the site stands for.
    pub const LINK_TO_NO_CHECKLIST: &str = "W011";
    pub const UNCLOSED_COMMENT: &str = "W012";
    pub const HEADING_ATTRIBUTES_IGNORED: &str = "W013";
}
