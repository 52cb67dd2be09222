/**
 * Every `reason` a {@link ConflictError} carries, with what it means. A unit test compares this
 * list with the reasons thrown in `src/`, and docs/errors.md lists them, so a new reason cannot
 * be forgotten by either.
 */
export const CONFLICT_REASONS = {
  // Store constraints (stores/mongo, stores/postgres error mapping)
  duplicate: 'A unique value is taken (email, booking of the same occurrence, invoice number…).',
  foreign_key: 'The row refers to a missing row, or a row still referenced would be removed.',
  // Status machines (core/status-transition and the services that use it)
  invalid_transition: 'The entity is in a status from which this change is not allowed.',
  invalid_status: 'The invoice is not in a status this operation accepts.',
  // users
  last_role: 'A user must keep at least one role.',
  role_already_assigned: 'The user already has the role.',
  role_not_assigned: 'The user does not have the role.',
  not_a_coach: 'The user has no coach profile to rate.',
  // catalog
  alternate_of_itself: 'An exercise cannot be its own alternate.',
  alternates_via_link_operations: 'Alternates change through addAlternate and removeAlternate only.',
  exercise_in_use: 'The exercise is used by workout templates.',
  unit_not_convertible: 'The portion unit cannot be converted to the food\'s servings.',
  // workouts, nutrition
  private_exercises: 'A public template may use public exercises only.',
  private_templates: 'A public programme may use public templates only.',
  no_template: 'The workout was not logged from a template.',
  not_a_template: 'The nutrition plan is not a template.',
  // facilities
  duplicate_staff: 'The user is already on the facility\'s staff.',
  owner_is_not_staff: 'The facility\'s owner holds every permission and is not added as staff.',
  staff_via_staff_operations: 'Staff changes go through addStaff, changeStaff and removeStaff only.',
  facility_closed: 'The facility is not open at that time.',
  // memberships
  plan_inactive: 'The membership plan is no longer sold.',
  membership_required: 'The user has no active membership covering the facility at that time.',
  subscription_not_active: 'The member subscription is not active.',
  subscription_not_ended: 'The member subscription has not ended yet.',
  duplicate_payment: 'The payment is already recorded on the member subscription.',
  weekly_visit_limit_reached: 'The plan\'s weekly visit limit is used up.',
  // billing
  idempotency_key_taken: 'The idempotency key was used already.',
  idempotency_key_reused: 'The idempotency key was used for a different request.',
  invoice_number_exhausted: 'The invoice number sequence does not fit its format any more.',
  no_invoice: 'The transaction has no invoice to credit.',
  not_refundable: 'The transaction cannot be refunded in its status.',
  no_refundable_payment: 'The member subscription has no payment that can be refunded.',
  refund_exceeds_payment: 'The refund would exceed what is left of the payment.',
  payment_refunded: 'The request under this idempotency key could not be completed; its payment was refunded.',
  payment_intent_closed: 'Another run (a retry or recovery) finished the payment intent first.',
  renewal_not_applicable: 'The member subscription was renewed, cancelled or ended since the renewal was charged; the charge is refunded.',
  // classes
  already_booked: 'The user already holds a place (or a waitlist place) in the occurrence.',
  class_full: 'The occurrence has no place left.',
  waitlist_full: 'The occurrence\'s waitlist is full.',
  class_inactive: 'The class is not on the timetable.',
  class_started: 'The class has started: the booking can no longer be made or cancelled.',
  class_not_over: 'The class has not ended yet.',
  classes_not_included: 'The user\'s membership does not include classes.',
  weekly_limit_reached: 'The plan\'s weekly class booking limit is used up.',
  check_in_closed: 'Check-in is not open for the booking now.',
  // coaching
  self_coaching: 'A coach cannot be their own client.',
  relationship_exists: 'The coach and the client already have an open relationship.',
  relationship_not_active: 'The coach–client relationship is not active.',
  package_exhausted: 'The client\'s session package has no session left.',
  package_in_use: 'The session package still has sessions left.',
  no_session_used: 'The session package has no used session to return.',
  session_overlap: 'The session overlaps another session of the coach or the client.',
  session_not_started: 'The PT session has not started yet.',
  session_not_completed: 'The PT session is not completed.',
  feedback_exists: 'The PT session already has the client\'s feedback.',
  // privacy
  erasure_blocked: 'The user cannot be erased yet (open obligations; see details.blockers).',
  measurement_category_in_use: 'The measurement category still has values in readings: remove them before deleting it.',
  slot_unavailable: 'The coach is not available at the facility for the whole slot.',
  // webhooks
  webhook_delivery_pending: 'The webhook delivery is still queued: it is redelivered only after it succeeded or was dead-lettered.',
  webhook_endpoint_disabled: 'The webhook endpoint is disabled.',
  // proration and plan changes
  proration_not_monthly: 'Only a monthly plan can start prorated to a billing day.',
  same_plan: 'The membership is already on that plan.',
  plan_not_interchangeable: 'The new plan is sold by another facility, in another currency or for another duration: buy it instead of changing to it.',
  plan_change_not_applicable: 'The member subscription was renewed, cancelled or changed since the plan change was priced; a charge for it is refunded.',
  no_credits: 'The class pack has too few credits left for this booking.',
  credits_expired: 'The credits of the class pack have expired.',
  // booking policies
  outside_booking_window: 'Booking for the occurrence is not open yet or has closed (see details.opensAt and details.closesAt).',
  booking_suspended: 'The member\'s booking at the facility is suspended for no-shows or late cancellations until details.until.',
  fee_not_payable: 'The booking fee is no longer due (it was waived or paid): a charge for it is refunded.',
  fee_already_waived: 'The booking fee was already waived.',
  // membership freezes
  membership_frozen: 'The membership is frozen for this date: it cannot be used until it is unfrozen.',
  freeze_overlap: 'The freeze overlaps another freeze of the membership.',
  freeze_not_open: 'The membership has no scheduled or running freeze to end.',
  // waivers
  waiver_required: 'The member must sign the facility\'s waiver first (see details.waiverId and details.version).',
  waiver_version_superseded: 'That waiver version was superseded by one that must be signed again (see details.waiverId and details.version).',
  // multi-location plans and guest passes
  facility_not_in_business: 'A facility the plan names belongs to another business (another owner) than the plan\'s facility.',
  no_guest_passes: 'The membership has no guest passes left in this period.',
  // family and payer accounts
  link_to_self: 'A user cannot be linked to themself as guardian or payer.',
  guardian_requires_minor: 'A guardian link is for a dependant under 18 with a date of birth on record.',
  account_link_exists: 'The account already has an active link to the dependant.',
  too_many_dependants: 'The account already holds the most active dependants allowed (10).',
  payer_not_linked: 'The payer has no active guardian or payer link to the member.',
  // failed renewals (dunning)
  membership_overdue: 'The membership is overdue: its renewal payment was declined, so it cannot be used until the renewal is paid.',
  not_overdue: 'The membership has no overdue renewal to pay.',
  // promo codes and discounts
  promo_code_expired: 'The promo code is not valid at this time (before details.validFrom or after details.validUntil).',
  promo_code_exhausted: 'The promo code has reached its redemption limit (details.limit: total or per member).',
  promo_code_not_applicable: 'The promo code does not apply to this purchase (another plan, another currency, or it would make the price zero).',
  promo_code_inactive: 'The promo code was deactivated.',
} as const satisfies Record<string, string>;

