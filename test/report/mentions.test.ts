// No @mention from untrusted text in the PR comment, judged on the HTML that
// GitHub's renderer (cmark-gfm) makes of our markdown: every markdown wrapper
// around an @login, by hand, then a generated corpus of wrappers run together
// so that a wrapper nobody listed cannot slip through. See fixtures/mentions.ts
// for what counts as a mention.
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/redact.ts';
import { renderComment } from '../../src/report/comment-body.ts';
import { inlineText, markdownLink, markdownText, neutralizeMentions, tableCell, truncateMarkdown, ZWSP } from '../../src/report/markdown.ts';
import type { RunReport } from '../../src/report/report-input.ts';
import { decideOutcome } from '../../src/stream/outcome.ts';
import { makeCall, makeResult, makeSnapshotEndedBy } from './fixtures/changes.ts';
import { gfm, hasCmark } from './fixtures/gfm.ts';
import { textNodes, unbrokenMentions } from './fixtures/mentions.ts';

/** What the PR comment does to untrusted markdown. */
const forComment = (untrusted: string): string => neutralizeMentions(markdownText(untrusted));

/**
 * Renders many documents in one cmark-gfm call, each after an HTML comment
 * of its own (an HTML block: no document can swallow it, as fences are
 * always closed), and returns each document's HTML.
 */
function renderEach(docs: string[]): string[] {
  const html = gfm(docs.map((d, i) => `<!-- doc ${i} -->\n\n${d}\n\n`).join(''));
  const parts = html.split(/<!-- doc \d+ -->\n/);
  expect(parts.shift()!.trim()).toBe('');
  expect(parts).toHaveLength(docs.length);
  return parts;
}

/** Documents whose rendering holds an unbroken mention, with what was found. */
function offenders(sources: string[], rendered: string[]): string[] {
  const html = renderEach(rendered);
  const bad: string[] = [];
  html.forEach((h, i) => {
    const found = unbrokenMentions(h);
    if (found.length) bad.push(`${JSON.stringify(sources[i])} -> ${found.join(', ')}`);
  });
  return bad;
}

const LOGINS = ['@octocat', '@octo-cat', '@org/team', '@a', '@Octocat9', '@9lives'];

/** [before, after] around a login: markdown, HTML-like text, punctuation, scripts, URLs, words. */
const WRAPPERS: [string, string][] = [
  ['', ''], ['_', '_'], ['__', '__'], ['*', '*'], ['**', '**'], ['***', '***'], ['___', '___'], ['_**', '**_'], ['**_', '_**'],
  ['~', '~'], ['~~', '~~'], ['~~_', '_~~'], ['`', '`'], ['``', '``'], ['` ', ' `'],
  ['[', '](https://example.com)'], ['[x ', '](https://example.com)'], ['[', '](https://example.com "@octocat")'], ['![', '](https://example.com/i.png)'],
  ['[', ']'], ['[', '][ref]'], ['[x](', ')'], ['<', '>'], ['<https://example.com/', '>'], ['<mailto:', '>'],
  ['(', ')'], ['"', '"'], ["'", "'"], ['«', '»'], ['“', '”'], ['{', '}'], ['|', '|'], ['$', '$'], ['$$', '$$'], ['$`', '`$'],
  ['<b>', '</b>'], ['<em>', '</em>'], ['<a href="https://x.y">', '</a>'], ['<code>', '</code>'], ['<!-- ', ' -->'], ['<span title="', '">'],
  ['\\', ''], ['\\\\', ''], ['\\_', '\\_'], ['\\*', '\\*'], ['&', ''], ['&nbsp;', ''], ['&amp;', ''], ['&#95;', '&#95;'],
  ['.', ''], ['..', ''], [',', ''], ['-', ''], ['+', ''], ['/', ''], [':', ''], [';', ''], ['=', ''], ['!', ''], ['?', ''], ['#', ''], ['%', ''], ['^', ''], ['\'s ', ''],
  ['é', ''], ['ß', ''], ['日本', ''], ['Ω', ''], ['ñ', ''], ['\u00A0', ''], [ZWSP, ''], ['\u2060', ''], ['\t', ''], ['\u3000', ''],
  ['https://example.com/', ''], ['https://a_b.c/', ''], ['https://x_y.example.com/', ''], ['http://', ''], ['http:///', ''], ['https://example.com/a.', ''],
  ['https://example.com/(', ')'], ['https://example.com/a_', ''], ['www.example.com/', ''], ['www.a_b.c/', ''], ['mailto:', ''], ['ftp://x/', ''],
  ['_a_', ''], ['*a*', ''], ['**a**', ''], ['~~a~~', ''], ['`a`', ''], ['[a](https://x.y)', ''], ['[a]', ''], ['a_', ''], ['a\\', ''], ['a&amp;', ''], ['a*', '*'],
];

