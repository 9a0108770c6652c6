// safetensors: save/load state dicts in the format PyTorch's `safetensors` reads. (Being filled in.)

export const safetensors = {};
