/** Short messages for the user (a polite live region): confirmations fade, errors stay until dismissed. */
import { ref } from 'vue';
import { defineStore } from 'pinia';

/** One notice. */
export type Notice = { readonly id: number; readonly kind: 'info' | 'error'; readonly title: string; readonly text: string };

const INFO_MS = 6000;

/** The notices store. */
export const useNoticesStore = defineStore('notices', () => {
  const items = ref<Notice[]>([]);
  let next = 1;

  function dismiss(id: number): void {
    items.value = items.value.filter((n) => n.id !== id);
  }

  function push(kind: Notice['kind'], title: string, text = ''): number {
    const id = next++;
    items.value = [...items.value.slice(-4), { id, kind, title, text }];
    if (kind === 'info') setTimeout(() => dismiss(id), INFO_MS);
    return id;
  }

  return { items, push, dismiss };
});
