// What the runner does with each line a step prints (stdout and stderr share one
// instance): detect workflow commands with the oracle's CommandManager, run the
// ones that matter for a step (masks, groups, annotations, outputs, state, echo,
// debug), and write the step log as the runner stores it, masked line by line
// with the secrets known at that moment.
//
// Read from actions/runner@258d6c85: ActionCommandManager.cs (echo rules: a
// command line is echoed only with `::echo::on` or step debug, except add-mask,
// debug and the annotations; stop-commands and its resume line are always
// written; an invalid stop token makes the step fail), ExecutionContext.cs
// (AddIssue: masked message cut at 4096 characters, at most 10 annotations of
// each kind per step, logged as `##[error]message`; Debug only with step debug),
// Handlers/OutputManager.cs (user text holding `##[start-action`/`##[end-action`
// is defused).

import { CommandManager } from '../oracle/runner-commands.ts';
import type { RunnerCommand } from '../oracle/runner-commands.ts';
import { SecretMasker } from './secret-masker.ts';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: AnnotationLevel;
  /** Masked, at most 4096 characters. */
  message: string;
  properties: Record<string, string>;
}

export interface RunnerLogOptions {
  /** Shared masker (the runner has one per job); a fresh one when absent. */
  masker?: SecretMasker;
  /** Step debug (secret ACTIONS_STEP_DEBUG): `##[debug]` lines are written and commands echoed. */
  debug?: boolean;
  /** ACTIONS_ALLOW_UNSECURE_COMMANDS=true: set-env and add-path work. */
  allowUnsecureCommands?: boolean;
}

const MAX_ISSUE_MESSAGE = 4096;
const MAX_ISSUES_PER_LEVEL = 10;
const OMIT_ECHO = new Set(['add-mask', 'debug', 'warning', 'error', 'notice']);

const UNSUPPORTED_STOP_TOKEN =
  'You cannot use a endToken that is an empty string, the string \'pause-logging\', or another workflow command. For more information see: https://docs.github.com/actions/learn-github-actions/workflow-commands-for-github-actions#example-stopping-and-starting-workflow-commands or opt into insecure command execution by setting the `ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS` environment variable to `true`.';

function unsupportedCommand(name: string): string {
  return `The \`${name}\` command is disabled. Please upgrade to using Environment Files or opt into unsecure command execution by setting the \`ACTIONS_ALLOW_UNSECURE_COMMANDS\` environment variable to \`true\`. For more information see: https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/`;
}

/** Property lookup as the runner's case-insensitive dictionary does it. */
function property(cmd: RunnerCommand, name: string): string | undefined {
  const key = Object.keys(cmd.properties).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : cmd.properties[key];
}

export class RunnerLog {
  readonly masker: SecretMasker;
  /** The stored log, one entry per write (an entry may hold line breaks, e.g. a multi-line annotation). */
  readonly entries: string[] = [];
  /** Every command the runner executed, in order (the oracle's view). */
  readonly commands: RunnerCommand[] = [];
  readonly annotations: Annotation[] = [];
  /** From the deprecated `::set-output` / `::save-state` commands. */
  readonly outputs: Record<string, string> = {};
  readonly state: Record<string, string> = {};
  /** From `::set-env` / `::add-path` when unsecure commands are allowed. */
  readonly env: Record<string, string> = {};
  readonly path: string[] = [];
  /** A command failed (the runner sets the step's CommandResult to Failed). */
  commandFailed = false;

  private readonly manager = new CommandManager('ordinal');
  private readonly debug: boolean;
  private readonly allowUnsecure: boolean;
  private echo: boolean;
  private readonly issueCounts: Record<AnnotationLevel, number> = { error: 0, warning: 0, notice: 0 };

  constructor(options: RunnerLogOptions = {}) {
    this.masker = options.masker ?? new SecretMasker();
    this.debug = options.debug ?? false;
    this.allowUnsecure = options.allowUnsecureCommands ?? false;
    this.echo = this.debug;
  }

  get text(): string {
    return this.entries.join('\n');
  }

  /** Write a line the way ExecutionContext.Write does: masked at write time. */
  write(text: string): void {
    this.entries.push(this.masker.mask(text));
  }

  /** ExecutionContext.AddIssue, as the runner's own warnings and errors use it too. */
  addIssue(level: AnnotationLevel, message: string, properties: Record<string, string> = {}): void {
    let masked = this.masker.mask(message);
    if (masked.length > MAX_ISSUE_MESSAGE) masked = masked.slice(0, MAX_ISSUE_MESSAGE);
    if (this.issueCounts[level] < MAX_ISSUES_PER_LEVEL) {
      this.issueCounts[level]++;
      this.annotations.push({ level, message: masked, properties: { ...properties } });
    }
    if (masked !== '') this.write(`##[${level}]${masked}`);
  }

