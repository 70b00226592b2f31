/**
 * docker/ checked as data (no Docker engine runs on our machines): valid YAML/JSON, the datasource
 * every panel uses exists, every queried field exists in the frame contract, and the names agree
 * with .env.example, which `ltobms log` reads too. Plus `ltobms stack` without a usable Docker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parse as parseDotenv } from 'dotenv';
import { resolveConfig } from '../../src/logging/config.js';
import { parseComposePs } from '../../src/logging/stack.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from './fixtures.js';

// The frame contract (shared/HARDWARE.md, "Log frames"), restated literally.
const CONTRACT_FIELDS = ['uptime', 'v_batt', 'v_load', 'current', 'E_dis', 'E_chg', 'charge', 'temp', 'gain', 'state'];
const CONTRACT_MEASUREMENTS = ['lto-bms', 'nai-bms'];

const docker = join(REPO_ROOT, 'docker');
const read = (...p: string[]) => readFileSync(join(...p), 'utf8');
const envExample = parseDotenv(read(REPO_ROOT, '.env.example'));

interface Compose {
  services: Record<string, { image: string; environment: Record<string, string>; volumes: string[]; profiles?: string[]; healthcheck?: { test: unknown }; depends_on?: Record<string, { condition: string }> }>;
  volumes: Record<string, unknown>;
}
const compose = parseYaml(read(docker, 'docker-compose.yml')) as Compose;

interface Panel {
  title: string;
  type: string;
  datasource: { uid: string; type: string };
  targets: { datasource: { uid: string }; query: string }[];
}
const dashboards = readdirSync(join(docker, 'grafana', 'dashboards'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(read(docker, 'grafana', 'dashboards', f)) as {
    uid: string;
    panels: Panel[];
    templating: { list: { name: string; query: string; includeAll?: boolean; multi?: boolean; current: { value: unknown }; datasource: { uid: string } }[] };
  });

/** The Flux dashboard (InfluxDB 2.x) and the InfluxQL one (1.x), by the datasource their panels use. */
const fluxBoard = dashboards.find((d) => d.panels.every((p) => p.datasource.uid === 'ltobms-influxdb'))!;
const influxqlBoard = dashboards.find((d) => d.panels.every((p) => p.datasource.uid === 'ltobms-influxdb1'))!;

test('compose: InfluxDB 2.7 and Grafana, pinned, healthy-checked, with persistent volumes', () => {
  const { influxdb, grafana } = compose.services;
  assert.ok(influxdb && grafana);
  assert.match(influxdb.image, /^influxdb:2\.7\.\d+$/);
  assert.match(grafana.image, /^grafana\/grafana(-oss)?:\d+\.\d+\.\d+$/);
  for (const [name, s] of Object.entries(compose.services)) {
    assert.ok(s.healthcheck?.test, `${name} has a health check`);
    for (const v of s.volumes) {
      const source = v.split(':')[0]!;
      if (!source.startsWith('.')) assert.ok(source in compose.volumes, `${name}: volume ${source} is declared`);
    }
  }
  assert.ok(influxdb.volumes.some((v) => v.endsWith(':/var/lib/influxdb2')));
  assert.ok(grafana.volumes.some((v) => v.endsWith(':/var/lib/grafana')));
  assert.equal(grafana.depends_on?.influxdb?.condition, 'service_healthy');
  // Compose 1.x (Debian's docker-compose 1.29) refuses a top-level `name:`; ltobms passes -p.
  assert.deepEqual(Object.keys(compose).sort(), ['services', 'volumes']);
  // InfluxDB 1.8 for the InfluxQL dashboard only with its profile.
  const influx1 = compose.services.influxdb1!;
  assert.match(influx1.image, /^influxdb:1\.8\.\d+$/);
  assert.deepEqual(influx1.profiles, ['influx1']);
  assert.ok(influx1.volumes.some((v) => v.endsWith(':/var/lib/influxdb')));
});

const dockerCompose1 = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8' });
const compose1Skip = dockerCompose1.status === 0 ? false : 'needs docker-compose (Debian package)';

