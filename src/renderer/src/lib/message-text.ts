/** What the composer sends: the text the user typed, made acceptable to the messages:send schema. */
import { MAX_TEXT_CODE_POINTS, countCodePoints } from '../../../shared/text.ts';

/** CRLF and CR become LF; other control characters (which the API refuses) are dropped; tabs stay. */
export function normaliseOutgoing(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}

/** Why the text cannot be sent as it is, or null when it can. */
export function outgoingProblem(text: string): string | null {
  if (text.trim() === '') return 'empty';
  const n = countCodePoints(text);
  if (n > MAX_TEXT_CODE_POINTS) return `This message has ${n.toLocaleString()} characters; the limit is ${MAX_TEXT_CODE_POINTS.toLocaleString()}.`;
  return null;
}
