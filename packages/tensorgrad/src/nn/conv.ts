// nn.functional convolution and pooling. Bindings: crates/tensorgrad-wasm/src/ops_conv.rs.
// (Being filled in.)

/** The functions of this file, merged into the public `nn.functional`. */
export const convFunctional = {};
