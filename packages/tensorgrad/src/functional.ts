// Function forms of the Tensor methods (`torch.add(a, b)` -> `add(a, b)`).
import { Tensor, asTensor, type ReduceOptions, type TensorLike } from "./tensor.js";

export function add(input: TensorLike, other: TensorLike, options?: { alpha?: number }): Tensor {
  return asTensor(input, other instanceof Tensor ? other : undefined).add(other, options);
}
export function sub(input: TensorLike, other: TensorLike, options?: { alpha?: number }): Tensor {
  return asTensor(input, other instanceof Tensor ? other : undefined).sub(other, options);
}
export function rsub(input: Tensor, other: TensorLike, options?: { alpha?: number }): Tensor {
  return input.rsub(other, options);
}
export function mul(input: TensorLike, other: TensorLike): Tensor {
  return asTensor(input, other instanceof Tensor ? other : undefined).mul(other);
}
export function div(input: TensorLike, other: TensorLike): Tensor {
  return asTensor(input, other instanceof Tensor ? other : undefined).div(other);
}
export function pow(input: TensorLike, exponent: TensorLike): Tensor {
  return asTensor(input, exponent instanceof Tensor ? exponent : undefined).pow(exponent);
}
export function neg(input: Tensor): Tensor {
  return input.neg();
}
export function exp(input: Tensor): Tensor {
  return input.exp();
}
export function log(input: Tensor): Tensor {
  return input.log();
}
export function sum(input: Tensor, dim?: number | number[] | null, keepdim?: boolean | ReduceOptions): Tensor {
  return input.sum(dim, keepdim);
}
export function mean(input: Tensor, dim?: number | number[] | null, keepdim?: boolean | ReduceOptions): Tensor {
  return input.mean(dim, keepdim);
}
export function matmul(input: Tensor, other: Tensor): Tensor {
  return input.matmul(other);
}
export function mm(input: Tensor, other: Tensor): Tensor {
  return input.mm(other);
}
export function reshape(input: Tensor, shape: number[]): Tensor {
  return input.reshape(shape);
}
export function transpose(input: Tensor, dim0: number, dim1: number): Tensor {
  return input.transpose(dim0, dim1);
}
