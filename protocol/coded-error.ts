/**
 * The shape of every part's errors: a named class with a stable `code` from that part's
 * documented code list, so logs, acks and REST bodies can report it without parsing text.
 */
export class CodedError<C extends string> extends Error {
  constructor(readonly code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
