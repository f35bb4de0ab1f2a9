/** Builds one alert's event list: strictly increasing whole seconds, nothing at or after the end. */
import type { DemoAlertEvent, DemoEventKind } from './demo-types.ts';
import type { Prng } from './prng.ts';

export const SECOND = 1000;
export const HOUR = 3600 * SECOND;
export const DAY = 24 * HOUR;

/** GitHub prints alert times without milliseconds. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / SECOND) * SECOND).toISOString().replace('.000Z', 'Z');
}

/**
 * Moves an instant forward into 08:00-18:00 UTC on a weekday, where people triage alerts.
 * Only ever later, so the order of events is kept.
 */
export function toWorkingHours(ms: number, rng: Prng): number {
  const d = new Date(ms);
  const hour = d.getUTCHours();
  if (hour < 8 || hour >= 18) {
    if (hour >= 18) d.setUTCDate(d.getUTCDate() + 1);
    d.setUTCHours(8, rng.int(0, 179), rng.int(0, 59), 0);
  }
  const day = d.getUTCDay();
  if (day === 6 || day === 0) {
    d.setUTCDate(d.getUTCDate() + (day === 6 ? 2 : 1));
    d.setUTCHours(8, rng.int(0, 179), rng.int(0, 59), 0);
  }
  return d.getTime();
}

export interface EventInput {
  actor?: string | null;
  reason?: string | null;
  comment?: string | null;
}

export class Timeline {
  readonly events: DemoAlertEvent[] = [];
  private lastMs: number;
  private ended = false;

  constructor(
    createdMs: number,
    private readonly endsAtMs: number,
    createdActor: string | null = null,
  ) {
    this.lastMs = Math.floor(createdMs / SECOND) * SECOND;
    this.events.push({
      kind: 'created',
      at: isoSeconds(this.lastMs),
      actor: createdActor,
      reason: null,
      comment: null,
    });
  }

  /** Time of the last event, in epoch milliseconds. */
  get last(): number {
    return this.lastMs;
  }

  /** False once an event fell at or after the end: it has not happened yet, nor anything after it. */
  get open(): boolean {
    return !this.ended;
  }

  /** Adds an event at `ms` (pushed one second past the previous one if needed); false if too late. */
  add(kind: DemoEventKind, ms: number, input: EventInput = {}): boolean {
    if (this.ended) return false;
    const at = Math.max(Math.floor(ms / SECOND) * SECOND, this.lastMs + SECOND);
    if (at >= this.endsAtMs) {
      this.ended = true;
      return false;
    }
    this.lastMs = at;
    this.events.push({
      kind,
      at: isoSeconds(at),
      actor: input.actor ?? null,
      reason: input.reason ?? null,
      comment: input.comment ?? null,
    });
    return true;
  }
}
