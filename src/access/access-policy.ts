import type { FacilityPermission, FacilityStaffRole } from '../modules/facilities/facility.schema.js';
import { DEFAULT_STAFF_PERMISSIONS } from '../modules/facilities/facility.service.js';
import { MEMBER_RECORD_PERMISSIONS, redactFacility, redactFacilityPage, redactMemberSubscription, redactNearbyFacilities, redactUser, redactUserPage, stripPrivateNotes, type Redactor } from './access-redaction.js';
import {
  activeClientOf,
  activeCoachOf,
  allOf,
  anyAuthenticated,
  anyOf,
  arg,
  facilityManager,
  field,
  flag,
  grantsOnlyHeldPermissions,
  guardianOf,
  hasRole,
  linkedAccountOf,
  input,
  onlyIf,
  loaded,
  ownerOfFacility,
  self,
  selfOrAbsent,
  staffWithPermission,
  systemOnly,
  type Ref,
  type Rule,
} from './access-rules.js';

/** What the policy says about one operation. */
export interface PolicyEntry {
  readonly rule: Rule;
  /** Strips what the actor may not see from an allowed read. */
  readonly redact?: Redactor;
  /** A pure computation that reads no store: allowed to every actor and called synchronously, as on the unscoped service. */
  readonly pure?: true;
}

// ── subjects: whom or what an operation is about ─────────────────────────────

const ownerOrCoach = (user: Ref): Rule => anyOf(self(user), activeCoachOf(user));

const measurementUser = loaded((l, id) => l.measurement(id), (m) => m.userId);
const logUser = loaded((l, id) => l.workoutLog(id), (w) => w.userId);

const exerciseAuthor = loaded((l, id) => l.exercise(id), (e) => e.createdBy);
const exerciseVisible = anyOf(flag('publicEntry', loaded((l, id) => l.exercise(id), (e) => e.isPublic)), self(exerciseAuthor));
const foodAuthor = loaded((l, id) => l.food(id), (f) => f.createdBy);

const templateAuthor = loaded((l, id) => l.template(id), (t) => t.createdBy);
const templateVisible = anyOf(flag('publicEntry', loaded((l, id) => l.template(id), (t) => t.isPublic)), self(templateAuthor));
const programAuthor = loaded((l, id) => l.program(id), (p) => p.createdBy);
const programVisible = anyOf(flag('publicEntry', loaded((l, id) => l.program(id), (p) => p.isPublic)), self(programAuthor));
/** The programme of a prescription: public, the actor's own, or written by the actor's active coach. */
const inputProgramAuthor = loaded((l, id) => l.program(id), (p) => p.createdBy, input('programId'));
const followableProgram = anyOf(flag('publicEntry', loaded((l, id) => l.program(id), (p) => p.isPublic, input('programId'))), self(inputProgramAuthor), activeClientOf(inputProgramAuthor));

const planAuthor = loaded((l, id) => l.nutritionPlan(id), (p) => p.createdBy);
const planRecipient = loaded((l, id) => l.nutritionPlan(id), (p) => p.forUserId);
const planVisible = anyOf(flag('publicEntry', loaded((l, id) => l.nutritionPlan(id), (p) => p.isPublic)), self(planAuthor), self(planRecipient));
/** A plan may be written for the author themself or for one of the author's active clients. */
const forSelfOrActiveClient = (user: Ref): Rule => anyOf(selfOrAbsent(user), activeCoachOf(user));
/** `copyTemplateToClient`: the copy's author is `options.createdBy`, or the template's author. */
const copyAuthor: Ref = async (r) => field(2, 'createdBy')(r) ?? planAuthor(r);
const diaryEntryUser = loaded((l, id) => l.foodDiaryEntry(id), (e) => e.userId);

const membershipFacility = loaded((l, id) => l.membershipPlan(id), (m) => m.facilityId);
const subscriptionUser = (id: Ref = arg(0)) => loaded((l, sid) => l.memberSubscription(sid), (s) => s.userId, id);
const subscriptionFacility = (id: Ref = arg(0)) => loaded((l, sid) => l.memberSubscription(sid), (s) => s.facilityId, id);

