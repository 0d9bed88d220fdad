/** Turns the first valibot issue of a failed wire schema into a short plain reason. */
import type * as v from 'valibot';

/** The reason for the first issue: its message, or "member X is missing" for an absent member. */
export function describeIssue(issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0];
  if (issue === undefined) return 'invalid';
  // valibot reports a missing member as an object-level issue whose input is undefined.
  if (issue.kind === 'schema' && issue.type === 'object' && issue.input === undefined) {
    return `member ${String(issue.path?.[0]?.key)} is missing`;
  }
  return issue.message;
}
