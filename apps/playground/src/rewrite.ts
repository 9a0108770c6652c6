// Turns the top-level `import` declarations of a playground program into bindings from
// modules the page has already loaded, so the program can run as the body of an async function.
//
//   import { tensor, zeros as z } from "tensorgrad";   ->  const { tensor, zeros: z } = __tg_import("tensorgrad", ["tensor", "zeros"]);
//   import * as tg from "tensorgrad";                   ->  const tg = __tg_import("tensorgrad", []);
//   import tg, { tensor } from "tensorgrad";            ->  const { default: tg, tensor } = __tg_import("tensorgrad", ["default", "tensor"]);
//   import "tensorgrad";                                ->  (nothing: the module is already loaded)
//
// The source is parsed with the JavaScript grammar CodeMirror already ships (Lezer), so
// imports inside strings, comments or template literals are never touched. Only import
// declarations are rewritten; the rest of the program is kept byte for byte.
//
// Like ES imports, the bindings are hoisted: every generated declaration goes in front of the
// first line, and each import is blanked out in place, keeping its newlines, so line numbers
// in error messages still match the editor.

import { javascriptLanguage } from "@codemirror/lang-javascript";

type Tree = ReturnType<typeof javascriptLanguage.parser.parse>;
type SyntaxNode = Tree["topNode"];

/** The name of the function the rewritten code calls to get a module's namespace. */
export const IMPORT_FN = "__tg_import";

export interface ImportBinding {
  /** The exported name ("default" for a default import); null for `* as local`. */
  imported: string | null;
  local: string;
}

export interface ImportInfo {
  specifier: string;
  bindings: ImportBinding[];
  /** 1-based line of the `import` keyword. */
  line: number;
}

export interface RewriteResult {
  code: string;
  imports: ImportInfo[];
}

/** A malformed import, or one of a module the playground does not provide. */
export class ImportError extends SyntaxError {
  constructor(message: string, readonly line: number) {
    super(`${message} (line ${line})`);
    this.name = "SyntaxError";
  }
}

function lineOf(source: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}

function stringValue(literal: string): string {
  const inner = literal.slice(1, -1);
  if (!inner.includes("\\")) return inner;
  // An escape sequence: let the JavaScript engine decode the literal (the parser vouched for it).
  return new Function(`return (${literal});`)() as string;
}

function hasError(node: SyntaxNode): boolean {
  if (node.type.isError) return true;
  for (let child = node.firstChild; child; child = child.nextSibling) if (hasError(child)) return true;
  return false;
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
  return out;
}

/** A property key for a destructuring pattern: a bare identifier when possible. */
function propertyKey(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}

function parseImport(source: string, decl: SyntaxNode): ImportInfo {
  const line = lineOf(source, decl.from);
  const text = (n: SyntaxNode) => source.slice(n.from, n.to);
  if (hasError(decl)) throw new ImportError(`Malformed import: ${text(decl).trim()}`, line);

  const parts = children(decl);
  const spec = parts.filter((n) => n.name === "String").pop();
  if (!spec) throw new ImportError(`Malformed import: ${text(decl).trim()}`, line);
  const info: ImportInfo = { specifier: stringValue(text(spec)), bindings: [], line };

  for (let i = 0; i < parts.length; i++) {
    const node = parts[i]!;
    if (node === spec) break;
    if (node.name === "Star") {
      const local = parts.slice(i + 1).find((n) => n.name === "VariableDefinition");
      if (!local) throw new ImportError(`Malformed import: ${text(decl).trim()}`, line);
      info.bindings.push({ imported: null, local: text(local) });
      break;
    }
    if (node.name === "VariableDefinition") {
      info.bindings.push({ imported: "default", local: text(node) });
    } else if (node.name === "ImportGroup") {
      // `{ a, b as c, "d" as e, default as f }`: a flat list split by commas.
      let item: SyntaxNode[] = [];
      const flush = () => {
        if (item.length === 0) return;
        const local = item[item.length - 1]!;
        const first = item[0]!;
        if (local.name !== "VariableDefinition") {
          throw new ImportError(`Malformed import: ${text(decl).trim()}`, line);
        }
        const imported = first === local ? text(local) : first.name === "String" ? stringValue(text(first)) : text(first).trim();
        info.bindings.push({ imported, local: text(local) });
        item = [];
      };
      for (const child of children(node)) {
        if (child.name === "{" || child.name === "}") continue;
        if (child.name === ",") flush();
        else if (child.name !== "as" && child.name !== "type") item.push(child);
      }
      flush();
    }
  }
  return info;
}

function declarationFor(info: ImportInfo): string {
  const names = info.bindings.filter((b) => b.imported !== null).map((b) => b.imported as string);
  const call = `${IMPORT_FN}(${JSON.stringify(info.specifier)}, ${JSON.stringify(names)})`;
  const decls: string[] = [];
  const named = info.bindings.filter((b) => b.imported !== null);
  if (named.length > 0) {
    const pattern = named
      .map((b) => (b.imported === b.local ? b.local : `${propertyKey(b.imported as string)}: ${b.local}`))
      .join(", ");
    decls.push(`const { ${pattern} } = ${call};`);
  }
  for (const b of info.bindings) if (b.imported === null) decls.push(`const ${b.local} = ${call};`);
  if (decls.length === 0) decls.push(`${call};`); // `import "x"` / `import {} from "x"`: still check the module exists
  return decls.join(" ");
}

/** Blank out `from..to`, keeping line breaks so every later line keeps its number. */
function blank(text: string): string {
  return text.replace(/[^\n\r]/g, " ");
}

/**
 * Rewrites the top-level import declarations of `source`.
 * @param available module specifiers the page provides; any other import is an ImportError.
 */
export function rewriteImports(source: string, available: readonly string[]): RewriteResult {
  const tree = javascriptLanguage.parser.parse(source);
  const imports: ImportInfo[] = [];
  const pieces: string[] = [];
  let last = 0;
  for (let node = tree.topNode.firstChild; node; node = node.nextSibling) {
    if (node.name !== "ImportDeclaration") continue;
    const info = parseImport(source, node);
    if (!available.includes(info.specifier)) {
      const list = available.map((s) => `"${s}"`).join(", ");
      throw new ImportError(`Cannot import "${info.specifier}": the playground provides only ${list}`, info.line);
    }
    imports.push(info);
    pieces.push(source.slice(last, node.from), blank(source.slice(node.from, node.to)));
    last = node.to;
  }
  pieces.push(source.slice(last));
  // Hoisted bindings go in front of line 1, on the same line.
  const prelude = imports.map(declarationFor).join(" ");
  const body = pieces.join("");
  return { code: prelude ? `${prelude} ${body}` : body, imports };
}

/**
 * Returns what the rewritten code's `__tg_import(specifier, names)` should return: the module
 * namespace, after checking every imported name exists, with the same message an ES module
 * link error would give.
 */
export function makeImporter(modules: Record<string, object>) {
  return (specifier: string, names: readonly string[]): Record<string, unknown> => {
    const ns = modules[specifier] as Record<string, unknown> | undefined;
    if (!ns) throw new SyntaxError(`Cannot import "${specifier}"`);
    for (const name of names) {
      if (!(name in ns)) {
        throw new SyntaxError(`The requested module '${specifier}' does not provide an export named '${name}'`);
      }
    }
    return ns;
  };
}
