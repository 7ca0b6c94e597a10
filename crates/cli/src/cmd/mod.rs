pub mod build;
pub mod check;
pub mod export;
pub mod init;
pub mod parse;
pub mod schema;
pub mod serve;
pub mod verify;
