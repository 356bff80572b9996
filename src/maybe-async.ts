// Values that are ready at once on the common path (memory) and come from a lookup otherwise (DNS, a database):
// the synchronous path then costs no promise.
export type MaybePromise<T> = T | Promise<T>;

/** fn applied to value: at once when it is ready, once it resolves otherwise. */
export function andThen<T, U>(value: MaybePromise<T>, fn: (v: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}
