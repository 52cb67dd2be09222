import { z } from 'zod';
import { ValidationError, type ValidationIssue } from './errors.js';
import { turkishMessageFor } from './validation-messages.js';

/** The languages validation messages are available in. */
export const VALIDATION_LOCALES = ['en', 'tr'] as const;
export type ValidationLocale = (typeof VALIDATION_LOCALES)[number];

const localeErrors = {
  en: z.locales.en().localeError,
  tr: z.locales.tr().localeError,
} satisfies Record<ValidationLocale, unknown>;

let defaultLocale: ValidationLocale = 'en';

/**
 * Sets the locale {@link parseOrThrow} uses when a call names none. Only the SDK's own
 * default changes: zod's global configuration (`z.config`) of the host app is left alone.
 *
 * @example
 * ```ts
 * setDefaultValidationLocale('tr')
 * ```
 */
export function setDefaultValidationLocale(locale: ValidationLocale): void {
  if (!VALIDATION_LOCALES.includes(locale)) throw new RangeError(`Unsupported validation locale: ${String(locale)}`);
  defaultLocale = locale;
}

/** The locale {@link parseOrThrow} uses by default. */
export function getDefaultValidationLocale(): ValidationLocale {
  return defaultLocale;
}

export interface ParseOptions {
  /** Language of the issue messages; the SDK default (`en`) when omitted. */
  readonly locale?: ValidationLocale;
  /** What was being validated, for the error's message (`'user'`, `'class booking'`…). */
  readonly entity?: string;
}

/** zod's issues as the SDK's {@link ValidationIssue}s, with the SDK's own messages localised. */
export function toValidationIssues(error: z.ZodError, locale: ValidationLocale): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    code: issue.code,
    message: locale === 'tr' ? (turkishMessageFor(issue.message) ?? issue.message) : issue.message,
  }));
}

/**
 * Parses `input` with `schema` and returns the parsed value, or throws a
 * {@link ValidationError} whose issues carry paths and messages in the chosen locale.
 * The locale is passed per parse, never through zod's global configuration.
 *
 * @example
 * ```ts
 * const input = parseOrThrow(createUserInputSchema, body, { locale: 'tr', entity: 'user' })
 * ```
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, options: ParseOptions = {}): z.output<S> {
  const locale = options.locale ?? defaultLocale;
  const result = schema.safeParse(input, { error: localeErrors[locale], reportInput: false });
  if (result.success) return result.data;
  const issues = toValidationIssues(result.error, locale);
  const subject = options.entity ?? 'input';
  const headline = locale === 'tr' ? `Geçersiz ${subject}` : `Invalid ${subject}`;
  const first = issues[0];
  const detail = first ? `: ${first.path.length ? `${first.path.join('.')}: ` : ''}${first.message}` : '';
  const more = issues.length > 1 ? ` (+${issues.length - 1})` : '';
  throw new ValidationError(`${headline}${detail}${more}`, issues, { cause: result.error });
}
