// Turns console.log arguments into text for the output pane, roughly like a browser console,
// except that any object with its own toString (a tensorgrad Tensor, say) prints as
// String(value): `console.log(x)` shows `tensor([5.])`, as `print(x)` does in PyTorch.

const MAX_DEPTH = 3;
const MAX_ITEMS = 100;

function hasOwnToString(value: object): boolean {
  const fn = (value as { toString?: unknown }).toString;
  return typeof fn === "function" && fn !== Object.prototype.toString && fn !== Array.prototype.toString;
}

function constructorName(value: object): string {
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  if (proto === null) return "[Object: null prototype]";
  return proto.constructor?.name ?? "Object";
}

export function formatError(error: unknown): string {
  if (error instanceof Error) {
    const head = `${error.name || "Error"}: ${error.message}`;
    return error.message ? head : error.name || "Error";
  }
  return `Uncaught ${formatValue(error, true)}`;
}

function formatNested(value: unknown, depth: number, seen: Set<object>): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "undefined":
    case "boolean":
    case "symbol":
      return String(value);
    case "function": {
      const src = Function.prototype.toString.call(value);
      const kind = src.startsWith("class") ? "class" : "Function";
      return value.name ? `[${kind} ${value.name}]` : `[${kind} (anonymous)]`;
    }
  }
  if (value === null) return "null";
  const obj = value as object;
  if (obj instanceof Error) return formatError(obj);
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? "Invalid Date" : obj.toISOString();
  if (obj instanceof RegExp) return String(obj);
  if (obj instanceof Promise) return "Promise {…}";
  if (seen.has(obj)) return "[Circular]";

  const isArray = Array.isArray(obj);
  const isTyped = ArrayBuffer.isView(obj) && !(obj instanceof DataView);
  if (!isArray && !isTyped && !(obj instanceof Map) && !(obj instanceof Set) && hasOwnToString(obj)) {
    try {
      return String(obj);
    } catch {
      // fall through to the structural view
    }
  }
  if (depth > MAX_DEPTH) return isArray ? "[Array]" : `[${constructorName(obj)}]`;

  seen.add(obj);
  try {
    const items = (list: Iterable<unknown>, fmt: (v: unknown) => string): string => {
      const out: string[] = [];
      let count = 0;
      for (const item of list) {
        if (count++ >= MAX_ITEMS) {
          out.push("…");
          break;
        }
        out.push(fmt(item));
      }
      return out.join(", ");
    };
    const nested = (v: unknown) => formatNested(v, depth + 1, seen);
    if (isArray) return `[${items(obj as unknown[], nested)}]`;
    if (isTyped) {
      const arr = obj as unknown as ArrayLike<unknown> & Iterable<unknown>;
      return `${constructorName(obj)}(${arr.length}) [${items(arr, nested)}]`;
    }
    if (obj instanceof Map) {
      const entries = items(obj.entries(), (e) => {
        const [k, v] = e as [unknown, unknown];
        return `${nested(k)} => ${nested(v)}`;
      });
      return `Map(${obj.size}) {${entries}}`;
    }
    if (obj instanceof Set) return `Set(${obj.size}) {${items(obj, nested)}}`;

    const keys = Object.keys(obj);
    const body = items(keys, (k) => {
      const key = k as string;
      const shown = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
      let v: unknown;
      try {
        v = (obj as Record<string, unknown>)[key];
      } catch (e) {
        return `${shown}: [getter threw ${formatError(e)}]`;
      }
      return `${shown}: ${nested(v)}`;
    });
    const name = constructorName(obj);
    const prefix = name === "Object" ? "" : `${name} `;
    return keys.length === 0 ? `${prefix}{}` : `${prefix}{${body}}`;
  } finally {
    seen.delete(obj);
  }
}

/** One console argument as text; top-level strings are shown without quotes. */
export function formatValue(value: unknown, topLevel = true): string {
  if (topLevel && typeof value === "string") return value;
  return formatNested(value, 0, new Set());
}

/** console.log(...args), with printf-style %s %d %i %f %o %O %j %c in a leading string. */
export function formatArgs(args: readonly unknown[]): string {
  if (args.length === 0) return "";
  const rest = [...args];
  let head = "";
  if (typeof rest[0] === "string" && rest[0].includes("%")) {
    const fmt = rest.shift() as string;
    head = fmt.replace(/%([sdifoOjc%])/g, (match, spec: string) => {
      if (spec === "%") return "%";
      if (rest.length === 0) return match;
      const arg = rest.shift();
      switch (spec) {
        case "s":
          return typeof arg === "string" ? arg : formatValue(arg, false);
        case "d":
        case "i":
          return String(Math.trunc(Number(arg)));
        case "f":
          return String(Number(arg));
        case "c":
          return ""; // CSS: ignored
        default:
          return formatValue(arg, false);
      }
    });
    if (rest.length === 0) return head;
    return `${head} ${rest.map((a) => formatValue(a)).join(" ")}`;
  }
  return rest.map((a) => formatValue(a)).join(" ");
}
