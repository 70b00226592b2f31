/**
 * The Flux compiler's own checks, offline: @influxdata/flux-lsp-browser is libflux (the parser and
 * type checker InfluxDB 2.x runs) compiled to WebAssembly. Its package is built for bundlers (the
 * JS glue imports the .wasm file as a module, which Node 20 cannot do), so we instantiate the wasm
 * ourselves and hand it to a copy of the glue.
 *
 *   const flux = await loadFlux();
 *   flux.isValid(query)     true when the query parses and type-checks against the standard library
 *   flux.pipeline(query)    the names of the functions piped together in the query's last statement,
 *                           in order: ['from', 'range', 'filter', 'aggregateWindow', 'keep']
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface FluxGlue {
  __setWasm(exports: Record<string, unknown>): void;
  parse(script: string): unknown;
  Flux: new (script: string) => { is_valid(): boolean; free(): void };
}

export interface FluxChecker {
  isValid(query: string): boolean;
  pipeline(query: string): string[];
}

interface AstNode {
  type: string;
  argument?: AstNode;
  call?: { callee?: { name?: string } };
  callee?: { name?: string; property?: { name?: string } };
  expression?: AstNode;
  body?: AstNode[];
}

/** Node's WebAssembly global (its types are not in this project's lib settings). */
const wasmApi = (globalThis as unknown as {
  WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }> };
}).WebAssembly;

export async function loadFlux(): Promise<FluxChecker> {
  const pkg = dirname(createRequire(import.meta.url).resolve('@influxdata/flux-lsp-browser/package.json'));
  const glueName = 'flux-lsp-browser_bg.js';
  let glue = readFileSync(join(pkg, glueName), 'utf8');
  const importLine = "import * as wasm from './flux-lsp-browser_bg.wasm';";
  const memoryViews = 'cachedInt32Memory0 = new Int32Array(wasm.memory.buffer);\ncachedUint8Memory0 = new Uint8Array(wasm.memory.buffer);';
  if (!glue.includes(importLine) || !glue.includes(memoryViews)) throw new Error(`unexpected ${glueName}: the flux-lsp-browser version changed`);
  glue = glue.replace(importLine, 'let wasm;').replace(memoryViews, `export function __setWasm(w) {\n  wasm = w;\n  ${memoryViews.replace('\n', '\n  ')}\n}`);
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-flux-'));
  let mod: FluxGlue;
  try {
    const file = join(dir, 'glue.mjs');
    writeFileSync(file, glue);
    mod = (await import(pathToFileURL(file).href)) as FluxGlue;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const { instance } = await wasmApi.instantiate(readFileSync(join(pkg, 'flux-lsp-browser_bg.wasm')), { [`./${glueName}`]: mod });
  mod.__setWasm(instance.exports);

  return {
    isValid(query) {
      const f = new mod.Flux(query);
      try {
        return f.is_valid();
      } finally {
        f.free();
      }
    },
    pipeline(query) {
      const file = mod.parse(query) as AstNode;
      let node = file.body?.at(-1)?.expression;
      const names: string[] = [];
      while (node?.type === 'PipeExpression') {
        names.unshift(node.call?.callee?.name ?? '?');
        node = node.argument;
      }
      if (node?.type === 'CallExpression') names.unshift(node.callee?.name ?? node.callee?.property?.name ?? '?');
      return names;
    },
  };
}
