/** Keeps keyboard focus inside a dialog while it is open, and gives it back where it was on close. */
import { nextTick, onBeforeUnmount, onMounted, type Ref } from 'vue';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** The focusable elements inside root, in tab order. */
export function focusableIn(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => !el.hasAttribute('inert'));
}

/** Traps Tab inside `root` from mount to unmount; focuses `initial` (or the first control) on open. */
export function useFocusTrap(root: Ref<HTMLElement | null>, initial?: Ref<HTMLElement | null>): { onKeydown: (e: KeyboardEvent) => void } {
  let returnTo: HTMLElement | null = null;

  onMounted(async () => {
    returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    await nextTick();
    const el = root.value;
    if (el === null) return;
    (initial?.value ?? focusableIn(el)[0] ?? el).focus();
  });

  onBeforeUnmount(() => {
    if (returnTo?.isConnected) returnTo.focus();
  });

  function onKeydown(e: KeyboardEvent): void {
    const el = root.value;
    if (e.key !== 'Tab' || el === null) return;
    const items = focusableIn(el);
    const first = items[0];
    const last = items.at(-1);
    if (first === undefined || last === undefined) {
      e.preventDefault();
      return;
    }
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  }

  return { onKeydown };
}
