export interface Example {
  id: string;
  title: string;
  code: string;
}

export const SEED = `import { tensor } from "tensorgrad";
const A = tensor([5.0], { requiresGrad: true });
const loss = A.mul(5);
loss.backward();
console.log(String(A.grad)); // tensor([5.])
`;

export const EXAMPLES: Example[] = [
  { id: "seed", title: "Gradient of A * 5", code: SEED },
  {
    id: "second-derivative",
    title: "Second derivative (createGraph)",
    code: `import { tensor, autograd } from "tensorgrad";
// y = x^3:  dy/dx = 3x^2 = 12,  d2y/dx2 = 6x = 12 at x = 2
const x = tensor([2.0], { requiresGrad: true });
const y = x.pow(3).sum();
// createGraph: true makes dy differentiable in turn
const [dy] = autograd.grad([y], [x], { createGraph: true });
const [d2y] = autograd.grad([dy.sum()], [x]);
console.log("dy/dx   =", String(dy));
console.log("d2y/dx2 =", String(d2y));
`,
  },
  {
    id: "matmul",
    title: "Matmul gradient",
    code: `import * as tg from "tensorgrad";
// loss = mean((X @ W)^2) over the 6 entries of Y;  dloss/dW = X^T @ (2 (X @ W)) / 6
const X = tg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
const W = tg.tensor([[0.5, -1.0], [0.25, 2.0]], { requiresGrad: true });
const Y = X.matmul(W);
const loss = Y.pow(2).mean();
loss.backward();
console.log("Y =", String(Y));
console.log("loss =", String(loss));
console.log("W.grad =", String(W.grad));
`,
  },
];
