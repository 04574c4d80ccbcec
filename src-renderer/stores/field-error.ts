import { ClientError } from '../client/errors';

/** A failure as a form shows it: the message, and the field it concerns when the server named one. */
export interface FieldError {
  message: string;
  field?: string;
}

export function toFieldError(err: unknown): FieldError {
  if (err instanceof ClientError) return { message: err.message, ...(err.error.field ? { field: err.error.field } : {}) };
  return { message: err instanceof Error ? err.message : String(err) };
}

/** The server's message for `field` (or one of its sub-fields, e.g. spec.evaluation.intra.2). */
export function serverErrorFor(error: FieldError | null, field: string): string | undefined {
  if (!error?.field) return undefined;
  return error.field === field || error.field.startsWith(`${field}.`) ? error.message : undefined;
}
