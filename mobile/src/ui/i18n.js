// Every string the app shows, in both languages. The language follows the
// phone's unless the shopper picks one; zh-Hans wording follows the checklists'.

export const LANGS = ["zh-Hans", "en"];

const en = {
  appName: "Mystery Shopper",
  navAssignments: "Visits",
  navOutbox: "Outbox",
  navSettings: "Settings",
  mainNav: "Main",
  langSwitch: "中文",
  langSwitchLabel: "切换到中文",
  signInTitle: "Sign in",
  username: "Username",
  password: "Password",
  signIn: "Sign in",
  signingIn: "Signing in…",
  signInExpired: "Your sign-in has expired. Sign in again to send your visits: nothing on this phone is lost.",
  signInOffline: "No connection: signing in needs the internet.",
  signInWrong: "Wrong username or password.",
  signInThrottled: "Too many attempts; try again later.",
  signInNotShopper: "This app is for shoppers. Managers use the website.",
  signInOtherUser: "Visits of {user} are still on this phone: sign in as {user} to send them.",
  authBanner: "Sign in again to send your visits.",
  authBannerAction: "Sign in",
  unsentBanner: "{n} {visits} not sent, oldest {age}",
  visitOne: "visit",
  visitMany: "visits",
  ageToday: "from today",
  ageDays: "{n} days",
  ageDay: "1 day",
  offlineBanner: "No signal: your work is kept on the phone.",
  assignmentsTitle: "Your visits",
  refresh: "Refresh",
  refreshing: "Refreshing…",
  updatedAt: "Updated {time}",
  neverUpdated: "Not downloaded yet: connect to the internet once.",
  refreshFailed: "Could not refresh: showing what is saved on the phone.",
  noAssignments: "No open visits.",
  window: "Window",
  scenario: "Scenario",
  channel: "Channel",
  channelPhone: "Mystery call",
  channelWritten: "In writing: letter, e-mail or web form",
  address: "Address",
  mapLink: "Open in maps",
  osmLink: "OpenStreetMap",
  startVisit: "Start visit",
  continueVisit: "Continue visit",
  correctVisit: "Correct visit",
  viewInOutbox: "See in outbox",
  returnedTitle: "Returned by the reviewer",
  draftSaved: "Draft saved on the phone",
  checklistMissing: "This checklist is not on the phone yet: connect to the internet and refresh.",
  visitNotFound: "This visit is not on the phone.",
  sectionsNav: "Sections",
  sectionOf: "Section {i} of {n}",
  answeredOf: "{a} of {n} answered",
  finishStep: "Finish",
  previous: "Previous",
  next: "Next",
  yes: "Yes",
  no: "No",
  na: "Not applicable (N/A)",
  comment: "Comment",
  commentRequired: "Comment (required: the answer fails; say what happened)",
  unit: "in {unit}",
  critical: "Critical",
  reviewerNote: "Reviewer's note",
  takePhoto: "Take photo",
  choosePhoto: "Choose from gallery",
  photoOf: "Photo {i}: {question}",
  visitPhoto: "Visit photo {i}",
  removePhoto: "Remove photo {i}",
  processingPhoto: "Saving photo…",
  photoSaved: "Photo saved.",
  photoFailed: "This photo could not be saved: {why}",
  photosRequired: "A photo is required.",
  tooManyPhotos: "At most {n} photos per visit.",
  visitComment: "Comment on the whole visit",
  visitPhotos: "Photos of the visit",
  location: "Location",
  locationKept: "Recorded (±{m} m)",
  locationNone: "Not recorded (allow location to add it).",
  missingTitle: "Still missing",
  nothingMissing: "Everything is answered.",
  reasonAnswer: "no answer",
  reasonComment: "comment required",
  reasonPhoto: "photo required",
  reasonTooMany: "too many photos",
  finalize: "Finalize and send",
  resend: "Send again",
  finalizeHint: "Once finalized, the visit goes to the outbox and is sent when there is signal.",
  readOnly: "This visit is in the outbox and can no longer be changed.",
  saveFailed: "Could not save on the phone: {why}",
  serverRefused: "The server refused this visit: fix the marked answers and send again.",
  outboxTitle: "Outbox",
  sendNow: "Send now",
  sending: "Sending…",
  nothingUnsent: "Nothing waiting to be sent.",
  stateDraft: "Draft",
  stateQueued: "Queued",
  stateSending: "Sending…",
  stateWaiting: "Waiting for network, next try at {time}",
  stateWaitingNoTime: "Waiting for network",
  stateAttention: "Needs attention: {message}",
  stateSent: "Sent ✓",
  answersSent: "Answers sent ✓",
  answersNotSent: "Answers not sent yet",
  photosProgress: "Photos {n}/{m}",
  fix: "Fix",
  receipt: "Receipt",
  receiptVisit: "Visit id",
  receiptScore: "Score",
  receiptPhotos: "Photos (sha256)",
  receiptConfirmed: "Confirmed by the server",
  finalizedAt: "Finalized {time}",
  storageUse: "Storage used on this phone: {used}",
  storageUnknown: "Storage use unknown.",
  exportTitle: "Export unsent visits",
  exportHint: "A file with every unsent visit and its photos, to hand to support if sending keeps failing.",
  exportNothing: "Nothing to export.",
  settingsTitle: "Settings",
  language: "Language",
  signedInAs: "Signed in as {user}",
  signOut: "Sign out",
  signOutRefused: "You cannot sign out: {n} {visits} not sent yet. Send them first (or export them).",
  signOutRefusedDraft: "You cannot sign out while a visit is in progress: finish it first.",
  signOutConfirm: "Sign out and remove this app's data from the phone?",
  installHint: "On iPhone, add this app to the Home Screen: Safari may otherwise delete its data after a week without use.",
  version: "App version {v}",
  updateReady: "A new version will be used once no visit is open.",
};

