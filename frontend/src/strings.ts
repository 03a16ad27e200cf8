// Every string the patient app and the shell show, in one place, ready for translation.
// The clinician dashboard's strings are in strings-clinician.ts (kept out of the patient's
// first load).

export const t = {
  appName: "LDN Diary",
  loading: "Loading…",

  // connection and sync
  online: "Online",
  offline: "Offline: your entries stay on this phone until the connection returns.",
  offlineReady: "Ready to work offline",
  savedOnPhone: "Saved on this phone. It will sync when you are online.",
  synced: "Synced",
  syncing: "Syncing…",
  waitingToSync: (n: number) => (n === 1 ? "1 change waiting to sync" : `${n} changes waiting to sync`),
  allSynced: "Everything is synced",
  syncFailed: (detail: string) => `The server did not accept this day: ${detail}`,
  signInAgainToSync: "Sign in again to sync your entries.",
  // a server error is the server's, never blamed on the connection
  serverProblem: (status: number) => `The server had a problem (${status}). Try again in a moment.`,
  requestFailed: (status: number) => `The server could not answer this request (${status}).`,
  tryAgain: "Try again",
  continueOffline: "Use the diary offline meanwhile",

  // auth
  signIn: "Sign in",
  signUp: "Create an account",
  signOut: "Sign out",
  signOutUnsyncedTitle: (n: number) =>
    n === 1 ? "1 day has changes that are not on the server yet" : `${n} days have changes that are not on the server yet`,
  signOutUnsynced: (days: string, refused: boolean) =>
    `Changes of ${days} are only on this phone${refused ? ", and the server did not accept one of them" : ""}. ` +
    "Signing out deletes everything this phone keeps for you, so these changes would be lost.",
  signOutAnyway: "Sign out and lose them",
  staySignedIn: "Stay signed in",
  syncThenSignOut: "Sync now, then sign out",
  email: "E-mail",
  password: "Password",
  displayName: "Your name (optional)",
  invitationCode: "Invitation code from your clinic (optional)",
  consentNeeded: "Sharing your diary with the clinic needs your consent.",
  consentNeededFor: (clinic: string) => `Sharing your diary with ${clinic} needs your consent: tick the box, or clear the code.`,
  timeZoneIs: (tz: string) => `Your time zone: ${tz}`,
  haveAccount: "I already have an account",
  noAccount: "New here? Create an account",
  verifyTitle: "Check your e-mail",
  verifyIntroTo: (email: string) => `We sent a code to ${email}. Type it here to confirm that the address is yours.`,
  codeNotArrived: "No e-mail? Look in your spam folder, ask for a new code, or check the address.",
  codeResend: "Send a new code",
  codeResendIn: (s: number) => `Send a new code (in ${s} s)`,
  codeSentAgain: (email: string) => `A new code is on its way to ${email}. The earlier one no longer works.`,
  codeSentTo: (email: string) => `A code is on its way to ${email}.`,
  codeWait: "Please wait a minute before asking for another code.",
  codeNoMore: "No more codes can be sent for now. Start again in a little while.",
  changeAddress: "Change the address",
  newAddress: "Your e-mail address",
  sendCodeThere: "Send the code to this address",
  startAgain: "Start again",
  backToSignIn: "Back to sign in",
  forgotPassword: "Forgot your password?",
  resetTitle: "Reset your password",
  resetIntro: "Type the address you signed up with. We will e-mail you a code to set a new password.",
  resetSend: "E-mail me a code",
  resetCodeSentTo: (email: string) =>
    `If ${email} has an account, we sent it a code. Type the code and choose a new password (at least 10 characters).`,
  resetCode: "Code from the e-mail",
  newPassword: "New password",
  resetSet: "Set the new password and sign in",
  conditionQuestion: "What do you take LDN for?",
  conditionNeeded: "Choose what you take LDN for, or \"Not sure\".",
  verifyCode: "Code from the e-mail",
  verify: "Confirm",
  mfaTitle: "Second step",
  mfaIntro: "Type the 6-digit code from your authenticator app.",
  mfaCode: "Authenticator code",
  signInNeedsConnection: "You are offline. Signing in needs a connection.",
  genericError: "Something went wrong. Please try again.",
  tooManyAttempts: "Too many failed sign-ins for this account from here. Wait a few minutes, then try again.",

  // Today
  today: "Today",
  day: "Day",
  whichDay: "Which day?",
  yesterday: "Yesterday",
  otherDay: "Another day",
  todayWord: "today",
  yesterdayWord: "yesterday",
  onDay: (day: string) => `on ${day}`,
  pain: (on: string) => `Pain ${on} (0 = none, 10 = worst)`,
  headache: (kind: string, on: string) =>
    kind === "other" ? `Headache ${on} (the worst that day)` : `Headache (the worst ${on})`,
  headacheLevels: ["None", "Mild", "Moderate", "Severe"],
  migraine: "Was it a migraine?",
  yes: "Yes",
  no: "No",
  sleep: (kind: string, on: string) =>
    kind === "today"
      ? "Sleep last night (0 = terrible, 10 = excellent)"
      : kind === "yesterday"
        ? "Sleep the night before yesterday (0 = terrible, 10 = excellent)"
        : `Sleep the night before, ${on.replace(/^on /, "")} (0 = terrible, 10 = excellent)`,
  dose: (on: string) => (on ? `My dose ${on}` : "My dose"),
  tookDose: (mg: string, when: string) => `Took my dose: ${mg} mg${when ? ` ${when}` : ""}`,
  tookDoseNoPlan: "Took my dose",
  doseLogged: (mg: string) => `Dose logged: ${mg} mg`,
  doseMissedLogged: "Logged: dose not taken",
  changeDose: "Change the dose",
  deleteDose: "Delete the dose",
  saveDose: "Save the dose",
  otherAmount: "Another amount or time",
  deleteDoseTitle: (mg: string, on: string) => `Delete the ${mg} mg dose logged ${on}?`,
  deleteDoseExplain:
    "Use this for a dose logged by mistake. The dose stays in your diary's history (your clinician can see it was " +
    "deleted), and you can log the day's dose again.",
  didYouMeanTitle: (amounts: string[]) => `Did you mean ${amounts.map((a) => `${a} mg`).join(" or ")}?`,
  didYouMeanPlan: (mg: string, planned: string) =>
    `${mg} mg is far from your plan's ${planned} mg for this day. A slipped decimal point is easy to type.`,
  didYouMeanUsual: (mg: string) => `${mg} mg is above the usual low-dose naltrexone range (up to 4.5 mg a day).`,
  useAmount: (mg: string) => `Yes, ${mg} mg`,
  keepAmount: (mg: string) => `No, ${mg} mg is right`,
  changeAmount: "Let me change it",
  doseNeedsAmount: "How many mg did you take? There is no planned dose for this day.",
  doseNotANumber: "Type the amount as a number of mg, e.g. 1.5.",
  doseAmount: "Amount (mg)",
  doseTime: "When",
  timeOfDay: { morning: "in the morning", bedtime: "at bedtime", other: "at another time" } as Record<string, string>,
  timeOfDayLabel: { morning: "Morning", bedtime: "Bedtime", other: "Other time" } as Record<string, string>,
  sideEffects: "Side effects",
  sideEffectsOn: (on: string) => `Side effects ${on}`,
  severityOf: (name: string) => `How bad was it: ${name}`,
  severity: "How bad",
  severities: ["", "Mild", "Moderate", "Severe"],
  limitedActivities: "It stopped or limited my usual activities",
  otherSideEffect: "Which side effect?",
  sideEffectNames: {
    vivid_dreams: "Vivid dreams",
    insomnia: "Poor sleep",
    headache: "Unusual headache",
    nausea: "Nausea",
    diarrhea: "Diarrhoea",
    abdominal_discomfort: "Stomach ache",
    dizziness: "Dizziness",
    fatigue: "Tiredness",
    jitteriness: "Jitteriness",
    hot_flashes: "Hot flashes",
    irritability: "Irritability",
    anxiety: "Anxiety",
    other: "Other",
  } as Record<string, string>,
  moreDetails: "More details",
  fewerDetails: "Fewer details",
  headacheHours: "Hours with headache",
  migraineFeatures: "Migraine features",
  features: {
    one_sided: "On one side",
    pulsating: "Pulsating",
    worse_with_activity: "Worse with activity",
    nausea_vomiting: "Nausea or vomiting",
    light_sensitivity: "Light hurt",
    sound_sensitivity: "Noise hurt",
  } as Record<string, string>,
  auraMinutes: "Aura (minutes)",
  medicines: "Medicines for pain or headache",
  addMedicine: "Add a medicine",
  removeMedicine: "Remove",
  medicineClass: "Kind of medicine",
  medicineName: "Name (optional)",
  forHeadache: "Was it for a headache?",
  forSomethingElse: "No, for something else",
  alwaysForHeadache: "A migraine medicine: it counts as taken for a headache.",
  containsOpioid: "It contains an opioid (e.g. codeine, tramadol)",
  medicineClasses: {
    non_opioid_analgesic: "Paracetamol, aspirin or an NSAID (e.g. ibuprofen)",
    triptan: "Triptan",
    ergot: "Ergot",
    gepant_ditan: "Gepant or ditan",
    opioid: "Opioid (incl. tramadol, codeine)",
    combination_analgesic: "Combination painkiller",
    antiemetic: "Anti-sickness medicine",
    other: "Other",
  } as Record<string, string>,
  opioidWarningTitle: "Opioids and naltrexone",
  opioidWarning:
    "Opioids and naltrexone work against each other: naltrexone blocks opioids, so the painkiller may not " +
    "work, and taking them together can cause withdrawal symptoms. Please talk to your clinician before " +
    "taking them together; they can see this in your diary.",
  note: "Note",
  save: "Save",
  needPain: "Choose your pain score (0 if none).",
  needHeadache: "Choose your headache (None if you had none).",
  fixBeforeSaving: "Please check the highlighted answers: nothing was saved yet.",
  futureDate: "You cannot log a day in the future.",
  tooLongAgo: (days: number) => `You can log days up to ${days} days back.`,
  otherNeedsText: "Say which side effect it was.",
  fieldNeeded: (label: string) => `${label}: please answer.`,
  fieldWhole: (label: string) => `${label}: use a whole number.`,
  fieldDecimals: (label: string, n: number) => `${label}: at most ${n} digits after the point.`,
  fieldRange: (label: string, min: number, max: number) => `${label}: from ${min} to ${max}.`,
  fieldTooLong: (label: string, n: number) => `${label}: at most ${n} characters.`,
  fieldNames: {
    pain_score: "Pain",
    headache: "Headache",
    migraine: "Migraine",
    sleep_quality: "Sleep",
    headache_hours: "Hours with headache",
    aura_minutes: "Aura (minutes)",
    note: "Note",
    severity: "How bad",
    other_text: "Which side effect",
    kind: "Side effect",
    med_class: "Kind of medicine",
    name: "Medicine name",
    for_headache: "For a headache",
    contains_opioid: "Contains an opioid",
    mg: "Amount (mg)",
    taken: "Dose taken",
    time_of_day: "When",
    date: "The day",
    body: "This day",
  } as Record<string, string>,
  savedConfirm: (kind: string, on: string) =>
    `✓ Saved. ${kind === "today" ? "Today is" : kind === "yesterday" ? "Yesterday is" : `${on.replace(/^on /, "")} is`} in your diary.`,
  savedConfirmPhone: (kind: string, on: string) =>
    `✓ Saved on this phone: ${kind === "today" ? "today" : kind === "yesterday" ? "yesterday" : on.replace(/^on /, "")} goes to your diary when you are online.`,
  savedReadOpioid: "Please read the note about opioids above.",
  draftKept: "Not saved yet: what you changed is kept on this phone until you tap Save.",
  discardDraft: "Discard changes",
  refusedTitle: (day: string) => `${day} was not saved`,
  refusedDoseTitle: (day: string) => `Your dose of ${day} was not saved`,
  refusedExplain:
    "The server did not accept this change. Fix it here and save again, or discard it: the rest of your diary syncs meanwhile.",
  refusedNoReason: "The server gave no reason.",
  refusedOn: (days: string) => `A change of ${days} was not saved and needs your attention.`,
  needsAttention: (n: number) => (n === 1 ? "1 change needs your attention" : `${n} changes need your attention`),
  openThatDay: "Open that day",
  fix: "Fix it",
  discard: "Discard the change",
  discardTitle: (day: string) => `Discard the change of ${day}?`,
  discardExplain: "The change is deleted from this phone, and the day goes back to what your diary had before.",
  discardConfirm: "Discard",

  // conflicts
  conflictTitle: (date: string) => `${date} was changed on another device`,
  conflictIntro: "Which version do you want to keep? The other one stays in the history.",
  onThisPhone: "On this phone",
  onTheServer: "From the other device",
  keepMine: "Keep mine",
  keepTheirs: "Keep the other version",
  summaryPain: (n: number) => `Pain ${n}`,
  summaryHeadache: (n: number) => `Headache: ${["none", "mild", "moderate", "severe"][n] ?? n}`,
  summaryMigraine: "Migraine",
  summarySleep: (n: number) => `Sleep ${n}`,
  summaryNote: (s: string) => `Note: ${s}`,
  summaryMeds: (n: number) => (n === 1 ? "1 medicine" : `${n} medicines`),
  summarySideEffects: (names: string) => `Side effects: ${names}`,

  // navigation
  tabsLabel: "Sections",
  history: "History",
  trends: "My trends",

  // my plan
  myPlan: "My plan",
  planToday: (mg: string, when: string) => `Today: ${mg} mg${when ? ` ${when}` : ""}`,
  planNoDoseToday: "Today: no dose planned",
  planNext: (mg: string, day: string) => `${mg} mg from ${day}`,
  planStopped: (day: string) => `Your plan stopped on ${day}.`,
  planNone: "Your clinician has not set a dose plan yet.",

  // history
  previousMonth: "Previous month",
  nextMonth: "Next month",
  legend: "Key",
  weekdaysShort: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
  dayKinds: { none: "No headache", headache: "Headache", migraine: "Migraine", empty: "Not logged" } as Record<string, string>,
  dayMarks: { none: "–", headache: "H", migraine: "M", empty: "" } as Record<string, string>,
  dayNotSynced: "not synced yet",
  // Starts with what the button shows ("2 H"), so speech input can name it (WCAG 2.5.3).
  openDay: (shown: string, day: string, kind: string) => `${shown}: ${day}, ${kind}. Open to edit.`,
  historyFromPhone: "Offline: showing what is saved on this phone.",
  monthSummary: (headache: number, migraine: number, logged: number) =>
    `${logged} days logged, ${headache} with headache, ${migraine} of them migraine.`,

  // trends
  trendsPending: "Your numbers come after a few days of logging. Keep going!",
  trendsStale: "Being recalculated: these numbers are from before your latest changes.",
  trendsOffline: "Your trends need a connection. Here is what was last loaded.",
  trendsNeverLoaded: "Your trends need a connection. Try again when you are online.",
  trendsUpdated: (day: string) => `Numbers up to ${day}.`,
  suggestions: "Suggestions",
  noSuggestions: "No suggestions at the moment.",
  chartPain: "Pain (7-day average)",
  chartHeadache: "Headache days per 28 days",
  chartSleep: "Sleep (7-day average)",
  chartDose: "Dose (mg)",
  chartDoseNote: "Under each chart, the dose band shows your LDN dose in mg on the same days.",
  tableWeek: "Week from",
  tableValue: "Value",
  tableDose: "Dose (mg)",
  tableCaption: (what: string) => `${what}, week by week`,
  noValue: "–",
  noChartData: "Not enough days logged for this chart yet.",

  // clinician
  clinicianTitle: "Clinician dashboard",
  noRole: "This account is neither a patient nor a clinician. Ask your administrator.",

  // Me page and reminders (issue 5 item 7)
  me: "Me",
  reminders: "Reminders",
  remindersIntro: "A reminder on this phone or by e-mail at the time you choose.",
  reminderKinds: { dose: "Dose reminder", diary: "Diary reminder" } as Record<string, string>,
  reminderOn: "Remind me",
  reminderTime: "Time",
  reminderDays: "Days",
  dayNamesShort: { mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat", sun: "Sun" } as Record<string, string>,
  reminderChannels: "How",
  channelPush: "Notification on this phone",
  channelEmail: "E-mail",
  reminderText: "Text on the lock screen",
  reminderTextHint: "Keep health details out: others may see your lock screen.",
  reminderShowDose: "Name the new dose (mg) on the first day of a step",
  saveReminder: (kind: string) => `Save ${kind.toLowerCase()}`,
  reminderSaving: "Saving…",
  reminderSaved: "Saved.",
  reminderNext: (when: string) => `Next reminder: ${when}.`,
  reminderOff: "Off: no reminders.",
  reminderSnoozed: (when: string) => `Snoozed until ${when}.`,
  remindersOffline: "Reminder settings need a connection. Try again when you are online.",
  remindersLoadFailed: "Your reminders could not be loaded. Please try again.",
  reminderFix: "Please check the highlighted fields.",
  pushUnsupported:
    "This browser cannot show notifications from the app. You can get the reminder by e-mail instead.",
  pushDenied:
    "Notifications are turned off for this app, so the phone cannot remind you. You can allow them in your " +
    "browser's site settings, or get the reminder by e-mail instead.",
  pushDismissed:
    "The phone was not allowed to show notifications. Save again to be asked once more, or get the reminder by " +
    "e-mail instead.",
  pushFailed: "This phone could not be set up for notifications. You can get the reminder by e-mail instead.",
  useEmailInstead: "Use e-mail instead",
  notificationOpen: "Open your diary to log today.",
  notificationSnooze: "Remind me in 30 minutes",
  signOutSection: "Account",
  // Me tab: who can see my diary, my data (pwaacct)
  cancel: "Cancel",
  careTitle: "Who can see my diary",
  careNone: "No clinic can see your diary.",
  careNeedsConnection: "This needs a connection. Try again when you are online.",
  careClinician: (name: string) => `Invited by ${name}`,
  careSince: (day: string) => `Sharing since ${day}`,
  careWith: (clinic: string) => `with ${clinic}`,
  careStop: "Stop sharing",
  careStopTitle: (clinic: string) => `Stop sharing with ${clinic}?`,
  careStopExplain: (clinic: string) =>
    `${clinic}'s care team will no longer see your diary, doses or plan, from this moment on. ` +
    "To share again you need a new invitation code from the clinic.",
  careStopConfirm: "Stop sharing",
  careStopped: (clinic: string) => `${clinic} can no longer see your diary.`,
  careEarlier: (n: number) => (n === 1 ? "1 earlier clinic" : `${n} earlier clinics`),
  careRevokedOn: (day: string, byClinic: boolean) =>
    byClinic ? `the clinic stopped on ${day}` : `you stopped sharing on ${day}`,
  careStatus: { expired: "invitation expired", invited: "invitation not yet accepted", active: "sharing" } as Record<
    string,
    string
  >,
  careAdd: "Add a clinic",
  careCode: "Invitation code from your clinic",
  careCheck: "Check the code",
  careInvites: (clinic: string, clinician: string) => `${clinic} (${clinician}) invites you to share your diary.`,
  careConsent: (clinic: string) =>
    `I agree that ${clinic}'s care team can see my diary, my doses and my plan until I stop sharing.`,
  careShare: "Share my diary",
  careAdded: (clinic: string) => `${clinic} can now see your diary.`,
  myDataTitle: "My data",
  myDataIntro: "Download a copy of everything you logged, or delete your account.",
  downloadJson: "Download everything (JSON)",
  downloadCsv: "Download my diary as a spreadsheet (CSV)",
  downloadFhir: "Download for a health record system (FHIR)",
  downloadNote:
    "Downloads need a connection. The JSON file holds everything, including earlier versions of each day; " +
    "the CSV file has one row per day; the FHIR file is for a clinic's electronic health record.",
  deleteAccount: "Delete my account",
  deleteExplain:
    "This deletes your account and everything you logged: diary, doses, plans, reminders, and every clinic's " +
    "access to your diary. It cannot be undone. Download your data first if you want a copy.",
  deletePassword: "Your password",
  deleteTypeEmail: (email: string) => `To confirm, type your e-mail address (${email})`,
  deleteConfirmMismatch: "Type your e-mail address exactly as shown to confirm.",
  deleteForGood: "Delete my account for good",
  deleteNeedsConnection: "Deleting your account needs a connection. Nothing was deleted.",
  accountDeleted: "Your account and all your data were deleted.",
  // quality pass (pwaqa): offline, with changes waiting
  offlineWaiting: (n: number) =>
    `Offline: ${n === 1 ? "1 change is" : `${n} changes are`} saved on this phone and will sync when the connection returns.`,
  weekdays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
  months: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
  dayMonth: (day: number, month: string) => `${day} ${month}`,
  dayLong: (weekday: string, dayMonth: string) => `${weekday} ${dayMonth}`,

  // my condition (issue 13): it chooses how LDN's effect is judged (CLINICAL.md §6)
  conditions: {
    migraine: "Migraine",
    chronic_migraine: "Chronic migraine",
    fibromyalgia: "Fibromyalgia",
    chronic_pain: "Chronic pain",
    other: "Something else",
    not_set: "Not sure: my clinician will set it",
  } as Record<string, string>,
  conditionHints: {
    migraine: "Headaches or migraine attacks on fewer than 15 days a month",
    chronic_migraine: "Headache on 15 or more days a month, at least 8 of them migraine",
    fibromyalgia: "Widespread pain, often with tiredness and poor sleep",
    chronic_pain: "Another pain that has lasted more than 3 months",
    other: "",
    not_set: "",
  } as Record<string, string>,
  conditionTitle: "What I take LDN for",
  conditionWhy:
    "This decides how your diary shows whether LDN helps: headache days for migraine, your pain score for the others.",
  conditionSave: "Save",
  conditionSaved: (name: string) => `Saved: ${name}. Your trends are being recalculated.`,
  conditionNeedsConnection: "Changing this needs a connection. Try again when you are online.",
  conditionSetByYou: (when: string) => `Set by you on ${when}.`,
  conditionSetByClinician: (name: string, when: string) => `Set by ${name} on ${when}.`,
  careConsentNamed: (clinic: string, clinician: string) =>
    `I agree that ${clinic}'s care team (invited by ${clinician}) can see my diary, my doses and my plan until I stop sharing.`,

  // My trends: "is LDN working for me?" (issue 13)
  sinceTitle: "Since you started LDN",
  sinceBefore: "The 28 days before your first dose",
  sinceBeforeReported: "Before LDN (the month your clinician noted)",
  sinceLatest: (range: string) => `The latest 28 days (${range})`,
  sinceHeadacheDays: (n: string) => `${n} headache days`,
  sincePain: (n: string) => `average pain ${n} out of 10`,
  sinceFewer: (pct: string) => `${pct}% fewer headache days than before LDN.`,
  sinceMore: (pct: string) => `${pct}% more headache days than before LDN.`,
  sinceLessPain: (pct: string, points: string) => `Your average pain is ${pct}% lower than before LDN (${points} points).`,
  sinceMorePain: (pct: string, points: string) => `Your average pain is ${pct}% higher than before LDN (${points} points).`,
  sinceSame: "About the same as before LDN.",
  sinceModSev: (before: string, now: string, pct: number | null) =>
    `Moderate or severe headache days: ${before} before LDN, ${now} in the latest 28 days` +
    (pct === null || Math.round(pct) === 0
      ? "."
      : ` (${Math.abs(Math.round(pct))}% ${pct > 0 ? "fewer" : "more"}).`),
  sinceNoBaseline:
    "There is no diary of the 28 days before your first dose (at least 23 days are needed), so there is nothing to " +
    "compare with yet. Your clinician can note how things were before.",
  sinceTooFewDays: (logged: number, needed: number) =>
    `You logged ${logged} of the latest 28 days; ${needed} are needed for a fair comparison. Keep logging every day.`,
  sinceNotStarted: "Your comparison starts with your first dose of LDN.",
  sinceFirstDose: (day: string) => `First dose: ${day}.`,
  sinceTitrating: (mg: string) => `You are still building up to the target dose (${mg} mg). It is early to judge.`,
  sinceEarly: (day: string) =>
    `It is early: LDN needs 8 to 12 weeks at the target dose before you can judge it. Your clinician reviews it from ${day}.`,
  sinceDecision: "Your clinician looks at these same numbers to decide with you whether LDN helps.",
  sinceNoCondition: "Your clinician has not set what you take LDN for yet, so there is no comparison to show.",
  sinceCaveat: "Pain and headaches go up and down by themselves; one month is only part of the story.",
  sinceStopped: (day: string) => `Your plan stopped on ${day}: these are the last 28 days on LDN.`,
  noticesTitle: "Please read",
  noticeOveruse: (what: string, range: string) =>
    `You took ${what} in the 28 days ${range}. Taking headache or pain medicines this often can itself make ` +
    "headaches more frequent (medication-overuse headache).",
  noticeOveruseProbable: "This has gone on for three months, with headaches on 15 or more days in each.",
  noticeOveruseAdvice: "Please talk to your clinician about it soon. Do not stop a medicine suddenly without advice.",
  noticeClassDays: (what: string, days: number) => `${what} on ${days} days`,
  noticeAnyDays: (days: number) => `headache or pain medicines on ${days} days`,
  medicineWords: {
    non_opioid_analgesic: "paracetamol, aspirin or an NSAID",
    triptan: "a triptan",
    ergot: "an ergot",
    opioid: "an opioid",
    combination_analgesic: "a combination painkiller",
  } as Record<string, string>,
  noticeFrequent: (days: number, range: string) =>
    `You took medicines for pain or headache on ${days} of the 28 days ${range}: more than 2 days a week. ` +
    "Your clinician may want to talk about it.",
  noticeHighDose: (list: string) =>
    `You logged ${list}, above the usual low-dose naltrexone range (up to 4.5 mg a day). If that was a typing ` +
    "mistake, open the day and correct it; if not, please tell your clinician.",
  noticeHighDoseItem: (mg: string, day: string) => `${mg} mg on ${day}`,
  noticeMissed: (taken: number, planned: number) =>
    `You logged your dose on ${taken} of the ${planned} days your plan had one in the last 28 days. ` +
    "Missed doses make LDN hard to judge; a dose reminder (Me) can help. If you took doses you did not log, log them.",
  openTheDay: (day: string) => `Open ${day}`,
  rangeWords: (from: string, to: string) => `from ${from} to ${to}`,
  chartWholeCourse: "Your whole course so far, with the dose you took under each chart.",
  doseBand: "Dose (mg)",
  daysUnit: "days",
  tableWeekEnding: "Week to",

  // reminders: push set-up that never hangs
  pushTimedOut:
    "This phone's notification service did not answer, so nothing was changed: your reminder stays as it was saved " +
    "before. Try again later, or get the reminder by e-mail instead.",
};
