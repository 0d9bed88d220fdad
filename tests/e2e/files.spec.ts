/**
 * Files between two people through the real services (the bridge: real AppController, real
 * ParleyService, real sockets on 127.0.0.1, real files on disk): an offer card, Accept with the
 * keyboard, progress with speed and time left on both sides, Cancel mid-way, a picture sent by
 * drag-and-drop that arrives checked and previewed inline, Open and Show in folder, a pasted
 * picture that is declined. Screenshots of each state go to reports/screenshots/files-*.png.
 *
 * The OS side is the bridge's stand-in (bridge.ts `files`): main's file dialog answers the path a
 * test sets, and opening a file or a folder is recorded instead of done, because a test machine
 * has no desktop to open them on and a test must never launch programs. A dropped File is mapped
 * to its path the way the preload does it with webUtils.getPathForFile (by the File given to it).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import type { Locator, Page } from '@playwright/test';
import { test, expect, shot } from './support/fixtures.ts';
import { createIdentity, join as joinPeer, openConversation, startHosting } from './support/steps.ts';

/** A real PNG: a w×h RGB gradient (so the preview shows something recognisable). */
function makePng(w: number, h: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows: number[] = [];
  for (let y = 0; y < h; y++) {
    rows.push(0);
    for (let x = 0; x < w; x++) rows.push(Math.round((x / w) * 255), Math.round((y / h) * 200) + 40, 200);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.from(rows))), chunk('IEND', Buffer.alloc(0))]);
}

/** The few DOM names the page functions below use (this file is type-checked without the DOM library). */
type Dom = {
  readonly document: { querySelector(s: string): Target | null; readonly activeElement: Target | null };
  readonly DataTransfer: new () => { readonly items: { add(file: File): unknown } };
  readonly DragEvent: new (type: string, init: object) => unknown;
  readonly ClipboardEvent: new (type: string, init: object) => unknown;
};
type Target = { dispatchEvent(event: unknown): boolean };

const card = (pane: Locator, name: string): Locator => pane.getByTestId('file-card').filter({ has: pane.page().getByTestId('file-name').getByText(name, { exact: true }) });

