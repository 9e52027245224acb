import { describe, expect, it } from 'vitest';
import {
  codeBlock,
  escapeHtml,
  fitParts,
  inlineCode,
  inlineText,
  markdownLink,
  markdownText,
  neutralizeMentions,
  safeUrl,
  tableCell,
  truncateMarkdown,
  ZWSP,
} from '../../src/report/markdown.ts';
import { gfm, hasCmark } from './fixtures/gfm.ts';

const ALLOWED_TAGS = new Set([
  'p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'code', 'pre', 'blockquote', 'strong', 'em', 'a', 'table',
  'thead', 'tbody', 'tr', 'th', 'td', 'hr', 'br', 'del', 'details', 'summary', 'sub',
]);

/** Tag names in rendered HTML (opening and closing). */
function tagsIn(html: string): string[] {
  return [...html.matchAll(/<\/?([A-Za-z][A-Za-z0-9-]*)/g)].map((m) => m[1]!.toLowerCase());
}

const HOSTILE = [
  '# Report <script>alert(1)</script>',
  'Look: <img src=x onerror=alert(1)> and <iframe src="https://evil">',
  '</details></details><details open><summary>fake</summary>',
  '<!-- claude-fly-action:KEY -->',
  '<!--> <!-- --> <?php ?> <![CDATA[ x ]]>',
  '&lt;script&gt; and &#60;img src=x onerror=alert(2)&#62; and &amp;',
  'Code `<b>bold</b>` and ``a ` <i>b</i>`` and \\`<u>not code</u>`',
  '`a',
  '',
  '</details>',
  '',
  'b` <img src=y onerror=alert(3)>',
  '- item',
  '  ```',
  '<img src=z onerror=alert(4)>',
  '```',
  '> ```',
  '> <style>body{}</style>',
  '    <script>indented()</script>',
  '<https://evil.example/autolink>',
  '| a | b |',
  '|---|---|',
  '| <b>x</b> | `y|z` |',
  '[link](https://ok.example "<b>title</b>") [js](javascript:alert(5))',
  'CR line\r</details>\r\n<script>crlf()</script>',
  '<pre>',
  '<textarea>',
  '~~~',
  '</details> in tilde fence <!-- claude-fly-action:KEY -->',
  '~~~',
  '```js',
  'const s = "</details>"; // <!-- claude-fly-action:KEY -->',
  '````',
  '```',
  'unclosed fence <script>x</script>',
].join('\n');

