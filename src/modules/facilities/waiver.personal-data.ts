import { jsonOfAll, everyItem, type PersonalDataContributor, type PersonalDataDeclaration } from '../personal-data.js';
import { WAIVER_SIGNATURES_COLLECTION, WAIVERS_COLLECTION } from './waiver.collection.js';
import type { WaiverSignatureRepository } from './waiver.repository.js';

/** What replaces the name a member signed a waiver with once the member is erased. */
export const ERASED_SIGNER_NAME = 'Erased member';

/** The waivers' user-linked data: the members' signatures, and who published each version. */
export const WAIVER_PERSONAL_DATA = {
  module: 'waivers',
  holds: [
    { store: 'mongo', name: WAIVER_SIGNATURES_COLLECTION.name },
    {
      store: 'mongo',
      name: WAIVERS_COLLECTION.name,
      untouched: 'Published waiver versions are the facility\'s immutable legal texts; publishedBy is the id of the staff account, kept like the audit rows that name it.',
    },
  ],
} as const satisfies PersonalDataDeclaration;

/**
 * The waivers' part in export and erasure. The export holds every signature of the user. An
 * erasure keeps the signatures as the facility's legal record that a waiver was accepted
 * (decision 50), with the signed name replaced by {@link ERASED_SIGNER_NAME} and the IP address
 * and user agent removed.
 *
 * @example
 * ```ts
 * const contributor = waiverPersonalData(signatureRepository)
 * ```
 */
export function waiverPersonalData(signatures: WaiverSignatureRepository): PersonalDataContributor {
  return {
    ...WAIVER_PERSONAL_DATA,
    async export(userId) {
      return { waiverSignatures: await jsonOfAll((p) => signatures.listByUser(userId, p)) };
    },
    async erase(userId, { uow, personalStrings, subjectIds }) {
      let waiverSignatures = 0;
      for await (const signature of everyItem((p) => signatures.listByUser(userId, p, uow.ctx))) {
        if (signature.signedName !== ERASED_SIGNER_NAME) personalStrings.push(signature.signedName);
        subjectIds.add(signature.id);
        await signatures.patch(signature.id, { signedName: ERASED_SIGNER_NAME, ipAddress: null, userAgent: null }, {}, uow.ctx);
        waiverSignatures++;
      }
      return { anonymised: { waiverSignatures } };
    },
  };
}
