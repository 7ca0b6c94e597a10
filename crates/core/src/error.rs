use thiserror::Error;

/// Why a checklist source could not be turned into a model.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ParseError {
    #[error("{name}:{line}:{column}: file is not valid UTF-8 (invalid byte at offset {offset})")]
    InvalidUtf8 {
        name: String,
        offset: usize,
        line: usize,
        column: usize,
    },
}