describe('escapeHtml', () => {
  it('escapes the five HTML specials', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('markdownText', () => {
  it('keeps markdown formatting', () => {
    const md = markdownText('# Title\n\n**bold** _em_ [link](https://example.com)\n\n- one\n- two\n\n> quoted\n\n1. first');
    expect(md).toBe('# Title\n\n**bold** _em_ [link](https://example.com)\n\n- one\n- two\n\n> quoted\n\n1. first');
  });

  it('escapes <, > and & outside code', () => {
    expect(markdownText('a <b> & c')).toBe('a &lt;b&gt; &amp; c');
    expect(markdownText('\\<b\\>')).toBe('&#60;b&#62;');
  });

  it('leaves fenced code as is, in a fence of its own that nothing inside can close', () => {
    const md = markdownText('```ts\nconst a = "<b>&</b>";\n```');
    expect(md).toBe('```ts\nconst a = "<b>&</b>";\n```');
    const nested = markdownText('````md\n```\ninner <x>\n```\n````');
    expect(nested).toBe('````md\n```\ninner <x>\n```\n````');
  });

  it('closes a fence the text leaves open', () => {
    const md = markdownText('text\n```\n<script>');
    expect(md).toBe('text\n```\n<script>\n```');
  });

  it('re-emits an indented fence at column 0 with its indentation removed', () => {
    expect(markdownText('1. step\n   ```sh\n   npm test\n   ```')).toBe('1. step\n```sh\nnpm test\n```');
  });

  it('renders code spans as <code> elements with their specials as entities', () => {
    expect(markdownText('run `a <b> | c` now')).toBe('run <code>a &#60;b&#62; &#124; c</code> now');
    expect(markdownText('`` a ` b ``')).toBe('<code>a &#96; b</code>');
  });

  it('escapes backticks that open no code span on the line', () => {
    expect(markdownText('a ` b <c>')).toBe('a \\` b &lt;c&gt;');
    expect(markdownText('\\`<i>`')).toBe('\\`&lt;i&gt;\\`');
  });

  it('breaks <!-- inside code so no marker can be faked', () => {
    const md = markdownText('```\n<!-- claude-fly-action:KEY -->\n```');
    expect(md).not.toContain('<!--');
    expect(md).toContain(`<${ZWSP}!--`);
  });

  it.skipIf(!hasCmark)('lets no HTML through, whatever the input (cmark-gfm oracle)', () => {
    const html = gfm(`<details><summary>ours</summary>\n\n${markdownText(HOSTILE)}\n\n</details>\n`);
    const tags = tagsIn(html);
    expect(tags.filter((t) => !ALLOWED_TAGS.has(t))).toEqual([]);
    expect(tags.filter((t) => t === 'details')).toHaveLength(2); // our open and close only
    expect(tags.filter((t) => t === 'summary')).toHaveLength(2);
    expect(html.trimEnd().endsWith('</details>')).toBe(true);
    expect(html).not.toMatch(/<!--/);
    expect(html).not.toMatch(/<[a-z][^>]*\son[a-z]+=/i);
    expect(html).not.toMatch(/href="javascript:/i);
  });

  it.skipIf(!hasCmark)('shows code with its characters intact', () => {
    const html = gfm(markdownText('Use `a<b>&c` here.\n\n```\nx < y && z\n```'));
    expect(html).toContain('<code>a&lt;b&gt;&amp;c</code>');
    expect(html).toContain('<pre><code>x &lt; y &amp;&amp; z\n</code></pre>');
  });
});

describe('neutralizeMentions', () => {
  it('breaks @user and @org/team, leaves e-mail addresses, percent-encodes /@ in URLs', () => {
    const out = neutralizeMentions('Hi @octocat and @github/security, (@x) mail a@b.com, see https://medium.com/@user/post');
    expect(out).toBe(`Hi @${ZWSP}octocat and @${ZWSP}github/security, (@${ZWSP}x) mail a@b.com, see https://medium.com/%40user/post`);
    expect(out).not.toMatch(/(^|[\s(,])@[A-Za-z0-9]/);
  });

  it('does not touch fenced code and is idempotent', () => {
    const text = 'x @a\n```\n@b\n```\n@c';
    const once = neutralizeMentions(text);
    expect(once).toBe(`x @${ZWSP}a\n\`\`\`\n@b\n\`\`\`\n@${ZWSP}c`);
    expect(neutralizeMentions(once)).toBe(once);
  });

  it('catches a mention after punctuation GitHub treats as a boundary', () => {
    expect(neutralizeMentions('.@dot -@dash')).toBe(`.@${ZWSP}dot -@${ZWSP}dash`);
  });

  it('catches a mention after `_` and after a non-ASCII letter (emphasis makes a text node start there)', () => {
    expect(neutralizeMentions('_@a_ __@b__ x_@c é@d')).toBe(`_@${ZWSP}a_ __@${ZWSP}b__ x_@${ZWSP}c é@${ZWSP}d`);
  });

  it('sees the character before @ even right after a URL', () => {
    expect(neutralizeMentions('https://a_b.c/x.@octocat')).toBe(`https://a_b.c/x.@${ZWSP}octocat`);
  });
});

describe('codeBlock and inlineCode', () => {
  it('uses a fence longer than any backtick run inside', () => {
    const block = codeBlock('a ```` b', 'js');
    expect(block).toBe('`````js\na ```` b\n`````');
  });

  it('cleans the language to a word', () => {
    expect(codeBlock('x', 'js onload=x`')).toBe('```js\nx\n```');
  });

  it('inlineCode makes one line with nothing active', () => {
    expect(inlineCode('a\nb <c> `d` @e | f')).toBe('<code>a b &#60;c&#62; &#96;d&#96; &#64;e &#124; f</code>');
  });
});

describe('tableCell', () => {
  it('keeps the row intact: | and newlines cannot end the cell', () => {
    const cell = tableCell('a | b\nc `d|e` <f>');
    expect(cell).not.toMatch(/[|\n]/);
    expect(cell).toBe('a &#124; b c <code>d&#124;e</code> &lt;f&gt;');
  });

  it.skipIf(!hasCmark)('renders as one cell', () => {
    const html = gfm(`| A | B |\n| --- | --- |\n| ${tableCell('x | y\nz')} | 2 |\n`);
    expect((html.match(/<td>/g) ?? []).length).toBe(2);
    expect(html).toContain('<td>x | y z</td>');
  });
});

describe('inlineText', () => {
  it.skipIf(!hasCmark)('cannot open a fence at the start of a line, which would swallow the rest of the document', () => {
    for (const text of ['~~~ @octocat', '  ~~~~', '~~~']) {
      const html = gfm(`### Failure\n\n${inlineText(text)}\n\nthe rest _stays_\n`);
      expect(html, text).not.toContain('<pre>');
      expect(html, text).toContain('<p>the rest <em>stays</em></p>');
      expect(html, text).toContain('~~~');
    }
  });
});

describe('links', () => {
  it('accepts http(s) only and encodes characters that could end the target', () => {
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl('https://x.test/a(b)<c>')).toBe('https://x.test/a%28b%29%3Cc%3E');
    expect(markdownLink('Log [x]', 'https://x.test/run')).toBe('[Log &#91;x&#93;](https://x.test/run)');
    expect(markdownLink('Log', 'ftp://x')).toBe('Log');
  });
});

describe('truncateMarkdown', () => {
  it('returns the whole text when it fits', () => {
    const r = truncateMarkdown('short <b>', 100);
    expect(r).toEqual({ markdown: 'short &lt;b&gt;', truncated: false, omittedLines: 0, omittedBytes: 0 });
  });

  it('cuts within the byte budget, with a visible note and honest counts', () => {
    const text = 'line <x> ü\n'.repeat(10_000);
    const r = truncateMarkdown(text, 5_000, { hint: 'See the log.' });
    expect(r.truncated).toBe(true);
    expect(Buffer.byteLength(r.markdown, 'utf8')).toBeLessThanOrEqual(5_000);
    expect(Buffer.byteLength(r.markdown, 'utf8')).toBeGreaterThan(4_000);
    expect(r.markdown).toContain('Cut to fit');
    expect(r.markdown).toContain('See the log.');
    const shownLines = r.markdown.split('\n').filter((l) => l.startsWith('line')).length;
    expect(r.omittedLines).toBe(10_000 - shownLines);
    expect(r.markdown).toContain(`${r.omittedLines.toLocaleString('en-US')} more lines`);
  });

  it('counts characters for a comment, and closes a fence it cut through', () => {
    const text = `intro\n\`\`\`\n${'😀 <code> line\n'.repeat(5_000)}\`\`\`\nafter`;
    const r = truncateMarkdown(text, 3_000, { unit: 'chars', mentions: true });
    expect(r.markdown.length).toBeLessThanOrEqual(3_000);
    const fences = r.markdown.split('\n').filter((l) => /^`{3,}/.test(l));
    expect(fences.length % 2).toBe(0);
    expect(r.markdown).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/); // no half surrogate pair
  });

  it('cuts a single huge line without splitting a character', () => {
    const r = truncateMarkdown('é'.repeat(100_000), 1_001);
    expect(Buffer.byteLength(r.markdown, 'utf8')).toBeLessThanOrEqual(1_001);
    expect(r.markdown).not.toContain('\uFFFD');
    expect(r.markdown.startsWith('é')).toBe(true);
  });

  it('gives an empty text when not even the note fits', () => {
    expect(truncateMarkdown('x'.repeat(1000), 10).markdown).toBe('');
  });
});

describe('fitParts', () => {
  it('shrinks the parts in the order given until the whole fits', () => {
    const parts = [
      { text: 'head' },
      { text: 'x'.repeat(100), shrink: (b: number) => 'x'.repeat(Math.max(0, b)) },
      { text: 'y'.repeat(100), shrink: (b: number) => 'y'.repeat(Math.max(0, b)) },
    ];
    const out = fitParts(parts, [1, 2], 150, 'chars')!;
    expect(out.length).toBe(150);
    expect(out).toBe(`head\n\n${'x'.repeat(42)}\n\n${'y'.repeat(100)}`);
    const tighter = fitParts(parts, [1, 2], 60, 'chars')!;
    expect(tighter.length).toBeLessThanOrEqual(60);
    expect(tighter.startsWith('head\n\n')).toBe(true);
    expect(tighter).not.toContain('x');
    expect(tighter).toContain('y'.repeat(54));
    expect(fitParts(parts, [1, 2], 3, 'chars')).toBeUndefined();
  });
});

describe('markdownText: randomized hostile documents (cmark-gfm oracle)', () => {
  const FRAGMENTS = [
    '<script>x()</script>', '<img src=a onerror=b()>', '</details>', '<details open>', '<summary>s</summary>', '<!--', '-->',
    '<!-- claude-fly-action:KEY -->', '```', '````', '~~~', '```js', '  ```', '    ```', '\t```', '> ```', '- ```', '1. ```',
    '`', '``', '`<b>`', '`` ` ``', '\\', '\\`', '\\<b>', '&lt;b&gt;', '&#60;i&#62;', '&', '<', '>', '|', '| a | b |', '|---|---|',
    '- item', '  - nested', '> quote', '>', '#', '# h', '---', '***', '    indented <u>', '\t<tab>', '', '', '\r', '\r\n', 'text',
    '[a](javascript:x)', '[a]: https://x', '<https://x>', '<pre>', '<style>', '<textarea>', '<?x', '<![CDATA[', '<!DOCTYPE html>',
    '@octocat', '**bold**', '_em_', '<div>', '</div>', '<a href=x>', '<p>',
  ];
  // A small seeded generator: the same documents every run, so a failure can be reproduced.
  let seed = 0x2f6e2b1;
  const next = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  const docs = Array.from({ length: 300 }, () => {
    const lines: string[] = [];
    const count = 3 + (next() % 12);
    for (let i = 0; i < count; i++) {
      const parts = 1 + (next() % 3);
      let line = '';
      for (let j = 0; j < parts; j++) line += FRAGMENTS[next() % FRAGMENTS.length]! + (next() % 2 ? ' ' : '');
      lines.push(line);
    }
    return lines.join(next() % 5 === 0 ? '\r\n' : '\n');
  });

  it.skipIf(!hasCmark)('never lets a tag through or breaks out of our <details>', () => {
    const markdown = docs.map((d, i) => `<details><summary>doc ${i}</summary>\n\n${markdownText(d)}\n\n</details>`).join('\n\n');
    const html = gfm(`${markdown}\n`);
    const tags = tagsIn(html);
    expect(tags.filter((t) => !ALLOWED_TAGS.has(t))).toEqual([]);
    expect(html).not.toMatch(/<!--/);
    expect(html).not.toMatch(/href="(javascript|vbscript|data):/i);
    // Every document stays inside its own block: the details tags alternate open/close, one pair per document.
    const details = [...html.matchAll(/<(\/?)details>/g)].map((m) => m[1]);
    expect(details).toHaveLength(2 * docs.length);
    details.forEach((slash, i) => expect(slash, `details tag ${i}`).toBe(i % 2 === 0 ? '' : '/'));
    for (let i = 0; i < docs.length; i++) expect(html).toContain(`<details><summary>doc ${i}</summary>`);
  });
});

describe('markdownText: pathological input', () => {
  it('handles a long line of backtick runs of every length (linear work)', () => {
    // 1,500 runs of lengths 1..1500 with no closers: a naive search per opener scans ~1 GB.
    const line = Array.from({ length: 1_500 }, (_, i) => '`'.repeat(i + 1)).join(' x ');
    const md = markdownText(line);
    expect(md).not.toMatch(/(^|[^\\])`/); // every backtick escaped: none opens a code span
    expect(md.match(/\\`/g)).toHaveLength((1_500 * 1_501) / 2);
  }, 10_000);

  it('pairs runs of equal length as GitHub does', () => {
    expect(markdownText('`a` ``b`` `c`` d`')).toBe('<code>a</code> <code>b</code> <code>c&#96;&#96; d</code>');
  });
});
