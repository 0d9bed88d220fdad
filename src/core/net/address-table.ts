/** Items grouped by remote address, oldest first: the listener's per-address cap and its fairness rule. */
export class AddressTable<T> {
  readonly #byAddress = new Map<string, Set<T>>();

  /** How many items `address` has. */
  count(address: string): number {
    return this.#byAddress.get(address)?.size ?? 0;
  }

  add(address: string, item: T): void {
    const items = this.#byAddress.get(address) ?? new Set<T>();
    this.#byAddress.set(address, items.add(item));
  }

  /** Removes an item (idempotent); an address with none left is forgotten. */
  remove(address: string, item: T): void {
    const items = this.#byAddress.get(address);
    if (!items?.delete(item) || items.size > 0) return;
    this.#byAddress.delete(address);
  }

  /** The oldest item of `address` that satisfies `pred`, or null. */
  oldest(address: string, pred: (item: T) => boolean = () => true): T | null {
    for (const item of this.#byAddress.get(address) ?? []) if (pred(item)) return item;
    return null;
  }

  /** Every item, emptying the table. */
  drain(): T[] {
    const all = [...this.#byAddress.values()].flatMap((items) => [...items]);
    this.#byAddress.clear();
    return all;
  }
}
