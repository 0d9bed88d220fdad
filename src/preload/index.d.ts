import type { ParleyApi } from '../shared/api.ts';

declare global {
  interface Window {
    readonly parley: ParleyApi;
  }
}

export {};
