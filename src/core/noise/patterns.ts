/**
 * Handshake patterns as data (spec section 7): pre-messages and the token list of each message.
 * Messages alternate between the parties, starting with the initiator (spec section 7.1), so a
 * message's direction is the parity of its index and is not stored.
 */

/** A token of a pre-message (spec section 7.1): a public key known before the handshake. */
export type PreMessageToken = 'e' | 's';

/** A token of a handshake message (spec section 7.1). PSK tokens are not supported. */
export type MessageToken = 'e' | 's' | 'ee' | 'es' | 'se' | 'ss';

/** One handshake pattern. */
export type HandshakePattern = {
  readonly name: PatternName;
  /** `-> ...` before the `...` line: keys of the initiator the responder knows beforehand. */
  readonly initiatorPreMessage: readonly PreMessageToken[];
  /** `<- ...` before the `...` line: keys of the responder the initiator knows beforehand. */
  readonly responderPreMessage: readonly PreMessageToken[];
  /** The messages; index 0 is sent by the initiator, 1 by the responder, and so on. */
  readonly messages: readonly (readonly MessageToken[])[];
  /** One-way patterns (spec section 7.4): a single message, transport only from the initiator. */
  readonly oneWay: boolean;
};

/** The one-way patterns of spec section 7.4. */
export const ONE_WAY_PATTERN_NAMES = ['N', 'K', 'X'] as const;

/** The 12 fundamental interactive patterns of spec section 7.5. */
export const INTERACTIVE_PATTERN_NAMES = ['NN', 'NK', 'NX', 'XN', 'XK', 'XX', 'KN', 'KK', 'KX', 'IN', 'IK', 'IX'] as const;

/** The name of a supported pattern. */
export type PatternName = (typeof ONE_WAY_PATTERN_NAMES)[number] | (typeof INTERACTIVE_PATTERN_NAMES)[number];

function pattern(
  name: PatternName,
  initiatorPreMessage: readonly PreMessageToken[],
  responderPreMessage: readonly PreMessageToken[],
  messages: readonly (readonly MessageToken[])[],
): HandshakePattern {
  return Object.freeze({
    name,
    initiatorPreMessage: Object.freeze([...initiatorPreMessage]),
    responderPreMessage: Object.freeze([...responderPreMessage]),
    messages: Object.freeze(messages.map((m) => Object.freeze([...m]))),
    oneWay: (ONE_WAY_PATTERN_NAMES as readonly string[]).includes(name),
  });
}

// Transcribed from spec sections 7.4 and 7.5; the comment above each is the spec's notation.
/** Every supported pattern by name. */
export const PATTERNS: Readonly<Record<PatternName, HandshakePattern>> = Object.freeze({
  // <- s  ...  -> e, es
  N: pattern('N', [], ['s'], [['e', 'es']]),
  // -> s  <- s  ...  -> e, es, ss
  K: pattern('K', ['s'], ['s'], [['e', 'es', 'ss']]),
  // <- s  ...  -> e, es, s, ss
  X: pattern('X', [], ['s'], [['e', 'es', 's', 'ss']]),
  // -> e  <- e, ee
  NN: pattern('NN', [], [], [['e'], ['e', 'ee']]),
  // <- s  ...  -> e, es  <- e, ee
  NK: pattern('NK', [], ['s'], [['e', 'es'], ['e', 'ee']]),
  // -> e  <- e, ee, s, es
  NX: pattern('NX', [], [], [['e'], ['e', 'ee', 's', 'es']]),
  // -> e  <- e, ee  -> s, se
  XN: pattern('XN', [], [], [['e'], ['e', 'ee'], ['s', 'se']]),
  // <- s  ...  -> e, es  <- e, ee  -> s, se
  XK: pattern('XK', [], ['s'], [['e', 'es'], ['e', 'ee'], ['s', 'se']]),
  // -> e  <- e, ee, s, es  -> s, se
  XX: pattern('XX', [], [], [['e'], ['e', 'ee', 's', 'es'], ['s', 'se']]),
  // -> s  ...  -> e  <- e, ee, se
  KN: pattern('KN', ['s'], [], [['e'], ['e', 'ee', 'se']]),
  // -> s  <- s  ...  -> e, es, ss  <- e, ee, se
  KK: pattern('KK', ['s'], ['s'], [['e', 'es', 'ss'], ['e', 'ee', 'se']]),
  // -> s  ...  -> e  <- e, ee, se, s, es
  KX: pattern('KX', ['s'], [], [['e'], ['e', 'ee', 'se', 's', 'es']]),
  // -> e, s  <- e, ee, se
  IN: pattern('IN', [], [], [['e', 's'], ['e', 'ee', 'se']]),
  // <- s  ...  -> e, es, s, ss  <- e, ee, se
  IK: pattern('IK', [], ['s'], [['e', 'es', 's', 'ss'], ['e', 'ee', 'se']]),
  // -> e, s  <- e, ee, se, s, es
  IX: pattern('IX', [], [], [['e', 's'], ['e', 'ee', 'se', 's', 'es']]),
});

/** Looks a pattern up by name; throws RangeError for an unknown or unsupported name. */
export function getPattern(name: string): HandshakePattern {
  if (!Object.hasOwn(PATTERNS, name)) throw new RangeError(`getPattern: unsupported pattern name ${JSON.stringify(name)}`);
  return PATTERNS[name as PatternName];
}
