import { Query } from 'mingo/query';
import { isPlainObject, type Doc } from './bson-values.js';
import type { CollectionStore } from './collection-store.js';
import { CommandError, ErrorCode } from './errors.js';
import { compileJsonSchema, checkJsonSchema } from './json-schema-validator.js';
import { mingoOptions } from './query-engine.js';

type Validator = (doc: Doc) => Doc | undefined;
const compiled = new WeakMap<Doc, Validator>();

/** Rejects a validator MongoDB would refuse at `create`/`collMod` time. */
export function checkValidator(validator: unknown): void {
  if (!isPlainObject(validator)) throw new CommandError(ErrorCode.TypeMismatch, "'validator' must be an object");
  for (const key of ['$where', '$near', '$nearSphere', '$text', '$expr'] as const) {
    if (key !== '$expr' && key in validator) throw new CommandError(ErrorCode.BadValue, `${key} is not allowed in collection validators`);
  }
  if ('$jsonSchema' in validator) checkJsonSchema(validator['$jsonSchema']);
  try {
    const { $jsonSchema: _schema, ...rest } = validator;
    new Query(rest, mingoOptions());
  } catch (error) {
    throw new CommandError(ErrorCode.BadValue, error instanceof Error ? error.message : String(error));
  }
}

function compile(validator: Doc): Validator {
  const { $jsonSchema, ...rest } = validator;
  const schema = isPlainObject($jsonSchema) ? compileJsonSchema($jsonSchema) : undefined;
  const query = Object.keys(rest).length > 0 ? new Query(rest, mingoOptions()) : undefined;
  return (doc) => {
    const schemaDetails = schema?.(doc);
    if (schemaDetails) return schemaDetails;
    if (query && !query.test(doc)) {
      return { operatorName: '$and', clausesNotSatisfied: Object.keys(rest).map((field, index) => ({ index, details: { operatorName: field, reason: 'query did not match' } })) };
    }
    return undefined;
  };
}

/**
 * Checks a document against the collection's validator, honouring validationLevel
 * (`moderate` exempts updates of documents that were already invalid) and
 * validationAction (`warn` accepts). Throws 121 DocumentValidationFailure.
 */
export function validateDocument(coll: CollectionStore, doc: Doc, previous: Doc | undefined, bypass: boolean): void {
  const validator = coll.options['validator'];
  if (bypass || !isPlainObject(validator) || Object.keys(validator).length === 0) return;
  const level = coll.options['validationLevel'] ?? 'strict';
  if (level === 'off' || coll.options['validationAction'] === 'warn') return;
  let check = compiled.get(validator);
  if (!check) {
    check = compile(validator);
    compiled.set(validator, check);
  }
  const details = check(doc);
  if (!details) return;
  if (level === 'moderate' && previous && check(previous)) return;
  throw new CommandError(ErrorCode.DocumentValidationFailure, 'Document failed validation', {
    extra: { errInfo: { failingDocumentId: doc['_id'], details } },
  });
}
