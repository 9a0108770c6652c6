// Node ESM resolve hook: tfjs-core's ES module files (dist/*.js) import relative paths without
// the ".js" extension, which Node refuses. Only used to load its gradient registrations
// (dist/register_all_gradients.js), which its CommonJS bundle does not contain.
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    if (specifier.startsWith(".") && !specifier.endsWith(".js") && context.parentURL?.includes("@tensorflow")) {
      return next(`${specifier}.js`, context);
    }
    throw e;
  }
}