test('compose: Debian\'s docker-compose 1.29 accepts the file and reads the influx1 profile', { skip: compose1Skip }, (t) => {
  const dir = tempDir('ltobms-compose1-');
  t.after(dir.cleanup);
  const env = join(dir.path, '.env');
  writeFileSync(env, read(REPO_ROOT, '.env.example'));
  // `config` validates against Compose's schema and interpolates .env; it needs no engine. (1.29
  // lists every service there; profiles take effect at `up`.)
  const r = spawnSync('docker-compose', ['--project-name', 'ltobms', '--file', join(docker, 'docker-compose.yml'), '--env-file', env, 'config'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `docker-compose ${dockerCompose1.stdout.trim()}: ${r.stderr}`);
  const resolved = parseYaml(r.stdout) as Compose;
  assert.deepEqual(Object.keys(resolved.services).sort(), ['grafana', 'influxdb', 'influxdb1']);
  assert.deepEqual(resolved.services.influxdb1!.profiles, ['influx1']);
  // .env reached the services.
  assert.equal(resolved.services.influxdb!.environment.DOCKER_INFLUXDB_INIT_BUCKET, envExample.INFLUXDB_BUCKET);
  assert.equal(resolved.services.grafana!.environment.INFLUXDB1_URL, envExample.INFLUXDB1_URL);
});

test('compose: InfluxDB is initialised (setup mode) from the same keys as .env.example', () => {
  const env = compose.services.influxdb!.environment;
  assert.equal(env.DOCKER_INFLUXDB_INIT_MODE, 'setup');
  const refs: Record<string, string> = {
    DOCKER_INFLUXDB_INIT_ORG: 'INFLUXDB_ORG',
    DOCKER_INFLUXDB_INIT_BUCKET: 'INFLUXDB_BUCKET',
    DOCKER_INFLUXDB_INIT_ADMIN_TOKEN: 'INFLUXDB_TOKEN',
    DOCKER_INFLUXDB_INIT_RETENTION: 'INFLUXDB_RETENTION',
    DOCKER_INFLUXDB_INIT_PASSWORD: 'INFLUXDB_ADMIN_PASSWORD',
  };
  for (const [key, envKey] of Object.entries(refs)) {
    assert.match(env[key]!, new RegExp(`^\\$\\{${envKey}[:}?-]`), `${key} comes from ${envKey}`);
  }
  // Every variable the compose file uses is documented in .env.example.
  const used = new Set([...read(docker, 'docker-compose.yml').matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]!));
  for (const v of used) assert.ok(v in envExample, `${v} is in .env.example`);
});

test('ltobms log reads .env.example as the stack\'s InfluxDB 2.x, same org and bucket', () => {
  const config = resolveConfig({ flags: {}, env: {}, envFile: join(REPO_ROOT, '.env.example'), cwd: REPO_ROOT });
  assert.equal(config.target.kind, 'influx2');
  const t = config.target as Extract<typeof config.target, { kind: 'influx2' }>;
  assert.equal(t.url, `http://localhost:${envExample.INFLUXDB_PORT}`);
  assert.equal(t.org, envExample.INFLUXDB_ORG);
  assert.equal(t.bucket, envExample.INFLUXDB_BUCKET);
});

