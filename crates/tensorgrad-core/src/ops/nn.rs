//! The `torch.nn.functional` op family: activations (`nn/activations.rs`), linear, bilinear,
//! dropout, embedding, one_hot and pad (`nn/layers.rs`), losses (`nn/losses.rs`) and
//! normalisation (`nn/norm.rs`).

mod activations;
mod layers;
pub mod losses;
mod norm;
mod specs;

pub use losses::Reduction;

pub(crate) use specs::specs;
