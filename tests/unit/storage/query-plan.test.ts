import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT_SQL } from '../../../src/core/storage/contacts-repo.ts';
import { MESSAGE_SQL } from '../../../src/core/storage/messages-repo.ts';
import { migrate } from '../../../src/core/storage/migrations.ts';


// A million messages over a thousand contacts, most with one busy peer: the plans must come from
// the indexes, with and without planner statistics (ANALYZE, which close() runs via PRAGMA optimize).
const MESSAGES = 1_000_000;
const CONTACTS = 1000;
const BUSY = 'b'.repeat(64);
let db: DatabaseSync;

beforeAll(() => {
  // In memory: the plans do not depend on the file, and a million rows fill in seconds instead of tens.
  db = new DatabaseSync(':memory:');
  migrate(db);
  // Bulk load without the message indexes, then rebuild them exactly as the migrations wrote them
  // (building an index once is several times faster than a million index inserts).
  const indexSql = db
    .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'messages' AND sql IS NOT NULL")
    .all()
    .map((row) => ({ name: String(row['name']), sql: String(row['sql']) }));
  expect(indexSql.length).toBe(4);
  // transfers references messages (peer, direction, id) through messages_by_id: without that index
  // SQLite refuses every write to messages ("foreign key mismatch"), so checks are off for the load.
  db.exec('PRAGMA foreign_keys = OFF');
  for (const { name } of indexSql) db.exec(`DROP INDEX ${name}`);
  db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${CONTACTS - 1})
    INSERT INTO contacts (fingerprint, public_key, name, name_key, last_address, first_seen, last_seen)
    SELECT printf('%064x', i), zeroblob(33), 'name ' || i, 'name ' || i, '10.0.' || (i / 250) || '.' || (i % 250) || ':47800', i, i FROM n;
    INSERT INTO contacts (fingerprint, public_key, name, name_key, first_seen, last_seen) VALUES ('${BUSY}', zeroblob(33), 'Busy', 'busy', 0, 0);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${MESSAGES})
    INSERT INTO messages (peer, id, direction, sent_ts, stored_at, delivered_at, state, text_box)
    SELECT CASE WHEN i % 4 = 0 THEN printf('%064x', i % ${CONTACTS - 1} + 1) ELSE '${BUSY}' END,
           printf('%08x-0000-4000-8000-000000000000', i),
           CASE WHEN i % 2 = 1 THEN 'in' ELSE 'out' END, i, i, i,
           CASE WHEN i % 2 = 0 AND i > ${MESSAGES - 50} THEN 'queued' ELSE 'delivered' END,
           zeroblob(48)
    FROM n;
  `);
  for (const { sql } of indexSql) db.exec(sql);
  db.exec('PRAGMA foreign_keys = ON');
}, 120_000);

afterAll(() => db.close());

function plan(sql: string): string[] {
  return db
    .prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .all()
    .map((row) => String(row['detail']));
}

const EXPECTED: Record<string, { sql: string; uses: string[] }> = {
  'messages.markSent': { sql: MESSAGE_SQL.markSent, uses: ['messages_by_id'] },
  'messages.markDelivered': { sql: MESSAGE_SQL.markDelivered, uses: ['messages_by_id'] },
  'messages.listUnacked': { sql: MESSAGE_SQL.listUnacked, uses: ['messages_unacked'] },
  'messages.latest': { sql: MESSAGE_SQL.latest, uses: ['messages_by_peer'] },
  'messages.before': { sql: MESSAGE_SQL.before, uses: ['messages_by_peer'] },
  'messages.count': { sql: MESSAGE_SQL.count, uses: ['COVERING INDEX messages_by_peer'] },
  'contacts.get': { sql: CONTACT_SQL.get, uses: ['sqlite_autoindex_contacts_1'] },
  'contacts.update': { sql: CONTACT_SQL.update, uses: ['sqlite_autoindex_contacts_1'] },
  'contacts.findByAddress': { sql: CONTACT_SQL.findByAddress, uses: ['contacts_by_address'] },
  'contacts.findByName': { sql: CONTACT_SQL.findByName, uses: ['contacts_by_name'] },
  'contacts.findByNameKey': { sql: CONTACT_SQL.findByNameKey, uses: ['contacts_by_name_key'] },
  'contacts.verify': { sql: CONTACT_SQL.verify, uses: ['sqlite_autoindex_contacts_1'] },
  'contacts.unverify': { sql: CONTACT_SQL.unverify, uses: ['sqlite_autoindex_contacts_1'] },
  'contacts.markReadUpTo': { sql: CONTACT_SQL.markReadUpTo, uses: ['sqlite_autoindex_contacts_1'] },
  'contacts.markReadAll': { sql: CONTACT_SQL.markReadAll, uses: ['sqlite_autoindex_contacts_1', 'COVERING INDEX messages_by_peer'] },
  'contacts.list': { sql: CONTACT_SQL.list, uses: ['INTEGER PRIMARY KEY', 'COVERING INDEX messages_by_peer', 'COVERING INDEX messages_unread'] },
};

describe.each([
  ['without statistics', false],
  ['after ANALYZE', true],
])('query plans over %s messages', (_label, analyze) => {
  beforeAll(() => {
    if (analyze) db.exec('ANALYZE');
  });

  it('every repository query that reads messages or contacts is an index search', () => {
    expect(Number(db.prepare('SELECT count(*) AS n FROM messages').get()?.['n'])).toBe(MESSAGES);
    for (const [name, { sql, uses }] of Object.entries(EXPECTED)) {
      const steps = plan(sql);
      const text = steps.join(' | ');
      for (const index of uses) expect([name, text]).toEqual([name, expect.stringContaining(index)]);
      // No full scan of messages, and no sorting of messages in a temporary b-tree.
      expect([name, steps.some((s) => /^SCAN (messages|m|l|u)\b/.test(s))]).toEqual([name, false]);
      if (name.startsWith('messages.')) expect([name, text.includes('TEMP B-TREE')]).toEqual([name, false]);
    }
    // The contact list scans contacts (it lists them all), never messages.
    expect(plan(CONTACT_SQL.list)[0]).toMatch(/^SCAN c\b/);
  });

  it('the queries return what the plans promise', () => {
    const reference = db
      .prepare("SELECT count(*) AS n FROM messages NOT INDEXED WHERE peer = ? AND direction = 'out' AND state <> 'delivered'")
      .get(BUSY)?.['n'];
    expect(reference).toBe(12);
    expect(db.prepare(MESSAGE_SQL.listUnacked).all(BUSY, 0, 1000).length).toBe(reference);
    const page = db.prepare(MESSAGE_SQL.before).all(BUSY, 500_000, 50);
    expect(page.length).toBe(50);
    expect(Number(page[0]?.['seq'])).toBe(499_999);
  });
});
