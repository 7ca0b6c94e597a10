pub mod build;
pub mod parse;
pub mod serve;
