// Turns zod issues into the contract's `{ path, message }` list: one entry per field, the path
// dotted (`title.en`, `channels.0`), unknown keys named by their own path.
import type { z } from 'zod';

export interface FieldIssue {
  path: string;
  message: string;
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of issues) {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...base, key].join('.'), message: 'unknown field' });
      continue;
    }
    out.push({ path: base.join('.') || '(root)', message: issue.message });
  }
  return out;
}
