/**
 * Files in the conversation: the card in each state (offered, waiting, sending n %, received,
 * declined, cancelled, failed with its reason in plain words), the progress maths (speed, time
 * left), the buttons and their calls, keyboard access (every action is a real button reached by
 * Tab), the inline preview of a received picture, drag-and-drop with its visible target, paste of
 * a picture, and the files settings. The API is the in-memory stand-in of helpers/fake-api.ts,
 * whose arguments are checked against the contract's schemas; the real core runs in e2e.
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import ConversationView from '../../src/renderer/src/views/ConversationView.vue';
import FileSettings from '../../src/renderer/src/components/FileSettings.vue';
import { useContactsStore } from '../../src/renderer/src/stores/contacts.ts';
import { useSettingsStore } from '../../src/renderer/src/stores/settings.ts';
import { routeEvents } from '../../src/renderer/src/stores/event-router.ts';
import { addSample, describeEnd, fileKind, percent, RATE_WINDOW_MS, speedOf, statusLine, timeLeft } from '../../src/renderer/src/lib/file-card.ts';
import type { FileDto, MessageDto } from '../../src/shared/dto.ts';
import { cleanup, freshPinia, mountWith } from './helpers/mount.ts';
import { contact, createFakeApi, fp, NOW, type FakeApi } from './helpers/fake-api.ts';

const BOB = fp('b0');
let api = undefined as unknown as FakeApi; // set by each test that mounts

beforeAll(() => {
  // happy-dom has no object URLs; the card only needs a string to put in <img src>.
  let n = 0;
  URL.createObjectURL = () => `blob:app://parley/preview-${++n}`;
  URL.revokeObjectURL = () => undefined;
});

afterEach(() => {
  expect((api as FakeApi | undefined)?.violations ?? []).toEqual([]);
  cleanup();
});

const id = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function offer(n: number, direction: 'in' | 'out', name: string, file: Partial<FileDto> = {}): MessageDto {
  const size = file.size ?? 10_000_000;
  return {
    peer: BOB, key: BOB, replyTo: null, reactTo: null, id: id(n), seq: n, direction, ts: NOW, storedAt: NOW, text: name, state: 'delivered', kind: 'file',
    file: { name, size, sha256: '0'.repeat(64), state: 'offered', bytes: 0, reason: null, endedBy: null, path: null, ...file },
  };
}

async function open(messages: MessageDto[]): Promise<VueWrapper> {
  api = createFakeApi();
  api.state.contacts.set(BOB, contact({ fingerprint: BOB, name: 'Bob' }));
  api.state.messages.set(BOB, messages);
  const pinia = freshPinia(api);
  await useContactsStore().load();
  routeEvents(api);
  const w = mountWith(ConversationView, pinia, { props: { peer: BOB }, attachTo: document.body });
  await flushPromises();
  await flushPromises();
  return w;
}

const card = (w: VueWrapper, n: number) => w.get(`[data-testid="message"][data-seq="${n}"] [data-testid="file-card"]`);
const buttons = (w: VueWrapper, n: number): string[] => card(w, n).findAll('button').map((b) => b.text());

describe('progress maths', () => {
  test('speed over the last few seconds, time left at that speed, percent never 100 before the end', () => {
    let s = addSample([], { at: 0, bytes: 0 });
    expect(speedOf(s)).toBeNull(); // one sample: no speed yet
    s = addSample(s, { at: 1000, bytes: 2_000_000 });
    s = addSample(s, { at: 2000, bytes: 4_000_000 });
    expect(speedOf(s)).toBe(2_000_000);
    expect(timeLeft(10_000_000, 4_000_000, speedOf(s))).toBe(3);
    // Old samples leave the window: the speed follows a slow-down.
    s = addSample(s, { at: 2000 + RATE_WINDOW_MS, bytes: 4_500_000 });
    s = addSample(s, { at: 3000 + RATE_WINDOW_MS, bytes: 5_000_000 });
    expect(s.map((x) => x.at)).toEqual([2000, 2000 + RATE_WINDOW_MS, 3000 + RATE_WINDOW_MS]); // the baseline just inside the window
    expect(speedOf(s)).toBeCloseTo(1_000_000 / ((1000 + RATE_WINDOW_MS) / 1000));
    expect(speedOf(s)).toBeLessThan(1_000_000);
    // A resumed transfer (bytes going back) starts a new measurement instead of a negative speed.
    s = addSample(s, { at: 10_000, bytes: 100 });
    expect(s).toEqual([{ at: 10_000, bytes: 100 }]);
    expect(timeLeft(10, 5, 0)).toBeNull();
    expect(timeLeft(10, 5, null)).toBeNull();
    expect([percent(0, 10), percent(5, 10), percent(9_999, 10_000), percent(10, 10), percent(0, 0)]).toEqual([0, 50, 99, 99, 0]);
  });

  test('the status line says the state in words, with speed and time left while moving', () => {
    const f: FileDto = { name: 'a.zip', size: 10_000_000, sha256: '', state: 'transferring', bytes: 4_000_000, reason: null, endedBy: null, path: null };
    expect(statusLine(f, 'out', 'Bob', [{ at: 0, bytes: 0 }, { at: 2000, bytes: 4_000_000 }])).toBe('Sending 40 % · 4.0 MB of 10.0 MB · 2.0 MB/s · a few seconds left');
    expect(statusLine({ ...f, bytes: 1_000_000 }, 'in', 'Bob', [{ at: 0, bytes: 0 }, { at: 10_000, bytes: 1_000_000 }])).toBe('Receiving 10 % · 1.0 MB of 10.0 MB · 100 kB/s · 2 minutes left');
    expect(statusLine({ ...f, state: 'offered' }, 'in', 'Bob', [])).toBe('Bob wants to send you this file');
    expect(statusLine({ ...f, state: 'offered' }, 'out', 'Bob', [])).toBe('Waiting for Bob to accept');
    expect(statusLine({ ...f, state: 'done' }, 'in', 'Bob', [])).toBe('Received and checked');
    expect(describeEnd({ state: 'failed', reason: 'no-space', endedBy: 'local' }, 'in', 'Bob')).toBe('Stopped: the disk is full. Nothing was kept under its name');
    expect(describeEnd({ state: 'declined', reason: 'too-large', endedBy: 'local' }, 'in', 'Bob')).toMatch(/size limit in Settings/);
    expect(describeEnd({ state: 'declined', reason: 'declined', endedBy: 'peer' }, 'out', 'Bob')).toBe('Bob declined it');
    expect(fileKind('holiday.JPG')).toBe('image');
    expect(fileKind('setup.exe')).toBe('program');
    expect(fileKind('README')).toBe('other');
  });
});

describe('the file card in each state', () => {
  test('each state shows its words and only the buttons that apply', async () => {
    const w = await open([
      offer(1, 'in', 'holiday.zip'),
      offer(2, 'out', 'report.pdf'),
      offer(3, 'in', 'video.mp4', { state: 'waiting', bytes: 0 }),
      offer(4, 'out', 'big.iso', { state: 'transferring', bytes: 2_500_000 }),
      offer(5, 'in', 'notes.txt', { state: 'done', bytes: 10_000_000 }),
      offer(6, 'out', 'old.doc', { state: 'declined', reason: 'declined', endedBy: 'peer' }),
      offer(7, 'in', 'song.mp3', { state: 'cancelled', reason: 'cancelled', endedBy: 'peer' }),
      offer(8, 'in', 'data.csv', { state: 'failed', reason: 'corrupt', endedBy: 'local' }),
    ]);
    const status = (n: number) => card(w, n).get('[data-testid="file-status"]').text();
    expect(card(w, 1).attributes('data-state')).toBe('offered');
    expect(card(w, 1).text()).toContain('holiday.zip');
    expect(card(w, 1).text()).toContain('10.0 MB');
    expect(card(w, 1).find('[data-kind="archive"]').exists()).toBe(true);
    expect(buttons(w, 1)).toEqual(['Accept', 'Decline']);
    expect(status(2)).toBe('Waiting for Bob to accept');
    expect(buttons(w, 2)).toEqual(['Cancel offer']);
    expect(status(3)).toBe('Accepted — waiting for Bob to be online');
    expect(card(w, 3).find('[role="progressbar"]').exists()).toBe(true);
    expect(buttons(w, 3)).toEqual(['Cancel']);
    expect(status(4)).toBe('Sending 25 % · 2.5 MB of 10.0 MB');
    expect(card(w, 4).get('[role="progressbar"]').attributes('aria-valuenow')).toBe('25');
    expect(status(5)).toBe('Received and checked');
    expect(buttons(w, 5)).toEqual(['Open', 'Show in folder']);
    expect(status(6)).toBe('Bob declined it');
    expect(buttons(w, 6)).toEqual([]);
    expect(status(7)).toBe('Bob cancelled it');
    expect(status(8)).toBe('Failed: what arrived did not match the file sent (checked with SHA-256). Nothing was kept');
    expect(buttons(w, 8)).toEqual([]);
  });

  test('events move a card: accepted → sending n % with speed → received; cancelled says who', async () => {
    const w = await open([offer(1, 'out', 'report.pdf'), offer(2, 'in', 'x.bin')]);
    api.emit({ type: 'file-accepted', peer: BOB, id: id(1), direction: 'out', offset: 0, size: 10_000_000 });
    await flushPromises();
    expect(card(w, 1).attributes('data-state')).toBe('waiting');
    api.emit({ type: 'file-progress', peer: BOB, id: id(1), direction: 'out', bytes: 5_000_000, size: 10_000_000 });
    await flushPromises();
    expect(card(w, 1).attributes('data-state')).toBe('transferring');
    expect(card(w, 1).get('[data-testid="file-status"]').text()).toMatch(/^Sending 50 % · 5\.0 MB of 10\.0 MB/);
    // Bob goes offline mid-way: the card waits (the core resumes when he is back).
    api.emit({ type: 'disconnected', peer: BOB, reason: 'closed' });
    await flushPromises();
    expect(card(w, 1).attributes('data-state')).toBe('waiting');
    api.emit({ type: 'file-progress', peer: BOB, id: id(1), direction: 'out', bytes: 6_000_000, size: 10_000_000 });
    await flushPromises();
    expect(card(w, 1).attributes('data-state')).toBe('transferring');
    api.emit({ type: 'file-sent', peer: BOB, id: id(1) });
    await flushPromises();
    expect(card(w, 1).get('[data-testid="file-status"]').text()).toBe('Sent — Bob has it');
    api.emit({ type: 'file-cancelled', peer: BOB, id: id(2), direction: 'in', reason: 'no-space', by: 'local' });
    await flushPromises();
    expect(card(w, 2).attributes('data-state')).toBe('failed');
    expect(card(w, 2).get('[data-testid="file-status"]').text()).toMatch(/disk is full/);
  });

  test('a transfer begun under Bob\'s earlier key moves its card in his one thread', async () => {
    const OLD = fp('b1'); // Bob's previous key: the offer was made to it, the thread is his current key's
    const w = await open([{ ...offer(1, 'out', 'old.pdf'), key: OLD }]);
    api.emit({ type: 'file-progress', peer: OLD, id: id(1), direction: 'out', bytes: 2_500_000, size: 10_000_000 });
    await flushPromises();
    expect(card(w, 1).attributes('data-state')).toBe('transferring');
    expect(card(w, 1).get('[data-testid="file-status"]').text()).toMatch(/^Sending 25 %/);
    api.emit({ type: 'file-sent', peer: OLD, id: id(1) });
    await flushPromises();
    expect(card(w, 1).attributes('data-state')).toBe('done');
  });

  test('Accept, Decline, Cancel, Open and Show in folder call main by message id; an error shows on the card', async () => {
    const w = await open([offer(1, 'in', 'a.zip'), offer(2, 'in', 'b.zip'), offer(3, 'out', 'c.zip', { state: 'transferring', bytes: 1 }), offer(4, 'in', 'd.txt', { state: 'done' })]);
    await card(w, 1).get('[data-testid="file-accept"]').trigger('click');
    await card(w, 2).get('[data-testid="file-decline"]').trigger('click');
    await card(w, 3).get('[data-testid="file-cancel"]').trigger('click');
    await card(w, 4).get('[data-testid="file-open"]').trigger('click');
    await card(w, 4).get('[data-testid="file-show"]').trigger('click');
    await flushPromises();
    expect(api.callsOf('acceptFile')).toEqual([[id(1)]]);
    expect(card(w, 1).attributes('data-state')).toBe('waiting'); // no event follows while the sender is away
    expect(api.callsOf('cancelFile')).toEqual([[id(2)], [id(3)]]);
    expect(api.callsOf('openFile')).toEqual([[BOB, id(4)]]);
    expect(api.callsOf('showFileInFolder')).toEqual([[BOB, id(4)]]);
    cleanup();
    const w2 = await open([offer(5, 'in', 'e.zip')]);
    api.override('acceptFile', () => ({ ok: false, error: { code: 'bad-input', message: 'the download folder cannot be created' } }));
    await card(w2, 5).get('[data-testid="file-accept"]').trigger('click');
    await flushPromises();
    expect(card(w2, 5).get('[data-testid="file-error"]').text()).toBe('the download folder cannot be created');
    expect(card(w2, 5).attributes('data-state')).toBe('offered');
  });

  test('keyboard: every action is a button in the Tab order, with a name', async () => {
    const w = await open([offer(1, 'in', 'a.zip'), offer(2, 'in', 'd.txt', { state: 'done' })]);
    for (const b of [...card(w, 1).findAll('button'), ...card(w, 2).findAll('button'), w.get('[data-testid="attach"]')]) {
      const el = b.element as HTMLButtonElement;
      expect(el.tagName).toBe('BUTTON');
      expect(el.tabIndex).toBe(0);
      expect(el.disabled).toBe(false);
      expect((el.getAttribute('aria-label') ?? el.textContent ?? '').trim()).not.toBe('');
    }
    expect(w.get('[data-testid="attach"]').attributes('aria-label')).toBe('Send a file to Bob');
    expect(card(w, 1).attributes('role')).toBe('group');
    expect(card(w, 1).attributes('aria-label')).toBe('File from Bob: a.zip');
  });

  test('a received picture is previewed from the bytes main serves, as a blob: URL; other files are not asked for', async () => {
    const w = await open([offer(1, 'in', 'photo.png', { state: 'done' }), offer(2, 'in', 'notes.txt', { state: 'done' }), offer(3, 'in', 'later.png')]);
    await flushPromises();
    expect(api.callsOf('previewFile')).toEqual([[BOB, id(1)]]);
    const img = card(w, 1).get('[data-testid="file-preview"]');
    expect(img.attributes('src')).toMatch(/^blob:/);
    expect(img.attributes('alt')).toBe('Picture: photo.png');
    expect(card(w, 3).find('[data-testid="file-preview"]').exists()).toBe(false);
  });
});

describe('sending', () => {
  test('the attach button asks main to pick and send; the offer joins the conversation', async () => {
    const w = await open([]);
    await w.get('[data-testid="attach"]').trigger('click');
    await flushPromises();
    expect(api.callsOf('pickAndSendFile')).toEqual([[BOB]]);
    expect(w.text()).toContain('report.pdf');
  });

  test('dropping files shows a target while dragging and sends each through a preload token, never a path', async () => {
    const w = await open([]);
    const section = w.get('section.conversation');
    const files = [new File(['abc'], 'dropped.txt')];
    const transfer = { types: ['Files'], files, dropEffect: 'none' };
    const dragEvent = (type: string) => Object.assign(new Event(type, { bubbles: true, cancelable: true }), { dataTransfer: transfer });
    section.element.dispatchEvent(dragEvent('dragenter'));
    await flushPromises();
    expect(w.find('[data-testid="drop-target"]').exists()).toBe(true);
    expect(w.get('[data-testid="drop-target"]').text()).toBe('Drop to send to Bob');
    section.element.dispatchEvent(dragEvent('drop'));
    await flushPromises();
    expect(w.find('[data-testid="drop-target"]').exists()).toBe(false);
    expect(api.callsOf('sendDroppedFile')).toEqual([[BOB, 'token-1']]);
    expect(w.text()).toContain('dropped.txt');
  });

  test('pasting a picture sends its bytes to main; pasted text is left to the box', async () => {
    const w = await open([]);
    const box = w.get('[data-testid="composer"]');
    const png = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])], 'image.png', { type: 'image/png' });
    const paste = (items: unknown[]) => Object.assign(new Event('paste', { bubbles: true, cancelable: true }), { clipboardData: { items } });
    const textPaste = paste([{ kind: 'string', type: 'text/plain', getAsFile: () => null }]);
    box.element.dispatchEvent(textPaste);
    expect(textPaste.defaultPrevented).toBe(false);
    const imagePaste = paste([{ kind: 'file', type: 'image/png', getAsFile: () => png }]);
    box.element.dispatchEvent(imagePaste);
    expect(imagePaste.defaultPrevented).toBe(true);
    await flushPromises();
    await flushPromises();
    const [[peer, image]] = api.callsOf('sendPastedImage') as [[string, { type: string; bytes: Uint8Array }]];
    expect(peer).toBe(BOB);
    expect(image.type).toBe('image/png');
    expect([...image.bytes]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // An SVG (it can carry script) is not sent as a picture.
    const svg = new File(['<svg/>'], 'x.svg', { type: 'image/svg+xml' });
    box.element.dispatchEvent(paste([{ kind: 'file', type: 'image/svg+xml', getAsFile: () => svg }]));
    await flushPromises();
    expect(api.callsOf('sendPastedImage')).toHaveLength(1);
    expect(w.get('[data-testid="send-error"]').text()).toMatch(/PNG, JPEG, GIF and WebP/);
  });
});

describe('files settings', () => {
  test('the folder is chosen in main\'s dialog; the size cap and auto-accept are saved', async () => {
    api = createFakeApi();
    const pinia = freshPinia(api);
    await useSettingsStore().load();
    const w = mountWith(FileSettings, pinia, {});
    await flushPromises();
    expect(w.get('[data-testid="download-dir"]').text()).toBe('/home/alice/Downloads/Parley');
    expect(w.text()).toContain('Now: 4,096 MiB (4.3 GB)');
    expect((w.get('[data-testid="auto-accept"]').element as HTMLInputElement).checked).toBe(false);
    await w.get('[data-testid="pick-download-dir"]').trigger('click');
    await flushPromises();
    expect(api.callsOf('pickDownloadDir')).toEqual([[]]);
    expect(w.get('[data-testid="download-dir"]').text()).toBe('/media/usb/Incoming');
    await w.get('[data-testid="max-file-size"]').setValue('2048');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(api.callsOf('updateSettings')).toEqual([[{ maxFileSize: 2 * 1024 ** 3 }]]);
    await w.get('[data-testid="auto-accept"]').setValue(true);
    await flushPromises();
    expect(api.callsOf('updateSettings')[1]).toEqual([{ autoAcceptVerified: true }]);
  });
});
