// `npm run faults [-- --scenarios 200 --seed 1 --workers 4 --only SEED --verbose]`
//
// Randomized, seeded fault scenarios (scenario.ts) through the runner harness
// and the Fly emulator, each judged for leaked machines, lost or duplicated
// output, a wrong conclusion and leaked secrets (driver.ts). Prints one line:
//   faults: scenarios: N, leaked: N, lost: N, duplicated: N, wrong-conclusion: N, secrets-leaked: N
// and exits 1 when any count but the first is not 0. Each world (emulator,
// fakes, repositories) runs its scenarios one after another; worlds run side by side.
import os from 'node:os';
import { describeScenario, scenarioOf, scenarios, type Scenario } from './scenario.ts';
import { runScenario, startFaultWorld, type ScenarioResult } from './driver.ts';

const USAGE = `usage: npm run faults -- [--scenarios 200] [--seed 1] [--workers 4] [--only SEED] [--verbose]
  --scenarios  how many scenarios (default 200)
  --seed       the run's seed; scenario i gets seed*100003+i (default 1)
  --workers    worlds running scenarios side by side (default 4)
  --only       run the one scenario of this seed (as printed next to a failure)
  --verbose    a line per scenario, not only per failure`;

interface Args {
  count: number;
  seed: number;
  workers: number;
  only: number | undefined;
  verbose: boolean;
}

function parseArgs(argv: string[]): Args | string {
  const args: Args = { count: 200, seed: 1, workers: 4, only: undefined, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const int = (min: number): number | undefined => {
      const n = Number(argv[++i]);
      return Number.isInteger(n) && n >= min ? n : undefined;
    };
    if (arg === '--scenarios') args.count = int(1) ?? NaN;
    else if (arg === '--seed') args.seed = int(0) ?? NaN;
    else if (arg === '--workers') args.workers = int(1) ?? NaN;
    else if (arg === '--only') args.only = int(0) ?? NaN;
    else if (arg === '--verbose') args.verbose = true;
    else if (arg === '-h' || arg === '--help') return '';
    else return `unknown argument ${arg}`;
    if ([args.count, args.seed, args.workers, args.only ?? 0].some(Number.isNaN)) return `${arg} takes a whole number`;
  }
  return args;
}

export interface Tally {
  scenarios: number;
  leaked: number;
  lost: number;
  duplicated: number;
  wrongConclusion: number;
  secretsLeaked: number;
}

export function tally(results: readonly ScenarioResult[]): Tally {
  const count = (key: keyof ScenarioResult) => results.filter((r) => r[key] === true).length;
  return {
    scenarios: results.length,
    leaked: count('leaked'),
    lost: count('lost'),
    duplicated: count('duplicated'),
    wrongConclusion: count('wrongConclusion'),
    secretsLeaked: count('secretsLeaked'),
  };
}

export function tallyLine(t: Tally): string {
  return `faults: scenarios: ${t.scenarios}, leaked: ${t.leaked}, lost: ${t.lost}, duplicated: ${t.duplicated}, wrong-conclusion: ${t.wrongConclusion}, secrets-leaked: ${t.secretsLeaked}`;
}

export const failed = (t: Tally): boolean => t.leaked + t.lost + t.duplicated + t.wrongConclusion + t.secretsLeaked > 0;

/** Runs the scenarios on `workers` worlds; `onResult` hears each as it ends. */
export async function runScenarios(list: readonly Scenario[], workers: number, onResult: (r: ScenarioResult) => void): Promise<ScenarioResult[]> {
  const queue = [...list];
  const results: ScenarioResult[] = [];
  const worker = async () => {
    const fw = await startFaultWorld();
    try {
      for (let s = queue.shift(); s; s = queue.shift()) {
        const result = await runScenario(fw, s);
        results.push(result);
        onResult(result);
      }
    } finally {
      await fw.close();
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, list.length) }, worker));
  return results;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    process.stderr.write(`${args ? `${args}\n` : ''}${USAGE}\n`);
    return args ? 2 : 0;
  }
  const list = args.only !== undefined ? [scenarioOf(args.only)] : scenarios(args.seed, args.count);
  const cpus = os.cpus();
  process.stdout.write(`machine: ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, Node ${process.version}\n`);
  process.stdout.write(`running ${list.length} scenarios (seed ${args.only ?? args.seed}) on ${args.workers} worlds\n`);
  const started = Date.now();
  let done = 0;
  const results = await runScenarios(list, args.workers, (r) => {
    done++;
    const bad = r.problems.length > 0;
    if (bad || args.verbose) {
      const tag = bad ? 'FAIL' : 'ok';
      process.stdout.write(`${tag} ${describeScenario(r.scenario)} -> ${r.conclusion ?? '(no conclusion)'}${r.killSent ? ` after ${r.killSent}` : ''} in ${(r.durationMs / 1000).toFixed(1)} s\n`);
      for (const p of r.problems) process.stdout.write(`  ${p}\n`);
    }
    if (done % 25 === 0) process.stdout.write(`${done}/${list.length} done, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  });
  const t = tally(results);
  const kills = results.filter((r) => r.killSent).length;
  process.stdout.write(`took ${((Date.now() - started) / 1000).toFixed(0)} s; ${kills} runs killed (${results.filter((r) => r.killSent === 'SIGKILL').length} by SIGKILL)\n`);
  process.stdout.write(`${tallyLine(t)}\n`);
  return failed(t) ? 1 : 0;
}

if (import.meta.main) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(2);
    },
  );
}