test('grafana: provisioned datasource and dashboards folder match the compose mounts', () => {
  const ds = parseYaml(read(docker, 'grafana', 'provisioning', 'datasources', 'influxdb.yml')) as {
    datasources: { uid: string; type: string; url: string; jsonData: Record<string, string>; secureJsonData: Record<string, string> }[];
  };
  const influx = ds.datasources.find((d) => d.uid === 'ltobms-influxdb')!;
  assert.equal(influx.url, 'http://influxdb:8086');
  assert.equal(influx.jsonData.version, 'Flux');
  assert.equal(influx.jsonData.organization, '${INFLUXDB_ORG}');
  assert.equal(influx.jsonData.defaultBucket, '${INFLUXDB_BUCKET}');
  assert.equal(influx.secureJsonData.token, '${INFLUXDB_TOKEN}');
  // Grafana can only expand those if the container has them.
  const genv = compose.services.grafana!.environment;
  for (const k of ['INFLUXDB_ORG', 'INFLUXDB_BUCKET', 'INFLUXDB_TOKEN']) assert.equal(genv[k], `\${${k}}`);
  // The 1.x datasource: InfluxQL, its URL, database and credentials from the INFLUXDB1_* keys.
  const influx1 = ds.datasources.find((d) => d.uid === 'ltobms-influxdb1') as (typeof ds.datasources)[number] & { user: string; database: string };
  assert.equal(influx1.type, 'influxdb');
  assert.equal(influx1.jsonData.version, 'InfluxQL');
  assert.equal(influx1.url, '${INFLUXDB1_URL}');
  assert.equal(influx1.jsonData.dbName, '${INFLUXDB1_DB}');
  assert.equal(influx1.database, '${INFLUXDB1_DB}');
  assert.equal(influx1.user, '${INFLUXDB1_USER}');
  assert.equal(influx1.secureJsonData.password, '${INFLUXDB1_PASSWORD}');
  for (const k of ['INFLUXDB1_URL', 'INFLUXDB1_DB', 'INFLUXDB1_USER', 'INFLUXDB1_PASSWORD']) {
    assert.match(genv[k]!, new RegExp(`^\\$\\{${k}(:-[^}]*)?\\}$`), `${k} reaches Grafana`);
    assert.ok(k in envExample, `${k} is in .env.example`);
  }
  assert.equal(compose.services.influxdb1!.environment.INFLUXDB_DB, '${INFLUXDB1_DB:-bms}');

  const providers = parseYaml(read(docker, 'grafana', 'provisioning', 'dashboards', 'ltobms.yml')) as { providers: { options: { path: string } }[] };
  const mounts = compose.services.grafana!.volumes;
  assert.ok(mounts.includes(`./grafana/dashboards:${providers.providers[0]!.options.path}:ro`));
  assert.ok(mounts.includes('./grafana/provisioning:/etc/grafana/provisioning:ro'));

  const uids = new Set(ds.datasources.map((d) => d.uid));
  for (const dash of dashboards) {
    for (const p of dash.panels) {
      assert.ok(uids.has(p.datasource.uid), `panel ${p.title}: datasource ${p.datasource.uid}`);
      for (const t of p.targets) assert.ok(uids.has(t.datasource.uid), `panel ${p.title} target`);
    }
    for (const v of dash.templating.list) assert.ok(uids.has(v.datasource.uid), `variable ${v.name}`);
  }
});

test('Flux dashboard: every queried field and measurement exists in the frame contract, and every field is shown', () => {
  const shown = new Set<string>();
  for (const p of fluxBoard.panels) {
    for (const t of p.targets) {
      for (const m of t.query.matchAll(/r\._field == "([^"]+)"/g)) {
        assert.ok(CONTRACT_FIELDS.includes(m[1]!), `panel ${p.title} queries unknown field ${m[1]}`);
        shown.add(m[1]!);
      }
      for (const m of t.query.matchAll(/r\._measurement == "([^"]+)"/g)) assert.ok(CONTRACT_MEASUREMENTS.includes(m[1]!));
      assert.match(t.query, /r\.id =~ \/\^\$\{id:regex\}\$\//, `panel ${p.title} follows the id variable`);
      assert.match(t.query, /from\(bucket: "\$\{bucket\}"\)/);
    }
  }
  // Battery/load voltage, current, power (v_batt × current), energies, charge, temperature, gain, state.
  for (const f of ['v_batt', 'v_load', 'current', 'E_dis', 'E_chg', 'charge', 'temp', 'gain', 'state']) assert.ok(shown.has(f), `${f} is on the dashboard`);
  assert.ok(fluxBoard.panels.some((p) => p.type === 'state-timeline' && p.targets[0]!.query.includes('"state"')));
  assert.ok(fluxBoard.panels.some((p) => /power/i.test(p.title) && /r\.v_batt \* r\.current/.test(p.targets[0]!.query)));
});

test('InfluxQL dashboard: both measurements, the id variable, Grafana\'s time filter and interval, every field shown', () => {
  const shown = new Set<string>();
  for (const p of influxqlBoard.panels) {
    for (const t of p.targets) {
      assert.match(t.query, /^SELECT .+ FROM \/\^\(lto-bms\|nai-bms\)\$\/ WHERE "id" =~ \/\^\$\{id:regex\}\$\/ AND \$timeFilter GROUP BY time\(\$__interval\), "id" fill\(none\)$/, p.title);
      for (const m of t.query.matchAll(/(?:mean|last)\("([^"]+)"\)/g)) {
        assert.ok(CONTRACT_FIELDS.includes(m[1]!), `panel ${p.title} queries unknown field ${m[1]}`);
        shown.add(m[1]!);
      }
    }
  }
  for (const f of ['v_batt', 'v_load', 'current', 'E_dis', 'E_chg', 'charge', 'temp', 'gain', 'state']) assert.ok(shown.has(f), `${f} is on the dashboard`);
  assert.ok(influxqlBoard.panels.some((p) => p.type === 'state-timeline' && p.targets[0]!.query.includes('last("state")')));
});

