/**
 * Replies and reactions in a thread (PROTOCOL.md: the optional `reply` / `react` members of `msg`).
 * A reaction is a message whose text is the emoji; it is drawn under the message it reacts to, one per
 * sender (the latest wins), never as a bubble of its own.
 */
import type { Direction, MessageDto } from '../../../shared/dto.ts';

/** The few reactions the picker offers. */
export const REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;

/** One sender's reaction to a message. */
export type Reaction = { readonly from: Direction; readonly emoji: string };

/** Splits a thread into the messages to draw and the reactions per target id (one per sender, the latest). */
export function splitReactions(messages: readonly MessageDto[]): { shown: MessageDto[]; reactions: Map<string, Reaction[]> } {
  const shown: MessageDto[] = [];
  const latest = new Map<string, Map<Direction, string>>();
  for (const m of messages) {
    if (m.reactTo === null) {
      shown.push(m);
      continue;
    }
    const bySender = latest.get(m.reactTo) ?? new Map<Direction, string>();
    bySender.set(m.direction, m.text);
    latest.set(m.reactTo, bySender);
  }
  const reactions = new Map<string, Reaction[]>();
  for (const [id, bySender] of latest) reactions.set(id, [...bySender].map(([from, emoji]) => ({ from, emoji })));
  return { shown, reactions };
}

/** A one-line quote of a message for a reply preview. */
export function quoteOf(text: string, max = 140): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
