// The linalg op family: Tensor methods (added to Tensor.prototype, typed by declaration
// merging) and their function forms. Bindings: crates/tensorgrad-wasm/src/ops_linalg.rs.
import { Tensor } from "../tensor.js";

declare module "../tensor.js" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Tensor {}
}

void Tensor;
export {};
