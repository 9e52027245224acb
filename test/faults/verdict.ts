// The judgements of the fault suite, on what a run left behind. Pure: the
// driver gathers the bytes and texts, these decide. Each can fail: see
// faults.test.ts.

/** The secrets replaced by *** (longest first, so a secret holding another is replaced whole). */
export function redactAll(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].filter(Boolean).sort((a, b) => b.length - a.length)) out = out.split(secret).join('***');
  return out;
}

export interface TranscriptVerdict {
  lost: boolean;
  duplicated: boolean;
  detail: string | undefined;
}

function lineCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}

function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

const around = (text: string, at: number): string => JSON.stringify(text.slice(Math.max(0, at - 30), at + 30));

/**
 * The runner's transcript against what the machine wrote (its secrets
 * replaced): equal when the run read to the end (`complete`), else a prefix
 * (what was read before the run ended, each byte once). Not a prefix: a line
 * seen more often than the machine wrote it is a duplicate, anything else a loss.
 */
export function judgeTranscript(machineText: string, runnerText: string, secrets: readonly string[], complete: boolean): TranscriptVerdict {
  const expected = redactAll(machineText, secrets);
  if (runnerText === expected) return { lost: false, duplicated: false, detail: undefined };
  if (expected.startsWith(runnerText)) {
    if (!complete) return { lost: false, duplicated: false, detail: undefined };
    return { lost: true, duplicated: false, detail: `the runner has ${runnerText.length} of the machine's ${expected.length} characters; missing from ${around(expected, runnerText.length)}` };
  }
  const want = lineCounts(expected);
  for (const [line, n] of lineCounts(runnerText)) {
    if (n > (want.get(line) ?? 0) && line !== '' && expected.includes(line)) {
      return { lost: false, duplicated: true, detail: `line written ${want.get(line) ?? 0}x on the machine, ${n}x on the runner: ${JSON.stringify(line.slice(0, 80))}` };
    }
  }
  const at = firstDifference(expected, runnerText);
  return { lost: true, duplicated: false, detail: `differs at character ${at}: machine ${around(expected, at)}, runner ${around(runnerText, at)}` };
}

export interface Text {
  where: string;
  text: string;
}

/** Where any secret appears, as "where (secret #i)". */
export function findSecrets(texts: readonly Text[], secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const { where, text } of texts) {
    secrets.forEach((secret, i) => {
      if (secret && text.includes(secret)) found.push(`${where} (secret #${i})`);
    });
  }
  return found;
}

/** A step's stdout without its `::add-mask::` commands (the one place a secret is meant to be). */
export function withoutMaskCommands(stdout: string): string {
  return stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}
