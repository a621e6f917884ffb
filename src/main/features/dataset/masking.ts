import vm from 'node:vm';
import {
  BUILTIN_MASK_RULES,
  CUSTOM_REGEX_SLICE,
  CUSTOM_REGEX_TIMEOUT_MS,
  DEFAULT_ON_MASK_RULES,
  type BuiltinMaskRule,
  type MaskResult,
  type MaskRule,
  type MaskSpan,
} from '../../../shared/masking';
import { AppError } from '../../core/errors';

/**
 * The masking engine: pure functions from rules and a text to the spans they claim and the masked text.
 * Rules claim text in order: a later rule never takes part of a span an earlier one claimed (an ID card number is not
 * also a phone number). The rules a project uses are in maskRules.ts.
 *
 * Limits, deliberately: dates are numeric (2024-03-05, 05/03/2024, 5.3.2024 with a four-digit year), English month
 * names (3 March 2024, March 3, 2024) and Chinese with Arabic digits (2024年3月5日, 3月5日); dates in Chinese numerals
 * (二〇二四年三月五日) and two-digit years are not found. Addresses are street lines: English "number + capitalised
 * name + street word" (12 High Street, 221B Baker St., with a flat, a town and a UK or US postcode after it), Chinese
 * "(province)(city)(district) + road + number 号" (北京市朝阳区建国路88号). An address without a house number, a
 * European "name + number" street (Mannerheimintie 12) and a city alone are not found; a Chinese address may take a
 * character or two of the words before it (unsegmented text has no word boundaries), which over-masks, never under.
 */

const MONTHS =
  'January|February|March|April|May|June|July|August|September|October|November|December|' +
  'Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec';
const DAY = '(?:0?[1-9]|[12][0-9]|3[01])';
const MONTH = '(?:0?[1-9]|1[0-2])';
const YEAR = '(?:19|20)[0-9]{2}';
/** A Han character that is not one of the little words that come before an address (在, 住, 于 ...). */
const HAN = '(?:(?![在住于到至从的是和与及往向])\\p{Script=Han})';
const ZH_NUM = '[0-9一二三四五六七八九十百零〇]+';

