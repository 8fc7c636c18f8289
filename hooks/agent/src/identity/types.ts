// The parts of the clone policy the identity hooks read, and the events they send.
// Structural on purpose: the engine's full `Policy` (src/policy.ts) is assignable to it.

export interface IdentityPolicy {
  readonly platform?: string;
  readonly redirects?: unknown;
  readonly identity?: unknown;
  readonly accounts?: unknown;
  readonly original_package?: unknown;
  readonly clone_package?: unknown;
  readonly original_signatures?: unknown;
  readonly authorities?: unknown;
  readonly actions?: unknown;
}

/** One spoof, as the agent reports it: `{"type": "spoof", "op": "uname", ...}`. */
export type SpoofEvent = {
  type: "spoof";
  op: string;
  path?: string;
  field?: string;
  value?: string;
};

export type SpoofEmit = (event: SpoofEvent) => void;

/** Identity field name -> value, every value a string (see identity/model.py). */
export type IdentityValues = Readonly<Record<string, string>>;

/** The string-valued entries of the policy's `identity` object. */
export function identityValues(raw: unknown): IdentityValues {
  const out: Record<string, string> = {};
  if (raw === null || typeof raw !== "object") {
    return out;
  }
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value === "string" && value.length > 0) {
      out[key] = value;
    }
  }
  return out;
}
