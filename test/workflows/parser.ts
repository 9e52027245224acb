// GitHub's own workflow and action parser (@actions/workflow-parser), wrapped to
// return plain error messages.
//
// The package imports its JSON schemas without `with { type: 'json' }`, which
// Node 24 refuses. A module hook in this process serves those JSON files as ES
// modules, so the real package loads unchanged; the import below must therefore
// come after the hook (a dynamic import).

import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith('file:') && url.includes('/@actions/workflow-parser/') && url.endsWith('.json')) {
      const json = readFileSync(new URL(url), 'utf8');
      return { format: 'module', source: `export default ${json};`, shortCircuit: true };
    }
    return nextLoad(url, context);
  },
});

const workflows = await import('@actions/workflow-parser');
const actions = await import('@actions/workflow-parser/actions/index');

const trace = new workflows.NoOperationTraceWriter();

/** Errors GitHub would report for a workflow file: schema, expressions, then conversion. */
export async function workflowErrors(name: string, content: string): Promise<string[]> {
  const parsed = workflows.parseWorkflow({ name, content }, trace);
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (errors.length > 0 || parsed.value === undefined) return errors.length > 0 ? errors : [`${name}: no workflow`];
  const template = await workflows.convertWorkflowTemplate(parsed.context, parsed.value);
  return (template.errors ?? []).map((e) => e.Message);
}

/** Errors GitHub would report for an action.yml: schema and expressions, then conversion. */
export function actionErrors(name: string, content: string): string[] {
  const parsed = actions.parseAction({ name, content }, trace);
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (errors.length > 0 || parsed.value === undefined) return errors.length > 0 ? errors : [`${name}: no action`];
  actions.convertActionTemplate(parsed.context, parsed.value);
  return parsed.context.errors.getErrors().map((e) => e.message);
}