interface Builtin {
  readonly description: string;
  readonly pattern: string;
  readonly flags: string;
  readonly replacement: string;
  /** Keeps a match only when it passes (a checksum, a range). */
  readonly valid?: (match: string) => boolean;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/**
 * The check character of a Chinese resident ID number (GB 11643-1999): the weighted sum of the first 17 digits
 * modulo 11 picks one of "10X98765432". An 18-digit number that fails it is some other number (an account, an order).
 */
export function validCnIdCard(id: string): boolean {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * ID_WEIGHTS[i];
  return '10X98765432'[sum % 11] === id[17].toUpperCase();
}

/** A numeric day/month/year date is one when one of its first two numbers can be a month. */
function validNumericDate(match: string): boolean {
  const parts = match.split(/[-/.]/).map(Number);
  if (parts[0] >= 1900) return true;
  return parts[0] <= 12 || parts[1] <= 12;
}

export const BUILTINS: Readonly<Record<BuiltinMaskRule, Builtin>> = {
  email: {
    description: 'E-mail addresses',
    pattern: String.raw`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`,
    flags: 'g',
    replacement: '[EMAIL]',
  },
  cn_id_card: {
    description: 'Chinese resident ID card numbers (18 characters, with a valid check character)',
    pattern: String.raw`(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9])`,
    flags: 'g',
    replacement: '[ID]',
    valid: validCnIdCard,
  },
  medical_record_number: {
    description: 'Medical record numbers written as "MRN", "病历号" or "住院号" followed by digits',
    pattern: String.raw`(?:MRN|mrn|Medical Record(?: No\.?| Number)?|病历号|住院号|病案号)\s*[:：#]?\s*[A-Za-z]?[0-9]{5,12}`,
    flags: 'g',
    replacement: '[MRN]',
  },
  date: {
    description: 'Dates: 2024-03-05, 05/03/2024, 3 March 2024, March 3, 2024, 2024年3月5日, 3月5日',
    pattern: [
      `(?<![0-9])${YEAR}([-/.])${MONTH}\\1${DAY}(?![0-9])`,
      `(?<![0-9])${DAY}([-/.])${DAY}\\2${YEAR}(?![0-9])`,
      `(?<![0-9\\p{L}])${DAY}(?:st|nd|rd|th)?\\s+(?:of\\s+)?(?:${MONTHS})\\.?(?:,?\\s+${YEAR})?(?![0-9\\p{L}])`,
      `(?<![\\p{L}])(?:${MONTHS})\\.?\\s+${DAY}(?:st|nd|rd|th)?(?:,?\\s+${YEAR})?(?![0-9\\p{L}])`,
      `(?<![0-9])${YEAR}\\s*年\\s*${MONTH}\\s*月(?:\\s*${DAY}\\s*[日号])?`,
      `(?<![0-9])${MONTH}\\s*月\\s*${DAY}\\s*[日号]`,
    ].join('|'),
    flags: 'gu',
    replacement: '[DATE]',
    valid: (m) => !/^[0-9]{1,2}[-/.][0-9]{1,2}[-/.]/.test(m) || validNumericDate(m),
  },
  cn_mobile: {
    description: 'Chinese mobile numbers (11 digits starting with 1)',
    pattern: String.raw`(?<![0-9])(?:\+?86[ -]?)?1[3-9][0-9]{9}(?![0-9])`,
    flags: 'g',
    replacement: '[PHONE]',
  },
  intl_phone: {
    description: 'Phone numbers written with an international prefix, e.g. +358 400 817198, +44 20 7946 0958',
    pattern: String.raw`(?<![0-9A-Za-z+])\+[1-9][0-9]{0,2}(?:[ .-]?[0-9]{2,}){2,5}(?![0-9])`,
    flags: 'g',
    replacement: '[PHONE]',
  },
  phone: {
    description: 'Phone numbers with separators, e.g. (555) 123-4567',
    // "(555) 123-4567" as well as "020 7946 0958" and "(0)20 7946 0958".
    pattern: String.raw`(?<![0-9])(?:\+[0-9]{1,3}[ .-]?)?(?:\([0-9]{2,4}\)[ .-]?[0-9]{3,4}[ .-][0-9]{3,4}|(?:\([0-9]{2,4}\)[ .-]?)?[0-9]{2,4}[ .-][0-9]{3,4}[ .-][0-9]{3,4})(?![0-9])`,
    flags: 'g',
    replacement: '[PHONE]',
  },
  address_en: {
    description:
      'English street addresses: a house number, a capitalised name and a street word (12 High Street, 221B Baker St.), with a flat, town and postcode after it',
    pattern:
      String.raw`(?<![\p{L}\p{N}])[0-9]{1,5}[A-Za-z]?(?:[-–][0-9]{1,5})?,?\s+(?:[A-Z][\p{L}'’.-]*\s+){1,4}` +
      String.raw`(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct|Place|Pl|Square|Sq|Terrace|Crescent|Close|Highway|Hwy|Parkway|Pkwy|Row|Gardens|Grove|Walk|Mews)(?![\p{L}])\.?` +
      String.raw`(?:,?\s+(?:Apt|Apartment|Suite|Unit|Flat)\.?\s*#?[0-9A-Za-z]+)?` +
      String.raw`(?:,\s*[A-Z][\p{L}'’-]*(?:\s+[A-Z][\p{L}'’-]*){0,2},?\s+(?:[A-Z]{2}\s+[0-9]{5}(?:-[0-9]{4})?|[A-Z]{1,2}[0-9][A-Z0-9]?\s?[0-9][A-Z]{2}))?`,
    flags: 'gu',
    replacement: '[ADDRESS]',
  },
  address_zh: {
    description:
      'Chinese addresses down to the house number: (省)(市)(区/县) + 路/街/巷 + 号, e.g. 北京市朝阳区建国路88号',
    pattern:
      `(?:${HAN}{2,6}?(?:省|自治区))?(?:${HAN}{2,6}?市)?(?:${HAN}{2,6}?(?:区|县|旗))?(?:${HAN}{2,8}?(?:镇|乡|街道))?` +
      `${HAN}{1,10}?(?:路|街|大道|大街|巷|胡同)${ZH_NUM}(?:号|號|弄)` +
      `(?:${ZH_NUM}(?:号楼|栋|幢|座))?(?:${ZH_NUM}单元)?(?:[0-9]+(?:室|房))?`,
    flags: 'gu',
    replacement: '[ADDRESS]',
  },
};

/** The built-in rules as a project that never changed them has them. */
export function builtinRules(enabled: ReadonlySet<string> = new Set(DEFAULT_ON_MASK_RULES)): MaskRule[] {
  return BUILTIN_MASK_RULES.map((name) => ({
    name,
    kind: 'builtin' as const,
    enabled: enabled.has(name),
    description: BUILTINS[name].description,
    pattern: BUILTINS[name].pattern,
    replacement: BUILTINS[name].replacement,
  }));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}`;
/** A letter or digit of a script that separates words with spaces: a name must not be part of a longer word. */
const WORD = `(?:(?![${CJK}])[\\p{L}\\p{N}_])`;
const WORD_START = new RegExp(`^${WORD}`, 'u');
const WORD_END = new RegExp(`${WORD}$`, 'u');

/**
 * The expression of a names rule: each name exactly (any case; any run of spaces where it has one), longest first,
 * and as a whole word where it starts or ends with a Latin-script letter or digit. A Chinese (Japanese, Korean) name
 * has no word boundary to look for: 张伟 is found inside 患者张伟入院.
 */
export function namesPattern(names: readonly string[]): string {
  const unique = new Map<string, string>();
  for (const n of names) {
    const name = n.trim().normalize('NFC');
    if (name) unique.set(name.toLowerCase(), name);
  }
  return [...unique.values()]
    .sort((a, b) => b.length - a.length)
    .map((name) => {
      const body = name.split(/\s+/).map(escapeRegExp).join('\\s+');
      const before = WORD_START.test(name) ? `(?<!${WORD})` : '';
      const after = WORD_END.test(name) ? `(?!${WORD})` : '';
      return `${before}${body}${after}`;
    })
    .join('|');
}

/** A rule ready to run: finds [start, end) pairs in a text. */
export interface CompiledRule {
  readonly name: string;
  readonly replacement: string;
  find(text: string): Array<[number, number]>;
}

function nativeFinder(re: RegExp, valid?: (m: string) => boolean): (text: string) => Array<[number, number]> {
  return (text) => {
    const out: Array<[number, number]> = [];
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      if (!valid || valid(m[0])) out.push([m.index, m.index + m[0].length]);
    }
    return out;
  };
}

// Custom expressions run in a V8 context with a time limit: a catastrophically backtracking one is stopped
// (node:vm's timeout interrupts the regular-expression engine too), never hangs the app.
const context = vm.createContext({});
vm.runInContext(
  `globalThis.findAll = function (re, s) {
     const out = []; re.lastIndex = 0; let m;
     while ((m = re.exec(s)) !== null) {
       if (m[0].length === 0) { re.lastIndex++; continue; }
       out.push(m.index, m.index + m[0].length);
     }
     return out;
   };`,
  context,
);
const findAllScript = new vm.Script('findAll(__re, __s)');
/** A custom expression's match is found whole when it is at most this long (slices overlap by this much). */
const SLICE_OVERLAP = 1000;

/** Runs a user's expression on one text with the time limit; throws when it is exceeded. */
function timedFind(name: string, re: RegExp, text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let offset = 0; offset < text.length || offset === 0; offset += CUSTOM_REGEX_SLICE) {
    const last = offset + CUSTOM_REGEX_SLICE >= text.length;
    const slice = text.slice(offset, offset + CUSTOM_REGEX_SLICE + (last ? 0 : SLICE_OVERLAP));
    context.__re = re;
    context.__s = slice;
    let flat: number[];
    try {
      flat = findAllScript.runInContext(context, { timeout: CUSTOM_REGEX_TIMEOUT_MS }) as number[];
    } catch (e) {
      // The error comes from the context's realm: recognised by its code, not instanceof.
      if ((e as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
        throw AppError.keyed(
          'INVALID_INPUT',
          'maskRegexTimeout',
          { rule: name, ms: CUSTOM_REGEX_TIMEOUT_MS },
          { rule: name, reason: 'timeout' },
        );
      }
      throw e;
    }
    for (let i = 0; i < flat.length; i += 2) {
      if (!last && flat[i] >= CUSTOM_REGEX_SLICE) continue;
      out.push([offset + flat[i], offset + flat[i + 1]]);
    }
    if (last) break;
  }
  return out;
}

function flagsOf(caseInsensitive: boolean | undefined): string {
  return caseInsensitive ? 'giu' : 'gu';
}

/** Texts a valid custom expression must not match with zero characters, and on which it must finish in time. */
function trialTexts(pattern: string): string[] {
  const literal = [...new Set(pattern.replace(/\\[a-zA-Z]/g, '').match(/[\p{L}\p{N} ]/gu) ?? [])].slice(0, 6);
  const chars = [...new Set(['a', '1', ' ', '中', ...literal])];
  return [
    'x',
    'Ab 12-34, 中文。\n',
    ...chars.map((c) => `${c.repeat(4000)}\u0000`),
    `${'a1'.repeat(2000)}!`,
    `${'a '.repeat(2000)}!`,
  ];
}

/**
 * Checks a user's regular expression before it is saved: it compiles (JavaScript syntax, Unicode mode), it never
 * matches zero characters (it would "mask" everywhere), and it finishes in time on texts built to make nested
 * repetition backtrack. Throws INVALID_INPUT with what to change.
 */
export function validateCustomRegex(pattern: string, caseInsensitive = false): RegExp {
  let re: RegExp;
  try {
    re = new RegExp(pattern, flagsOf(caseInsensitive));
  } catch (e) {
    throw AppError.keyed(
      'INVALID_INPUT',
      'maskRegexSyntax',
      { pattern, detail: e instanceof Error ? e.message : String(e) },
      { reason: 'syntax' },
    );
  }
  const empty = new RegExp(pattern, flagsOf(caseInsensitive).replace('g', ''));
  for (const text of ['', 'x', ' ', 'Ab 12', '中文']) {
    const m = empty.exec(text);
    if (m && m[0].length === 0) {
      throw AppError.keyed('INVALID_INPUT', 'maskRegexEmpty', { pattern }, { reason: 'empty' });
    }
  }
  for (const text of trialTexts(pattern)) timedFind('(new rule)', re, text);
  return re;
}

/** Compiles the enabled rules, in order. */
export function compileRules(rules: readonly MaskRule[]): CompiledRule[] {
  const out: CompiledRule[] = [];
  for (const r of rules) {
    if (!r.enabled) continue;
    if (r.kind === 'builtin') {
      const b = BUILTINS[r.name as BuiltinMaskRule];
      if (!b) continue;
      out.push({
        name: r.name,
        replacement: b.replacement,
        find: nativeFinder(new RegExp(b.pattern, b.flags), b.valid),
      });
    } else if (r.kind === 'names') {
      // Built from the list by namesPattern: escaped text, safe to run without the time limit.
      const re = new RegExp(namesPattern(r.names ?? []), 'giu');
      out.push({ name: r.name, replacement: r.replacement, find: nativeFinder(re) });
    } else {
      const re = new RegExp(r.pattern, flagsOf(r.caseInsensitive));
      out.push({ name: r.name, replacement: r.replacement, find: (text) => timedFind(r.name, re, text) });
    }
  }
  return out;
}

/** The spans the rules claim in `text` (offsets in it), in text order; an earlier rule wins an overlap. */
export function findMaskSpans(text: string, rules: readonly CompiledRule[]): MaskSpan[] {
  const claimed: MaskSpan[] = [];
  for (const r of rules) {
    for (const [start, end] of r.find(text)) {
      if (claimed.some((s) => start < s.end && end > s.start)) continue;
      claimed.push({ start, end, rule: r.name });
    }
  }
  return claimed.sort((a, b) => a.start - b.start);
}

/** The masked text, with the spans of its replacements (offsets in the masked text) and counts per rule. */
export function applyMask(text: string, rules: readonly CompiledRule[]): MaskResult {
  const spans = findMaskSpans(text, rules);
  if (spans.length === 0) return { text, masked: 0, spans: [], perRule: {} };
  const replacementOf = new Map(rules.map((r) => [r.name, r.replacement]));
  const perRule: Record<string, number> = {};
  const out: MaskSpan[] = [];
  let result = '';
  let at = 0;
  for (const s of spans) {
    result += text.slice(at, s.start);
    const rep = replacementOf.get(s.rule) ?? '[MASKED]';
    out.push({ start: result.length, end: result.length + rep.length, rule: s.rule });
    result += rep;
    at = s.end;
    perRule[s.rule] = (perRule[s.rule] ?? 0) + 1;
  }
  result += text.slice(at);
  return { text: result, masked: spans.length, spans: out, perRule };
}