const zh = {
  appName: "神秘顾客",
  navAssignments: "走访",
  navOutbox: "发件箱",
  navSettings: "设置",
  mainNav: "主菜单",
  langSwitch: "English",
  langSwitchLabel: "Switch to English",
  signInTitle: "登录",
  username: "用户名",
  password: "密码",
  signIn: "登录",
  signingIn: "正在登录…",
  signInExpired: "登录已过期。请重新登录以发送走访：手机上的数据不会丢失。",
  signInOffline: "没有网络：登录需要联网。",
  signInWrong: "用户名或密码错误。",
  signInThrottled: "尝试次数过多，请稍后再试。",
  signInNotShopper: "本应用供神秘顾客使用。管理人员请使用网站。",
  signInOtherUser: "手机上还有 {user} 的走访：请以 {user} 登录后发送。",
  authBanner: "请重新登录以发送走访。",
  authBannerAction: "登录",
  unsentBanner: "{n} 个走访未发送，最早的{age}",
  visitOne: "",
  visitMany: "",
  ageToday: "是今天的",
  ageDays: "已 {n} 天",
  ageDay: "已 1 天",
  offlineBanner: "没有信号：您的数据保存在手机上。",
  assignmentsTitle: "您的走访",
  refresh: "刷新",
  refreshing: "正在刷新…",
  updatedAt: "更新于 {time}",
  neverUpdated: "尚未下载：请先联网一次。",
  refreshFailed: "无法刷新：显示手机上保存的内容。",
  noAssignments: "没有待走访的任务。",
  window: "走访时段",
  scenario: "场景",
  channel: "方式",
  channelPhone: "神秘来电",
  channelWritten: "书面：信件、电子邮件或网上表单",
  address: "地址",
  mapLink: "在地图中打开",
  osmLink: "OpenStreetMap",
  startVisit: "开始走访",
  continueVisit: "继续走访",
  correctVisit: "修改走访",
  viewInOutbox: "在发件箱中查看",
  returnedTitle: "审核员已退回",
  draftSaved: "草稿已保存在手机上",
  checklistMissing: "此检查表尚未下载到手机：请联网并刷新。",
  visitNotFound: "手机上没有这个走访。",
  sectionsNav: "部分",
  sectionOf: "第 {i} 部分，共 {n} 部分",
  answeredOf: "已答 {a}/{n}",
  finishStep: "完成",
  previous: "上一部分",
  next: "下一部分",
  yes: "是",
  no: "否",
  na: "不适用 (N/A)",
  comment: "备注",
  commentRequired: "备注（必填：此项未通过，请说明情况）",
  unit: "单位：{unit}",
  critical: "否决项",
  reviewerNote: "审核员意见",
  takePhoto: "拍照",
  choosePhoto: "从相册选择",
  photoOf: "照片 {i}：{question}",
  visitPhoto: "走访照片 {i}",
  removePhoto: "删除照片 {i}",
  processingPhoto: "正在保存照片…",
  photoSaved: "照片已保存。",
  photoFailed: "无法保存这张照片：{why}",
  photosRequired: "需要照片。",
  tooManyPhotos: "每次走访最多 {n} 张照片。",
  visitComment: "整体备注",
  visitPhotos: "走访照片",
  location: "位置",
  locationKept: "已记录（±{m} 米）",
  locationNone: "未记录（允许定位即可记录）。",
  missingTitle: "尚缺",
  nothingMissing: "全部已回答。",
  reasonAnswer: "未回答",
  reasonComment: "需要备注",
  reasonPhoto: "需要照片",
  reasonTooMany: "照片过多",
  finalize: "提交",
  resend: "重新提交",
  finalizeHint: "提交后，走访进入发件箱，有信号时自动发送。",
  readOnly: "此走访已在发件箱中，不能再修改。",
  saveFailed: "无法保存到手机：{why}",
  serverRefused: "服务器拒绝了此走访：请修改标出的答案后重新提交。",
  outboxTitle: "发件箱",
  sendNow: "立即发送",
  sending: "正在发送…",
  nothingUnsent: "没有待发送的走访。",
  stateDraft: "草稿",
  stateQueued: "排队中",
  stateSending: "正在发送…",
  stateWaiting: "等待网络，下次尝试 {time}",
  stateWaitingNoTime: "等待网络",
  stateAttention: "需要处理：{message}",
  stateSent: "已发送 ✓",
  answersSent: "答案已发送 ✓",
  answersNotSent: "答案未发送",
  photosProgress: "照片 {n}/{m}",
  fix: "修改",
  receipt: "回执",
  receiptVisit: "走访编号",
  receiptScore: "得分",
  receiptPhotos: "照片 (sha256)",
  receiptConfirmed: "服务器确认于",
  finalizedAt: "提交于 {time}",
  storageUse: "本机已用存储：{used}",
  storageUnknown: "存储用量未知。",
  exportTitle: "导出未发送的走访",
  exportHint: "包含所有未发送走访及其照片的文件；若一直无法发送，可交给技术支持。",
  exportNothing: "没有可导出的内容。",
  settingsTitle: "设置",
  language: "语言",
  signedInAs: "当前用户：{user}",
  signOut: "退出登录",
  signOutRefused: "还有 {n} 个走访未发送，不能退出登录：请先发送（或导出）。",
  signOutRefusedDraft: "有走访正在进行，不能退出登录：请先完成。",
  signOutConfirm: "退出登录并删除本应用在手机上的数据？",
  installHint: "在 iPhone 上请将本应用添加到主屏幕：否则 Safari 可能在一周未使用后删除其数据。",
  version: "应用版本 {v}",
  updateReady: "新版本将在没有进行中的走访时启用。",
};

