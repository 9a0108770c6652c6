// nn.functional: activations, losses, normalisation, embedding, dropout, linear, pad, oneHot.
// Bindings: crates/tensorgrad-wasm/src/ops_nn.rs. (Being filled in.)

/** The functions of this file, merged into the public `nn.functional`. */
export const nnFunctional = {};
