import type { UserId } from '../../core/ids.js';
import type { StoreContext } from '../../stores/store-context.js';

/**
 * What the nutrition module needs to know of a member: the body data of their client
 * profile (for energy estimates) and their time zone (for the diary's days).
 *
 * @example
 * ```ts
 * const profile: MemberProfile = { dateOfBirth: new Date('1990-05-01'), heightCm: 170, weightKg: 65, timeZone: 'Europe/Istanbul' }
 * ```
 */
export interface MemberProfile {
  readonly dateOfBirth?: Date | undefined;
  readonly heightCm?: number | undefined;
  readonly weightKg?: number | undefined;
  /** The IANA time zone of the member's facility, when they belong to one. */
  readonly timeZone?: string | undefined;
}

/**
 * Reads a member's profile for the nutrition module, which does not import the users or
 * facilities modules: the host wires it (`createNexfit` reads the client role data and the
 * member's facility time zone).
 */
export interface MemberProfileReader {
  memberProfile(userId: UserId, ctx?: StoreContext): Promise<MemberProfile | null>;
}
