import { OBJECT_ID_MESSAGE } from './ids.js';

/**
 * The SDK's own validation messages, in English and Turkish. Schemas carry the English text
 * (so a plain `schema.parse()` reads well); `parseOrThrow(..., { locale: 'tr' })` swaps it
 * for the Turkish twin. zod's own messages are localised by zod's locale bundles.
 *
 * @example
 * ```ts
 * { error: VALIDATION_MESSAGES.timeOfDay.en }
 * ```
 */
export const VALIDATION_MESSAGES = {
  objectId: { en: OBJECT_ID_MESSAGE, tr: '24 karakterli onaltılık bir ObjectId bekleniyor' },
  email: { en: 'Expected an e-mail address', tr: 'Geçerli bir e-posta adresi bekleniyor' },
  phone: { en: 'Expected a phone number in international format such as +905551234567', tr: '+905551234567 gibi uluslararası biçimde bir telefon numarası bekleniyor' },
  url: { en: 'Expected an http(s) URL', tr: 'http(s) ile başlayan bir URL bekleniyor' },
  timeOfDay: { en: 'Expected a time of day as HH:mm (00:00-23:59)', tr: 'SS:dd biçiminde bir saat bekleniyor (00:00-23:59)' },
  calendarDate: { en: 'Expected a calendar date as YYYY-MM-DD', tr: 'YYYY-AA-GG biçiminde bir tarih bekleniyor' },
  dateRange: { en: 'Expected a date between the years 1900 and 2200', tr: '1900 ile 2200 yılları arasında bir tarih bekleniyor' },
  timeZone: { en: 'Expected an IANA time zone such as Europe/Istanbul', tr: 'Europe/Istanbul gibi bir IANA saat dilimi bekleniyor' },
  uuid: { en: 'Expected a UUID', tr: 'UUID bekleniyor' },
  safeKey: { en: 'Keys may not start with "$" or contain "."', tr: 'Anahtarlar "$" ile başlayamaz ve "." içeremez' },
  jsonValue: { en: 'Expected a JSON value (at most 8 levels deep, 500 entries per level, no "$" or "." in keys)', tr: 'JSON değeri bekleniyor (en fazla 8 seviye, seviye başına 500 öğe, anahtarlarda "$" veya "." olmadan)' },
  uniqueItems: { en: 'Items must be unique', tr: 'Öğeler benzersiz olmalı' },
  endAfterStart: { en: 'The end must be after the start', tr: 'Bitiş, başlangıçtan sonra olmalı' },
  roleDataWithoutRole: { en: 'Role data is only allowed for roles the user has', tr: 'Rol verisi yalnızca kullanıcının sahip olduğu roller için girilebilir' },
  sessionsBalance: { en: 'used + remaining must equal total', tr: 'kullanılan + kalan, toplama eşit olmalı' },
  discountNotBelowPrice: { en: 'The discount price must be lower than the price', tr: 'İndirimli fiyat, fiyattan düşük olmalı' },
  emptyPatch: { en: 'A patch must change at least one field', tr: 'Güncelleme en az bir alanı değiştirmeli' },
  derivedField: { en: 'A derived field does not match its source', tr: 'Türetilmiş alan kaynağıyla uyuşmuyor' },
  scheduleDay: { en: 'Schedule days must be unique and within the programme duration', tr: 'Program günleri benzersiz ve program süresi içinde olmalı' },
  restDay: { en: 'A rest day has no workout and a training day needs one', tr: 'Dinlenme gününde antrenman olmaz, antrenman gününde bir antrenman gerekir' },
  rangeOrder: { en: 'The minimum of a range must not be above its maximum', tr: 'Bir aralığın en küçük değeri en büyük değerinden büyük olamaz' },
  secondaryBodyArea: { en: 'A body area is worked either mainly (bodyAreas) or secondarily (secondaryBodyAreas), not both', tr: 'Bir vücut bölgesi ya ana (bodyAreas) ya da ikincil (secondaryBodyAreas) olarak çalışır, ikisi birden değil' },
  statisticsWindow: { en: 'A statistics window spans at most 366 days', tr: 'Bir istatistik aralığı en fazla 366 gün olabilir' },
  rirOrRpe: { en: 'Give reps in reserve (RiR) or perceived exertion (RPE), not both', tr: 'Yedekteki tekrar (RiR) veya algılanan zorluk (RPE) verin, ikisini birden değil' },
  weightTwice: { en: 'Give the weight either in kilograms (weight) or with its unit (weightIn), not both', tr: 'Ağırlığı ya kilogram olarak (weight) ya da birimiyle (weightIn) verin, ikisini birden değil' },
  distanceTwice: { en: 'Give the distance either in metres (distance) or with its unit (distanceIn), not both', tr: 'Mesafeyi ya metre olarak (distance) ya da birimiyle (distanceIn) verin, ikisini birden değil' },
  supersetGroup: { en: 'A superset groups at least two exercises with consecutive orders', tr: 'Bir süper set, sırası ardışık en az iki egzersizi gruplar' },
  negativeLoad: { en: 'This progression rule would make a load negative', tr: 'Bu ilerleme kuralı bir ağırlığı negatife düşürür' },
  percentReplace: { en: 'A replace rule sets a load in kg or lb, not a percentage', tr: 'Değiştirme kuralı ağırlığı yüzde ile değil kg veya lb ile belirler' },
  ruleExercise: { en: 'The rule names an exercise that no training day of the programme has', tr: 'Kural, programın hiçbir antrenman gününde olmayan bir egzersizi gösteriyor' },
  programStart: { en: 'The date must not be before the programme start', tr: 'Tarih, program başlangıcından önce olamaz' },
  heartRateOrder: { en: 'Heart rate must satisfy min <= average <= max', tr: 'Nabız değerleri min <= ortalama <= maks olmalı' },
  barcode: { en: 'Expected an EAN-8, UPC-A or EAN-13 barcode (8, 12 or 13 digits) with a valid check digit', tr: 'Geçerli kontrol basamağı olan bir EAN-8, UPC-A veya EAN-13 barkodu bekleniyor (8, 12 veya 13 rakam)' },
  saturatedFatWithinFat: { en: 'Saturated fat cannot exceed total fat', tr: 'Doymuş yağ, toplam yağı aşamaz' },
  sugarsWithinCarbs: { en: 'Sugars cannot exceed total carbohydrates', tr: 'Şekerler, toplam karbonhidratı aşamaz' },
  nutrientOver100g: { en: 'A nutrient cannot exceed 100 g per 100 g of food', tr: 'Bir besin öğesi, 100 g gıdada 100 g değerini aşamaz' },
  macrosOver105g: { en: 'Protein, carbohydrates and fat together cannot exceed 105 g per 100 g of food', tr: 'Protein, karbonhidrat ve yağ toplamı 100 g gıdada 105 g değerini aşamaz' },
  energyMatchesMacros: { en: 'The energy does not match the macronutrients (4 kcal/g protein and carbohydrates, 9 kcal/g fat, 2 kcal/g fibre, within 20 % + 15 kcal per 100 g)', tr: 'Enerji, makro besinlerle uyuşmuyor (protein ve karbonhidrat 4 kcal/g, yağ 9 kcal/g, lif 2 kcal/g; 100 g başına %20 + 15 kcal tolerans)' },
  eatenTooFarAhead: { en: 'A diary entry cannot be more than 1 day in the future', tr: 'Bir günlük kaydı 1 günden daha ileri bir tarihe girilemez' },
  diaryPortion: { en: 'Name a portion of the food exactly when the unit is portion', tr: 'Porsiyon adı yalnızca birim porsiyon olduğunda ve mutlaka girilmeli' },
  diaryUnit: { en: 'The unit does not fit the food: use its serving unit, servings or one of its portions', tr: 'Birim bu gıdaya uymuyor: gıdanın servis birimini, servis sayısını veya porsiyonlarından birini kullanın' },
  diaryUnknownPortion: { en: 'The food has no portion of this name', tr: 'Gıdanın bu adda bir porsiyonu yok' },
  diaryUnknownFood: { en: 'The food is not in the catalogue', tr: 'Gıda katalogda yok' },
  diaryMeal: { en: 'Expected breakfast, lunch, dinner, snack or a meal name of the plan', tr: 'breakfast, lunch, dinner, snack veya planın öğünlerinden biri bekleniyor' },
  diaryPlan: { en: 'The nutrition plan does not exist or is not written for this member', tr: 'Beslenme planı yok veya bu üye için yazılmamış' },
  energyProfileValue: { en: 'Not given and not in the member\'s profile', tr: 'Girilmedi ve üyenin profilinde de yok' },
  taxWithinTotal: { en: 'The tax cannot exceed the total', tr: 'Vergi tutarı toplamı aşamaz' },
  ipAddress: { en: 'Expected an IPv4 or IPv6 address', tr: 'IPv4 veya IPv6 adresi bekleniyor' },
  cancellation: { en: 'cancelledAt is required exactly when the status is cancelled', tr: 'cancelledAt yalnızca durum iptal olduğunda girilmeli' },
  plainData: { en: 'Expected plain data (objects, arrays, strings, numbers, booleans, dates), not an instance of a class', tr: 'Düz veri bekleniyor (nesne, dizi, metin, sayı, mantıksal değer, tarih); bir sınıf örneği değil' },
  reservedKey: { en: 'Keys named __proto__, constructor or prototype are not allowed', tr: '__proto__, constructor veya prototype adlı anahtarlara izin verilmez' },
  isoWeek: { en: 'Expected an ISO week such as 2026-W10', tr: '2026-W10 gibi bir ISO haftası bekleniyor' },
  nulCharacter: { en: 'Text may not contain the NUL character (U+0000)', tr: 'Metin NUL karakteri (U+0000) içeremez' },
  tooDeep: { en: 'The input is nested too deeply', tr: 'Girdi çok derin iç içe geçmiş' },
  readingOutsideDay: { en: 'A reading must be taken within its measurement\'s day', tr: 'Bir ölçüm, ait olduğu ölçüm gününün içinde alınmış olmalı' },
  readingTooFarAhead: { en: 'A reading cannot be more than 1 day in the future', tr: 'Bir ölçüm 1 günden daha ileri bir tarihe girilemez' },
  readingEmpty: { en: 'Expected at least one body metric or custom value', tr: 'En az bir vücut ölçüsü veya özel değer bekleniyor' },
  tooManyReadings: { en: 'A day holds at most 48 readings', tr: 'Bir gün en fazla 48 ölçüm içerebilir' },
  unknownMeasurementCategory: { en: 'The measurement category does not exist or belongs to another user', tr: 'Ölçüm kategorisi yok veya başka bir kullanıcıya ait' },
  measurementCategoryNameTaken: { en: 'You already have a measurement category of this name (names are compared ignoring case)', tr: 'Bu adda bir ölçüm kategoriniz zaten var (adlar büyük/küçük harf ayrımı yapılmadan karşılaştırılır)' },
  availabilityOverlap: { en: 'Availability entries of one day may not overlap', tr: 'Aynı günün uygunluk aralıkları çakışamaz' },
  availabilityExceptionTimes: { en: 'An extra-hours exception needs a start and an end; a day off gives both or neither', tr: 'Ek saat istisnası başlangıç ve bitiş ister; izin günü ikisini birlikte verir ya da hiçbirini vermez' },
  slotDurationNotFitting: { en: 'The duration does not fit in any availability window of the coach', tr: 'Süre, antrenörün hiçbir uygunluk aralığına sığmıyor' },
  slotRangeTooLong: { en: 'Ask for at most 31 days of slots at a time', tr: 'Bir seferde en fazla 31 günlük boş zaman istenebilir' },
  ownFacilityListed: { en: 'The plan\'s own facility is not listed among the other facilities it is valid at', tr: 'Planın kendi tesisi, geçerli olduğu diğer tesisler arasında listelenmez' },
  freezeStartsInPast: { en: 'A freeze cannot start before today (facility time zone)', tr: 'Dondurma bugünden (tesis saat dilimi) önce başlayamaz' },
  freezeAfterPeriod: { en: 'A freeze must start before the last day of the membership period', tr: 'Dondurma, üyelik döneminin son gününden önce başlamalı' },
  freezeResumeAfterStart: { en: 'The resume date must be after the first frozen day', tr: 'Dönüş tarihi, dondurulan ilk günden sonra olmalı' },
  freezeTooLong: { en: 'The freeze is longer than the freeze policy allows for one freeze', tr: 'Dondurma, dondurma kuralının tek seferde izin verdiğinden uzun' },
  freezeYearLimit: { en: 'The freezes of this calendar year would exceed the days the freeze policy allows per year', tr: 'Bu takvim yılının dondurmaları, dondurma kuralının yıllık izin verdiği gün sayısını aşar' },
  freezeResumeInPast: { en: 'A freeze cannot be ended before today (facility time zone)', tr: 'Dondurma bugünden (tesis saat dilimi) önceye sonlandırılamaz' },
  freezeCannotExtend: { en: 'Unfreezing can only end a freeze earlier; freeze again to extend it', tr: 'Çözme yalnızca dondurmayı erken bitirebilir; uzatmak için yeniden dondurun' },
  promoPercentRange: { en: 'A percent discount is 1 to 100', tr: 'Yüzde indirim 1 ile 100 arasında olmalı' },
  promoCurrency: { en: 'A fixed discount names its currency; a percent discount has none', tr: 'Sabit tutarlı indirim para birimini belirtir; yüzde indirimin para birimi olmaz' },
  promoCode: { en: 'A promo code is 3 to 32 Latin letters, digits, "-" or "_", starting with a letter or digit', tr: 'Promosyon kodu harf veya rakamla başlayan, Latin harfi, rakam, "-" ya da "_" içeren 3 ile 32 karakter olmalı' },
} as const satisfies Record<string, { readonly en: string; readonly tr: string }>;

/** The key of a validation message available in every locale. */
export type ValidationMessageKey = keyof typeof VALIDATION_MESSAGES;

const TURKISH_BY_ENGLISH: ReadonlyMap<string, string> = new Map(
  Object.values(VALIDATION_MESSAGES).map((m) => [m.en, m.tr]),
);

/** The Turkish twin of one of the SDK's English messages, or `undefined` for any other text. */
export function turkishMessageFor(english: string): string | undefined {
  return TURKISH_BY_ENGLISH.get(english);
}
