// nn.init: PyTorch's initialisations. (Being filled in.)

export const init = {};
