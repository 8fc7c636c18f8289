// The fast path compiled ahead of time that a clone's payload carries. `clone build` replaces
// this module, in each copy of the agent bundle it puts under lib/<abi>/, with one whose
// CARRIED holds the module built for that ABI (hooks/payload/bundle.py: the module's name and
// the shape below are its contract). The build itself carries none: the host hands its
// processes their module by message instead (hooks/agent_bundle.py).

/** A shared object for one Frida architecture: the one row (column "so") of table
 * "fastpath" of a SQLite database, gzipped and in base64, which Frida opens natively
 * (SqliteDatabase.openInline) where decoding it in JavaScript would cost more than TinyCC. */
export interface CarriedModule {
  readonly arch: string;
  readonly key: string;
  readonly db: string;
}

export const CARRIED: CarriedModule | null = null;
