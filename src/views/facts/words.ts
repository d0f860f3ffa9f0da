/**
 * How one area's facts are worded: one function per kind, each handed exactly its fact. The type
 * makes a missing or misspelled kind a compile error.
 */
export type Words<F extends { readonly kind: string }> = {
  readonly [K in F['kind']]: (fact: Extract<F, { readonly kind: K }>) => string;
};
