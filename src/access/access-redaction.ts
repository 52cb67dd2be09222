import type { Page } from '../core/pagination.js';
import type { Facility, FacilityPermission } from '../modules/facilities/facility.schema.js';
import type { MemberSubscription } from '../modules/memberships/member-subscription.schema.js';
import type { User } from '../modules/users/user.schema.js';
import type { AccessRequest } from './access-rules.js';

/** Turns what an allowed read returned into what this actor may see of it. */
export type Redactor = (result: unknown, request: AccessRequest) => Promise<unknown>;

/** Health data of a client's profile: only the client and their active coach see it. */
const MEDICAL_FIELDS = ['dateOfBirth', 'height', 'weight', 'medicalConditions', 'dietaryRestrictions'] as const;

/**
 * Staff permissions that let a facility's staff read its members' records (their member
 * subscriptions, and their e-mail address): the same ones `memberships.getSubscription` accepts.
 */
export const MEMBER_RECORD_PERMISSIONS: readonly FacilityPermission[] = ['view_members', 'manage_memberships', 'manage_billing'];

/**
 * Who is looking at a user's profile, as {@link redactUserFor} needs to know it: the user
 * themself, their active coach, or the owner (or staff with a member-record permission) of a
 * facility where the user holds an active membership.
 */
export interface ProfileViewer {
  readonly self: boolean;
  readonly activeCoach: boolean;
  /** Owner, or staff with `view_members`, `manage_memberships` or `manage_billing`, of a facility where the user is an active member. */
  readonly managesMembership?: boolean;
}

/**
 * An e-mail address with its local part masked: `ayse.yilmaz@example.com` → `a***@example.com`.
 * The result is still an address in form (the `User` type and schema hold), it reveals neither
 * the local part nor its length, and the same address always masks the same way.
 *
 * @example
 * ```ts
 * maskEmail('ayse@example.com') // 'a***@example.com'
 * ```
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${Array.from(email.slice(0, at))[0]}***${email.slice(at)}`;
}

/**
 * Another user's profile as a viewer may see it: no FCM token, no emergency contacts, no
 * business tax id, no phone number or health data (`roleSpecificData.client` date of birth,
 * height, weight, medical conditions, dietary restrictions) unless the viewer is the user's
 * active coach, and the e-mail address masked (`a***@example.com`) unless the viewer is the
 * user's active coach or runs a facility where the user is an active member.
 * `passwordHash` never reaches the service layer at all (SPEC decision 3).
 *
 * @example
 * ```ts
 * redactUserFor(user, { self: false, activeCoach: false }).roleSpecificData.client?.medicalConditions // undefined
 * redactUserFor(user, { self: false, activeCoach: false }).email // 'a***@example.com'
 * ```
 */
export function redactUserFor(user: User, viewer: ProfileViewer): User {
  if (viewer.self) return user;
  const { fcmToken: _token, phoneNumber, ...others } = user;
  // The coach works with the client and may need to call them; nobody else gets the number.
  const rest = viewer.activeCoach && phoneNumber !== undefined ? { ...others, phoneNumber } : others;
  // Coaches and the member's gym write to the user; for everyone else the address is a way to reach a stranger.
  const email = viewer.activeCoach || viewer.managesMembership === true ? user.email : maskEmail(user.email);
  const data = { ...user.roleSpecificData };
  if (data.client && !viewer.activeCoach) {
    const client = { ...data.client };
    for (const key of MEDICAL_FIELDS) delete client[key];
    data.client = client;
  }
  for (const role of ['gym_member', 'studio_client'] as const) {
    const block = data[role];
    if (block?.emergencyContact) {
      const { emergencyContact: _contact, ...others } = block;
      (data as Record<string, unknown>)[role] = others;
    }
  }
  for (const role of ['gym_owner', 'studio_owner'] as const) {
    const block = data[role];
    if (block?.taxId) {
      const { taxId: _taxId, ...others } = block;
      (data as Record<string, unknown>)[role] = others;
    }
  }
  return { ...rest, email, roleSpecificData: data };
}

async function userView(user: User, r: AccessRequest): Promise<User> {
  const self = user.id === r.actor.id;
  if (self) return user;
  const activeCoach = await r.lookups.isActiveCoachOf(r.actor.id, user.id);
  const managesMembership = !activeCoach && (await r.lookups.managesActiveMember(r.actor.id, user.id, MEMBER_RECORD_PERMISSIONS));
  return redactUserFor(user, { self, activeCoach, managesMembership });
}

/** `users.getById`: the profile as {@link redactUserFor} lets the actor see it. */
export const redactUser: Redactor = async (result, r) => userView(result as User, r);

/** `users.listByRole`: every profile of the page redacted. */
export const redactUserPage: Redactor = async (result, r) => {
  const page = result as Page<User>;
  return { ...page, items: await Promise.all(page.items.map((u) => userView(u, r))) };
};

/**
 * A member subscription without its payment history, unless the actor is the member, the
 * facility's owner or staff with `manage_billing`: staff who may see members do not thereby
 * see what they paid.
 */
export const redactMemberSubscription: Redactor = async (result, r) => {
  const subscription = result as MemberSubscription;
  const mayReadPayments =
    subscription.userId === r.actor.id ||
    (await r.lookups.ownsFacility(r.actor.id, subscription.facilityId)) ||
    (await r.lookups.staffHasPermission(r.actor.id, subscription.facilityId, 'manage_billing'));
  return mayReadPayments ? subscription : { ...subscription, paymentHistory: [] };
};

/** A coach–client relationship as its client sees it: never the coach's private notes. */
export const stripPrivateNotes: Redactor = async (result) => {
  const relation = result as { readonly notes: { readonly visible: unknown; readonly private?: unknown } };
  return { ...relation, notes: { visible: relation.notes.visible } };
};

/**
 * A facility page as an outsider sees it: without the staff list (who works there with which
 * permissions) and the platform plan; the owner and the facility's staff see all of it.
 */
async function facilityView(facility: Facility, r: AccessRequest): Promise<Facility> {
  const insider = facility.ownerId === r.actor.id || facility.staff.some((s) => s.userId === r.actor.id);
  if (insider) return facility;
  const { subscriptionPlan: _plan, ...page } = facility;
  return { ...page, staff: [] };
}

/** `facilities.getById`. */
export const redactFacility: Redactor = async (result, r) => facilityView(result as Facility, r);

/** `facilities.listByOwner`. */
export const redactFacilityPage: Redactor = async (result, r) => {
  const page = result as Page<Facility>;
  return { ...page, items: await Promise.all(page.items.map((f) => facilityView(f, r))) };
};

/** `facilities.findNear`. */
export const redactNearbyFacilities: Redactor = async (result, r) =>
  Promise.all((result as readonly { readonly facility: Facility; readonly distanceMeters: number }[]).map(async (near) => ({ ...near, facility: await facilityView(near.facility, r) })));