const transactionUser = loaded((l, id) => l.transaction(id), (t) => t.userId);
const transactionBusiness = loaded((l, id) => l.transaction(id), (t) => {
  const business = t.metadata?.['businessId'];
  return typeof business === 'string' ? business : undefined;
});
const invoiceUser = loaded((l, id) => l.invoice(id), (i) => i.userId);
const invoiceBusiness = loaded((l, id) => l.invoice(id), (i) => i.businessId);
const billingSubscriptionUser = loaded((l, id) => l.billingSubscription(id), (s) => s.userId);

const classFacility = (id: Ref = arg(0)) => loaded((l, cid) => l.fitnessClass(cid), (c) => c.facilityId, id);
const bookingUser = loaded((l, id) => l.booking(id), (b) => b.userId);
const bookingFacility = classFacility(loaded((l, id) => l.booking(id), (b) => b.classId));
const webhookEndpointFacility = loaded((l, id) => l.webhookEndpoint(id), (e) => e.facilityId ?? undefined);
const webhookDeliveryFacility = loaded((l, id) => l.webhookEndpointOfDelivery(id), (e) => e.facilityId ?? undefined);

const linkAccount = loaded((l, id) => l.accountLink(id), (k) => k.accountUserId);
const linkDependant = loaded((l, id) => l.accountLink(id), (k) => k.dependantUserId);
const linkFacility = loaded((l, id) => l.accountLink(id), (k) => k.facilityId);
/** A purchase for oneself (paid by oneself), or paid by an account with an active guardian or payer link to the member. */
const purchaseFor = anyOf(allOf(self(input('userId')), selfOrAbsent(input('payerUserId'))), allOf(self(input('payerUserId')), linkedAccountOf(input('userId'))));

const relationCoach = loaded((l, id) => l.relation(id), (c) => c.coachId);
const relationClient = loaded((l, id) => l.relation(id), (c) => c.clientId);
const sessionCoach = (id: Ref = arg(0)) => loaded((l, sid) => l.ptSession(sid), (s) => s.coachId, id);
const sessionClient = (id: Ref = arg(0)) => loaded((l, sid) => l.ptSession(sid), (s) => s.clientId, id);

/** Permissions a staff change hands out: the given list, or the defaults of the (new) staff role. */
const grantedPermissions = (index: number): Ref<readonly FacilityPermission[]> => (r) => {
  const change = r.args[index] as { permissions?: readonly FacilityPermission[]; role?: FacilityStaffRole } | undefined;
  return change?.permissions ?? (change?.role ? DEFAULT_STAFF_PERMISSIONS[change.role] : []);
};
const staffManager = (grantedAt?: number): Rule =>
  anyOf(
    ownerOfFacility(arg(0)),
    grantedAt === undefined ? staffWithPermission('manage_staff', arg(0)) : allOf(staffWithPermission('manage_staff', arg(0)), grantsOnlyHeldPermissions(arg(0), grantedPermissions(grantedAt))),
  );

/** A facility patch that replaces the staff list hands out every permission in it. */
const patchedStaffPermissions: Ref<readonly FacilityPermission[]> = (r) => {
  const staff = (r.args[1] as { staff?: readonly { role?: FacilityStaffRole; permissions?: readonly FacilityPermission[] }[] } | undefined)?.staff ?? [];
  return staff.flatMap((member) => member.permissions ?? (member.role ? DEFAULT_STAFF_PERMISSIONS[member.role] : []));
};
const patches = (field: string) => flag(`patches('${field}')`, (r) => (r.args[1] as Record<string, unknown> | undefined)?.[field] !== undefined);
/**
 * `facilities.update`: the facility's managers edit its page; replacing the staff list through
 * the patch needs what `addStaff` needs, and the platform plan (`subscriptionPlan`, what the
 * business pays NexFit) is the system's to change.
 */
const facilityUpdate = allOf(
  facilityManager(arg(0), 'manage_facility'),
  onlyIf(patches('staff'), anyOf(ownerOfFacility(arg(0)), allOf(staffWithPermission('manage_staff', arg(0)), grantsOnlyHeldPermissions(arg(0), patchedStaffPermissions)))),
  onlyIf(patches('subscriptionPlan'), systemOnly),
);