test('dashboards: one board or all through the id variable; the Flux bucket defaults to .env.example', () => {
  for (const dash of [fluxBoard, influxqlBoard]) {
    const id = dash.templating.list.find((v) => v.name === 'id')!;
    assert.ok(id.includeAll && id.multi);
    assert.match(id.query, /tag: "id"|WITH KEY = "id"/);
  }
  const bucket = fluxBoard.templating.list.find((v) => v.name === 'bucket')!;
  assert.equal(bucket.current.value, envExample.INFLUXDB_BUCKET);
  assert.notEqual(fluxBoard.uid, influxqlBoard.uid);
});

test('ltobms stack: no docker on the PATH is one clear error, exit 1', async () => {
  const empty = tempDir('ltobms-nodocker-');
  const r = await runCli(['stack', 'status'], { env: { PATH: empty.path } });
  empty.cleanup();
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: Docker is not installed (no docker command on the PATH)\nhint: install Docker and Compose (Debian/Ubuntu: sudo apt install docker.io docker-compose), or point ltobms log at any InfluxDB\n');
});

test('ltobms stack: docker without an engine (our machines) is one clear error, exit 1', async () => {
  // A docker stand-in that has the compose plugin but no daemon, as the CLI reports it then.
  const bin = tempDir('ltobms-fakedocker-');
  const fake = join(bin.path, 'docker');
  writeFileSync(
    fake,
    '#!/bin/sh\nif [ "$1" = compose ]; then echo "Docker Compose version v2.29.7"; exit 0; fi\n' +
      'echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2\nexit 1\n',
  );
  chmodSync(fake, 0o755);
  const r = await runCli(['stack', 'status'], { env: { PATH: `${bin.path}:/usr/bin:/bin` } });
  bin.cleanup();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: no Docker engine is running \(Cannot connect to the Docker daemon.*\)\nhint: start it/);
});

test('ltobms stack: up without .env, or an unknown action, is a usage error (exit 2)', async (t) => {
  const dir = tempDir('ltobms-stack-');
  t.after(dir.cleanup);
  const up = await runCli(['stack', 'up'], { cwd: dir.path });
  assert.equal(up.code, 2);
  assert.match(up.stderr, /^error: .*\.env does not exist.*\nhint: cp \.env\.example \.env/);
  const bad = await runCli(['stack', 'restart'], { cwd: dir.path });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^error: unknown stack action "restart"\nhint: use one of: up, down, status/);
});

/** A folder holding executable stand-ins (shell scripts) for docker / docker-compose. */
function fakeBin(scripts: Record<string, string>) {
  const bin = tempDir('ltobms-fakebin-');
  for (const [name, body] of Object.entries(scripts)) {
    writeFileSync(join(bin.path, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin.path, name), 0o755);
  }
  return bin;
}

// What Debian's docker-compose 1.29 prints for `ps --all` (a table, not JSON).
const PS_TABLE = `      Name                     Command                  State                   Ports
-------------------------------------------------------------------------------------------------------
ltobms_grafana_1    /run.sh                          Up (healthy)   0.0.0.0:3000->3000/tcp,:::3000->3000/tcp
ltobms_influxdb_1   /entrypoint.sh influxd           Up (healthy)   0.0.0.0:8086->8086/tcp,:::8086->8086/tcp`;

test('compose 1.x ps table: service, state, health and ports', () => {
  const rows = parseComposePs(PS_TABLE.replace('Up (healthy)', 'Up (health: starting)'));
  assert.deepEqual(rows, [
    { service: 'grafana', state: 'running', health: 'starting', ports: '3000→3000' },
    { service: 'influxdb', state: 'running', health: 'healthy', ports: '8086→8086' },
  ]);
  assert.deepEqual(parseComposePs(PS_TABLE.split('\n').slice(0, 3).join('\n').replace('Up (healthy)', 'Exit 1')).map((r) => r.state), ['exited']);
});

