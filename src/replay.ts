// `npm run replay -- FILE` (or `-` for stdin): prints exactly what the action
// prints into the workflow log for a saved transcript, streaming in constant
// memory, and writes the job summary to $GITHUB_STEP_SUMMARY when it is set.
import { appendFileSync, createReadStream } from 'node:fs';
import { Redactor } from './redact.ts';
import { renderSummary } from './report/summary.ts';
import { decideOutcome } from './stream/outcome.ts';
import { Pipeline, type ToolOutputMode } from './report/pipeline.ts';

const USAGE = 'usage: replay [--tool-output none|truncated|full] FILE   (FILE "-" reads standard input)';

export async function replay(argv: string[]): Promise<number> {
  let toolOutput: ToolOutputMode = 'truncated';
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--tool-output') {
      const mode = argv[++i];
      if (mode !== 'none' && mode !== 'truncated' && mode !== 'full') {
        process.stderr.write(`--tool-output must be none, truncated or full\n${USAGE}\n`);
        return 2;
      }
      toolOutput = mode;
    } else if (arg === '-h' || arg === '--help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    } else files.push(arg);
  }
  if (files.length !== 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const file = files[0] as string;
  const redactor = new Redactor([]);
  const pipeline = new Pipeline({ write: (text) => process.stdout.write(text), redactor, toolOutput });
  const input = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 64 * 1024 });
  try {
    for await (const chunk of input) pipeline.stdout(chunk as Buffer);
  } catch (err) {
    process.stderr.write(`replay: cannot read ${file}: ${(err as Error).message}\n`);
    return 1;
  }
  const outcome = decideOutcome({ snapshot: pipeline.endStreams() });
  const snapshot = pipeline.finish(outcome);
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  if (summaryFile) {
    appendFileSync(summaryFile, `${renderSummary({ snapshot, outcome, redactor, transcriptFile: file === '-' ? undefined : file })}\n`);
  }
  return 0;
}

replay(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`replay: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