const TABLES = { en, "zh-Hans": zh };
let current = "en";

export function detectLang(languages = globalThis.navigator?.languages || []) {
  for (const tag of languages) {
    const lower = String(tag).toLowerCase();
    if (lower.startsWith("zh")) return "zh-Hans";
    if (lower.startsWith("en")) return "en";
  }
  return "zh-Hans"; // the checklists' own language
}

export function setLang(lang) {
  current = LANGS.includes(lang) ? lang : "en";
  document.documentElement.lang = current;
  return current;
}

export const getLang = () => current;

export function t(key, params = {}) {
  const text = TABLES[current][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

const CHANNEL_KEYS = { phone: "channelPhone", written: "channelWritten" };

/** What a phone or written assignment is, in `lang`; null for a branch visit, which says nothing new. */
export function channelLabel(channel, lang = current) {
  const key = CHANNEL_KEYS[channel];
  return key ? TABLES[lang]?.[key] ?? en[key] : null;
}

// "2 visits" in English; Chinese needs no plural.
export function visitsWord(n) {
  return t(n === 1 ? "visitOne" : "visitMany");
}

export function unsentText(n, oldestAt, now = Date.now()) {
  const days = oldestAt ? Math.floor((now - new Date(oldestAt).getTime()) / 86_400_000) : 0;
  const age = days < 1 ? t("ageToday") : days === 1 ? t("ageDay") : t("ageDays", { n: days });
  return t("unsentBanner", { n, visits: visitsWord(n), age }).replace(/ {2,}/g, " ");
}

export function formatTime(value) {
  if (!value) return "";
  return new Date(value).toLocaleTimeString(current, { hour: "2-digit", minute: "2-digit" });
}

export function formatDateTime(value) {
  if (!value) return "";
  return new Date(value).toLocaleString(current, { dateStyle: "medium", timeStyle: "short" });
}

export function formatDate(value) {
  if (!value) return "";
  // Dates from the API are plain "YYYY-MM-DD": read them as local days, not UTC midnights.
  const [y, m, d] = String(value).split("-").map(Number);
  return new Date(y, m - 1, d).toLocaleDateString(current, { month: "short", day: "numeric" });
}

export function formatBytes(bytes) {
  if (bytes == null) return "";
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
}

// Texts the API serves in both languages as name_zh/name_en.
export function pickField(obj, base) {
  if (!obj) return "";
  return (current === "zh-Hans" ? obj[`${base}_zh`] || obj[`${base}_en`] : obj[`${base}_en`] || obj[`${base}_zh`]) || "";
}
