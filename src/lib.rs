pub mod export;
pub mod parse;