test('ltobms stack with Debian\'s docker-compose 1.29 (no compose plugin): up waits for health itself, status reads the table', async (t) => {
  const dir = tempDir('ltobms-stack1-');
  t.after(dir.cleanup);
  writeFileSync(join(dir.path, '.env'), read(REPO_ROOT, '.env.example'));
  const calls = join(dir.path, 'calls');
  const bin = fakeBin({
    docker: 'case "$1" in compose) echo "docker: \'compose\' is not a docker command." >&2; exit 1;; info) echo 20.10.24; exit 0;; esac; exit 1',
    'docker-compose': `echo "$@" >> ${calls}\ncase "$*" in *"version --short"*) echo 1.29.2;; *" up "*|*" up") ;; *" ps "*|*" ps") printf '%s\\n' '${PS_TABLE}';; esac`,
  });
  t.after(bin.cleanup);
  const env = { PATH: bin.path };
  const up = await runCli(['stack', 'up'], { cwd: dir.path, env });
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stdout, /Grafana: +http:\/\/localhost:3000/);
  const lines = readFileSync(calls, 'utf8').trim().split('\n');
  // No --wait (1.x has none): up, then ps until both are healthy.
  assert.match(lines[1]!, /^--project-name ltobms --file \S+docker-compose\.yml --env-file \S+\.env up --detach$/);
  assert.match(lines[2]!, / ps --all$/);
  const status = await runCli(['stack', 'status', '--json'], { cwd: dir.path, env });
  assert.equal(status.code, 0, status.stderr);
  assert.deepEqual(JSON.parse(status.stdout).services.map((s: { service: string; health: string }) => `${s.service} ${s.health}`), ['grafana healthy', 'influxdb healthy']);
});

test('ltobms stack: a service that exits during up is one error naming it, exit 1', async (t) => {
  const dir = tempDir('ltobms-stack1-bad-');
  t.after(dir.cleanup);
  writeFileSync(join(dir.path, '.env'), read(REPO_ROOT, '.env.example'));
  const table = PS_TABLE.replace('Up (healthy)   0.0.0.0:3000->3000/tcp,:::3000->3000/tcp', 'Exit 1');
  const bin = fakeBin({ 'docker-compose': `case "$*" in *"version --short"*) echo 1.29.2;; *" ps "*|*" ps") printf '%s\\n' '${table}';; esac` });
  t.after(bin.cleanup);
  const r = await runCli(['stack', 'up'], { cwd: dir.path, env: { PATH: bin.path } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: grafana is exited\nhint: see why: docker-compose --project-name ltobms --file \S+ logs grafana\n/);
});

test('ltobms stack: docker without any compose is one clear error naming the Debian package', async (t) => {
  const bin = fakeBin({ docker: 'echo "docker: \'compose\' is not a docker command." >&2; exit 1' });
  t.after(bin.cleanup);
  const r = await runCli(['stack', 'status'], { env: { PATH: bin.path } });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: Docker Compose is missing (neither `docker compose` nor `docker-compose` works)\nhint: install it (Debian/Ubuntu: sudo apt install docker-compose); `docker-compose version` must work\n');
});

const aptCache = spawnSync('apt-cache', ['policy', 'bash'], { encoding: 'utf8' });
const aptSkip = aptCache.status === 0 && /Candidate: (?!\(none\))/.test(aptCache.stdout) ? false : 'needs apt-cache with package lists (Debian)';

test('the packages ltobms stack\'s hints name exist in Debian', { skip: aptSkip }, async () => {
  const hints: string[] = [];
  const empty = tempDir('ltobms-nodocker-');
  hints.push((await runCli(['stack', 'status'], { env: { PATH: empty.path } })).stderr);
  empty.cleanup();
  const bin = fakeBin({ docker: 'exit 1' });
  hints.push((await runCli(['stack', 'status'], { env: { PATH: bin.path } })).stderr);
  bin.cleanup();
  const names = new Set(hints.flatMap((h) => [...h.matchAll(/apt install ([\w .+-]+?)\)/g)].flatMap((m) => m[1]!.split(' '))));
  assert.deepEqual([...names].sort(), ['docker-compose', 'docker.io']);
  for (const name of names) {
    const policy = spawnSync('apt-cache', ['policy', name], { encoding: 'utf8' });
    assert.match(policy.stdout, /Candidate: (?!\(none\))\S+/, `${name}: ${policy.stdout}`);
  }
});
