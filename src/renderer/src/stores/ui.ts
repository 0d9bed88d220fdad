/** Where the user is: which pane is open, which conversation, and which contact the verify dialog shows. */
import { ref } from 'vue';
import { defineStore } from 'pinia';

/** The panes of the main window. */
export type Section = 'welcome' | 'conversation' | 'host' | 'join' | 'settings' | 'search';

/** Navigation state; there is no router because there are no URLs to keep. */
export const useUiStore = defineStore('ui', () => {
  const section = ref<Section>('welcome');
  const selectedPeer = ref<string | null>(null);
  const verifyPeer = ref<string | null>(null);

  function openConversation(fp: string): void {
    selectedPeer.value = fp;
    section.value = 'conversation';
  }

  function openSection(s: Exclude<Section, 'conversation'>): void {
    section.value = s;
  }

  function openVerify(fp: string): void {
    verifyPeer.value = fp;
  }

  function closeVerify(): void {
    verifyPeer.value = null;
  }

  /** True while the conversation with fp is on screen. */
  function isShowing(fp: string): boolean {
    return section.value === 'conversation' && selectedPeer.value === fp;
  }

  return { section, selectedPeer, verifyPeer, openConversation, openSection, openVerify, closeVerify, isShowing };
});
