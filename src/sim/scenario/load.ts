/**
 * Reading a scenario file: the only I/O of the board model. `.json` is parsed as JSON, anything else
 * as YAML (which also accepts JSON). Every failure is a UsageError (exit 2) naming the file.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLError } from 'yaml';
import { UsageError } from '../../errors.js';
import { parseScenario, type ParseOptions } from './parse.js';
import { scenarioError } from './reader.js';
import type { Scenario } from './types.js';

/** Parses scenario text; `source` (the file name) decides JSON vs YAML and names the file in errors. */
export function parseScenarioText(text: string, source: string, options: ParseOptions = {}): Scenario {
  let data: unknown;
  if (/\.json$/i.test(source)) {
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw scenarioError(source, `is not valid JSON (${(err as Error).message})`, 'fix the syntax, or write the scenario in YAML');
    }
  } else {
    try {
      data = parseYaml(text, { prettyErrors: true });
    } catch (err) {
      if (!(err instanceof YAMLError)) throw err;
      const where = err.linePos ? ` at line ${err.linePos[0].line}, column ${err.linePos[0].col}` : '';
      const what = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw scenarioError(source, `is not valid YAML${where}: ${what}`, 'check the indentation and the `key: value` pairs near that line');
    }
  }
  if (data === undefined || data === null) throw scenarioError(source, 'is empty');
  return parseScenario(data, source, options);
}

/** Reads and validates a scenario file. */
export async function loadScenarioFile(path: string, options: ParseOptions = {}): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : ((err as Error).message ?? String(err));
    throw new UsageError(`cannot read scenario ${path}: ${why}`, {
      code: 'SCENARIO_READ',
      hint: 'give the path of a .yaml or .json scenario file; examples are in examples/scenarios/',
      details: { path },
    });
  }
  return parseScenarioText(text, path, options);
}
