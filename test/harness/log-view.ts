// What a person sees in the Actions log UI for a step's output.
//
// Two stages. The runner turns the output into the stored log (runner-log.ts):
// command lines vanish (unless echoed), `::group::` becomes `##[group]title`,
// annotations `##[warning]message`, masks apply from the moment they are
// registered, stop-commands and its resume line stay visible (the token as ***
// when longer than 6 characters). The UI then formats stored lines by their
// `##[tag]` prefix: groups fold (they do not nest: a group starts while another
// is open ends that one; actions/toolkit#1001), `##[error]` shows as "Error: ".
// The UI's own code is not public: formatting by prefix is inferred from the
// Azure Pipelines formatting commands it inherits and from the runner defusing
// `##[start-action` in user text; it means user text that STARTS with
// `##[error]` etc. is formatted too, even under stop-commands (cosmetic only:
// the runner did not execute it).

import { readLines } from '../oracle/runner-commands.ts';
import { RunnerLog } from './runner-log.ts';
import { SecretMasker } from './secret-masker.ts';

export interface LogViewOptions {
  /** Show groups expanded (`▼ title` and the indented body); default collapsed (`▶ title` only). */
  expanded?: boolean;
  /** Secrets masked from the start (the workflow's secrets). */
  secrets?: Iterable<string>;
  /** Step debug on: `##[debug]` lines shown and commands echoed. */
  debug?: boolean;
  /** Indentation of a group's body when expanded. */
  indent?: string;
}

const TAG_LABELS: Record<string, string> = {
  error: 'Error: ',
  warning: 'Warning: ',
  notice: 'Notice: ',
  debug: 'Debug: ',
  command: '',
  section: '',
};

/** The stored log (as the runner writes it, see RunnerLog.text) rendered as the UI shows it. */
export function renderStoredLogAsUi(entries: readonly string[], options: LogViewOptions = {}): string {
  const indent = options.indent ?? '  ';
  const out: string[] = [];
  let inGroup = false;
  // An entry with line breaks (a multi-line group title or annotation) is several lines of the
  // log file; only its first line carries the tag.
  for (const line of entries.flatMap((e) => e.split('\n'))) {
    const tag = /^##\[([a-z]+)\]/.exec(line);
    const name = tag?.[1];
    const rest = tag ? line.slice(tag[0].length) : line;
    if (name === 'group') {
      inGroup = true;
      out.push(`${options.expanded ? '▼' : '▶'} ${rest}`);
    } else if (name === 'endgroup') {
      if (inGroup) inGroup = false;
      else out.push(''); // a stray endgroup shows as an empty line
    } else {
      const text = name !== undefined && name in TAG_LABELS ? TAG_LABELS[name] + rest : line;
      if (!inGroup) out.push(text);
      else if (options.expanded) out.push(indent + text);
    }
  }
  return out.join('\n');
}

/** What a person sees in the Actions log UI for this output of a step (stdout, or stdout and stderr interleaved). */
export function renderLogAsUi(stdout: string, options: LogViewOptions = {}): string {
  const log = new RunnerLog({ masker: new SecretMasker(options.secrets ?? []), debug: options.debug ?? false });
  for (const line of readLines(stdout)) log.processLine(line);
  return renderStoredLogAsUi(log.entries, options);
}

/** A StepResult's stored log (`result.log`, stdout and stderr as the runner read them) as the UI shows it. */
export function renderStepLogAsUi(log: string, options: LogViewOptions = {}): string {
  return renderStoredLogAsUi(log === '' ? [] : log.split('\n'), options);
}
