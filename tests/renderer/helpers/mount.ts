/** Mounting components for tests: a fresh Pinia, the fake API injected in place of window.parley. */
import { mount, type ComponentMountingOptions, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import type { Component } from 'vue';
import { setParleyApi } from '../../../src/renderer/src/api/parley.ts';
import type { FakeApi } from './fake-api.ts';

const mounted: VueWrapper[] = [];

/** A fresh Pinia made active, with `api` as the renderer's API. */
export function freshPinia(api: FakeApi): Pinia {
  const pinia = createPinia();
  setActivePinia(pinia);
  setParleyApi(api);
  return pinia;
}

/** Mounts a component attached to the document (so focus and scrolling behave) with the given Pinia. */
export function mountWith<C extends Component>(component: C, pinia: Pinia, options: ComponentMountingOptions<C> = {} as ComponentMountingOptions<C>): VueWrapper {
  const el = document.createElement('div');
  document.body.appendChild(el);
  const wrapper = mount(component, { ...options, attachTo: el, global: { ...(options.global ?? {}), plugins: [pinia] } } as ComponentMountingOptions<C>) as unknown as VueWrapper;
  mounted.push(wrapper);
  return wrapper;
}

/** Unmounts everything mounted by mountWith and forgets the injected API (call in afterEach). */
export function cleanup(): void {
  while (mounted.length > 0) mounted.pop()?.unmount();
  document.body.innerHTML = '';
  setParleyApi(null);
}
