/** Errors of the DynamoDB store. The vendor error is kept as `cause`. */
export class StoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The table does not exist or cannot be reached: configuration, not data. */
export class StoreUnavailableError extends StoreError {}

/** Another writer changed the alert first; re-read and observe again. */
export class ConcurrentUpdateError extends StoreError {
  /**
   * The keys (`alertKey`) of the alerts someone else wrote first, when a transaction of several
   * alerts was refused and DynamoDB said which; empty when it did not.
   */
  readonly conflicts: readonly string[];

  constructor(message: string, options?: ErrorOptions & { conflicts?: readonly string[] }) {
    super(message, options);
    this.conflicts = options?.conflicts ?? [];
  }
}

/** A webhook delivery already recorded: GitHub redelivered it. */
export class DuplicateDeliveryError extends StoreError {}
