/** Errors from the DCI control server, with the HTTP status and the server's short message (never its payload). */
import { DciApiError, type DciErrorOptions } from '../../core/errors.js';

export class DciHttpError extends DciApiError {
  readonly status: number;
  readonly serverMessage: string;
  /**
   * True when the request may have been processed although it failed (5xx, reset, timeout): a later re-send
   * must first look for what it created. False for refused connections and 4xx answers.
   */
  readonly mayHaveReachedServer: boolean;

  constructor(code: string, message: string, status: number, serverMessage: string, options: DciErrorOptions & { mayHaveReachedServer?: boolean } = {}) {
    super(code, message, options);
    this.status = status;
    this.serverMessage = serverMessage;
    this.mayHaveReachedServer = options.mayHaveReachedServer ?? status >= 500;
  }
}

/** The server refused our identity or signature: wrong id/secret, inactive remoteci, or a skewed clock. */
export class DciCredentialsRejected extends DciHttpError {}
