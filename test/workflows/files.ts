// The repository's workflow files, read and YAML-parsed for structural checks
// (GitHub's parser in parser.ts decides validity; these types only name what the
// tests look at).

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
export const workflowsDir = path.join(repoRoot, '.github', 'workflows');

export interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
}

export interface Job {
  if?: string;
  'runs-on'?: string;
  permissions?: Record<string, string>;
  'timeout-minutes'?: number;
  steps: Step[];
}

export interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean | string };
  jobs: Record<string, Job>;
}

export function workflowFiles(): string[] {
  return readdirSync(workflowsDir)
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .sort();
}

export function readText(relative: string): string {
  return readFileSync(path.join(repoRoot, relative), 'utf8');
}

export function readWorkflow(file: string): Workflow {
  return parse(readText(path.join('.github', 'workflows', file))) as Workflow;
}

export function allSteps(workflow: Workflow): Step[] {
  return Object.values(workflow.jobs).flatMap((job) => job.steps);
}

/** The one job of a workflow that has one (the examples do). */
export function onlyJob(workflow: Workflow): Job {
  const jobs = Object.values(workflow.jobs);
  if (jobs.length !== 1) throw new Error(`expected one job, found ${jobs.length}`);
  return jobs[0]!;
}