const COACH_ROLES = new Set(['coach', 'gym_coach', 'studio_coach']);
/** `users.listByRole`: the directory of coaches is open; lists of members are not. */
const coachDirectory = flag('coachDirectory', (r) => COACH_ROLES.has(String(r.args[0])));

const allow = (rule: Rule, extra: Omit<PolicyEntry, 'rule'> = {}): PolicyEntry => ({ rule, ...extra });
const system: PolicyEntry = { rule: systemOnly };
const pure: PolicyEntry = { rule: anyAuthenticated, pure: true };
const open: PolicyEntry = { rule: anyAuthenticated };

/**
 * THE permission policy of a scoped SDK (`nexfit.as(userId)`): every public operation of the
 * services and workflows, by id `<service>.<method>`, with the rule that must hold before it
 * runs. Operations without an entry are refused. docs/security/access-control.md renders this
 * table per role and staff permission, and the permission-matrix test holds the two together.
 *
 * @example
 * ```ts
 * ACCESS_POLICY['measurements.history'].rule.name // 'self | activeCoachOfSubject'
 * ```
 */
export const ACCESS_POLICY = {
  // users
  'users.register': system,
  'users.verifyCredentials': system,
  'users.changePassword': allow(self(arg(0))),
  'users.getById': allow(anyAuthenticated, { redact: redactUser }),
  'users.findByEmail': system,
  'users.listByRole': allow(coachDirectory, { redact: redactUserPage }),
  'users.addRole': system,
  'users.removeRole': system,
  'users.deactivate': allow(self(arg(0))),
  'users.reactivate': system,
  'users.updateProfile': allow(self(arg(0))),
  'users.setFcmToken': allow(self(arg(0))),

  // family and payer accounts: staff with manage_memberships (or the system) link accounts; either side or the staff revoke
  'accountLinks.link': allow(facilityManager(input('facilityId'), 'manage_memberships')),
  'accountLinks.revoke': allow(anyOf(self(linkAccount), self(linkDependant), facilityManager(linkFacility, 'manage_memberships'))),
  'accountLinks.getLink': allow(anyOf(self(linkAccount), self(linkDependant), facilityManager(linkFacility, 'manage_memberships'))),
  'accountLinks.listDependants': allow(self(arg(0))),
  'accountLinks.listGuardiansAndPayers': allow(self(arg(0))),
  'accountLinks.revokeComeOfAge': system,

  // measurements (health data: the user, and their active coach for reads)
  'measurements.record': allow(self(input('userId'))),
  'measurements.getForDay': allow(ownerOrCoach(arg(0))),
  'measurements.addProgressPhoto': allow(self(arg(0))),
  'measurements.progressPhotos': allow(ownerOrCoach(arg(0))),
  'measurements.history': allow(ownerOrCoach(arg(0))),
  'measurements.progress': allow(ownerOrCoach(arg(0))),
  'measurements.trend': allow(ownerOrCoach(arg(0))),
  'measurements.bmi': allow(ownerOrCoach(arg(0))),
  'measurements.addReading': allow(self(arg(0))),
  'measurements.removeReading': allow(self(arg(0))),
  'measurements.defineCategory': allow(self(arg(0))),
  'measurements.renameCategory': allow(self(arg(0))),
  'measurements.deleteCategory': allow(self(arg(0))),
  'measurements.listCategories': allow(ownerOrCoach(arg(0))),
  'measurements.categoryHistory': allow(ownerOrCoach(arg(0))),

  // catalogue
  'catalog.createExercise': allow(self(input('createdBy'))),
  'catalog.getExercise': allow(allOf(selfOrAbsent(arg(1)), exerciseVisible)),
  'catalog.getWithAlternates': allow(allOf(selfOrAbsent(arg(1)), exerciseVisible)),
  'catalog.searchExercises': allow(selfOrAbsent(input('visibleTo'))),
  'catalog.updateExercise': allow(allOf(self(arg(2)), self(exerciseAuthor))),
  'catalog.addAlternate': allow(allOf(self(arg(2)), self(exerciseAuthor))),
  'catalog.removeAlternate': allow(allOf(self(arg(2)), self(exerciseAuthor))),
  'catalog.deleteExercise': allow(allOf(self(arg(1)), self(exerciseAuthor))),
  'catalog.createFood': allow(self(input('createdBy'))),
  'catalog.getFood': open,
  'catalog.updateFood': allow(self(foodAuthor)),
  'catalog.findFoodByBarcode': open,
  'catalog.searchFoods': open,
  'catalog.nutrientsFor': open,

  // workout templates and programmes
  'workouts.createTemplate': allow(self(input('createdBy'))),
  'workouts.getTemplate': allow(templateVisible),
  'workouts.updateTemplate': allow(allOf(self(arg(2)), self(templateAuthor))),
  'workouts.publishTemplate': allow(allOf(self(arg(1)), self(templateAuthor))),
  'workouts.listPublicTemplates': open,
  'workouts.rateTemplate': allow(allOf(self(arg(1)), templateVisible)),
  'workouts.createProgram': allow(self(input('createdBy'))),
  'workouts.getProgram': allow(programVisible),
  'workouts.updateProgram': allow(allOf(self(arg(2)), self(programAuthor))),
  'workouts.publishProgram': allow(allOf(self(arg(1)), self(programAuthor))),
  'workouts.listPublicPrograms': open,
  'workouts.rateProgram': allow(allOf(self(arg(1)), programVisible)),

  // workout logs
  'workoutLogs.logWorkout': allow(self(input('userId'))),
  'workoutLogs.getLog': allow(ownerOrCoach(logUser)),
  'workoutLogs.listLogs': allow(ownerOrCoach(arg(0))),
  'workoutLogs.personalRecords': allow(ownerOrCoach(arg(0))),
  'workoutLogs.weeklyVolume': allow(ownerOrCoach(arg(0))),
  'workoutLogs.trainingStatistics': allow(ownerOrCoach(arg(0))),
  'workoutLogs.streaks': allow(ownerOrCoach(arg(0))),
  'workoutLogs.compareWithPlan': allow(ownerOrCoach(logUser)),
  'workoutLogs.nextPrescription': allow(allOf(ownerOrCoach(input('userId')), followableProgram)),

  // nutrition plans
  'nutrition.createPlan': allow(allOf(self(input('createdBy')), forSelfOrActiveClient(input('forUserId')))),
  'nutrition.updatePlan': allow(allOf(self(planAuthor), forSelfOrActiveClient(field(1, 'forUserId')))),
  'nutrition.recalculatePlan': allow(self(planAuthor)),
  'nutrition.getPlan': allow(planVisible),
  'nutrition.listByAuthor': allow(self(arg(0))),
  'nutrition.listForClient': allow(ownerOrCoach(arg(0))),
  'nutrition.deletePlan': allow(self(planAuthor)),
  'nutrition.summarizePlan': allow(planVisible),
  'nutrition.copyTemplateToClient': allow(allOf(self(copyAuthor), planVisible, anyOf(self(arg(1)), activeCoachOf(arg(1))))),
  'nutrition.estimateEnergy': allow(ownerOrCoach(input('userId'))),

  // food diary (what a member ate: the member writes it, their active coach reads it)
  'foodDiary.logFood': allow(self(input('userId'))),
  'foodDiary.updateEntry': allow(self(diaryEntryUser)),
  'foodDiary.deleteEntry': allow(self(diaryEntryUser)),
  'foodDiary.getEntry': allow(ownerOrCoach(diaryEntryUser)),
  'foodDiary.listDay': allow(ownerOrCoach(input('userId'))),
  'foodDiary.dayTotals': allow(ownerOrCoach(input('userId'))),

  // facilities
  'facilities.create': allow(allOf(hasRole('gym_owner', 'studio_owner'), self(input('ownerId')))),
  'facilities.getById': allow(anyAuthenticated, { redact: redactFacility }),
  'facilities.update': allow(facilityUpdate),
  'facilities.listByOwner': allow(anyAuthenticated, { redact: redactFacilityPage }),
  'facilities.addStaff': allow(staffManager(1)),
  'facilities.changeStaff': allow(staffManager(2)),
  'facilities.removeStaff': allow(staffManager()),
  'facilities.hasPermission': open,
  'facilities.isOpenAt': open,
  'facilities.nextOpening': open,
  'facilities.findNear': allow(anyAuthenticated, { redact: redactNearbyFacilities }),

  // membership plans and member subscriptions
  'memberships.createPlan': allow(facilityManager(input('facilityId'), 'manage_memberships')),
  'memberships.getPlan': open,
  'memberships.updatePlan': allow(facilityManager(membershipFacility, 'manage_memberships')),
  'memberships.deactivatePlan': allow(facilityManager(membershipFacility, 'manage_memberships')),
  'memberships.listPlans': open,
  'memberships.getSubscription': allow(anyOf(self(subscriptionUser()), facilityManager(subscriptionFacility(), ...MEMBER_RECORD_PERMISSIONS)), {
    redact: redactMemberSubscription,
  }),
  'memberships.listSubscriptionsByUser': allow(anyOf(self(arg(0)), guardianOf(arg(0)))),
  'memberships.listDueForRenewal': system,
  'memberships.listExpiring': system,
  'memberships.stopAutoRenew': allow(anyOf(self(subscriptionUser()), facilityManager(subscriptionFacility(), 'manage_memberships'))),
  'memberships.cancelSubscription': allow(anyOf(self(subscriptionUser()), facilityManager(subscriptionFacility(), 'manage_memberships'))),
  'memberships.visitsInWeek': allow(anyOf(self(subscriptionUser()), facilityManager(subscriptionFacility(), 'view_members', 'check_in_members'))),

  // billing (payment data: the payer, and the business's owner or billing staff; the steps that
  // record money are not on the public instance: see src/public-door.ts)
  'billing.findBillingSubscription': allow(self(arg(0))),
  'billing.refundedAmount': allow(anyOf(self(transactionUser), facilityManager(transactionBusiness, 'manage_billing'))),
  'billing.getTransaction': allow(anyOf(self(transactionUser), facilityManager(transactionBusiness, 'manage_billing'))),
  'billing.getInvoice': allow(anyOf(self(invoiceUser), facilityManager(invoiceBusiness, 'manage_billing'))),
  'billing.listUserInvoices': allow(self(arg(0))),
  'billing.listUserTransactions': allow(self(arg(0))),
  'billing.getBillingSubscription': allow(self(billingSubscriptionUser)),

  // classes
  'classes.createClass': allow(facilityManager(input('facilityId'), 'manage_classes')),
  'classes.getClass': open,
  'classes.updateClass': allow(facilityManager(classFacility(), 'manage_classes')),
  'classes.deactivateClass': allow(facilityManager(classFacility(), 'manage_classes')),
  'classes.listFacilityClasses': open,
  'classes.occurrencesBetween': pure,
  'classes.occurrenceAt': pure,
  'classes.timetable': open,

  // bookings (the steps of the book-class workflow are not on the public instance: see src/public-door.ts)
  'bookings.seatsTaken': open,
  'bookings.countMemberBookingsAtFacility': allow(anyOf(self(arg(0)), facilityManager(arg(1), 'view_members', 'manage_bookings'))),
  'bookings.getBooking': allow(anyOf(self(bookingUser), facilityManager(bookingFacility, 'view_members', 'manage_bookings', 'check_in_members'), guardianOf(bookingUser))),
  'bookings.listMemberBookings': allow(anyOf(self(arg(0)), guardianOf(arg(0)))),
  'bookings.listOccurrenceBookings': allow(facilityManager(classFacility(), 'view_members', 'manage_bookings', 'check_in_members')),
  'bookings.cancelBooking': allow(anyOf(self(bookingUser), facilityManager(bookingFacility, 'manage_bookings'), guardianOf(bookingUser))),
  'bookings.checkIn': allow(facilityManager(bookingFacility, 'check_in_members', 'manage_bookings')),
  'bookings.markNoShows': allow(facilityManager(classFacility(), 'check_in_members', 'manage_bookings')),

  // coaching
  'coaching.requestCoaching': allow(self(input('clientId'))),
  'coaching.acceptRequest': allow(allOf(self(arg(1)), self(relationCoach))),
  'coaching.declineRequest': allow(allOf(self(arg(1)), self(relationCoach))),
  'coaching.endRelationship': allow(allOf(self(arg(1)), anyOf(self(relationCoach), self(relationClient)))),
  'coaching.assignPackage': allow(allOf(self(arg(1)), self(relationCoach))),
  'coaching.addNote': allow(allOf(self(arg(1)), self(relationCoach))),
  'coaching.getRelationForCoach': allow(allOf(self(arg(1)), self(relationCoach))),
  'coaching.getRelationForClient': allow(allOf(self(arg(1)), self(relationClient)), { redact: stripPrivateNotes }),
  'coaching.scheduleSession': allow(
    anyOf(allOf(self(input('coachId')), activeCoachOf(input('clientId'))), allOf(self(input('clientId')), activeClientOf(input('coachId')))),
  ),
  'coaching.getSession': allow(anyOf(self(sessionCoach()), self(sessionClient()))),
  'coaching.listClientSessions': allow(self(arg(0))),
  'coaching.listCoachSessions': allow(self(arg(0))),
  'coaching.cancelSession': allow(allOf(self(field(1, 'by')), anyOf(self(sessionCoach()), self(sessionClient())))),
  'coaching.isLateCancellation': pure,
  'coaching.markNoShow': allow(allOf(self(arg(1)), self(sessionCoach()))),
  'coaching.recordClientFeedback': allow(allOf(self(arg(1)), self(sessionClient()))),

  // analytics (the roll-up is a job; reports are the business's)
  'analytics.rollupDay': system,
  'analytics.backfill': system,
  'analytics.recompute': system,
  'analytics.report': allow(anyOf(self(input('businessId')), facilityManager(input('businessId'), 'view_reports'))),

  // workflows
  'workflows.purchaseMembership': allow(purchaseFor),
  'workflows.renewDueSubscriptions': system,
  'workflows.retryOverdueRenewals': system,
  'workflows.payOverdueMembership': allow(anyOf(self(subscriptionUser(input('memberSubscriptionId'))), facilityManager(subscriptionFacility(input('memberSubscriptionId')), 'manage_memberships'))),
  'workflows.cancelMembership': allow(anyOf(self(subscriptionUser(input('memberSubscriptionId'))), facilityManager(subscriptionFacility(input('memberSubscriptionId')), 'manage_memberships'))),
  'workflows.expireEnded': system,
  'workflows.recoverPaymentIntents': system,
  'workflows.refundMembership': allow(facilityManager(subscriptionFacility(input('memberSubscriptionId')), 'manage_billing')),
  'workflows.bookClass': allow(anyOf(self(input('userId')), facilityManager(classFacility(input('classId')), 'manage_bookings'), guardianOf(input('userId')))),
  'workflows.bookGuest': allow(anyOf(self(input('hostUserId')), facilityManager(classFacility(input('classId')), 'manage_bookings'))),
  'workflows.completePtSession': allow(allOf(self(input('coachId')), self(sessionCoach(input('sessionId'))))),
  'workflows.recordFacilityVisit': allow(facilityManager(input('facilityId'), 'check_in_members')),
  'workflows.submitPtSessionFeedback': allow(allOf(self(input('clientId')), self(sessionClient(input('sessionId'))))),
  'workflows.syncInstructorNames': system,
  'workflows.bulkCreate': system,
  'workflows.freezeMembership': allow(anyOf(self(subscriptionUser(input('memberSubscriptionId'))), facilityManager(subscriptionFacility(input('memberSubscriptionId')), 'manage_memberships'))),
  'workflows.unfreezeMembership': allow(anyOf(self(subscriptionUser(input('memberSubscriptionId'))), facilityManager(subscriptionFacility(input('memberSubscriptionId')), 'manage_memberships'))),
  'workflows.applyFreezes': system,

  // privacy (KVKK/GDPR): a user exports their own data; erasure runs through the operator
  'privacy.exportUserData': allow(self(arg(0))),
  'privacy.eraseUser': system,

  // coach availability and bookable PT slots: a coach sets their own; anyone signed in sees
  // them; a client books a slot for themself, a coach for an active client
  'coaching.setAvailability': allow(self(input('coachId'))),
  'coaching.listCoachAvailability': open,
  'coaching.findFreeSlots': open,
  'coaching.bookSlot': allow(anyOf(self(input('clientId')), allOf(self(input('coachId')), activeCoachOf(input('clientId'))))),
  // webhooks: a facility's integrations are its owner's, or staff's with manage_facility; platform endpoints and the dispatcher are the operator's
  'webhooks.registerEndpoint': allow(facilityManager(input('facilityId'), 'manage_facility')),
  'webhooks.updateEndpoint': allow(facilityManager(webhookEndpointFacility, 'manage_facility')),
  'webhooks.rotateEndpointSecret': allow(facilityManager(webhookEndpointFacility, 'manage_facility')),
  'webhooks.disableEndpoint': allow(facilityManager(webhookEndpointFacility, 'manage_facility')),
  'webhooks.getEndpoint': allow(facilityManager(webhookEndpointFacility, 'manage_facility')),
  'webhooks.listEndpoints': allow(facilityManager(arg(0), 'manage_facility')),
  'webhooks.listDeliveries': allow(facilityManager(webhookEndpointFacility, 'manage_facility')),
  'webhooks.listDeliveryAttempts': allow(facilityManager(webhookDeliveryFacility, 'manage_facility')),
  'webhooks.redeliver': allow(facilityManager(webhookDeliveryFacility, 'manage_facility')),
  'webhooks.dispatch': system,
  'webhooks.purgeDeliveries': system,
  // plan changes: the member, or the facility's membership managers
  'workflows.changeMembershipPlan': allow(anyOf(self(subscriptionUser(input('memberSubscriptionId'))), facilityManager(subscriptionFacility(input('memberSubscriptionId')), 'manage_memberships'))),
  // class packs and session credits: staff adjust a member's credits; credit expiry is a nightly job
  'memberships.grantCredits': allow(facilityManager(subscriptionFacility(), 'manage_memberships')),
  'memberships.revokeCredits': allow(facilityManager(subscriptionFacility(), 'manage_memberships')),
  'memberships.expireCredits': system,
  // booking strikes and suspensions
  'bookings.findActiveSuspension': allow(anyOf(self(arg(0)), facilityManager(arg(1), 'view_members', 'manage_bookings'))),
  'bookings.listMemberStrikes': allow(self(arg(0))),
  'bookings.liftSuspension': allow(facilityManager(input('facilityId'), 'manage_bookings')),

  // liability waivers: staff publish, members sign, anyone reads the text before signing
  'waivers.publish': allow(facilityManager(input('facilityId'), 'manage_facility')),
  'waivers.findCurrent': open,
  'waivers.getVersion': open,
  'waivers.listVersions': open,
  'waivers.sign': allow(self(input('userId'))),
  'waivers.listSignatures': allow(self(arg(0))),
  'waivers.getClearance': allow(anyOf(self(arg(0)), facilityManager(arg(1), 'view_members', 'check_in_members'))),
  'bookings.findBookingFee': allow(anyOf(self(bookingUser), facilityManager(bookingFacility, 'view_members', 'manage_bookings'))),
  'workflows.waiveFee': allow(facilityManager(classFacility(loaded((l, id) => l.booking(id), (b) => b.classId, input('bookingId'))), 'manage_bookings')),
  'workflows.collectUnpaidFees': system,
  // promo codes: the facility's membership managers create, list and deactivate them (audited); purchases redeem them
  'promoCodes.create': allow(facilityManager(input('facilityId'), 'manage_memberships')),
  'promoCodes.deactivate': allow(facilityManager(arg(0), 'manage_memberships')),
  'promoCodes.list': allow(facilityManager(arg(0), 'manage_memberships')),
} as const satisfies Record<string, PolicyEntry>;

/** The id of an operation the policy knows: `measurements.record`, `workflows.bookClass`, … */
export type OperationId = keyof typeof ACCESS_POLICY;

/**
 * The policy entry of `operation`, or `undefined` for an operation the policy does not know (refused).
 *
 * @example
 * ```ts
 * policyEntryOf('workflows.renewDueSubscriptions')?.rule.name // 'systemOnly'
 * ```
 */
export function policyEntryOf(operation: string): PolicyEntry | undefined {
  return (ACCESS_POLICY as Record<string, PolicyEntry>)[operation];
}