/** Where a wrapped login can stand: blocks of every kind. */
const CONTEXTS: ((s: string) => string)[] = [
  (s) => s,
  (s) => `text ${s} text`,
  (s) => `text${s}text`,
  (s) => `# ${s}`,
  (s) => `### x ${s} #`,
  (s) => `Setext ${s}\n===`,
  (s) => `- ${s}`,
  (s) => `1. ${s}`,
  (s) => `- [ ] ${s}`,
  (s) => `> ${s}`,
  (s) => `> - ${s}`,
  (s) => `>${s}`,
  (s) => `| a | b |\n| --- | --- |\n| ${s} | x |`,
  (s) => `| ${s} |\n|---|\n| y |`,
  (s) => `line one  \n${s}`,
  (s) => `line one\\\n${s}`,
  (s) => `    ${s}`,
  (s) => `\`\`\`\n${s}\n\`\`\``,
  (s) => `[ref]: https://example.com/${s}\n\n[ref]`,
  (s) => `Term\n: ${s}`,
];

const ENTITY_ATS = ['&#64;octocat', '&#x40;octocat', '&commat;octocat', '\\@octocat', '@\u200Doctocat'];

function handCorpus(): string[] {
  const docs: string[] = [];
  for (const login of LOGINS) {
    for (const [before, after] of WRAPPERS) {
      for (const context of CONTEXTS) docs.push(context(`${before}${login}${after}`));
    }
  }
  for (const at of ENTITY_ATS) for (const context of CONTEXTS) docs.push(context(at));
  return docs;
}

/** A seeded generator: the same corpus every run, so a failure can be reproduced. */
function generatedCorpus(count: number, seed: number): string[] {
  const FRAGMENTS = [
    '@octocat', '@octocat', '@org/team', '@a', '_', '__', '*', '**', '~', '~~', '`', '``', '[', ']', '](https://x.y)', '(', ')', '![',
    '<', '>', '<b>', '</b>', '&', '&amp;', '&#64;', '&commat;', ';', '"', "'", '\\', '|', '#', '# ', '- ', '> ', '1. ', '    ', '\n', '\n\n',
    '\n---\n', '```', '~~~', ' ', ' ', 'a', 'word', '9', 'é', '日', '.', ',', ':', '/', '-', '+', '=', 'https://', 'http://', 'www.',
    'a_b.c/', 'example.com/', 'mailto:', 'x@y.z', '$', '{', '}', '^', '%', ZWSP,
  ];
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state;
  };
  return Array.from({ length: count }, () => {
    let doc = '';
    const n = 3 + (next() % 18);
    for (let i = 0; i < n; i++) doc += FRAGMENTS[next() % FRAGMENTS.length];
    return doc;
  });
}

describe('the mention judge', () => {
  it.skipIf(!hasCmark)('sees mentions GitHub would make, in every wrapper (so a pass means something)', () => {
    for (const raw of ['@octocat', '_@octocat_', '__@octocat__', '*@octocat*', '~~@octocat~~', '[@octocat](https://x.y)', '_a_@octocat', 'é@octocat', 'https://a_b.c/@octocat', '# @octocat']) {
      expect(unbrokenMentions(gfm(raw)), raw).not.toEqual([]);
    }
    for (const raw of ['`@octocat`', 'a@b.c', 'mail dev@example.com', '```\n@octocat\n```', '    @octocat', `@${ZWSP}octocat`, 'https://medium.com/%40user']) {
      expect(unbrokenMentions(gfm(raw)), raw).toEqual([]);
    }
  });
});

