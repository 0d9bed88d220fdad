/**
 * How a reaction reads where a conversation is summed up in one line (the sidebar preview): what it is
 * and what it answers — "Reacted 👍 to “See you at 8”" — never a bare emoji that looks like a message.
 * Shared so that the core's contact summary and the renderer say it the same way.
 */

/** Longest quote of the message reacted to, in code points (the sidebar shows one short line). */
export const REACTION_QUOTE_MAX = 40;

/** The one-line preview of a reaction `emoji` to a message whose text is `target` (null: it is not stored here). */
export function reactionPreview(emoji: string, target: string | null): string {
  if (target === null) return `Reacted ${emoji}`;
  const line = [...target.replace(/\s+/g, ' ').trim()];
  const quote = line.length > REACTION_QUOTE_MAX ? `${line.slice(0, REACTION_QUOTE_MAX - 1).join('')}…` : line.join('');
  return `Reacted ${emoji} to “${quote}”`;
}
