import { CONFLICT_REASONS, CONFLICT_REASONS_TR, type ConflictReason } from './conflict-reasons.js';
import {
  HTTP_STATUS_BY_ERROR_CODE,
  isNexfitError,
  STORE_VALIDATION_ISSUE_CODES,
  type NexfitError,
  type NexfitErrorCode,
  type ValidationIssue,
} from './errors.js';
import type { ValidationLocale } from './validation.js';

/** One validation problem as a client sees it: a field path a form can use, a code, a message. */
export interface PublicValidationIssue {
  /** Dotted and bracketed path into the input (`items[0].name`); `''` for the input as a whole. */
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/**
 * The body of an error response, safe to send to any client: a stable `code`, a message, and
 * where they apply a machine `reason`, field `issues`, and the `entity`/`id` that was not found.
 * Never a stack, a cause, a policy rule, an index or constraint name, SQL or a store address.
 */
export interface PublicErrorBody {
  /** The SDK's error code, or `INTERNAL` for an error that is not the SDK's. */
  readonly code: NexfitErrorCode | 'INTERNAL';
  readonly message: string;
  /**
   * Why, in a word a client can switch on: the `ConflictError` reason (`class_full`…),
   * `access_denied`, the entity of a `NOT_FOUND` (`member_subscription`), `malformed_body`…
   */
  readonly reason?: string;
  /** The field problems of a `VALIDATION_FAILED`. */
  readonly issues?: readonly PublicValidationIssue[];
  /** The kind of entity of a `NOT_FOUND` or `CONCURRENCY_CONFLICT` (`user`, `class booking`). */
  readonly entity?: string;
  /** The id of a `NOT_FOUND` or `CONCURRENCY_CONFLICT`: the one the request named. */
  readonly id?: string;
}

/** What {@link toHttpError} returns: the status and body to send, and the original error for the host's logs. */
export interface HttpErrorResponse {
  readonly status: number;
  readonly body: PublicErrorBody;
  /** The error as it was thrown, with its cause, details and stack: for the host's logs only. */
  readonly logged: unknown;
}

/** Options of {@link toHttpError}. */
export interface HttpErrorOptions {
  /**
   * Language of the messages the SDK writes for public bodies (generic, refusal, malformed
   * body…); English when omitted. Validation issue messages keep the locale they were parsed
   * in (`createNexfit({ locale })`).
   */
  readonly locale?: ValidationLocale | undefined;
}

type MessageKey =
  | 'internal'
  | 'malformedBody'
  | 'bodyTooLarge'
  | 'unsupportedMediaType'
  | 'storeValidation'
  | 'storeIssue'
  | 'forbidden'
  | 'deactivated'
  | 'invalidCredentials'
  | 'accessDenied'
  | 'cannotAct'
  | 'notFound'
  | 'conflict'
  | 'conflictReason'
  | 'concurrent'
  | 'declined'
  | 'providerError';

/** Conflict reasons' meanings as clients read them: without pointers into `details`, which public bodies do not carry. */
const CONFLICT_MESSAGES_EN: Readonly<Record<ConflictReason, string>> = { ...CONFLICT_REASONS, erasure_blocked: 'The user cannot be erased yet: they have open obligations.' };

const MESSAGES: Readonly<Record<ValidationLocale, Readonly<Record<MessageKey, (p: Readonly<Record<string, string>>) => string>>>> = {
  en: {
    internal: () => 'The service could not complete the request',
    malformedBody: () => 'Malformed JSON',
    bodyTooLarge: () => 'The request body is too large',
    unsupportedMediaType: () => 'The request body has an unsupported content type or encoding',
    storeValidation: () => 'The data was refused by the store\'s validation',
    storeIssue: () => 'The value was refused by the store\'s validation',
    forbidden: () => 'You may not do this',
    deactivated: () => 'This account is deactivated',
    invalidCredentials: () => 'The current password is incorrect',
    accessDenied: (p) => `You may not run ${p['operation']}`,
    cannotAct: () => 'This account cannot act: it is unknown or deactivated',
    notFound: (p) => `${capitalise(p['entity']!)} ${p['id']} was not found`,
    conflict: () => 'The request conflicts with the current state',
    conflictReason: (p) => CONFLICT_MESSAGES_EN[p['reason'] as ConflictReason],
    concurrent: (p) => `${capitalise(p['entity']!)} ${p['id']} was modified concurrently: read it again and retry`,
    declined: () => 'The payment was declined',
    providerError: () => 'The payment provider could not take the payment',
  },
  tr: {
    internal: () => 'Hizmet isteği tamamlayamadı',
    malformedBody: () => 'Geçersiz JSON',
    bodyTooLarge: () => 'İstek gövdesi çok büyük',
    unsupportedMediaType: () => 'İstek gövdesinin içerik türü veya kodlaması desteklenmiyor',
    storeValidation: () => 'Veriler veri deposunun doğrulamasından geçemedi',
    storeIssue: () => 'Değer veri deposunun doğrulamasından geçemedi',
    forbidden: () => 'Bu işlem için yetkiniz yok',
    deactivated: () => 'Bu hesap devre dışı',
    invalidCredentials: () => 'Mevcut parola yanlış',
    accessDenied: (p) => `${p['operation']} işlemini çalıştırma yetkiniz yok`,
    cannotAct: () => 'Bu hesap işlem yapamaz: bilinmiyor veya devre dışı',
    notFound: (p) => `${p['entity']} ${p['id']} bulunamadı`,
    conflict: () => 'İstek mevcut durumla çelişiyor',
    conflictReason: (p) => CONFLICT_REASONS_TR[p['reason'] as ConflictReason],
    concurrent: (p) => `${p['entity']} ${p['id']} eşzamanlı olarak değiştirildi: yeniden okuyup tekrar deneyin`,
    declined: () => 'Ödeme reddedildi',
    providerError: () => 'Ödeme sağlayıcısı ödemeyi alamadı',
  },
};

/**
 * Errors of the host's HTTP framework for a body it could not read: Express's body-parser
 * (`type`) and Fastify's content-type parser (`code`). Their own messages quote the body or
 * the parser, so the public body carries the SDK's message instead.
 */
const FRAMEWORK_BODY_ERRORS: Readonly<Record<string, { readonly status: number; readonly reason: string; readonly message: MessageKey }>> = {
  // Express (body-parser)
  'entity.parse.failed': { status: 400, reason: 'malformed_body', message: 'malformedBody' },
  'entity.too.large': { status: 413, reason: 'body_too_large', message: 'bodyTooLarge' },
  'encoding.unsupported': { status: 415, reason: 'unsupported_media_type', message: 'unsupportedMediaType' },
  'charset.unsupported': { status: 415, reason: 'unsupported_media_type', message: 'unsupportedMediaType' },
  // Fastify
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, reason: 'malformed_body', message: 'malformedBody' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, reason: 'malformed_body', message: 'malformedBody' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, reason: 'body_too_large', message: 'bodyTooLarge' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, reason: 'unsupported_media_type', message: 'unsupportedMediaType' },
};

