import { describe, expect, it } from "vitest";
import { tensor } from "tensorgrad";

describe("the seed program", () => {
  it("gives the raw gradient of 5·A", () => {
    const A = tensor([5.0], { requiresGrad: true });
    const loss = A.mul(5);
    loss.backward();
    expect(String(A.grad)).toBe("tensor([5.])");
    expect(A.grad!.tolist()).toEqual([5]);
    expect(String(loss)).toBe("tensor([25.], grad_fn=<MulBackward0>)");
    expect(String(tensor(5.0, { requiresGrad: true }).mul(5))).toBe("tensor(25., grad_fn=<MulBackward0>)");
  });
});
