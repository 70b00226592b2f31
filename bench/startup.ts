/**
 * `npm run bench:startup`: how long ltobms takes to start, against a bare `node -e 0` measured in
 * the same run. Each command is timed in pairs with the yardstick (node then command, or command
 * then node, alternating), so a change in machine load hits both halves of a pair alike; the
 * figure is the median over the rounds. Goal (issue 15): at most 2× the yardstick.
 * Prints figures; asserts nothing.
 *
 *   node dist/bench/startup.js [--rounds 9]
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/ltobms', import.meta.url));
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 9;

interface Subject {
  label: string;
  args: string[];
}

const YARDSTICK: Subject = { label: 'node -e 0', args: ['-e', '0'] };
const SUBJECTS: Subject[] = [
  { label: 'ltobms --help', args: [BIN, '--help'] },
  { label: 'ltobms eeprom --sn 7', args: [BIN, 'eeprom', '--sn', '7'] },
];

/** Wall time of one run in ms (output discarded; a failing run stops the bench). */
function time(subject: Subject): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, subject.args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${subject.label} exited ${r.status}: ${String(r.stderr)}`);
  return ms;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const load = () => loadavg().map((l) => l.toFixed(2)).join(', ');

// One unmeasured run of each, so the file cache is warm for every round.
for (const s of [YARDSTICK, ...SUBJECTS]) time(s);

const loadBefore = load();
const results = SUBJECTS.map((subject) => ({ subject, own: [] as number[], yardstick: [] as number[], ratios: [] as number[] }));
for (let round = 0; round < ROUNDS; round++) {
  for (const r of results) {
    let own: number;
    let yardstick: number;
    if (round % 2) {
      own = time(r.subject);
      yardstick = time(YARDSTICK);
    } else {
      yardstick = time(YARDSTICK);
      own = time(r.subject);
    }
    r.own.push(own);
    r.yardstick.push(yardstick);
    r.ratios.push(own / yardstick);
  }
}

console.log(`start-up, median of ${ROUNDS} runs each, in pairs with \`node -e 0\` (Node ${process.version}, ${cpus().length} CPUs)`);
console.log(`load average before: ${loadBefore}; after: ${load()}`);
console.log('');
console.log(`${'command'.padEnd(24)} ${'median'.padStart(10)} ${'node -e 0'.padStart(10)} ${'ratio'.padStart(7)}   (goal ≤ 2.0×)`);
for (const r of results) {
  const ratio = median(r.ratios);
  console.log(`${r.subject.label.padEnd(24)} ${ms(median(r.own)).padStart(10)} ${ms(median(r.yardstick)).padStart(10)} ${`${ratio.toFixed(2)}×`.padStart(7)}   ${ratio <= 2 ? 'within' : 'over'}`);
}