/** `ForbiddenError` reasons whose refusal a user can act on; any other refusal gets the generic message. */
const FORBIDDEN_MESSAGES: Readonly<Record<string, MessageKey>> = {
  deactivated: 'deactivated',
  invalid_credentials: 'invalidCredentials',
};

/**
 * The HTTP response for anything a request handler threw: the status and a
 * {@link PublicErrorBody} to send, and the original error (`logged`) for the host's logs.
 *
 * - The SDK's errors (of any copy of the SDK in the process) get the status of
 *   `HTTP_STATUS_BY_ERROR_CODE` and a body with their code, a public message, a `reason`, field
 *   `issues`, or the `entity` and `id` that were not found. The message is written for the
 *   client, never taken from an internal one: an access refusal names the operation, not the
 *   policy rule; a conflict says what its `reason` means, not which index refused it.
 * - 5xx errors carry their code and a generic message only.
 * - A request body the framework could not read (Express's `entity.parse.failed`, Fastify's
 *   `FST_ERR_CTP_INVALID_JSON_BODY`…) is a 400 `VALIDATION_FAILED` with reason `malformed_body`
 *   (413 `body_too_large` and 415 `unsupported_media_type` for their cases).
 * - Anything else is a 500 `INTERNAL` with a generic message.
 *
 * @example
 * ```ts
 * app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
 *   const { status, body, logged } = toHttpError(err);
 *   if (status >= 500) req.log.error(logged);
 *   res.status(status).json(body);
 * });
 * ```
 */
