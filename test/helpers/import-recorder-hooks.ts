/** The loader hooks of import-recorder.ts (they run on the loader's own thread). */
import { appendFileSync } from 'node:fs';

interface ResolveResult {
  url: string;
}
type NextResolve = (specifier: string, context: unknown) => Promise<ResolveResult>;

export async function resolve(specifier: string, context: unknown, next: NextResolve): Promise<ResolveResult> {
  const result = await next(specifier, context);
  const log = process.env.LTOBMS_IMPORT_LOG;
  if (log) appendFileSync(log, result.url + '\n');
  return result;
}
