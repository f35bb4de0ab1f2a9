/**
 * A snapshot clock that moves 30 s on every reading, from 0: with a `deadline` of a few readings
 * the run stops at its time limit after a page or two, as a Lambda cut short would.
 */
export function jumpingClock(): () => number {
  let t = 0;
  return () => {
    t += 30_000;
    return t;
  };
}
