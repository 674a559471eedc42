/**
 * Jinja2's undefined as Ansible configures it (StrictUndefined, chainable on attribute access): looking up a
 * missing name or attribute gives an `Undef`; `default()`, `is defined` and attribute chains accept it; printing,
 * comparing, iterating or testing its truth throws `UndefinedVariable` naming what is missing.
 */

/** Thrown while rendering; the templar turns it into a TemplateError with the task and file:line. */
export class UndefinedVariable extends Error {
  /** Set so nunjucks' runtime.handleError passes the error through unwrapped. */
  lineno = 1;
  constructor(
    message: string,
    /** The top-level variable name when the error is about a missing variable (for "did you mean"). */
    readonly variable: string | undefined,
  ) {
    super(message);
    this.name = 'UndefinedVariable';
  }
}

export class Undef {
  constructor(
    readonly message: string,
    readonly variable: string | undefined,
  ) {}

  fail(): never {
    throw new UndefinedVariable(this.message, this.variable);
  }

  /** Used by JS coercions (`+`, template output): Jinja2 StrictUndefined raises there too. */
  [Symbol.toPrimitive](): never {
    return this.fail();
  }

  toString(): string {
    return this.fail();
  }

  toJSON(): never {
    return this.fail();
  }
}

export function undefVar(name: string): Undef {
  return new Undef(`'${name}' is undefined`, name);
}

export function isUndef(v: unknown): v is Undef {
  return v instanceof Undef;
}

/** Throw when `v` is undefined, else return it: the strict check every operator and most filters apply. */
export function strict<T>(v: T): Exclude<T, Undef> {
  if (v instanceof Undef) v.fail();
  return v as Exclude<T, Undef>;
}
