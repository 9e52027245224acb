// The prompt: exactly one of prompt and prompt-file. A prompt file must lie
// (symlinks resolved) in the workspace or the runner's temp directory.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { kib, quote } from '../input-text.ts';
import type { Problems } from './parse.ts';
import type { InputReader, SettingsContext } from './types.ts';

/** A prompt is instructions; long material belongs in the repository, where Claude reads it. */
export const MAX_PROMPT_BYTES = 256 * 1024;

const PROMPT_SIZE_RULE = `a prompt may hold at most ${MAX_PROMPT_BYTES / 1024} KiB: put long material in the repository and point Claude at it.`;
const PROMPT_FILE_RULE = 'give a text file in the workspace or in the runner\'s temp directory (RUNNER_TEMP)';

/** The prompt text, or '' with the problem added. */
export function readPrompt(input: InputReader, problems: Problems, context: SettingsContext): string {
  const promptText = input('prompt');
  const promptFile = input('prompt-file').trim();
  if (promptText.trim() && promptFile) {
    problems.add('prompt and prompt-file are both set; give exactly one of them.');
  } else if (promptFile) {
    const read = readPromptFile(promptFile, context);
    if (typeof read !== 'string') return read.text;
    problems.add(read);
  } else if (promptText.trim()) {
    if (Buffer.byteLength(promptText) > MAX_PROMPT_BYTES) problems.add(`prompt holds ${kib(Buffer.byteLength(promptText))}; ${PROMPT_SIZE_RULE}`);
    return promptText;
  } else {
    problems.add('neither prompt nor prompt-file is set; give exactly one of them.');
  }
  return '';
}

/** The prompt from prompt-file, or the problem: the file must lie (symlinks resolved) in promptFileDirs. */
function readPromptFile(path: string, context: SettingsContext): { text: string } | string {
  const what = `prompt-file ${quote(path)}`;
  const [workspace = ''] = context.promptFileDirs;
  const full = resolve(workspace, path);
  const allowed = (p: string) => context.promptFileDirs.some((dir) => isInside(dir, p));
  const outside = `${what} is outside the workspace and RUNNER_TEMP; ${PROMPT_FILE_RULE}.`;
  const found = context.readFile(full, MAX_PROMPT_BYTES);
  if (found.kind === 'missing') return allowed(full) ? `${what} does not exist; ${PROMPT_FILE_RULE}.` : outside;
  if (found.kind === 'unreadable') return `${what} cannot be read (${found.message}); ${PROMPT_FILE_RULE}.`;
  // Checked on the real path: a symbolic link in the workspace (a pull request can add one) must not reach out of it.
  if (!allowed(found.realPath)) return found.realPath === full ? outside : `${what} is a symbolic link to outside the workspace and RUNNER_TEMP; ${PROMPT_FILE_RULE}.`;
  if (found.kind === 'not-a-file') return `${what} is not a file; ${PROMPT_FILE_RULE}.`;
  if (found.kind === 'too-big') return `${what} holds ${kib(found.bytes)}; ${PROMPT_SIZE_RULE}`;
  if (found.text.includes('\0')) return `${what} holds NUL bytes, so it is not text; ${PROMPT_FILE_RULE}.`;
  if (!found.text.trim()) return `${what} is empty; ${PROMPT_FILE_RULE}, holding the prompt.`;
  return { text: found.text };
}

/** `path` is `dir` or lies below it (both absolute, lexically). */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
}
