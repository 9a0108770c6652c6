// No headless WebGL context: gpu.js then reports its headless-gl backend as unsupported.
module.exports = function getContext() {
  return null;
};