export function toHttpError(error: unknown, options: HttpErrorOptions = {}): HttpErrorResponse {
  const m = MESSAGES[options.locale ?? 'en'];
  const respond = (status: number, body: PublicErrorBody): HttpErrorResponse => ({ status, body, logged: error });

  if (isNexfitError(error)) {
    const status = HTTP_STATUS_BY_ERROR_CODE[error.code];
    if (status >= 500) return respond(status, { code: error.code, message: m.internal({}) });
    return respond(status, publicBody(error, m));
  }
  const framework = frameworkBodyError(error);
  if (framework) return respond(framework.status, { code: 'VALIDATION_FAILED', message: m[framework.message]({}), reason: framework.reason });
  return respond(500, { code: 'INTERNAL', message: m.internal({}) });
}

type Messages = (typeof MESSAGES)[ValidationLocale];

/** The body of a 4xx SDK error; every field is rebuilt from the error's public properties. */
function publicBody(error: NexfitError, m: Messages): PublicErrorBody {
  const details = error.details ?? {};
  const text = (key: string): string | undefined => (typeof details[key] === 'string' ? (details[key] as string) : undefined);
  switch (error.code) {
    case 'VALIDATION_FAILED': {
      const issues = Array.isArray(details['issues']) ? (details['issues'] as readonly ValidationIssue[]) : [];
      const fromStore = issues.some(isStoreIssue);
      return {
        code: error.code,
        message: fromStore ? m.storeValidation({}) : error.message,
        issues: issues.map((issue) =>
          isStoreIssue(issue)
            ? { path: '', code: issue.code, message: m.storeIssue({}) }
            : // Another copy of the SDK may have built the issue: take only fields of the expected shape.
              { path: Array.isArray(issue.path) ? formatIssuePath(issue.path) : '', code: String(issue.code), message: String(issue.message) },
        ),
      };
    }
    case 'NOT_FOUND': {
      const entity = text('entity') ?? 'entity';
      const id = text('id') ?? '';
      return { code: error.code, message: m.notFound({ entity, id }), reason: entity.replace(/\W+/g, '_'), entity, id };
    }
    case 'CONCURRENCY_CONFLICT': {
      const entity = text('entity') ?? 'entity';
      const id = text('id') ?? '';
      return { code: error.code, message: m.concurrent({ entity, id }), reason: 'stale_version', entity, id };
    }
    case 'CONFLICT': {
      const reason = text('reason');
      if (reason === undefined || !Object.hasOwn(CONFLICT_REASONS, reason)) return { code: error.code, message: m.conflict({}), reason: 'conflict' };
      return { code: error.code, message: m.conflictReason({ reason }), reason };
    }
    case 'FORBIDDEN': {
      const reason = text('reason');
      const operation = text('operation');
      // `as` is the refusal of the acting account itself (`nexfit.as(userId)`), not of an operation.
      if (reason === 'access_denied' && operation !== undefined) return { code: error.code, message: operation === 'as' ? m.cannotAct({}) : m.accessDenied({ operation }), reason };
      const key = reason === undefined ? undefined : FORBIDDEN_MESSAGES[reason];
      return key ? { code: error.code, message: m[key]({}), reason: reason! } : { code: error.code, message: m.forbidden({}), reason: 'forbidden' };
    }
    case 'PAYMENT_FAILED': {
      const declined = text('reason') === 'declined';
      return { code: error.code, message: declined ? m.declined({}) : m.providerError({}), reason: declined ? 'declined' : 'provider_error' };
    }
    default:
      return { code: error.code, message: m.internal({}) };
  }
}

const storeIssueCodes: ReadonlySet<string> = new Set(STORE_VALIDATION_ISSUE_CODES);
/** An issue a store's own validation raised: its message quotes the store (constraint, validator). */
const isStoreIssue = (issue: ValidationIssue): boolean => storeIssueCodes.has(issue.code);

/**
 * A validation path as a client writes it: `['items', 0, 'name']` → `items[0].name`; keys that
 * are not identifiers are quoted (`meta["x-y"]`).
 *
 * @example
 * ```ts
 * formatIssuePath(['meals', 2, 'foods', 0, 'quantity']) // 'meals[2].foods[0].quantity'
 * ```
 */
export function formatIssuePath(path: readonly (string | number)[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

function frameworkBodyError(error: unknown): (typeof FRAMEWORK_BODY_ERRORS)[string] | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, code } = error as { type?: unknown; code?: unknown };
  const key = typeof type === 'string' ? type : typeof code === 'string' ? code : undefined;
  return key !== undefined && Object.hasOwn(FRAMEWORK_BODY_ERRORS, key) ? FRAMEWORK_BODY_ERRORS[key] : undefined;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
