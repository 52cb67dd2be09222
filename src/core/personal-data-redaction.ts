import type { JsonObject, JsonValue } from 'type-fest';

/** What replaces a personal string that has to stay in place (a line of an invoice, an audit state). */
export const REDACTED = '[erased]';

/**
 * Keys whose values are personal data wherever they appear in a JSON snapshot (audit
 * `previous_state`/`new_state`): profile fields, role data (health, business, emergency
 * contacts), free-text notes and reasons. They are removed, not replaced, so a redacted
 * snapshot says nothing about what was there.
 */
export const PERSONAL_SNAPSHOT_KEYS: ReadonlySet<string> = new Set([
  'email',
  'firstName',
  'lastName',
  'phoneNumber',
  'profileImage',
  'fcmToken',
  'passwordHash',
  'roleSpecificData',
  'medicalConditions',
  'dietaryRestrictions',
  'dateOfBirth',
  'emergencyContact',
  'notes',
  'goals',
  'photos',
  'biometrics',
  'location',
  'cancellationReason',
  'description',
  'businessEmail',
  'businessPhoneNumber',
  'businessAddress',
  'taxId',
]);

/** Below this length a personal string is matched whole (case-insensitively), never as a substring. */
const SUBSTRING_MIN_LENGTH = 4;

/**
 * The personal strings of one user (e-mail, names, phone, notes, medical conditions…), used
 * to find them inside JSON the SDK keeps for other reasons (invoice lines, audit states).
 *
 * @example
 * ```ts
 * const known = new PersonalStrings(['ayse@example.com', 'Ayşe', 'dizimde sakatlık var']);
 * known.redactJson({ lines: [{ description: 'Ayşe için iade' }] }) // { lines: [{ description: '[erased]' }] }
 * ```
 */
export class PersonalStrings {
  readonly #whole: Set<string>;
  readonly #substrings: string[];

  constructor(values: Iterable<string>) {
    this.#whole = new Set();
    this.#substrings = [];
    for (const raw of values) {
      const value = raw.trim().toLocaleLowerCase('tr');
      if (value.length === 0 || value === REDACTED) continue;
      if (value.length < SUBSTRING_MIN_LENGTH) this.#whole.add(value);
      else if (!this.#substrings.includes(value)) this.#substrings.push(value);
    }
  }

  /** True when `text` is, or contains, one of the personal strings. */
  matches(text: string): boolean {
    const lower = text.toLocaleLowerCase('tr');
    if (this.#whole.has(lower.trim())) return true;
    return this.#substrings.some((s) => lower.includes(s));
  }

  /**
   * `value` with every string that matches replaced by {@link REDACTED} and, when
   * `dropKeys` is given, those keys removed at any depth. Returns the same reference when
   * nothing changed, so callers write only the rows that need it.
   */
  redactJson<T extends JsonValue>(value: T, dropKeys?: ReadonlySet<string>): T {
    return redact(value, this, dropKeys) as T;
  }
}

function redact(value: JsonValue, known: PersonalStrings, dropKeys: ReadonlySet<string> | undefined): JsonValue {
  if (typeof value === 'string') return known.matches(value) ? REDACTED : value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const next = redact(item, known, dropKeys);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? out : value;
  }
  if (value !== null && typeof value === 'object') {
    let changed = false;
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      if (dropKeys?.has(key)) {
        changed = true;
        continue;
      }
      const next = redact(item, known, dropKeys);
      if (next !== item) changed = true;
      out[key] = next;
    }
    return changed ? out : value;
  }
  return value;
}
