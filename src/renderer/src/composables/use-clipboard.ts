/** Copying text with navigator.clipboard, with a short-lived "copied" state for feedback. */
import { onBeforeUnmount, ref, type Ref } from 'vue';

/** What useClipboard gives a component. */
export type Clipboard = {
  readonly copied: Ref<boolean>;
  readonly failed: Ref<boolean>;
  readonly copy: (text: string) => Promise<boolean>;
};

const FEEDBACK_MS = 2000;

/** Copies text; `copied` is true for two seconds after success, `failed` after a refusal. */
export function useClipboard(): Clipboard {
  const copied = ref(false);
  const failed = ref(false);
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function copy(text: string): Promise<boolean> {
    clearTimeout(timer);
    try {
      await navigator.clipboard.writeText(text);
      copied.value = true;
      failed.value = false;
    } catch {
      copied.value = false;
      failed.value = true;
    }
    timer = setTimeout(() => {
      copied.value = false;
      failed.value = false;
    }, FEEDBACK_MS);
    return copied.value;
  }

  onBeforeUnmount(() => clearTimeout(timer));
  return { copied, failed, copy };
}