/** Dispatches a drop of `name` (bytes) on the conversation, as a file dragged from the desktop would arrive. */
async function dropFile(page: Page, name: string, bytes: number[]): Promise<void> {
  await page.evaluate(
    ([fileName, data]) => {
      const g = globalThis as unknown as Dom;
      const target = g.document.querySelector('section.conversation') as Target;
      const dt = new g.DataTransfer();
      dt.items.add(new File([new Uint8Array(data as number[])], fileName as string, { type: 'image/png' }));
      for (const type of ['dragenter', 'dragover']) target.dispatchEvent(new g.DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
    },
    [name, bytes] as const,
  );
  await expect(page.getByTestId('drop-target')).toBeVisible();
  await expect(page.getByTestId('drop-target')).toHaveText('Drop to send to Alice');
  await shot(page, 'files-5-drop-target');
  await page.evaluate(
    ([fileName, data]) => {
      const g = globalThis as unknown as Dom;
      const target = g.document.querySelector('section.conversation') as Target;
      const dt = new g.DataTransfer();
      dt.items.add(new File([new Uint8Array(data as number[])], fileName as string, { type: 'image/png' }));
      target.dispatchEvent(new g.DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
    },
    [name, bytes] as const,
  );
}

test('files: offer, accept, progress, cancel, a dropped picture received with preview, open, show in folder, a pasted picture declined', async ({ people }) => {
  test.setTimeout(120_000);
  const work = await mkdtemp(join(tmpdir(), 'parley-e2e-files-'));
  try {
    const alice = await people.add('Alice');
    const bob = await people.add('Bob');
    await createIdentity(alice, 'Alice');
    await createIdentity(bob, 'Bob');
    const hosted = await startHosting(alice);
    await joinPeer(bob, hosted.invite, 'Alice');
    const withBob = await openConversation(alice, 'Bob');
    const withAlice = await openConversation(bob, 'Alice');
    const ap = alice.page;
    const bp = bob.page;

    // 1. Alice sends a small file through the attach button (main's dialog answers its path).
    const notes = join(work, 'meeting-notes.txt');
    await writeFile(notes, 'Agenda: files in Parley.\n'.repeat(40));
    alice.files.pick = notes;
    await ap.getByTestId('attach').click();
    const sent = card(withBob, 'meeting-notes.txt');
    await expect(sent).toHaveAttribute('data-state', 'offered');
    await expect(sent.getByTestId('file-status')).toHaveText('Waiting for Bob to accept');
    const offered = card(withAlice, 'meeting-notes.txt');
    await expect(offered).toHaveAttribute('data-state', 'offered');
    await expect(offered.getByTestId('file-status')).toHaveText('Alice wants to send you this file');
    await expect(offered).toContainText('1.0 kB');
    await shot(ap, 'files-1-offer-sent');
    await shot(bp, 'files-2-offer-received');

    // Bob accepts with the keyboard; the file arrives checked, byte for byte.
    await offered.getByRole('button', { name: 'Accept' }).focus();
    await bp.keyboard.press('Enter');
    await expect(offered).toHaveAttribute('data-state', 'done');
    await expect(offered.getByTestId('file-status')).toHaveText('Received and checked');
    await expect(sent.getByTestId('file-status')).toHaveText('Sent — Bob has it');
    const bobsCopy = join(bob.controller.defaultDownloadDir, 'meeting-notes.txt');
    expect(await readFile(bobsCopy, 'utf8')).toBe(await readFile(notes, 'utf8'));
    await shot(bp, 'files-3-received');

    // 2. A large file: progress with speed and time left on both sides, then Alice cancels it.
    const big = join(work, 'holiday-video.mp4');
    await writeFile(big, '');
    await truncate(big, 1536 * 1024 * 1024); // sparse: cheap to make, read at disk-cache speed
    alice.files.pick = big;
    await ap.getByTestId('attach').click();
    const bigOffer = card(withAlice, 'holiday-video.mp4');
    await expect(bigOffer).toHaveAttribute('data-state', 'offered', { timeout: 30_000 }); // Alice hashes it first
    await bigOffer.getByRole('button', { name: 'Accept' }).click();
    const bigSent = card(withBob, 'holiday-video.mp4');
    await expect(bigSent).toHaveAttribute('data-state', 'transferring');
    await expect(bigSent.getByTestId('file-status')).toHaveText(/^Sending \d+ % · .+ of 1\.6 GB · .+\/s · .+ left$/);
    await expect(bigOffer.getByTestId('file-status')).toHaveText(/^Receiving \d+ % · .+ of 1\.6 GB · .+\/s · .+ left$/);
    await shot(ap, 'files-4-progress-sending');
    await bigSent.getByRole('button', { name: 'Cancel' }).click();
    await expect(bigSent).toHaveAttribute('data-state', 'cancelled');
    await expect(bigSent.getByTestId('file-status')).toHaveText('You cancelled it');
    await expect(bigOffer).toHaveAttribute('data-state', 'cancelled');
    await expect(bigOffer.getByTestId('file-status')).toHaveText('Alice cancelled it');
    await shot(bp, 'files-4b-cancelled');

    // 3. Bob drops a picture on the conversation: a visible target, then the offer.
    const png = makePng(320, 200);
    const photo = join(work, 'sunset.png');
    await writeFile(photo, png);
    bob.files.dropFiles.set('sunset.png', photo);
    await dropFile(bp, 'sunset.png', [...png]);
    await expect(bp.getByTestId('drop-target')).toHaveCount(0);
    const photoIn = card(withBob, 'sunset.png');
    await expect(photoIn).toHaveAttribute('data-state', 'offered');
    await photoIn.getByRole('button', { name: 'Accept' }).click();
    await expect(photoIn).toHaveAttribute('data-state', 'done');
    const preview = photoIn.getByTestId('file-preview');
    await expect(preview).toBeVisible();
    await expect(preview).toHaveAttribute('src', /^blob:/);
    // The CSP lets the blob: picture load: it has its real size.
    await expect.poll(() => preview.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(320);
    const aliceCopy = join(alice.controller.defaultDownloadDir, 'sunset.png');
    expect(createHash('sha256').update(await readFile(aliceCopy)).digest('hex')).toBe(createHash('sha256').update(png).digest('hex'));
    await shot(ap, 'files-6-picture-preview', photoIn);

    // Open and Show in folder go through main, by message id: the bridge records what main would open.
    await photoIn.getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => alice.files.opened).toEqual([aliceCopy]);
    await photoIn.getByRole('button', { name: 'Show in folder' }).click();
    await expect.poll(() => alice.files.shown).toEqual([aliceCopy]);
    expect(alice.files.confirmAsked).toEqual([]); // a picture is not a type that runs code

    // 4. Alice pastes a picture; Bob declines it.
    await ap.getByTestId('composer').focus();
    await ap.evaluate((data) => {
      const g = globalThis as unknown as Dom;
      const dt = new g.DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], 'image.png', { type: 'image/png' }));
      g.document.activeElement?.dispatchEvent(new g.ClipboardEvent('paste', { bubbles: true, cancelable: true, clipboardData: dt }));
    }, [...makePng(48, 48)]);
    const pasted = withAlice.getByTestId('file-card').filter({ hasText: /^.*Pasted image/ }).last();
    await expect(pasted).toHaveAttribute('data-state', 'offered');
    await pasted.getByRole('button', { name: 'Decline' }).click();
    await expect(pasted).toHaveAttribute('data-state', 'declined');
    await expect(pasted.getByTestId('file-status')).toHaveText('You declined it');
    const pastedOut = withBob.getByTestId('file-card').filter({ hasText: 'Pasted image' }).last();
    await expect(pastedOut.getByTestId('file-status')).toHaveText('Bob declined it');
    await shot(ap, 'files-7-declined-sender');
    await shot(bp, 'files-8-declined-receiver');
    expect(alice.logs.filter((l) => l.startsWith('page error'))).toEqual([]);
    expect(bob.logs.filter((l) => l.startsWith('page error'))).toEqual([]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

test('files: waiting for an offline sender, a file changed after it was offered fails with why, a file over the size limit is declined by itself', async ({ people }) => {
  const work = await mkdtemp(join(tmpdir(), 'parley-e2e-files-'));
  try {
    const alice = await people.add('Alice');
    const bob = await people.add('Bob');
    await createIdentity(alice, 'Alice');
    await createIdentity(bob, 'Bob');
    const hosted = await startHosting(alice);
    await joinPeer(bob, hosted.invite, 'Alice');
    const withBob = await openConversation(alice, 'Bob');
    const withAlice = await openConversation(bob, 'Alice');
    const ap = alice.page;
    const bp = bob.page;

    // Alice offers a draft, then edits it before Bob accepts: the send stops, and both cards say why.
    const draft = join(work, 'draft.txt');
    await writeFile(draft, 'first version\n');
    alice.files.pick = draft;
    await ap.getByTestId('attach').click();
    const draftIn = card(withAlice, 'draft.txt');
    await expect(draftIn).toHaveAttribute('data-state', 'offered');
    await writeFile(draft, 'second version, longer\n');
    await draftIn.getByRole('button', { name: 'Accept' }).click();
    await expect(draftIn).toHaveAttribute('data-state', 'failed');
    await expect(draftIn.getByTestId('file-status')).toHaveText('Stopped: the file changed on Alice’s computer');
    await expect(card(withBob, 'draft.txt').getByTestId('file-status')).toHaveText('Stopped: the file changed on your disk after it was offered');
    await shot(bp, 'files-9-failed-changed');

    // Bob sets a size limit of 1 MiB in Settings (and picks another folder in main's dialog):
    // a 2 MB offer is declined by itself, with a note on both sides.
    await bp.getByTestId('nav-settings').click();
    const fileSettings = bp.getByTestId('file-settings');
    await expect(fileSettings.getByTestId('download-dir')).toHaveText(bob.controller.defaultDownloadDir);
    await expect(fileSettings.getByTestId('auto-accept')).not.toBeChecked();
    bob.files.folder = join(work, 'Bob incoming');
    await fileSettings.getByTestId('pick-download-dir').click();
    await expect(fileSettings.getByTestId('download-dir')).toHaveText(join(work, 'Bob incoming'));
    await fileSettings.getByTestId('max-file-size').fill('1');
    await fileSettings.getByRole('button', { name: 'Save limit' }).click();
    await expect(fileSettings).toContainText('Now: 1 MiB (1.0 MB).');
    await shot(bp, 'files-12-settings', fileSettings);
    await openConversation(bob, 'Alice');
    const big = join(work, 'scan.pdf');
    await writeFile(big, Buffer.alloc(2_000_000, 7));
    alice.files.pick = big;
    await ap.getByTestId('attach').click();
    await expect(card(withBob, 'scan.pdf').getByTestId('file-status')).toHaveText('Too large for Bob’s size limit');
    await expect(card(withAlice, 'scan.pdf').getByTestId('file-status')).toHaveText('Declined by itself: larger than your size limit in Settings');
    await shot(ap, 'files-10-too-large-sender');

    // An offer accepted while Alice is away waits, and arrives when she is back.
    const later = join(work, 'later.txt');
    await writeFile(later, 'for when you are back\n');
    alice.files.pick = later;
    await ap.getByTestId('attach').click();
    const laterIn = card(withAlice, 'later.txt');
    await expect(laterIn).toHaveAttribute('data-state', 'offered');
    await alice.quit();
    await expect(withAlice.getByTestId('presence')).toHaveText(/^Offline/);
    await laterIn.getByRole('button', { name: 'Accept' }).click();
    await expect(laterIn).toHaveAttribute('data-state', 'waiting');
    await expect(laterIn.getByTestId('file-status')).toHaveText('Accepted — waiting for Alice to be online');
    await shot(bp, 'files-11-waiting');
    await alice.launch();
    await startHosting(alice, hosted.port); // Bob's Parley rejoins her by itself
    await expect(laterIn).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    expect(await readFile(join(work, 'Bob incoming', 'later.txt'), 'utf8')).toBe('for when you are back\n'); // the folder Bob chose
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