  /** One line of the step's output (either stream), as OutputManager.OnDataReceived gets it. */
  processLine(line: string): void {
    const wasStopped = this.manager.isStopped;
    const cmd = this.manager.processLine(line);
    if (!cmd) {
      this.write(line.replaceAll('##[start-action', '##[\\start-action').replaceAll('##[end-action', '##[\\end-action'));
      return;
    }
    this.commands.push(cmd);
    const name = cmd.command.toLowerCase();

    if (wasStopped) {
      this.write(line); // the resume line is written as is (the masked token shows as ***)
      return;
    }
    if (name === 'stop-commands') {
      if (!this.manager.isStopped) {
        // ValidateStopToken throws: the step fails; the line is not executed.
        this.commandFailed = true;
        this.addIssue('error', UNSUPPORTED_STOP_TOKEN);
        return;
      }
      if (cmd.data.length > 6) this.masker.add(cmd.data);
      this.write(line);
      return;
    }

    if (this.echo && !OMIT_ECHO.has(name)) this.write(line);
    try {
      this.execute(name, cmd);
    } catch (error) {
      this.commandFailed = true;
      this.addIssue('error', `Unable to process command '${OMIT_ECHO.has(name) ? name : line}' successfully.`);
      this.addIssue('error', (error as Error).message);
    }
  }

  private execute(name: string, cmd: RunnerCommand): void {
    switch (name) {
      case 'add-mask':
        if (cmd.data.trim() === '') {
          this.addIssue('warning', "Can't add secret mask for empty string in ##[add-mask] command.");
          return;
        }
        if (this.echo) this.write('::add-mask::***');
        this.masker.add(cmd.data);
        for (const piece of cmd.data.split(/[\r\n]/)) {
          const trimmed = piece.trim();
          if (trimmed !== '') this.masker.add(trimmed);
        }
        return;
      case 'echo': {
        const value = cmd.data.trim().toUpperCase();
        if (cmd.data === '') throw new Error("Parameter 'value' cannot be null or empty.");
        if (value === 'ON') this.echo = true;
        else if (value === 'OFF') this.echo = false;
        else throw new Error(`Invalid echo command value. Possible values can be: 'on', 'off'. Current value is: '${cmd.data}'.`);
        return;
      }
      case 'group':
        this.write(`##[group]${cmd.data}`);
        return;
      case 'endgroup':
        this.write('##[endgroup]');
        return;
      case 'warning':
      case 'error':
      case 'notice':
        this.addIssue(name, cmd.data, cmd.properties);
        return;
      case 'debug':
        if (this.debug) for (const l of cmd.data.replaceAll('\r\n', '\n').split('\n')) this.write(`##[debug]${l}`);
        return;
      case 'set-output':
      case 'save-state': {
        const key = property(cmd, 'name');
        if (!key) throw new Error(`Required field 'name' is missing in ##[${name}] command.`);
        (name === 'set-output' ? this.outputs : this.state)[key] = cmd.data;
        return;
      }
      case 'set-env': {
        if (!this.allowUnsecure) throw new Error(unsupportedCommand(name));
        const key = property(cmd, 'name');
        if (!key) throw new Error("Required field 'name' is missing in ##[set-env] command.");
        if (key.toUpperCase() === 'NODE_OPTIONS') {
          this.addIssue('error', "Can't update NODE_OPTIONS environment variable using ::set-env:: command.");
          return;
        }
        this.env[key] = cmd.data;
        return;
      }
      case 'add-path':
        if (!this.allowUnsecure) throw new Error(unsupportedCommand(name));
        this.path.push(cmd.data);
        return;
      default:
        return; // add-matcher / remove-matcher: problem matchers are not modelled
    }
  }
}

export interface MaskedLogOptions {
  /** Secrets registered before the step (the runner masks the workflow's secrets). */
  secrets?: Iterable<string>;
  /** Mask every line with every mask seen anywhere in the output, not only the earlier ones. */
  retroactive?: boolean;
}

/**
 * The step's output with secrets replaced by `***` as the runner masks them:
 * each line with the values registered by `::add-mask::` commands the runner
 * executed up to and including that line (a mask inside a stop-commands block
 * is no command). Every line is kept, command lines too.
 */
export function maskedLog(output: string, options: MaskedLogOptions = {}): string {
  const masker = new SecretMasker(options.secrets ?? []);
  const log = new RunnerLog({ masker });
  const lines: string[] = [];
  let start = 0;
  const raw: string[] = [];
  for (let i = 0; i < output.length; i++) {
    const c = output.charCodeAt(i);
    if (c !== 0x0a && c !== 0x0d) continue;
    raw.push(output.slice(start, i));
    if (c === 0x0d && output.charCodeAt(i + 1) === 0x0a) i++;
    start = i + 1;
  }
  const trailing = start < output.length ? output.slice(start) : undefined;
  if (trailing !== undefined) raw.push(trailing);
  for (const line of raw) {
    log.processLine(line);
    lines.push(options.retroactive ? line : masker.mask(line));
  }
  const masked = options.retroactive ? lines.map((l) => masker.mask(l)) : lines;
  return masked.join('\n') + (trailing === undefined && raw.length > 0 ? '\n' : '');
}
