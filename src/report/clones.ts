// What the machine cloned, as the summary and the comment name it: each
// repository at the commit the runner pinned, linked when it can be. Pure.
import { clip } from './format.ts';
import { inlineCode, markdownLink, tableCell } from './markdown.ts';
import type { RunReport } from './report-input.ts';

/** "`octo/app` at [0123456789ab](…/commit/…) (head of PR #7)", one per clone, safe in a table cell; [] when none is known. */
export function clonedCommits(report: RunReport): string[] {
  const red = (s: string) => report.redactor.redact(s);
  return (report.clones ?? []).map((c) => {
    const short = c.sha.slice(0, 12);
    const commit = c.url ? markdownLink(short, c.url) : inlineCode(short);
    return `${inlineCode(clip(red(c.repo), 200))} at ${commit} (${tableCell(clip(red(c.what), 120))})`;
  });
}
