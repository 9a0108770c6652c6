// The seed program: the raw ("unscaled") gradient of loss = 5·A with respect to A.
import { tensor } from "tensorgrad";

const A = tensor([5.0], { requiresGrad: true });
const loss = A.mul(5);
loss.backward();
console.log(String(A.grad)); // tensor([5.])