/**
 * Why a {@link ConflictError} refused a write: one of the fixed reasons listed in
 * docs/errors.md. Switch on it to show a user what to do.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof ConflictError && e.reason === 'class_full') offerWaitlist() }
 * ```
 *
 * @useDeclaredType
 */
export type ConflictReason = keyof typeof CONFLICT_REASONS;

/**
 * The meaning of every {@link ConflictReason} in Turkish, for the public error bodies of
 * `toHttpError(error, { locale: 'tr' })`. Typed by the reason list, so a new reason cannot
 * miss its translation.
 */
export const CONFLICT_REASONS_TR: Readonly<Record<ConflictReason, string>> = {
  duplicate: 'Benzersiz olması gereken bir değer zaten kullanılıyor (e-posta, aynı seansın rezervasyonu, fatura numarası…).',
  foreign_key: 'Kayıt var olmayan bir kayda başvuruyor ya da hâlâ başvurulan bir kayıt silinmek isteniyor.',
  invalid_transition: 'Kayıt, bu değişikliğe izin verilmeyen bir durumda.',
  invalid_status: 'Fatura bu işlemin kabul ettiği bir durumda değil.',
  last_role: 'Bir kullanıcının en az bir rolü kalmalı.',
  role_already_assigned: 'Kullanıcı bu role zaten sahip.',
  role_not_assigned: 'Kullanıcı bu role sahip değil.',
  not_a_coach: 'Kullanıcının değerlendirilecek bir antrenör profili yok.',
  alternate_of_itself: 'Bir egzersiz kendisinin alternatifi olamaz.',
  alternates_via_link_operations: 'Alternatifler yalnızca addAlternate ve removeAlternate ile değişir.',
  exercise_in_use: 'Egzersiz antrenman şablonlarında kullanılıyor.',
  unit_not_convertible: 'Porsiyon birimi besinin porsiyonlarına çevrilemiyor.',
  private_exercises: 'Herkese açık bir şablon yalnızca herkese açık egzersizleri kullanabilir.',
  private_templates: 'Herkese açık bir program yalnızca herkese açık şablonları kullanabilir.',
  no_template: 'Antrenman bir şablondan kaydedilmedi.',
  not_a_template: 'Beslenme planı bir şablon değil.',
  duplicate_staff: 'Kullanıcı zaten tesisin personelinde.',
  owner_is_not_staff: 'Tesis sahibi tüm yetkilere sahiptir ve personel olarak eklenmez.',
  staff_via_staff_operations: 'Personel değişiklikleri yalnızca addStaff, changeStaff ve removeStaff ile yapılır.',
  facility_closed: 'Tesis o saatte açık değil.',
  plan_inactive: 'Üyelik planı artık satılmıyor.',
  membership_required: 'Kullanıcının o saatte tesisi kapsayan etkin bir üyeliği yok.',
  subscription_not_active: 'Üyelik aboneliği etkin değil.',
  subscription_not_ended: 'Üyelik aboneliği henüz sona ermedi.',
  duplicate_payment: 'Ödeme üyelik aboneliğine zaten kaydedilmiş.',
  weekly_visit_limit_reached: 'Planın haftalık ziyaret hakkı doldu.',
  idempotency_key_taken: 'Tekrar anahtarı (idempotency key) zaten kullanılmış.',
  idempotency_key_reused: 'Tekrar anahtarı (idempotency key) başka bir istek için kullanılmış.',
  invoice_number_exhausted: 'Fatura numarası dizisi artık biçimine sığmıyor.',
  no_invoice: 'İşlemin iade faturası kesilecek bir faturası yok.',
  not_refundable: 'İşlem bu durumunda iade edilemez.',
  no_refundable_payment: 'Üyelik aboneliğinin iade edilebilecek bir ödemesi yok.',
  refund_exceeds_payment: 'İade, ödemeden kalan tutarı aşıyor.',
  payment_refunded: 'Bu tekrar anahtarıyla yapılan istek tamamlanamadı; ödemesi iade edildi.',
  payment_intent_closed: 'Ödeme girişimini başka bir çalışma (yeniden deneme veya kurtarma) önce tamamladı.',
  renewal_not_applicable: 'Üyelik aboneliği yenileme ücreti alındıktan sonra yenilendi, iptal edildi veya sona erdi; ücret iade edilir.',
  already_booked: 'Kullanıcının bu seansta zaten bir yeri (veya bekleme listesinde yeri) var.',
  class_full: 'Seansta boş yer kalmadı.',
  waitlist_full: 'Seansın bekleme listesi dolu.',
  class_inactive: 'Ders programda değil.',
  class_started: 'Ders başladı: rezervasyon artık yapılamaz veya iptal edilemez.',
  class_not_over: 'Ders henüz bitmedi.',
  classes_not_included: 'Kullanıcının üyeliği dersleri kapsamıyor.',
  weekly_limit_reached: 'Planın haftalık ders rezervasyonu hakkı doldu.',
  check_in_closed: 'Bu rezervasyon için giriş (check-in) şu anda açık değil.',
  self_coaching: 'Bir antrenör kendi danışanı olamaz.',
  relationship_exists: 'Antrenör ile danışanın zaten açık bir ilişkisi var.',
  relationship_not_active: 'Antrenör–danışan ilişkisi etkin değil.',
  package_exhausted: 'Danışanın seans paketinde seans kalmadı.',
  package_in_use: 'Seans paketinde hâlâ seans var.',
  no_session_used: 'Seans paketinde geri verilecek kullanılmış seans yok.',
  session_overlap: 'Seans, antrenörün veya danışanın başka bir seansıyla çakışıyor.',
  session_not_started: 'PT seansı henüz başlamadı.',
  session_not_completed: 'PT seansı tamamlanmadı.',
  feedback_exists: 'PT seansında danışanın geri bildirimi zaten var.',
  erasure_blocked: 'Kullanıcı henüz silinemez: açık yükümlülükleri var.',
  measurement_category_in_use: 'Ölçüm kategorisinin ölçümlerde hâlâ değerleri var: silmeden önce onları kaldırın.',
  slot_unavailable: 'Antrenör, bu tesiste seansın tamamı boyunca müsait değil.',
  webhook_delivery_pending: 'Webhook gönderimi hâlâ kuyrukta: yalnızca başarıyla tamamlandıktan ya da ölü mektup kuyruğuna düştükten sonra yeniden gönderilir.',
  webhook_endpoint_disabled: 'Webhook uç noktası devre dışı.',
  proration_not_monthly: 'Fatura gününe göre kıst başlangıç yalnızca aylık planlarda yapılabilir.',
  same_plan: 'Üyelik zaten bu planda.',
  plan_not_interchangeable: 'Yeni plan başka bir tesisin, başka bir para biriminde ya da başka bir süre için: plana geçmek yerine satın alın.',
  plan_change_not_applicable: 'Plan değişikliği fiyatlandırıldıktan sonra üyelik yenilendi, iptal edildi ya da değişti; bunun için alınan ödeme iade edilir.',
  no_credits: 'Ders paketinde bu rezervasyon için yeterli kredi kalmadı.',
  credits_expired: 'Ders paketinin kredilerinin süresi doldu.',
  outside_booking_window: 'Bu seans için rezervasyon henüz açılmadı ya da kapandı.',
  booking_suspended: 'Üyenin bu tesisteki rezervasyonları, gelmediği ya da geç iptal ettiği dersler nedeniyle askıya alındı.',
  fee_not_payable: 'Rezervasyon ücreti artık ödenecek durumda değil (silindi ya da ödendi): bunun için alınan ödeme iade edilir.',
  fee_already_waived: 'Rezervasyon ücreti zaten silinmiş.',
  membership_frozen: 'Üyelik bu tarihte dondurulmuş: çözülene kadar kullanılamaz.',
  freeze_overlap: 'Dondurma, üyeliğin başka bir dondurmasıyla çakışıyor.',
  freeze_not_open: 'Üyeliğin sonlandırılacak planlanmış veya süren bir dondurması yok.',
  waiver_required: 'Üyenin önce tesisin sorumluluk feragatnamesini imzalaması gerekir.',
  waiver_version_superseded: 'Feragatnamenin bu sürümü, yeniden imzalanması gereken yeni bir sürümle değiştirildi.',
  facility_not_in_business: 'Planın belirttiği bir tesis, planın tesisinden başka bir işletmeye (başka bir sahibe) ait.',
  no_guest_passes: 'Üyeliğin bu dönemde misafir hakkı kalmadı.',
  link_to_self: 'Bir kullanıcı kendisine veli ya da ödeyen olarak bağlanamaz.',
  guardian_requires_minor: 'Veli bağlantısı, doğum tarihi kayıtlı ve 18 yaşından küçük bir kullanıcı içindir.',
  account_link_exists: 'Hesabın bu kullanıcıya zaten etkin bir bağlantısı var.',
  too_many_dependants: 'Hesap, izin verilen en fazla etkin bağlı kullanıcı sayısına (10) ulaştı.',
  payer_not_linked: 'Ödeyenin bu üyeye etkin bir veli ya da ödeyen bağlantısı yok.',
  membership_overdue: 'Üyeliğin ödemesi gecikmiş: yenileme ödemesi reddedildi, yenileme ödenene kadar üyelik kullanılamaz.',
  not_overdue: 'Üyeliğin ödenecek gecikmiş bir yenilemesi yok.',
  promo_code_expired: 'Promosyon kodu şu anda geçerli değil (geçerlilik başlangıcından önce ya da bitişinden sonra).',
  promo_code_exhausted: 'Promosyon kodunun kullanım hakkı doldu (toplamda ya da üye başına).',
  promo_code_not_applicable: 'Promosyon kodu bu satın almaya uygulanamaz (başka bir plan, başka bir para birimi ya da fiyatı sıfıra indiriyor).',
  promo_code_inactive: 'Promosyon kodu devre dışı bırakıldı.',
};
