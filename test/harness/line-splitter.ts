// Incremental line splitting as .NET's StreamReader.ReadLine does it (the runner
// reads a step's stdout and stderr that way): a line ends at "\n", "\r" or "\r\n";
// a last line without an end is still a line. Chunks may cut anywhere, also
// between the "\r" and the "\n" of a CRLF.

export class LineSplitter {
  private partial = '';
  private skipLeadingLf = false;

  push(chunk: string): string[] {
    const lines: string[] = [];
    let start = 0;
    if (this.skipLeadingLf && chunk.startsWith('\n')) start = 1;
    this.skipLeadingLf = false;
    for (let i = start; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c !== 0x0a && c !== 0x0d) continue;
      lines.push(this.partial + chunk.slice(start, i));
      this.partial = '';
      if (c === 0x0d) {
        if (i + 1 === chunk.length) this.skipLeadingLf = true;
        else if (chunk.charCodeAt(i + 1) === 0x0a) i++;
      }
      start = i + 1;
    }
    this.partial += chunk.slice(start);
    return lines;
  }

  /** The unterminated last line, if any. */
  end(): string[] {
    const rest = this.partial;
    this.partial = '';
    this.skipLeadingLf = false;
    return rest === '' ? [] : [rest];
  }
}
