// A light check of the json-schema input before a paid run.
import { isObject, type Fail } from './parse.ts';

const SCHEMA_TYPES = ['object', 'array', 'string', 'number', 'integer', 'boolean', 'null'];

/** A light check that catches the usual mistakes (not JSON, not an object, a misspelt type) before a paid run. */
export function checkJsonSchema(text: string, fail: Fail): void {
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (err) {
    fail(`json-schema is not valid JSON: ${(err as Error).message}`);
    return;
  }
  if (!isObject(schema)) {
    fail('json-schema must be a JSON Schema object such as {"type":"object","properties":{...}}.');
    return;
  }
  const problems: string[] = [];
  const visit = (node: unknown, path: string) => {
    if (!isObject(node)) return;
    const type = node.type;
    const types = Array.isArray(type) ? type : type === undefined ? [] : [type];
    for (const t of types) {
      if (typeof t !== 'string' || !SCHEMA_TYPES.includes(t)) {
        problems.push(`${path}.type ${JSON.stringify(t)} is not one of ${SCHEMA_TYPES.join(', ')}`);
      }
    }
    if (node.properties !== undefined) {
      if (!isObject(node.properties)) problems.push(`${path}.properties must be an object`);
      else for (const [k, v] of Object.entries(node.properties)) visit(v, `${path}.properties.${k}`);
    }
    if (node.required !== undefined && !(Array.isArray(node.required) && node.required.every((r) => typeof r === 'string'))) {
      problems.push(`${path}.required must be an array of property names`);
    }
    if (node.items !== undefined) visit(node.items, `${path}.items`);
  };
  visit(schema, '$');
  if (problems.length > 0) fail(`json-schema is not a valid JSON Schema: ${problems.slice(0, 3).join('; ')}.`);
}
