//! Tests of the redactor as a whole: per-kind tables, the shared corpus, streaming, properties.

mod corpus;
mod props;
mod rules;
mod stream;