describe('neutralizeMentions: what GitHub renders (cmark-gfm oracle)', () => {
  it.skipIf(!hasCmark)('_@x_ and __@x__ (the issue 13 report): no mention, the login still readable', () => {
    for (const raw of ['_@octocat_', '__@octocat__', 'see _@octocat_ now', '___@octocat___']) {
      const html = gfm(forComment(raw));
      expect(unbrokenMentions(html), raw).toEqual([]);
      expect(textNodes(html).join('')).toContain(`@${ZWSP}octocat`);
    }
  });

  it.skipIf(!hasCmark)('a URL that GitHub does not link keeps no mention: https://a_b.c/@x, http:///@x', () => {
    for (const raw of ['https://a_b.c/@octocat', 'http:///@octocat', 'https://example.com/a.@octocat', 'https://x_y.example.com/@octocat/']) {
      expect(unbrokenMentions(gfm(forComment(raw))), raw).toEqual([]);
    }
  });

  it.skipIf(!hasCmark)('every wrapper around every login, in every kind of block', () => {
    const docs = handCorpus();
    expect(docs.length).toBeGreaterThan(8_000);
    expect(offenders(docs, docs.map(forComment))).toEqual([]);
  });

  it.skipIf(!hasCmark)('the same through tableCell, inlineText, markdownLink and truncateMarkdown', () => {
    const texts = LOGINS.flatMap((login) => WRAPPERS.map(([before, after]) => `${before}${login}${after}`));
    const rendered = texts.flatMap((t) => [
      neutralizeMentions(`| h | i |\n| --- | --- |\n| ${tableCell(t)} | ${tableCell(`x\n${t}`)} |`),
      neutralizeMentions(`Reason: ${inlineText(t)}`),
      neutralizeMentions(`- ${markdownLink(t, 'https://example.com/run')}`),
      truncateMarkdown(`${t}\n${t}`, 10_000, { unit: 'chars', mentions: true }).markdown,
    ]);
    expect(offenders(texts.flatMap((t) => [t, t, t, t]), rendered)).toEqual([]);
  });

  it.skipIf(!hasCmark)('a generated corpus of wrappers run together', () => {
    const docs = generatedCorpus(3_000, 0x13a7);
    expect(offenders(docs, docs.map(forComment))).toEqual([]);
  });

  it('leaves e-mail addresses and a login inside a word alone', () => {
    for (const text of ['mail dev@example.com', 'a@b.c', 'x@y.z@octocat', 'user@octocat', 'v1.2@octocat']) {
      expect(neutralizeMentions(text)).toBe(text);
    }
  });

  it.skipIf(!hasCmark)('an e-mail address stays a mailto link, as GitHub makes it', () => {
    expect(gfm(forComment('mail dev@example.com'))).toContain('<a href="mailto:dev@example.com">dev@example.com</a>');
  });

  it.skipIf(!hasCmark)('a URL with /@ keeps working: the @ is percent-encoded, not broken', () => {
    const md = forComment('see https://medium.com/@user/post.');
    expect(md).toBe('see https://medium.com/%40user/post.');
    expect(gfm(md)).toContain('<a href="https://medium.com/%40user/post">');
  });

  it('is idempotent', () => {
    for (const doc of [...handCorpus().slice(0, 2_000), ...generatedCorpus(500, 7)]) {
      const once = forComment(doc);
      expect(neutralizeMentions(once), doc).toBe(once);
    }
  });
});

describe('renderComment: no mention anywhere in the PR comment', () => {
  const hostile = [...WRAPPERS.map(([b, a]) => `${b}@octocat${a}`), ...generatedCorpus(200, 99)].join('\n');

  function report(text: string): RunReport {
    const res = makeResult({ subtype: 'success', isError: true, result: text, errors: [text.slice(0, 400), '_@octocat_ failed'], numTurns: 2, totalCostUsd: 0.5 });
    const snapshot = makeSnapshotEndedBy([res], { tools: [makeCall({ name: '__@octocat__', summary: '_@octocat_', agentLabel: '*@octocat*' })] });
    return {
      snapshot,
      outcome: decideOutcome({ snapshot, exitCode: 1 }),
      redactor: new Redactor(),
      durationMs: 1000,
      machine: undefined,
      runUrl: 'https://github.com/o/r/actions/runs/7',
      summaryUrl: 'https://github.com/o/r/actions/runs/7#summary',
    };
  }

  it.skipIf(!hasCmark)('final and live bodies, answer, reason, errors and tool calls full of wrapped logins', () => {
    const r = report(hostile);
    expect(r.outcome.reason).toContain('@octocat');
    const call = makeCall({ name: '_@octocat_', summary: '__@octocat__', agentLabel: '~~@octocat~~' });
    const bodies = [
      renderComment(r, { marker: '<!-- claude-fly-action:k -->' }),
      renderComment(r, { marker: '<!-- claude-fly-action:k -->', live: { elapsedMs: 1, current: call, recent: [call, call], toolsDone: 1 } }),
    ];
    for (const body of bodies) expect(unbrokenMentions(gfm(body))).toEqual([]);
  });
});
