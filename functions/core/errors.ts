/** Errors of the pure core. Each says what is wrong and how to fix it. */
export class CoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A period id or range that cannot be parsed. */
export class InvalidPeriodError extends CoreError {}

/** An instant that is not an ISO-8601 date-time with a zone. */
export class InvalidInstantError extends CoreError {}

/** A GitHub alert object without the fields the model needs. */
export class InvalidAlertError extends CoreError {}
