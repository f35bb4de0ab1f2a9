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

/** A webhook body that is not what GitHub sends for its event (answered with 400). */
export class InvalidWebhookPayloadError extends CoreError {}

/**
 * A webhook for an alert alert-ledger has not seen, whose payload lacks what a first record
 * needs (old GHES versions send only the number): the next snapshot records it.
 */
export class UnknownAlertError extends CoreError {}
