/** Errors from the DCI control server, with the HTTP status and the server's short message (never its payload). */
import { DciApiError, type DciErrorOptions } from '../../core/errors.js';

export class DciHttpError extends DciApiError {
  readonly status: number;
  readonly serverMessage: string;

  constructor(code: string, message: string, status: number, serverMessage: string, options: DciErrorOptions = {}) {
    super(code, message, options);
    this.status = status;
    this.serverMessage = serverMessage;
  }
}

/** The server refused our identity or signature: wrong id/secret, inactive remoteci, or a skewed clock. */
export class DciCredentialsRejected extends DciHttpError {}
