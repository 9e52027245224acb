// The Actions UI view of a step's log, printed while the step runs: stdout
// and stderr chunks go through the runner's log (commands, masks) and each
// new stored line is rendered as the UI shows it (log-view.ts), keeping
// whether a group is open between renders.
import { renderStoredLogAsUi, type LogViewOptions } from '../harness/log-view.ts';
import { LineSplitter } from '../harness/line-splitter.ts';
import { RunnerLog } from '../harness/runner-log.ts';
import { SecretMasker } from '../harness/secret-masker.ts';

export class LiveLogView {
  private readonly log: RunnerLog;
  private readonly splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  private readonly options: LogViewOptions;
  private readonly write: (text: string) => void;
  private shown = 0;
  private inGroup = false;

  constructor(options: { secrets: string[]; expanded: boolean; write: (text: string) => void }) {
    this.log = new RunnerLog({ masker: new SecretMasker(options.secrets) });
    this.options = { expanded: options.expanded };
    this.write = options.write;
  }

  push(stream: 'stdout' | 'stderr', chunk: string): void {
    for (const line of this.splitters[stream].push(chunk)) this.log.processLine(line);
    this.flush();
  }

  end(): void {
    for (const stream of ['stdout', 'stderr'] as const) for (const line of this.splitters[stream].end()) this.log.processLine(line);
    this.flush();
  }

  private flush(): void {
    const fresh = this.log.entries.slice(this.shown);
    if (fresh.length === 0) return;
    this.shown = this.log.entries.length;
    // Render the new entries as if the open group were still open (a stand-in title first), and end
    // with a group title, which always shows: both are dropped after, and no line is ambiguous.
    const lead = this.inGroup ? ['##[group]…'] : [];
    const lines = renderStoredLogAsUi([...lead, ...fresh, '##[group]…'], this.options).split('\n').slice(lead.length, -1);
    for (const line of fresh.flatMap((e) => e.split('\n'))) {
      if (line.startsWith('##[group]')) this.inGroup = true;
      else if (line.startsWith('##[endgroup]')) this.inGroup = false;
    }
    if (lines.length > 0) this.write(`${lines.join('\n')}\n`);
  }
}
