// The deployment recipes of examples/deploy/, read by the tests that run them, so that what a user
// copies is what was tested.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The recipe `examples/deploy/<name>` with each `{{KEY}}` replaced by `values[KEY]`.
 * @throws Error when the recipe names a placeholder `values` lacks, or `values` one it lacks:
 * a recipe and its test cannot drift apart silently.
 */
export function recipe(name: string, values: Readonly<Record<string, string | number>>): string {
  // From test-support/ (the tests) or its dist/ (the bench's .mjs).
  const here = fileURLToPath(new URL('.', import.meta.url)).replace(/dist\/$/, '');
  const path = `${here}../examples/deploy/${name}`;
  const text = readFileSync(path, 'utf8');
  const named = new Set([...text.matchAll(/\{\{([A-Z0-9_]+)\}\}/g)].map((match) => match[1]!));
  const missing = [...named].filter((key) => !(key in values));
  const unused = Object.keys(values).filter((key) => !named.has(key));
  if (missing.length > 0 || unused.length > 0) {
    throw new Error(`examples/deploy/${name}: placeholders without a value: [${missing.join(', ')}]; values without a placeholder: [${unused.join(', ')}]`);
  }
  return text.replace(/\{\{([A-Z0-9_]+)\}\}/g, (_, key: string) => String(values[key]));
}
