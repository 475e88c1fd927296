/**
 * One error type for everything the application refuses on purpose. The code set is closed and each code maps
 * to exactly one HTTP status; anything else that reaches the error handler is a bug and becomes a plain 500.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  csrf_failed: 403,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Field name -> i18n key of the message shown beside that field. */
export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields: FieldErrors | undefined;
  /** i18n key of the message shown to a person; `message` stays English for logs and API clients. */
  readonly messageKey: string;

  constructor(code: ErrorCode, message: string, options: { fields?: FieldErrors; messageKey?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.fields = options.fields;
    this.messageKey = options.messageKey ?? `errors.${code}`;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
