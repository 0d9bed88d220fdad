/**
 * VirtualList on its own: measured variable heights, the anchor kept when rows are added above or re-measured,
 * the hard cap on rendered rows, and sticking to the bottom. happy-dom has no layout, so row heights come from a
 * getBoundingClientRect stand-in that reports each row's own height (set per row by the test).
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { h } from 'vue';
import VirtualList from '../../src/renderer/src/components/VirtualList.vue';

type Row = { id: number };
let heightOf: (id: number) => number = () => 0;
const wrappers: VueWrapper[] = [];

beforeEach(() => {
  // Rows are the elements carrying data-index; their first child tells which item they show.
  vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockImplementation(function (this: HTMLElement) {
    const id = this.dataset.index === undefined ? NaN : Number((this.firstElementChild as HTMLElement | null)?.dataset.id);
    const height = Number.isNaN(id) ? 0 : heightOf(id);
    return { x: 0, y: 0, top: 0, left: 0, right: 0, bottom: height, width: 300, height, toJSON: () => ({}) } as DOMRect;
  });
});
afterEach(() => {
  while (wrappers.length > 0) wrappers.pop()?.unmount();
  vi.restoreAllMocks();
  heightOf = () => 0;
});

function rows(from: number, to: number): Row[] {
  return Array.from({ length: to - from }, (_, i) => ({ id: from + i }));
}

async function mountList(items: Row[], extra: Record<string, unknown> = {}): Promise<{ w: VueWrapper; el: HTMLElement }> {
  const w = mount(VirtualList, {
    attachTo: document.body,
    props: { items, itemKey: (r: unknown) => (r as Row).id, label: 'Rows', estimate: 50, overscan: 100, fallbackViewport: 500, ...extra },
    slots: { default: ({ item }: { item: unknown }) => h('div', { 'data-id': (item as Row).id, class: 'r' }, `row ${(item as Row).id}`) },
  }) as unknown as VueWrapper;
  wrappers.push(w);
  await flushPromises();
  await flushPromises();
  return { w, el: w.element as HTMLElement };
}

async function scrollTo(el: HTMLElement, top: number): Promise<void> {
  el.scrollTop = top;
  el.dispatchEvent(new Event('scroll'));
  await flushPromises();
  await flushPromises();
}

const ids = (w: VueWrapper): number[] => w.findAll('.r').map((r) => Number(r.attributes('data-id')));
const spacerHeight = (w: VueWrapper): number => parseFloat((w.get('.spacer').element as HTMLElement).style.height);

describe('VirtualList', () => {
  test('starts at the bottom and renders only the view plus overscan', async () => {
    const { w, el } = await mountList(rows(0, 1000));
    expect(spacerHeight(w)).toBe(1000 * 50);
    expect(el.scrollTop).toBe(1000 * 50 - 500);
    expect(ids(w)).toContain(999);
    expect(ids(w).length).toBeLessThanOrEqual(Math.ceil((500 + 200) / 50) + 2);
  });

  test('measured heights replace the estimate, and the row at the top of the view stays there', async () => {
    const { w, el } = await mountList(rows(0, 1000));
    await scrollTo(el, 25_000 + 12); // 12 px into row 500: nothing is measured yet, every row is estimated
    expect(ids(w)).toContain(500);
    // Layout arrives: rows turn out 20 to 50 px high. They are measured on the next render.
    heightOf = (id) => 20 + (id % 4) * 10;
    await w.setProps({ label: 'Rows, laid out' });
    await flushPromises();
    await flushPromises();
    // Row 500 is still 12 px above the top of the view: its top is the window's offset plus the rendered rows before it.
    const windowTop = parseFloat(/translateY\(([-\d.]+)px\)/.exec((w.get('.window').element as HTMLElement).style.transform)?.[1] ?? 'NaN');
    const before500 = ids(w).filter((id) => id < 500);
    const top500 = windowTop + before500.reduce((sum, id) => sum + heightOf(id), 0);
    expect(el.scrollTop).toBe(top500 + 12);
    expect(el.scrollTop).toBeLessThan(25_000 + 12); // rows above were smaller than the estimate: the offset moved up
    expect(spacerHeight(w)).toBeLessThan(1000 * 50);
    expect(spacerHeight(w)).toBeGreaterThan(1000 * 20);
  });

  test('rows added above keep the view on the same row (no jump)', async () => {
    const { w, el } = await mountList(rows(1000, 2000));
    await scrollTo(el, 10 * 50 + 7); // row 1010, 7 px into it
    await w.setProps({ items: [...rows(0, 1000), ...rows(1000, 2000)] });
    await flushPromises();
    expect(el.scrollTop).toBe(1010 * 50 + 7);
    expect(ids(w)).toContain(1010);
  });

  test('never renders more than maxRows, even with tiny rows', async () => {
    heightOf = () => 1;
    const { w, el } = await mountList(rows(0, 100_000), { estimate: 1, maxRows: 150, overscan: 2000 });
    expect(ids(w).length).toBeLessThanOrEqual(150);
    await scrollTo(el, 50_000);
    expect(ids(w).length).toBeLessThanOrEqual(150);
    expect(ids(w)).toContain(50_000);
  });

  test('follows appended rows at the bottom, and stays put when scrolled up', async () => {
    const { w, el } = await mountList(rows(0, 100));
    await w.setProps({ items: rows(0, 101) });
    await flushPromises();
    expect(el.scrollTop).toBe(101 * 50 - 500);
    await scrollTo(el, 1000);
    expect(w.emitted('at-bottom')?.at(-1)).toEqual([false]);
    await w.setProps({ items: rows(0, 105) });
    await flushPromises();
    expect(el.scrollTop).toBe(1000);
  });

  test('asks for older rows near the top', async () => {
    const { w, el } = await mountList(rows(0, 1000));
    expect(w.emitted('near-top')).toBeUndefined();
    await scrollTo(el, 100);
    expect(w.emitted('near-top')?.length).toBeGreaterThan(0);
  });
});

describe('row layout (the arithmetic behind the list)', () => {
  test('prepend and append give the same offsets as laying everything out at once', async () => {
    const { createRowLayout } = await import('../../src/renderer/src/lib/row-layout.ts');
    const a = createRowLayout(() => 50);
    const b = createRowLayout(() => 50);
    a.reset([5, 6, 7]);
    a.measure(1, 20);
    a.reflowFrom(1);
    a.prepend([1, 2, 3, 4]);
    a.append([8, 9]);
    b.reset([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    b.measure(5, 20); // key 6 at index 5
    b.reflowFrom(0);
    const tops = (l: typeof a): number[] => Array.from({ length: l.count() + 1 }, (_, i) => l.top(i));
    expect(tops(a)).toEqual(tops(b));
    expect(a.top(a.count())).toBe(8 * 50 + 20);
    expect(a.indexAt(-10)).toBe(0);
    expect(a.indexAt(5 * 50 + 19)).toBe(5);
    expect(a.indexAt(5 * 50 + 20)).toBe(6);
    expect(a.indexAt(1e9)).toBe(8);
    expect(a.find(6, [1, 5])).toBe(5);
    expect(a.find(9, [0])).toBe(8); // not where guessed: searched
    expect(a.measure(0, 0)).toBe(false); // zero height (no layout) keeps the estimate
    expect(a.measured(0)).toBe(false);
    expect(a.measured(5)).toBe(true);
  });
});
