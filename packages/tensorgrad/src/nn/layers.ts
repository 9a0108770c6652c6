// nn layers (Linear, Conv2d, ...), built on nn.functional. (Being filled in.)

/** The module classes of this file, merged into the public `nn`. */
export const layers = {};
