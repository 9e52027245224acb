// Layout of what the demo scripts print: a heading, then titled sections.
// Pure: returns text, writes nothing.

const WIDTH = 78;

/** A boxed heading: a title and a few lines under it, then an empty line. */
export function heading(title: string, lines: readonly string[] = []): string {
  const rule = '═'.repeat(WIDTH);
  return [rule, ` ${title}`, ...lines.map((l) => ` ${l}`), rule, '', ''].join('\n');
}

/** A section's title line: a rule with the title in it. */
export function sectionTitle(title: string): string {
  const head = `── ${title} `;
  return `${head}${'─'.repeat(Math.max(3, WIDTH - [...head].length))}`;
}

/** A section: its title line, the body, and an empty line after it. */
export function section(title: string, body: string): string {
  const text = body.replace(/\n+$/, '');
  return [sectionTitle(title), text === '' ? '(empty)' : text, '', ''].join('\n');
}

/** The last line of both scripts: how many machines are still there. */
export function machinesLeftLine(count: number | string): string {
  return `machines left: ${count}`;
}

/** Options of both scripts: `--expanded` opens every group of the log. */
export function parseViewArgs(argv: readonly string[]): { expanded: boolean; help: boolean; unknown: string[] } {
  let expanded = false;
  let help = false;
  const unknown: string[] = [];
  for (const arg of argv) {
    if (arg === '--expanded' || arg === '-e') expanded = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else unknown.push(arg);
  }
  return { expanded, help, unknown };
}
