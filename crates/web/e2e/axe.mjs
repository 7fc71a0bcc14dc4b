// WCAG 2 A/AA checks with axe-core, shared by the flows of run.mjs and clinic.mjs. axe is injected through the
// DevTools protocol, so the page's context must bypass the app's CSP (`bypassCSP: true`); the app's strict CSP stays
// as it is for the pages under test.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
let source;

// The violations on the page `p` has open, one line each, labelled with `label`.
export async function axeViolations(p, label) {
  source ??= readFileSync(join(here, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  await p.evaluate(source);
  const result = await p.evaluate(async () => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  return result.violations.map((v) =>
    `${label}: ${v.id} (${v.impact}) × ${v.nodes.length}: ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}`);
}
