// What the frame shows beside a page (the menu's counts, the bell) waits until the page's own
// lists have had their turn: the app's workers are few, and a page's data comes first.
export const FIRST_LISTS_MS = 1000;

/** Runs fn once the page's first lists have been asked for and most likely answered. */
export function afterFirstLists(fn) {
  return setTimeout(fn, FIRST_LISTS_MS);
}
