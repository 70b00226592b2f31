/**
 * `ltobms config`: the effective project settings and where each comes from (src/config/). The
 * text view and --json show the same report.
 */
import type { Command } from 'commander';
import { printJson } from '../cli/run.js';
import { resolveSettings, type SettingSource } from '../config/resolve.js';
import { SETTINGS, type SettingKey } from '../config/settings.js';

export interface ConfigReport {
  cwd: string;
  configFile: string | null;
  envFile: string | null;
  settings: {
    key: SettingKey;
    variable: string;
    value: string | number | null;
    source: SettingSource['kind'];
    /** The file the value was read from (config file or .env), if any. */
    file: string | null;
    /** What applies when nothing sets it. */
    fallback: string;
  }[];
}

export async function configReport(cwd: string, env: NodeJS.ProcessEnv): Promise<ConfigReport> {
  const resolved = await resolveSettings({ cwd, env });
  return {
    cwd,
    configFile: resolved.configFile ?? null,
    envFile: resolved.envFile ?? null,
    settings: SETTINGS.map((spec) => {
      const s = resolved.settings[spec.key];
      return {
        key: spec.key,
        variable: spec.env,
        value: s.value ?? null,
        source: s.source.kind,
        file: 'file' in s.source ? s.source.file : null,
        fallback: spec.fallback,
      };
    }),
  };
}

function describeSource(s: ConfigReport['settings'][number]): string {
  switch (s.source) {
    case 'environment':
      return `environment (${s.variable})`;
    case '.env':
      return `${s.file} (${s.variable})`;
    case 'config':
      return `${s.file} ("${s.key}")`;
    case 'default':
      return `default: ${s.fallback}`;
  }
}

/** The action of `ltobms config` (declared in src/cli/commands/config.ts). */
export async function execute(opts: { json?: boolean }, _cmd: Command): Promise<void> {
  const report = await configReport(process.cwd(), process.env);
  if (opts.json) {
    printJson(report);
    return;
  }
  const rows = report.settings.map((s) => [s.key, s.value === null ? '-' : String(s.value), describeSource(s)]);
  const width = (i: number) => Math.max(...rows.map((r) => r[i]!.length));
  const lines = [
    `config file  ${report.configFile ?? `none (ltobms.config.json or .ltobmsrc in ${report.cwd} or above)`}`,
    `.env         ${report.envFile ?? 'none'}`,
    '',
    ...rows.map((r) => `${r[0]!.padEnd(width(0))}  ${r[1]!.padEnd(width(1))}  ${r[2]}`),
    '',
    'A flag on the command line wins over all of these.',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
