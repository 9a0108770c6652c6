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

/** `where(condition, input, other)`: elements of `input` where `condition` is true, else of `other`. */
export function where(condition: Tensor, input: TensorLike, other: TensorLike): Tensor {
  const a = asTensor(input, other instanceof Tensor ? other : undefined);
  return a.where(condition, other);
}
export function eq(input: Tensor, other: TensorLike): Tensor {
  return input.eq(other);
}
export function ne(input: Tensor, other: TensorLike): Tensor {
  return input.ne(other);
}
export function lt(input: Tensor, other: TensorLike): Tensor {
  return input.lt(other);
}
export function le(input: Tensor, other: TensorLike): Tensor {
  return input.le(other);
}
export function gt(input: Tensor, other: TensorLike): Tensor {
  return input.gt(other);
}
export function ge(input: Tensor, other: TensorLike): Tensor {
  return input.ge(other);
}
export function logicalAnd(input: Tensor, other: Tensor): Tensor {
  return input.logicalAnd(other);
}
export function logicalOr(input: Tensor, other: Tensor): Tensor {
  return input.logicalOr(other);
}
export function logicalXor(input: Tensor, other: Tensor): Tensor {
  return input.logicalXor(other);
}
export function logicalNot(input: Tensor): Tensor {
  return input.logicalNot();
}
export function sin(input: Tensor): Tensor {
  return input.sin();
}
export function cos(input: Tensor): Tensor {
  return input.cos();
}
export function tanh(input: Tensor): Tensor {
  return input.tanh();
}
export function sigmoid(input: Tensor): Tensor {
  return input.sigmoid();
}
export function sqrt(input: Tensor): Tensor {
  return input.sqrt();
}
export function softmax(input: Tensor, dim: number): Tensor {
  return input.softmax(dim);
}
export function logSoftmax(input: Tensor, dim: number): Tensor {
  return input.logSoftmax(dim);
}
